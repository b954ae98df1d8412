import { type Kysely, sql } from 'kysely';

// Session returns added up per region as well as per set (issue 8): the national dashboard read
// every set's totals row (12,500 rows at 100,000 members) on each view; now it reads ten. The trigger
// function of migration 0801 is replaced by one that keeps both tables; `sets` counts the region's
// sets with at least one return (a set joins when its first return arrives, leaves when its last
// goes).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table ls_region_return_totals (
      region_code text primary key,
      sets integer not null,
      returns integer not null,
      members integer not null,
      present integer not null,
      apologies integer not null,
      absent integer not null,
      reviewed integer not null,
      done integer not null
    )`.execute(db);
  // The same statement runs for the rows a change removed (sign -1) and the rows it added (+1);
  // transition tables exist only for their own events, hence the loop over dynamic SQL.
  await sql`
    create or replace function ls_set_return_totals_apply() returns trigger language plpgsql as $$
    declare
      part record;
    begin
      for part in
        select * from (values ('old_rows', -1), ('new_rows', 1)) v(rows_table, sign)
        where (rows_table = 'old_rows' and tg_op in ('UPDATE', 'DELETE'))
           or (rows_table = 'new_rows' and tg_op in ('UPDATE', 'INSERT'))
        order by sign
      loop
        execute format($q$
          with d as (
            select set_id, min(region_code) as region_code, %1$s * count(*) as returns,
              %1$s * sum(members_count) as members, %1$s * sum(present_count) as present,
              %1$s * sum(apologies_count) as apologies, %1$s * sum(absent_count) as absent,
              %1$s * sum(actions_reviewed) as reviewed, %1$s * sum(actions_done) as done
            from %2$I group by set_id
          ), up as (
            insert into ls_set_return_totals as t
              (set_id, region_code, returns, members, present, apologies, absent, reviewed, done)
              select set_id, region_code, returns, members, present, apologies, absent, reviewed, done
              from d order by set_id
            on conflict (set_id) do update set returns = t.returns + excluded.returns,
              members = t.members + excluded.members, present = t.present + excluded.present,
              apologies = t.apologies + excluded.apologies, absent = t.absent + excluded.absent,
              reviewed = t.reviewed + excluded.reviewed, done = t.done + excluded.done
            returning t.set_id, t.returns
          )
          insert into ls_region_return_totals as g
            (region_code, sets, returns, members, present, apologies, absent, reviewed, done)
            select d.region_code,
              sum((up.returns > 0)::int - (up.returns - d.returns > 0)::int),
              sum(d.returns), sum(d.members), sum(d.present), sum(d.apologies), sum(d.absent),
              sum(d.reviewed), sum(d.done)
            from d join up on up.set_id = d.set_id group by d.region_code order by d.region_code
          on conflict (region_code) do update set sets = g.sets + excluded.sets,
            returns = g.returns + excluded.returns, members = g.members + excluded.members,
            present = g.present + excluded.present, apologies = g.apologies + excluded.apologies,
            absent = g.absent + excluded.absent, reviewed = g.reviewed + excluded.reviewed,
            done = g.done + excluded.done
        $q$, part.sign, part.rows_table);
      end loop;
      return null;
    end $$`.execute(db);
  await sql`
    insert into ls_region_return_totals
      (region_code, sets, returns, members, present, apologies, absent, reviewed, done)
    select region_code, count(*) filter (where returns > 0), sum(returns), sum(members), sum(present),
      sum(apologies), sum(absent), sum(reviewed), sum(done)
    from ls_set_return_totals group by region_code`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists ls_region_return_totals`.execute(db);
}
