import { type Kysely, sql } from 'kysely';

// A mentee may link their request to goals of their own development plan.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table mentoring_requests add column plan_goal_ids integer[] not null default '{}'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table mentoring_requests drop column if exists plan_goal_ids`.execute(db);
}
