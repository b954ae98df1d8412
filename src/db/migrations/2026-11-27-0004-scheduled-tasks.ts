import type { Kysely } from 'kysely';

// Periodic background tasks (reminders, housekeeping): one row per task holds a lease, so that
// when several app processes share a database only one of them runs a task at a time.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scheduled_tasks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_started_at', 'timestamptz')
    .addColumn('last_finished_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scheduled_tasks').ifExists().execute();
}
