import { type Kysely, sql } from 'kysely';

// Competency profiles kept up to date on write (issue 8): each member's means and their totals per
// region and nationally, instead of adding up every rating on each view. See
// src/modules/development/development.profile-totals.ts. The development module fills them from the
// existing ratings when it starts and finds them empty (ensureProfileTotals).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dev_profile_members (
      version_id integer not null references dev_framework_versions(id) on delete cascade,
      kind text not null check (kind in ('self', 'raters')),
      user_id integer not null references users(id) on delete cascade,
      region_code text not null,
      level text not null check (level in ('element', 'domain')),
      item_id integer not null,
      mean double precision not null,
      primary key (version_id, user_id, kind, level, item_id, region_code)
    )`.execute(db);
  await sql`
    create table dev_profile_totals (
      version_id integer not null references dev_framework_versions(id) on delete cascade,
      kind text not null,
      region_code text not null,
      level text not null,
      item_id integer not null,
      people integer not null,
      rows integer not null,
      total double precision not null,
      primary key (version_id, kind, level, region_code, item_id)
    )`.execute(db);
  await sql`
    create table dev_profile_people (
      version_id integer not null references dev_framework_versions(id) on delete cascade,
      kind text not null,
      region_code text not null,
      people integer not null,
      primary key (version_id, kind, region_code)
    )`.execute(db);
  await sql`alter table dev_feedback_rounds add column counted_in_profile boolean not null default false`.execute(
    db,
  );
  await sql`create index dev_feedback_rounds_uncounted on dev_feedback_rounds (closes_on)
    where not counted_in_profile`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists dev_profile_people`.execute(db);
  await sql`drop table if exists dev_profile_totals`.execute(db);
  await sql`drop table if exists dev_profile_members`.execute(db);
  await sql`alter table dev_feedback_rounds drop column if exists counted_in_profile`.execute(db);
}
