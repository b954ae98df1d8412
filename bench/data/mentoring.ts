/**
 * Mentoring: mentors' offers, mentees' requests (waiting, matched, closed), one approved matching
 * run per region, relationships with goals and meetings, and the audit trail. Set-based SQL;
 * choices are hashes of ids and the seed.
 */
import { sql } from 'kysely';
import type { DB } from '../../src/db/database.ts';
import { progress, run } from './bulk.ts';

export const MENTORING_TABLES = [
  'mentoring_offers',
  'mentoring_requests',
  'mentoring_runs',
  'mentoring_relationships',
  'mentoring_goals',
  'mentoring_meetings',
];

export async function insertMentoring(
  db: DB,
  seed: number,
  range: { lo: number; hi: number },
  staff: { lo: number; hi: number },
): Promise<number> {
  const h = (expr: string, mod: number) =>
    sql.raw(`(abs(hashtext(${seed}::text || ':' || ${expr})) % ${mod})`);
  const bar = progress('mentoring', 7);
  let rows = 0;
  const stage = async (q: Parameters<typeof run>[1]) => {
    rows += await run(db, q);
    bar.increment();
  };
  const bench = sql`p.user_id between ${range.lo} and ${range.hi}`;
  await stage(sql`insert into mentoring_offers (user_id, capacity, areas, format, mentee_professions, notes)
    select p.user_id, 1 + ${h("'c' || p.user_id", 3)}, p.interests,
      (array['in-person', 'online', 'either'])[1 + ${h("'f' || p.user_id", 3)}], '{}', 'Happy to meet monthly.'
    from member_profiles p join role_assignments ra on ra.user_id = p.user_id and ra.role = 'mentor'
    where ${bench} on conflict do nothing`);
  await stage(sql`insert into mentoring_requests (user_id, status, goals, goal_areas, format, same_region, created_at, updated_at)
    select p.user_id,
      case when ${h("'st' || p.user_id", 10)} < 6 then 'matched' when ${h("'st' || p.user_id", 10)} < 8 then 'waiting' else 'closed' end,
      'Grow as a leader in ' || p.interests[1] || '.', p.interests, 'either', ${h("'sr' || p.user_id", 2)} = 0,
      (p.joined_on + 30)::timestamptz, (p.joined_on + 60)::timestamptz
    from member_profiles p
    where ${bench} and ${h("'rq' || p.user_id", 100)} < 8
      and not exists (select 1 from role_assignments ra where ra.user_id = p.user_id and ra.role = 'mentor')`);
  await stage(sql`insert into mentoring_runs (region_code, status, matched, mentees, objective, created_by, created_at, computed_at, decided_by, decided_at)
    select r.code, 'approved', 0, 0, 0, l.user_id, now() - interval '90 days', now() - interval '90 days', l.user_id, now() - interval '89 days'
    from network_regions r
    join lateral (select ra.user_id from role_assignments ra where ra.role = 'regional-lead' and ra.region_code = r.code
      and ra.user_id between ${staff.lo} and ${staff.hi} order by ra.user_id limit 1) l on true`);
  await stage(sql`insert into mentoring_relationships (request_id, run_id, mentee_user_id, mentor_user_id, region_code, status,
      score, started_on, ground_rules, meeting_frequency, duration_months, agreed_at, review_due_on, created_at,
      last_reminder_at)
    select q.id, run.id, q.user_id, m.user_id, q.region_code,
      case when q.status = 'closed' then 'ended' else 'active' end, 0.5 + ${h("'sc' || q.id", 50)} / 100.0,
      q.updated_at::date, 'Confidential; we meet monthly.', 'monthly', 12, q.updated_at + interval '14 days',
      (q.updated_at + interval '6 months')::date, q.updated_at,
      -- A live network has already sent this week's reminders: without this the first start after
      -- loading would send thousands at once (26 s of work at 100,000 members, during the load run).
      now() - interval '1 day' * ${h("'lr' || q.id", 7)}
    from (select rq.*, p.region_code,
            row_number() over (partition by p.region_code order by rq.id) as rn
          from mentoring_requests rq join member_profiles p on p.user_id = rq.user_id
          where rq.status in ('matched', 'closed') and ${bench}) q
    join (select o.user_id, p.region_code, row_number() over (partition by p.region_code order by o.user_id) as rn,
            count(*) over (partition by p.region_code) as n
          from mentoring_offers o join member_profiles p on p.user_id = o.user_id where ${bench}) m
      on m.region_code = q.region_code and m.rn = 1 + (q.rn - 1) % m.n
    join lateral (select id from mentoring_runs x where x.region_code = q.region_code order by x.id desc limit 1) run on true`);
  await stage(sql`insert into mentoring_goals (relationship_id, title, status)
    select r.id, g.title, (array['not-started', 'in-progress', 'achieved'])[1 + ${h("'g' || r.id || g.title", 3)}]
    from mentoring_relationships r join member_profiles p on p.user_id = r.mentee_user_id
    cross join (values ('Chair a divisional meeting'), ('Lead an improvement project')) g(title) where ${bench}`);
  await stage(sql`insert into mentoring_meetings (relationship_id, met_on, format, notes, logged_by, created_at)
    select r.id, r.started_on + k * 30, 'in-person', 'Talked through the project plan.', r.mentee_user_id,
      (r.started_on + k * 30)::timestamptz
    from mentoring_relationships r join member_profiles p on p.user_id = r.mentee_user_id
    cross join generate_series(1, 1 + ${h("'mt' || r.id", 5)}) k where ${bench}`);
  await stage(sql`insert into audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, summary)
    select r.created_at, u.id, u.name || ' <' || u.email || '>', 'mentoring.pair.approve', 'mentoring_relationship',
      r.id::text, 'Mentoring pair approved'
    from mentoring_relationships r join mentoring_runs run on run.id = r.run_id join users u on u.id = run.decided_by
    join member_profiles p on p.user_id = r.mentee_user_id where ${bench}`);
  bar.stop();
  return rows;
}
