import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { ProfileFigure } from './development.repository.ts';

/**
 * Regional and national competency profiles, kept up to date on write (issue 8).
 *
 * Adding up every rating of the network on each view cost seconds of SQL at national scale. Instead:
 * - dev_profile_members holds each member's mean per element and per domain: from their latest
 *   self-assessment of a framework version ('self'), and from their usable 360 rounds ('raters':
 *   closed, by hand or by date, with at least three responses);
 * - dev_profile_totals adds those means up per region and nationally (people, rows, sum);
 * - dev_profile_people counts the members behind each kind of figure.
 * A member's rows are recomputed when they save a self-assessment or close a round, and by a
 * scheduled task when a round's closing date passes; the totals change by the difference. A view
 * reads a few hundred rows. The figures equal those of the direct query (proved in the tests).
 *
 * Pages never read these live totals: they read a published snapshot of them (issue 15). Reading a
 * region's figures before and after one member's self-assessment would otherwise give that member's
 * ratings exactly. A scope (framework version, kind, region or national) is published again only
 * once at least PUBLISH_AFTER_MEMBERS different members have changed its figures since its last
 * snapshot (dev_profile_pending lists them), so two readings differ by at least that many people.
 */

export type ProfileKind = 'self' | 'raters';
type MemberRow = {
  kind: ProfileKind;
  region_code: string;
  level: 'element' | 'domain';
  item_id: number;
  mean: number;
};
/** Different members whose figures must change in a scope before its snapshot is published again. */
export const PUBLISH_AFTER_MEMBERS = 5;
/** The national figure's region_code in dev_profile_totals and dev_profile_people. */
const NATIONAL = '';
/** The region_code of ratings recorded without a region (kept apart, counted nationally). */
const NO_REGION = '-';

/** The per-member means, for every member or one, as the direct profile queries define them. */
function memberMeans(versionId: number | null, userId: number | null, today: string) {
  const version = (alias: string) =>
    versionId === null ? sql`true` : sql`${sql.ref(`${alias}.version_id`)} = ${versionId}`;
  const user = (alias: string) =>
    userId === null ? sql`true` : sql`${sql.ref(`${alias}.user_id`)} = ${userId}`;
  return sql<MemberRow & { version_id: number; user_id: number }>`
    with latest as (
      select distinct on (a.version_id, a.user_id) a.id, a.version_id, a.user_id, a.region_code
      from dev_self_assessments a where ${version('a')} and ${user('a')}
      order by a.version_id, a.user_id, a.created_at desc, a.id desc
    ), self_ratings as (
      select l.version_id, l.user_id, coalesce(l.region_code, ${NO_REGION}) as region_code, e.id as element_id, e.domain_id, r.rating
      from latest l
      join dev_self_ratings r on r.assessment_id = l.id
      join dev_elements e on e.id = r.element_id
    ), rounds as (
      select fr.id, fr.version_id, fr.user_id, fr.region_code from dev_feedback_rounds fr
      where ${version('fr')} and ${user('fr')} and (fr.closed_at is not null or fr.closes_on < ${today})
        and (select count(*) from dev_feedback_responses x where x.round_id = fr.id) >= 3
    ), rater_ratings as (
      select rd.version_id, rd.user_id, coalesce(rd.region_code, ${NO_REGION}) as region_code, e.id as element_id, e.domain_id, ra.rating
      from rounds rd
      join dev_feedback_responses resp on resp.round_id = rd.id
      join dev_feedback_ratings ra on ra.response_id = resp.id
      join dev_elements e on e.id = ra.element_id
    )
    select version_id, 'self' as kind, user_id, region_code, 'element' as level, element_id as item_id,
      avg(rating)::float8 as mean from self_ratings group by version_id, user_id, region_code, element_id
    union all
    select version_id, 'self', user_id, region_code, 'domain', domain_id, avg(rating)::float8
      from self_ratings group by version_id, user_id, region_code, domain_id
    union all
    select version_id, 'raters', user_id, region_code, 'element', element_id, avg(rating)::float8
      from rater_ratings group by version_id, user_id, region_code, element_id
    union all
    select version_id, 'raters', user_id, region_code, 'domain', domain_id, avg(rating)::float8
      from rater_ratings group by version_id, user_id, region_code, domain_id`;
}

/** Recomputes every member's figures and the totals from scratch (migration, bench data). */
export async function rebuildProfileTotals(x: Executor, today: string): Promise<void> {
  await sql`delete from dev_profile_members`.execute(x);
  await sql`delete from dev_profile_totals`.execute(x);
  await sql`delete from dev_profile_people`.execute(x);
  await sql`insert into dev_profile_members (version_id, kind, user_id, region_code, level, item_id, mean)
    select version_id, kind, user_id, region_code, level, item_id, mean
    from (${memberMeans(null, null, today)}) m`.execute(x);
  await sql`insert into dev_profile_totals (version_id, kind, region_code, level, item_id, people, rows, total)
    select version_id, kind, region_code, level, item_id, count(*), count(*), sum(mean)
      from dev_profile_members group by version_id, kind, region_code, level, item_id
    union all
    select version_id, kind, ${NATIONAL}, level, item_id, count(distinct user_id), count(*), sum(mean)
      from dev_profile_members group by version_id, kind, level, item_id`.execute(x);
  await sql`insert into dev_profile_people (version_id, kind, region_code, people)
    select version_id, kind, region_code, count(distinct user_id)
      from dev_profile_members group by version_id, kind, region_code
    union all
    select version_id, kind, ${NATIONAL}, count(distinct user_id)
      from dev_profile_members group by version_id, kind`.execute(x);
  await sql`update dev_feedback_rounds set counted_in_profile = true
    where not counted_in_profile and (closed_at is not null or closes_on < ${today})`.execute(x);
  await publishAllProfiles(x);
}

/** Publishes every scope's figures as they stand (after a full rebuild) and forgets who was pending. */
async function publishAllProfiles(x: Executor): Promise<void> {
  await sql`delete from dev_profile_published_totals`.execute(x);
  await sql`delete from dev_profile_published_people`.execute(x);
  await sql`delete from dev_profile_pending`.execute(x);
  await sql`insert into dev_profile_published_totals (version_id, kind, region_code, level, item_id, people, rows, total)
    select version_id, kind, region_code, level, item_id, people, rows, total from dev_profile_totals
    where region_code <> ${NATIONAL}`.execute(x);
  await sql`insert into dev_profile_published_people (version_id, kind, region_code, people)
    select version_id, kind, region_code, people from dev_profile_people
    where region_code <> ${NATIONAL}`.execute(x);
  await publishNational(x, null, null);
}

/**
 * The published national figures are the sum of the published regional snapshots (and of those
 * without a region), never a live figure of their own: otherwise the national snapshot minus the
 * regional ones could isolate a member whose region has not published since they contributed.
 * A member whose ratings sit in two regions (they moved) is counted in each.
 */
async function publishNational(x: Executor, versionId: number | null, kind: string | null): Promise<void> {
  const scope =
    versionId === null || kind === null ? sql`true` : sql`version_id = ${versionId} and kind = ${kind}`;
  await sql`delete from dev_profile_published_totals where region_code = ${NATIONAL} and ${scope}`.execute(x);
  await sql`insert into dev_profile_published_totals (version_id, kind, region_code, level, item_id, people, rows, total)
    select version_id, kind, ${NATIONAL}, level, item_id, sum(people), sum(rows), sum(total)
    from dev_profile_published_totals where region_code <> ${NATIONAL} and ${scope}
    group by version_id, kind, level, item_id`.execute(x);
  await sql`delete from dev_profile_published_people where region_code = ${NATIONAL} and ${scope}`.execute(x);
  await sql`insert into dev_profile_published_people (version_id, kind, region_code, people)
    select version_id, kind, ${NATIONAL}, sum(people)
    from dev_profile_published_people where region_code <> ${NATIONAL} and ${scope}
    group by version_id, kind`.execute(x);
}

/**
 * Notes that this member changed these scopes' figures, and publishes each scope that now has
 * PUBLISH_AFTER_MEMBERS different members waiting: its snapshot becomes the live totals.
 */
async function notePendingAndPublish(
  x: Executor,
  versionId: number,
  userId: number,
  scopes: { kind: string; region: string }[],
): Promise<void> {
  const published = new Set<string>();
  for (const { kind, region } of scopes) {
    // The national figures follow the regional snapshots (publishNational), not a count of their own.
    if (region === NATIONAL) continue;
    await sql`insert into dev_profile_pending (version_id, kind, region_code, user_id)
      values (${versionId}, ${kind}, ${region}, ${userId}) on conflict do nothing`.execute(x);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from dev_profile_pending
      where version_id = ${versionId} and kind = ${kind} and region_code = ${region}`.execute(x);
    if (rows[0]!.n < PUBLISH_AFTER_MEMBERS) continue;
    const scope = sql`version_id = ${versionId} and kind = ${kind} and region_code = ${region}`;
    await sql`delete from dev_profile_published_totals where ${scope}`.execute(x);
    await sql`insert into dev_profile_published_totals (version_id, kind, region_code, level, item_id, people, rows, total)
      select version_id, kind, region_code, level, item_id, people, rows, total from dev_profile_totals
      where ${scope}`.execute(x);
    await sql`delete from dev_profile_published_people where ${scope}`.execute(x);
    await sql`insert into dev_profile_published_people (version_id, kind, region_code, people)
      select version_id, kind, region_code, people from dev_profile_people where ${scope}`.execute(x);
    await sql`delete from dev_profile_pending where ${scope}`.execute(x);
    published.add(kind);
  }
  for (const kind of [...published].sort()) await publishNational(x, versionId, kind);
}

/**
 * Fills the figures from the ratings already recorded when they have never been computed (the
 * first start after the tables were added). Called as the module starts; cheap otherwise.
 */
export async function ensureProfileTotals(x: Executor, today: string): Promise<boolean> {
  const { rows } = await sql<{ built: boolean; rated: boolean }>`select
    exists (select 1 from dev_profile_members) as built,
    exists (select 1 from dev_self_ratings) or exists (select 1 from dev_feedback_ratings) as rated`.execute(
    x,
  );
  if (rows[0]!.built || !rows[0]!.rated) return false;
  await rebuildProfileTotals(x, today);
  return true;
}

type TotalKey = string;
const totalKey = (kind: string, region: string, level: string, item: number): TotalKey =>
  `${kind}\u0000${region}\u0000${level}\u0000${item}`;

/**
 * Recomputes one member's figures for one framework version (and kind, or both) and moves the
 * totals by the difference. Run inside the transaction that changed the member's ratings.
 */
export async function refreshMemberProfile(
  x: Executor,
  userId: number,
  versionId: number,
  today: string,
  kinds: ProfileKind[] = ['self', 'raters'],
): Promise<void> {
  const old = await x
    .deleteFrom('dev_profile_members')
    .where('version_id', '=', versionId)
    .where('user_id', '=', userId)
    .where('kind', 'in', kinds)
    .returning(['kind', 'region_code', 'level', 'item_id', 'mean'])
    .execute();
  const fresh = (await memberMeans(versionId, userId, today).execute(x)).rows.filter((r) =>
    kinds.includes(r.kind),
  );
  if (fresh.length)
    await x
      .insertInto('dev_profile_members')
      .values(fresh.map((r) => ({ ...r, version_id: versionId, user_id: userId })))
      .execute();
  if (kinds.includes('raters'))
    await x
      .updateTable('dev_feedback_rounds')
      .set({ counted_in_profile: true })
      .where('user_id', '=', userId)
      .where('version_id', '=', versionId)
      .where('counted_in_profile', '=', false)
      .where((eb) => eb.or([eb('closed_at', 'is not', null), eb('closes_on', '<', today)]))
      .execute();

  // The difference, per region and nationally. Nationally a member counts once per item even when
  // their rounds sit in two regions (they moved), as count(distinct user_id) does.
  const delta = new Map<TotalKey, { people: number; rows: number; total: number }>();
  const bump = (k: TotalKey, people: number, rows: number, total: number) => {
    const d = delta.get(k) ?? { people: 0, rows: 0, total: 0 };
    d.people += people;
    d.rows += rows;
    d.total += total;
    delta.set(k, d);
  };
  for (const [rows, sign] of [
    [old as MemberRow[], -1],
    [fresh, 1],
  ] as const) {
    const national = new Set<TotalKey>();
    for (const r of rows) {
      bump(totalKey(r.kind, r.region_code, r.level, r.item_id), sign, sign, sign * r.mean);
      const nk = totalKey(r.kind, NATIONAL, r.level, r.item_id);
      bump(nk, national.has(nk) ? 0 : sign, sign, sign * r.mean);
      national.add(nk);
    }
  }
  const people = new Map<string, number>();
  for (const [rows, sign] of [
    [old as MemberRow[], -1],
    [fresh, 1],
  ] as const) {
    const seen = new Set<string>();
    for (const r of rows)
      for (const region of [r.region_code, NATIONAL]) {
        const k = `${r.kind}\u0000${region}`;
        if (seen.has(k)) continue;
        seen.add(k);
        people.set(k, (people.get(k) ?? 0) + sign);
      }
  }
  // The scopes whose figures this refresh changes: only those count the member as a contributor.
  const changed = new Map<string, { kind: string; region: string }>();
  // Sorted, so two members' refreshes take the rows' locks in the same order.
  for (const [k, d] of [...delta].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (d.people === 0 && d.rows === 0 && Math.abs(d.total) < 1e-12) continue;
    const [kind, region, level, item] = k.split('\u0000');
    changed.set(`${kind}\u0000${region}`, { kind: kind!, region: region! });
    await sql`insert into dev_profile_totals as t (version_id, kind, region_code, level, item_id, people, rows, total)
      values (${versionId}, ${kind}, ${region}, ${level}, ${Number(item)}, ${d.people}, ${d.rows}, ${d.total})
      on conflict (version_id, kind, region_code, level, item_id) do update
      set people = t.people + excluded.people, rows = t.rows + excluded.rows, total = t.total + excluded.total`.execute(
      x,
    );
  }
  for (const [k, n] of [...people].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (n === 0) continue;
    const [kind, region] = k.split('\u0000');
    await sql`insert into dev_profile_people as p (version_id, kind, region_code, people)
      values (${versionId}, ${kind}, ${region}, ${n})
      on conflict (version_id, kind, region_code) do update set people = p.people + excluded.people`.execute(
      x,
    );
  }
  await notePendingAndPublish(
    x,
    versionId,
    userId,
    [...changed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v),
  );
}

/** Members whose 360 rounds have closed by date since they were last counted, for the scheduled task. */
export async function roundsToCount(x: Executor, today: string, limit: number) {
  return x
    .selectFrom('dev_feedback_rounds')
    .select(['user_id', 'version_id'])
    .distinct()
    .where('counted_in_profile', '=', false)
    .where((eb) => eb.or([eb('closed_at', 'is not', null), eb('closes_on', '<', today)]))
    .limit(limit)
    .execute();
}

/**
 * The profile figures of a version, every kind and level: the live totals (as the direct queries
 * give them), or with `published` the snapshot the pages show.
 */
export async function selectProfileTotals(
  x: Executor,
  versionId: number,
  published = false,
): Promise<(ProfileFigure & { kind: string; level: string })[]> {
  const table = sql.table(published ? 'dev_profile_published_totals' : 'dev_profile_totals');
  // Several hundred small rows, fetched as one JSON array: parsing them row by row cost three times
  // as long as the query on the embedded database.
  const { rows } = await sql<{ figures: [string, string, string, number, number, number, number][] | null }>`
    select json_agg(json_build_array(kind, level, region_code, item_id, people, rows, total)) as figures
    from ${table} where version_id = ${versionId} and rows > 0`.execute(x);
  return (rows[0]?.figures ?? []).map(([kind, level, region, item, people, count, total]) => ({
    kind,
    level,
    region_code: region === NATIONAL || region === NO_REGION ? null : region,
    is_national: region === NATIONAL,
    item_id: item,
    people,
    mean: total / count,
  }));
}

/** Members with a self-assessment / a usable 360, by region and nationally (live or published). */
export async function selectProfilePeopleTotals(x: Executor, versionId: number, published = false) {
  const rows = await x
    .selectFrom(published ? 'dev_profile_published_people' : 'dev_profile_people')
    .select(['kind', 'region_code', 'people'])
    .where('version_id', '=', versionId)
    .where('people', '>', 0)
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    region_code: r.region_code === NATIONAL || r.region_code === NO_REGION ? null : r.region_code,
    is_national: r.region_code === NATIONAL,
    people: r.people,
  }));
}
