import { type Kysely, sql } from 'kysely';

// A response flagged as a patient-safety concern carries its short summary, so a draft keeps what
// the member wrote until they send it (the concern itself is raised from the summary on submission).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table policy_responses add column safety_summary text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table policy_responses drop column if exists safety_summary`.execute(db);
}
