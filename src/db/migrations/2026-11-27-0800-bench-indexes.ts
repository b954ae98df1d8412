import { type Kysely, sql } from 'kysely';

// Indexes the national-scale benchmark (bench:plans, issue 8) found missing: the accounts list is
// sorted by name, and the accounts search matches name or email with ilike.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index users_name_id on users (name, id)`.execute(db);
  await sql`create index users_email_trgm on users using gin (email gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists users_email_trgm`.execute(db);
  await sql`drop index if exists users_name_id`.execute(db);
}
