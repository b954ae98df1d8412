import { type Kysely, sql } from 'kysely';

// The outcomes, ledger and contributions pages follow a call's themes to the live theme they were
// merged into, and the national dashboard counts overdue milestones: index both walks.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index policy_themes_live_call on policy_themes (call_id) where merged_into_id is null`.execute(
    db,
  );
  await sql`create index policy_themes_merged_from on policy_themes (merged_into_id)
    where merged_into_id is not null`.execute(db);
  await sql`create index policy_milestones_due on policy_milestones (due_on)
    where status in ('planned', 'in-progress')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists policy_milestones_due`.execute(db);
  await sql`drop index if exists policy_themes_merged_from`.execute(db);
  await sql`drop index if exists policy_themes_live_call`.execute(db);
}
