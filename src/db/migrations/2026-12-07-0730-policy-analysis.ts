import { type Kysely, sql } from 'kysely';

// The analysis of a call: a response sits at most once under a theme (live assignments), and each
// row of an assignment's history names the theme it concerns, so a theme's page reads its history
// (moves in and out by merge and split included) with one indexed query.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create unique index policy_theme_assignments_live on policy_theme_assignments (theme_id, response_id)
    where removed_at is null`.execute(db);
  await sql`alter table policy_assignment_history
    add column theme_id integer references policy_themes (id) on delete cascade`.execute(db);
  await sql`create index policy_assignment_history_theme on policy_assignment_history (theme_id, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists policy_assignment_history_theme`.execute(db);
  await sql`alter table policy_assignment_history drop column if exists theme_id`.execute(db);
  await sql`drop index if exists policy_theme_assignments_live`.execute(db);
}
