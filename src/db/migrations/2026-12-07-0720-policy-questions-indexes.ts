import { type Kysely, sql } from 'kysely';

// The orders the questions and safety pages list in: answered questions most recently answered
// first, acknowledged safety concerns most recently acknowledged first.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index policy_questions_answered on policy_questions (answered_at desc, id desc)
    where status = 'answered'`.execute(db);
  await sql`create index policy_safety_concerns_acknowledged on policy_safety_concerns (acknowledged_at desc, id desc)
    where acknowledged_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists policy_safety_concerns_acknowledged`.execute(db);
  await sql`drop index if exists policy_questions_answered`.execute(db);
}
