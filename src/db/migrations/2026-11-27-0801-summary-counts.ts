import { type Kysely, sql } from 'kysely';

// Counts the dashboards and review lists show on every view, kept up to date by the database
// itself (issue 8). Counting 170,000 applications or 75,000 session returns on every dashboard view
// cost 10-20 ms of PostgreSQL per query at national scale; these tables hold the same figures,
// maintained on write by statement-level triggers (one upsert per statement, so a bulk load of
// thousands of rows costs one grouped update, not one per row). The increments (`n = n + delta`)
// are safe under concurrent writers: each statement's delta is added under the row lock.
export async function up(db: Kysely<any>): Promise<void> {
  // Applications per intake, status and profession.
  await sql`
    create table application_counts (
      intake_id integer not null references intakes(id) on delete cascade,
      region_code text not null,
      status text not null,
      profession text not null,
      n integer not null,
      primary key (intake_id, status, profession)
    )`.execute(db);
  await sql`create index application_counts_region on application_counts (region_code, status)`.execute(db);
  await sql`
    create function application_counts_apply() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        insert into application_counts as c (intake_id, region_code, status, profession, n)
          select intake_id, min(region_code), status, profession, -count(*)
          from old_rows group by intake_id, status, profession order by 1, 3, 4
        on conflict (intake_id, status, profession) do update set n = c.n + excluded.n;
      end if;
      if tg_op in ('UPDATE', 'INSERT') then
        insert into application_counts as c (intake_id, region_code, status, profession, n)
          select intake_id, min(region_code), status, profession, count(*)
          from new_rows group by intake_id, status, profession order by 1, 3, 4
        on conflict (intake_id, status, profession) do update set n = c.n + excluded.n;
      end if;
      return null;
    end $$`.execute(db);
  // A trigger with transition tables handles one event, hence three.
  await sql`create trigger application_counts_insert after insert on applications
    referencing new table as new_rows for each statement execute function application_counts_apply()`.execute(
    db,
  );
  await sql`create trigger application_counts_update after update on applications
    referencing old table as old_rows new table as new_rows
    for each statement execute function application_counts_apply()`.execute(db);
  await sql`create trigger application_counts_delete after delete on applications
    referencing old table as old_rows for each statement execute function application_counts_apply()`.execute(
    db,
  );
  await sql`
    insert into application_counts (intake_id, region_code, status, profession, n)
    select intake_id, min(region_code), status, profession, count(*)
    from applications group by intake_id, status, profession`.execute(db);

  // Session returns per set (the dashboards show totals, returns per region and how many sets
  // have sent any). One row per set keeps "sets with a return" exact without a distinct count.
  await sql`
    create table ls_set_return_totals (
      set_id integer primary key references ls_sets(id) on delete cascade,
      region_code text not null,
      returns integer not null,
      members integer not null,
      present integer not null,
      apologies integer not null,
      absent integer not null,
      reviewed integer not null,
      done integer not null
    )`.execute(db);
  await sql`create index ls_set_return_totals_region on ls_set_return_totals (region_code)`.execute(db);
  await sql`
    create function ls_set_return_totals_apply() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        insert into ls_set_return_totals as t
          (set_id, region_code, returns, members, present, apologies, absent, reviewed, done)
          select set_id, min(region_code), -count(*), -sum(members_count), -sum(present_count),
            -sum(apologies_count), -sum(absent_count), -sum(actions_reviewed), -sum(actions_done)
          from old_rows group by set_id order by set_id
        on conflict (set_id) do update set returns = t.returns + excluded.returns,
          members = t.members + excluded.members, present = t.present + excluded.present,
          apologies = t.apologies + excluded.apologies, absent = t.absent + excluded.absent,
          reviewed = t.reviewed + excluded.reviewed, done = t.done + excluded.done;
      end if;
      if tg_op in ('UPDATE', 'INSERT') then
        insert into ls_set_return_totals as t
          (set_id, region_code, returns, members, present, apologies, absent, reviewed, done)
          select set_id, min(region_code), count(*), sum(members_count), sum(present_count),
            sum(apologies_count), sum(absent_count), sum(actions_reviewed), sum(actions_done)
          from new_rows group by set_id order by set_id
        on conflict (set_id) do update set returns = t.returns + excluded.returns,
          members = t.members + excluded.members, present = t.present + excluded.present,
          apologies = t.apologies + excluded.apologies, absent = t.absent + excluded.absent,
          reviewed = t.reviewed + excluded.reviewed, done = t.done + excluded.done;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger ls_set_return_totals_insert after insert on ls_session_returns
    referencing new table as new_rows for each statement execute function ls_set_return_totals_apply()`.execute(
    db,
  );
  await sql`create trigger ls_set_return_totals_update after update on ls_session_returns
    referencing old table as old_rows new table as new_rows
    for each statement execute function ls_set_return_totals_apply()`.execute(db);
  await sql`create trigger ls_set_return_totals_delete after delete on ls_session_returns
    referencing old table as old_rows for each statement execute function ls_set_return_totals_apply()`.execute(
    db,
  );
  await sql`
    insert into ls_set_return_totals
      (set_id, region_code, returns, members, present, apologies, absent, reviewed, done)
    select set_id, min(region_code), count(*), sum(members_count), sum(present_count), sum(apologies_count),
      sum(absent_count), sum(actions_reviewed), sum(actions_done)
    from ls_session_returns group by set_id`.execute(db);
  // The latest themes, network-wide and per region, read newest first from an index.
  await sql`create index ls_session_returns_recent on ls_session_returns (session_date, session_id)`.execute(
    db,
  );
  await sql`drop index ls_session_returns_region`.execute(db);
  await sql`create index ls_session_returns_region on ls_session_returns (region_code, session_date, session_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists ls_session_returns_recent`.execute(db);
  await sql`drop table if exists ls_set_return_totals`.execute(db);
  await sql`drop function if exists ls_set_return_totals_apply() cascade`.execute(db);
  await sql`drop table if exists application_counts`.execute(db);
  await sql`drop function if exists application_counts_apply() cascade`.execute(db);
}
