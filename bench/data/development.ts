/**
 * Leadership development: self-assessments (with a rating per element), closed 360-degree feedback
 * rounds with raters, anonymous responses and ratings, development plans with goals, and the audit
 * trail. Set-based SQL over the members just generated; choices are hashes of ids and the seed, so
 * a run is reproducible.
 */
import { sql } from 'kysely';
import type { DB } from '../../src/db/database.ts';
import { londonDate } from '../../src/platform/dates.ts';
import { rebuildProfileTotals } from '../../src/modules/development/development.profile-totals.ts';
import { BENCH_DOMAIN, progress, run } from './bulk.ts';

export async function insertDevelopment(
  db: DB,
  seed: number,
  range: { lo: number; hi: number },
): Promise<number> {
  const v = await sql<{ id: number; points: number }>`select v.id,
      (select count(*)::int from dev_scale_points s where s.version_id = v.id) as points
    from dev_framework_versions v join dev_frameworks f on f.id = v.framework_id
    where f.key = 'mlcf-2010' order by v.version_number desc limit 1`.execute(db);
  const version = v.rows[0];
  if (!version) return 0;
  const h = (expr: string, mod: number) =>
    sql.raw(`(abs(hashtext(${seed}::text || ':' || ${expr})) % ${mod})`);
  const bench = sql`p.user_id between ${range.lo} and ${range.hi}`;
  const steps = 10;
  const bar = progress('development', steps);
  let rows = 0;
  const stage = async (q: ReturnType<typeof sql>) => {
    rows += await run(db, q);
    bar.increment();
  };
  await stage(sql`insert into dev_self_assessments (user_id, version_id, region_code, created_at)
    select p.user_id, ${version.id}, p.region_code, p.joined_on + (k * 200 + ${h('p.user_id', 60)})::int
    from member_profiles p cross join lateral generate_series(1, 1 + ${h("'n' || p.user_id", 2)}) k
    where ${bench} and ${h("'sa' || p.user_id", 10)} < 6`);
  await stage(sql`insert into dev_self_ratings (assessment_id, element_id, rating, evidence)
    select a.id, e.id, 1 + ${h("a.id || '-' || e.id", version.points)},
      case when e.position % 4 = 0 then 'Led the weekly safety huddle and changed the handover.' end
    from dev_self_assessments a join dev_elements e on e.version_id = a.version_id
    join member_profiles p on p.user_id = a.user_id where ${bench}`);
  await stage(sql`insert into dev_feedback_rounds (user_id, version_id, region_code, title, closes_on, closed_at, created_at)
    select p.user_id, ${version.id}, p.region_code, '360 feedback ' || extract(year from p.joined_on + 300)::int,
      p.joined_on + 330, (p.joined_on + 331)::timestamptz, (p.joined_on + 300)::timestamptz
    from member_profiles p where ${bench} and ${h("'fr' || p.user_id", 100)} < 15`);
  await stage(sql`insert into dev_raters (round_id, email, name, rater_group, token_hash, invited_at, responded_at, reminders_sent)
    select r.id, 'rater' || k || '.r' || r.id || ${`@${BENCH_DOMAIN}`}, 'Rater ' || k,
      case when k = 1 then 'line-manager' when k <= 4 then 'peer' else 'direct-report' end,
      md5('bench-rater-' || r.id || '-' || k), r.created_at,
      case when k <= 5 then r.created_at + interval '9 days' end, case when k <= 5 then 0 else 3 end
    from dev_feedback_rounds r join member_profiles p on p.user_id = r.user_id
    cross join generate_series(1, 6) k where ${bench}`);
  await stage(sql`insert into dev_feedback_responses (round_id, rater_group, strengths_comment, development_comment)
    select x.round_id, x.rater_group, 'Builds trust quickly and listens.', 'Could delegate more.'
    from dev_raters x join dev_feedback_rounds r on r.id = x.round_id join member_profiles p on p.user_id = r.user_id
    where ${bench} and x.responded_at is not null`);
  await stage(sql`insert into dev_feedback_ratings (response_id, element_id, rating)
    select fr.id, e.id, 1 + ${h("fr.id || '-' || e.id", version.points)}
    from dev_feedback_responses fr join dev_feedback_rounds r on r.id = fr.round_id
    join member_profiles p on p.user_id = r.user_id
    join dev_elements e on e.version_id = r.version_id where ${bench}`);
  await stage(sql`insert into dev_plans (user_id, version_id, region_code, title, share_with_mentor, share_with_facilitator, created_at, updated_at)
    select p.user_id, ${version.id}, p.region_code, 'My development plan', ${h("'sm' || p.user_id", 2)} = 0,
      ${h("'sf' || p.user_id", 3)} = 0, (p.joined_on + 60)::timestamptz, (p.joined_on + 90)::timestamptz
    from member_profiles p where ${bench} and ${h("'pl' || p.user_id", 10)} < 3`);
  await stage(sql`insert into dev_plan_goals (plan_id, element_id, title, actions, target_date, status)
    select pl.id, e.id, 'Develop: ' || e.name, 'Shadow the divisional director; lead one improvement project.',
      (pl.created_at + interval '6 months')::date,
      (array['not-started', 'in-progress', 'achieved', 'dropped'])[1 + ${h("pl.id || '-' || e.id", 4)}]
    from dev_plans pl join member_profiles p on p.user_id = pl.user_id
    join dev_elements e on e.version_id = pl.version_id
    where ${bench} and ${h("'g' || pl.id || '-' || e.id", 100)} < 10`);
  await stage(sql`insert into audit_log (at, actor_user_id, actor_label, action, entity_type, entity_id, summary)
    select x.at, u.id, u.name || ' <' || u.email || '>', x.action, x.entity_type, x.entity_id, x.summary
    from (
      select a.created_at as at, a.user_id, 'development.self-assessment.create' as action,
        'self_assessment' as entity_type, a.id::text as entity_id, 'Self-assessment recorded' as summary
      from dev_self_assessments a where a.user_id between ${range.lo} and ${range.hi}
      union all
      select r.closed_at, r.user_id, 'development.feedback.close', 'feedback_round', r.id::text, 'Feedback round closed: ' || r.title
      from dev_feedback_rounds r where r.user_id between ${range.lo} and ${range.hi}
      union all
      select pl.created_at, pl.user_id, 'development.plan.create', 'development_plan', pl.id::text, 'Development plan created'
      from dev_plans pl where pl.user_id between ${range.lo} and ${range.hi}
    ) x join users u on u.id = x.user_id`);
  // The competency profile figures are kept on write by the app; bulk-loaded ratings need a rebuild.
  await rebuildProfileTotals(db, londonDate());
  bar.increment();
  bar.stop();
  return rows;
}
