/**
 * Action learning: the consultancy's facilitators, one published set formation per past cohort,
 * sets of about eight members, six sessions per set with attendance, presenters and actions,
 * session returns, and the audit trail. Set-based SQL; choices are hashes of ids and the seed.
 */
import { sql } from 'kysely';
import type { DB } from '../../src/db/database.ts';
import { progress, run } from './bulk.ts';

export const LEARNING_SET_TABLES = [
  'ls_facilitators',
  'ls_formations',
  'ls_sets',
  'ls_set_members',
  'ls_sessions',
  'ls_attendance',
  'ls_actions',
  'ls_session_returns',
];

export async function insertLearningSets(
  db: DB,
  seed: number,
  range: { lo: number; hi: number },
  staff: { lo: number; hi: number },
): Promise<number> {
  const h = (expr: string, mod: number) =>
    sql.raw(`(abs(hashtext(${seed}::text || ':' || ${expr})) % ${mod})`);
  const bar = progress('learning sets', 10);
  let rows = 0;
  const stage = async (q: Parameters<typeof run>[1]) => {
    rows += await run(db, q);
    bar.increment();
  };
  const staffRange = sql`between ${staff.lo} and ${staff.hi}`;
  await stage(sql`insert into ls_facilitators (user_id, region_code, organisation_id, is_lead, max_sets)
    select ra.user_id, ra.region_code, (select id from organisations where kind = 'supplier' order by id limit 1),
      row_number() over (partition by ra.region_code order by ra.user_id) = 1, 20
    from role_assignments ra where ra.role = 'facilitator' and ra.user_id ${staffRange}
    on conflict do nothing`);
  await stage(sql`insert into ls_formations (region_code, intake_id, status, min_size, max_size, equal_sizes,
      separate_organisations, settings, people, objective, created_by, created_at, updated_at, published_by, published_at)
    select i.region_code, i.id, 'published', 6, 10, false, true, '{"bench": true}'::jsonb, '[]'::jsonb, 0, l.user_id,
      coalesce(i.closes_on, i.opens_on + 180)::timestamptz, coalesce(i.closes_on, i.opens_on + 180)::timestamptz,
      l.user_id, (coalesce(i.closes_on, i.opens_on + 180) + 7)::timestamptz
    from intakes i
    join lateral (select ra.user_id from role_assignments ra where ra.role = 'regional-lead'
      and ra.region_code = i.region_code and ra.user_id ${staffRange} order by ra.user_id limit 1) l on true
    where i.status = 'closed'
      and exists (select 1 from member_profiles p where p.intake_id = i.id and p.user_id between ${range.lo} and ${range.hi})
      and not exists (select 1 from ls_formations f where f.intake_id = i.id and f.status = 'published')`);
  await stage(sql`insert into ls_sets (formation_id, region_code, name, position, facilitator_user_id, min_size, max_size, created_at)
    select f.id, f.region_code, 'Set ' || k, k,
      (select lf.user_id from ls_facilitators lf where lf.region_code = f.region_code order by lf.user_id
        offset (k - 1) % greatest(1, (select count(*) from ls_facilitators x where x.region_code = f.region_code)) limit 1),
      6, 10, f.published_at
    from ls_formations f
    cross join lateral generate_series(1, (select ceil(count(*) / 8.0)::int from member_profiles p
      where p.intake_id = f.intake_id and p.user_id between ${range.lo} and ${range.hi})) k
    where f.settings ? 'bench'`);
  await stage(sql`insert into ls_set_members (formation_id, set_id, user_id, person_index)
    select m.formation_id, s.id, m.user_id, m.rn - 1
    from (select f.id as formation_id, p.user_id,
            row_number() over (partition by f.id order by ${h('p.user_id', 1000000)}, p.user_id) as rn
          from ls_formations f join member_profiles p on p.intake_id = f.intake_id
          where f.settings ? 'bench' and p.user_id between ${range.lo} and ${range.hi}) m
    join ls_sets s on s.formation_id = m.formation_id and s.position = (m.rn - 1) / 8 + 1`);
  await stage(sql`insert into ls_sessions (set_id, starts_at, ends_at, location, created_by, created_at)
    select s.id, s.created_at + (k * 42 || ' days')::interval + interval '9 hours',
      s.created_at + (k * 42 || ' days')::interval + interval '12 hours', 'Regional office, room ' || (1 + s.id % 9),
      coalesce(s.facilitator_user_id, f.created_by), s.created_at
    from ls_sets s join ls_formations f on f.id = s.formation_id
    cross join generate_series(1, 6) k where f.settings ? 'bench'`);
  await stage(sql`insert into ls_attendance (session_id, user_id, status, presented, recorded_by, recorded_at)
    select se.id, sm.user_id,
      case when ${h("se.id || '-' || sm.user_id", 100)} < 80 then 'present'
           when ${h("se.id || '-' || sm.user_id", 100)} < 92 then 'apologies' else 'absent' end,
      ${h("'p' || se.id || '-' || sm.user_id", 100)} < 12, se.created_by, se.ends_at
    from ls_sessions se join ls_sets s on s.id = se.set_id join ls_formations f on f.id = s.formation_id
    join ls_set_members sm on sm.set_id = s.id where f.settings ? 'bench'`);
  await stage(sql`insert into ls_actions (set_id, session_id, owner_user_id, description, due_on, status,
      reviewed_session_id, review_note, created_by, created_at, reviewed_at)
    select se.set_id, se.id, a.user_id, 'Try the new handover tool on one ward and report back.',
      (se.starts_at + interval '42 days')::date,
      (array['done', 'partly', 'not-done', 'carried-over'])[1 + ${h("'s' || se.id || '-' || a.user_id", 4)}],
      nx.id, 'Discussed at the next session.', se.created_by, se.ends_at, nx.starts_at
    from ls_sessions se
    join ls_attendance a on a.session_id = se.id and a.status = 'present'
    join ls_sessions nx on nx.set_id = se.set_id and nx.starts_at = se.starts_at + interval '42 days'
    where ${h("'a' || se.id || '-' || a.user_id", 2)} = 0
      and exists (select 1 from ls_sets s join ls_formations f on f.id = s.formation_id
        where s.id = se.set_id and f.settings ? 'bench')`);
  await stage(sql`insert into ls_session_returns (session_id, set_id, region_code, session_date, members_count,
      present_count, apologies_count, absent_count, actions_reviewed, actions_done, themes, submitted_by, submitted_at)
    select se.id, se.set_id, s.region_code, se.starts_at::date, count(*)::int,
      count(*) filter (where a.status = 'present')::int, count(*) filter (where a.status = 'apologies')::int,
      count(*) filter (where a.status = 'absent')::int,
      coalesce(max(rv.reviewed), 0)::int, coalesce(max(rv.done), 0)::int,
      'Discharge delays; winter pressures; staff wellbeing.', se.created_by, se.ends_at + interval '1 day'
    from ls_sessions se join ls_sets s on s.id = se.set_id join ls_formations f on f.id = s.formation_id
    join ls_attendance a on a.session_id = se.id
    left join (select x.reviewed_session_id as session_id, count(*) as reviewed,
        count(*) filter (where x.status = 'done') as done
      from ls_actions x where x.reviewed_session_id is not null group by x.reviewed_session_id) rv on rv.session_id = se.id
    where f.settings ? 'bench' group by se.id, se.set_id, s.region_code`);
  await stage(sql`insert into audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, summary)
    select f.published_at, u.id, u.name || ' <' || u.email || '>', 'learning-sets.formation.publish', 'formation',
      f.id::text, 'Published ' || (select count(*) from ls_sets s where s.formation_id = f.id) || ' sets'
    from ls_formations f join users u on u.id = f.published_by where f.settings ? 'bench'`);
  await stage(sql`insert into audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, summary)
    select se.ends_at, u.id, u.name || ' <' || u.email || '>', 'learning-sets.attendance.record', 'session',
      se.id::text, 'Attendance recorded'
    from ls_sessions se join users u on u.id = se.created_by
    join ls_sets s on s.id = se.set_id join ls_formations f on f.id = s.formation_id where f.settings ? 'bench'`);
  bar.stop();
  return rows;
}
