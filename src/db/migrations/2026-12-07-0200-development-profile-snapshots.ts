import { type Kysely, sql } from 'kysely';

// Competency profiles published as snapshots (issue 15): the pages show a copy of the kept totals
// that changes for a scope (framework version, kind, region or national) only once at least 5
// different members have contributed since that scope's last snapshot, so two readings never
// differ by one person's ratings. See src/modules/development/development.profile-totals.ts.
// Existing figures are published as they stand when this migration runs; the national figures are
// the sum of the regional snapshots.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dev_profile_published_totals (
      version_id integer not null references dev_framework_versions(id) on delete cascade,
      kind text not null,
      region_code text not null,
      level text not null,
      item_id integer not null,
      people integer not null,
      rows integer not null,
      total double precision not null,
      primary key (version_id, kind, region_code, level, item_id)
    )`.execute(db);
  await sql`
    create table dev_profile_published_people (
      version_id integer not null references dev_framework_versions(id) on delete cascade,
      kind text not null,
      region_code text not null,
      people integer not null,
      primary key (version_id, kind, region_code)
    )`.execute(db);
  // Members whose figures changed in a scope since its last snapshot.
  await sql`
    create table dev_profile_pending (
      version_id integer not null references dev_framework_versions(id) on delete cascade,
      kind text not null,
      region_code text not null,
      user_id integer not null references users(id) on delete cascade,
      primary key (version_id, kind, region_code, user_id)
    )`.execute(db);
  // The regional figures (region_code '' is the national one)...
  await sql`insert into dev_profile_published_totals (version_id, kind, region_code, level, item_id, people, rows, total)
    select version_id, kind, region_code, level, item_id, people, rows, total from dev_profile_totals
    where region_code <> ''`.execute(db);
  await sql`insert into dev_profile_published_people (version_id, kind, region_code, people)
    select version_id, kind, region_code, people from dev_profile_people where region_code <> ''`.execute(db);
  // ...and the national ones as their sum, as the module publishes them from now on.
  await sql`insert into dev_profile_published_totals (version_id, kind, region_code, level, item_id, people, rows, total)
    select version_id, kind, '', level, item_id, sum(people), sum(rows), sum(total)
    from dev_profile_published_totals group by version_id, kind, level, item_id`.execute(db);
  await sql`insert into dev_profile_published_people (version_id, kind, region_code, people)
    select version_id, kind, '', sum(people) from dev_profile_published_people
    group by version_id, kind`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists dev_profile_pending`.execute(db);
  await sql`drop table if exists dev_profile_published_people`.execute(db);
  await sql`drop table if exists dev_profile_published_totals`.execute(db);
}
