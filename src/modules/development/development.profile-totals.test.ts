import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import * as totals from './development.profile-totals.ts';
import type { DB } from '../../db/database.ts';
import type { ProfileFigure } from './development.repository.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const TODAY = '2026-11-27';

// The reference: the figures added up from every rating, as each view computed them before the
// totals were kept on write. (People with a self-assessment count in the region of their latest one,
// like the figures themselves.)
/**
 * Mean self ratings per element or domain, by region and nationally, from each member's latest
 * self-assessment on the version. `people` counts distinct members behind each figure.
 */
async function selectSelfProfile(x: DB, versionId: number, level: 'element' | 'domain') {
  const item = level === 'element' ? sql.ref('e.id') : sql.ref('e.domain_id');
  const result = await sql<ProfileFigure>`
    with latest as (
      select distinct on (user_id) id, user_id, region_code
      from dev_self_assessments where version_id = ${versionId}
      order by user_id, created_at desc, id desc
    ), per_member as (
      select l.user_id, l.region_code, ${item} as item_id, avg(r.rating) as m
      from latest l
      join dev_self_ratings r on r.assessment_id = l.id
      join dev_elements e on e.id = r.element_id
      group by l.user_id, l.region_code, ${item}
    )
    select region_code, grouping(region_code) = 1 as is_national, item_id,
      count(distinct user_id)::int as people, avg(m)::float8 as mean
    from per_member
    group by grouping sets ((region_code, item_id), (item_id))`.execute(x);
  return result.rows;
}

/**
 * Mean 360 ratings (all raters) per element or domain: each member's closed rounds with at least 3
 * responses give one mean per item, then members are averaged by region and nationally.
 */
async function selectRaterProfile(x: DB, versionId: number, level: 'element' | 'domain', today: string) {
  const item = level === 'element' ? sql.ref('e.id') : sql.ref('e.domain_id');
  const result = await sql<ProfileFigure>`
    with rounds as (
      select fr.id, fr.user_id, fr.region_code from dev_feedback_rounds fr
      where fr.version_id = ${versionId} and (fr.closed_at is not null or fr.closes_on < ${today})
        and (select count(*) from dev_feedback_responses x where x.round_id = fr.id) >= 3
    ), per_member as (
      select rd.user_id, rd.region_code, ${item} as item_id, avg(ra.rating) as m
      from rounds rd
      join dev_feedback_responses resp on resp.round_id = rd.id
      join dev_feedback_ratings ra on ra.response_id = resp.id
      join dev_elements e on e.id = ra.element_id
      group by rd.user_id, rd.region_code, ${item}
    )
    select region_code, grouping(region_code) = 1 as is_national, item_id,
      count(distinct user_id)::int as people, avg(m)::float8 as mean
    from per_member
    group by grouping sets ((region_code, item_id), (item_id))`.execute(x);
  return result.rows;
}

/** Distinct members with a self-assessment / a usable 360, by region and nationally. */
async function selectProfilePeople(x: DB, versionId: number, today: string) {
  const result = await sql<{
    region_code: string | null;
    is_national: boolean;
    kind: string;
    people: number;
  }>`
    with people as (
      select 'self' as kind, user_id, region_code from (
        select distinct on (user_id) user_id, region_code from dev_self_assessments
        where version_id = ${versionId} order by user_id, created_at desc, id desc) latest
      union
      select 'raters' as kind, fr.user_id, fr.region_code from dev_feedback_rounds fr
      where fr.version_id = ${versionId} and (fr.closed_at is not null or fr.closes_on < ${today})
        and (select count(*) from dev_feedback_responses x where x.round_id = fr.id) >= 3
    )
    select region_code, grouping(region_code) = 1 as is_national, kind, count(distinct user_id)::int as people
    from people group by grouping sets ((region_code, kind), (kind))`.execute(x);
  return result.rows;
}

/** Figures in a comparable order, means rounded (sums in another order differ in the last bits). */
const norm = (rows: ProfileFigure[]) =>
  rows
    .map((r) => ({ ...r, mean: Math.round(r.mean * 1e9) / 1e9 }))
    .sort((a, b) =>
      `${a.is_national}|${a.region_code}|${a.item_id}`.localeCompare(
        `${b.is_national}|${b.region_code}|${b.item_id}`,
      ),
    );
const normPeople = (
  rows: { region_code: string | null; is_national: boolean; kind: string; people: number }[],
) =>
  rows
    .map((r) => ({ region_code: r.region_code, is_national: r.is_national, kind: r.kind, people: r.people }))
    .sort((a, b) =>
      `${a.kind}|${a.is_national}|${a.region_code}`.localeCompare(
        `${b.kind}|${b.is_national}|${b.region_code}`,
      ),
    );

/** The kept figures of one kind and level, shaped like the reference. */
async function kept(versionId: number, kind: string, level: string): Promise<ProfileFigure[]> {
  return (await totals.selectProfileTotals(ctx.db, versionId))
    .filter((r) => r.kind === kind && r.level === level)
    .map(({ kind: _k, level: _l, ...r }) => r);
}

async function expectKeptEqualsDirect(versionId: number) {
  for (const level of ['element', 'domain'] as const) {
    expect(norm(await kept(versionId, 'self', level))).toEqual(
      norm(await selectSelfProfile(ctx.db, versionId, level)),
    );
    expect(norm(await kept(versionId, 'raters', level))).toEqual(
      norm(await selectRaterProfile(ctx.db, versionId, level, TODAY)),
    );
  }
  expect(normPeople(await totals.selectProfilePeopleTotals(ctx.db, versionId))).toEqual(
    normPeople(await selectProfilePeople(ctx.db, versionId, TODAY)),
  );
}

describe('competency profile totals', () => {
  it('kept on write, equal the figures added up from every rating, and a rebuild gives the same', async () => {
    const version = await ctx.db
      .selectFrom('dev_framework_versions')
      .select('id')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const elements = await ctx.db
      .selectFrom('dev_elements')
      .select('id')
      .where('version_id', '=', version.id)
      .orderBy('position')
      .execute();
    const people = [];
    for (let i = 0; i < 7; i++) people.push(await createUser(ctx, []));
    const regions = ['Q34', 'Q34', 'Q35', 'Q35', 'Q36', null, 'Q34'];

    const selfAssess = async (u: number, region: string | null, base: number) => {
      const a = await ctx.db
        .insertInto('dev_self_assessments')
        .values({ user_id: u, version_id: version.id, region_code: region })
        .returning('id')
        .executeTakeFirstOrThrow();
      await ctx.db
        .insertInto('dev_self_ratings')
        .values(
          elements.map((e, k) => ({
            assessment_id: a.id,
            element_id: e.id,
            rating: 1 + ((base + k) % 4),
            evidence: null,
          })),
        )
        .execute();
      await totals.refreshMemberProfile(ctx.db, u, version.id, TODAY, ['self']);
    };
    const round = async (
      u: number,
      region: string | null,
      opts: { responses: number; closed?: boolean; closesOn: string },
    ) => {
      const r = await ctx.db
        .insertInto('dev_feedback_rounds')
        .values({
          user_id: u,
          version_id: version.id,
          region_code: region,
          title: 'Feedback',
          closes_on: opts.closesOn,
          closed_at: opts.closed ? new Date() : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (let k = 0; k < opts.responses; k++) {
        const resp = await ctx.db
          .insertInto('dev_feedback_responses')
          .values({ round_id: r.id, rater_group: 'peer', strengths_comment: null, development_comment: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        await ctx.db
          .insertInto('dev_feedback_ratings')
          .values(
            elements
              .slice(k)
              .map((e, j) => ({ response_id: resp.id, element_id: e.id, rating: 1 + ((u + j + k) % 4) })),
          )
          .execute();
      }
      return r.id;
    };

    for (const [i, p] of people.entries()) await selfAssess(p.id, regions[i]!, i);
    await expectKeptEqualsDirect(version.id);
    // A second assessment replaces the member's figures; one moved region.
    await selfAssess(people[0]!.id, 'Q34', 3);
    await selfAssess(people[2]!.id, 'Q36', 1);
    await expectKeptEqualsDirect(version.id);

    // 360: closed by hand with three responses counts; two responses or still open does not.
    const closedByHand = await round(people[1]!.id, 'Q34', {
      responses: 3,
      closed: true,
      closesOn: '2026-12-31',
    });
    await round(people[3]!.id, 'Q35', { responses: 2, closed: true, closesOn: '2026-12-31' });
    const open = await round(people[4]!.id, 'Q36', { responses: 4, closesOn: '2026-12-31' });
    // Closed by date (yesterday), counted by the scheduled task; and a member whose rounds sit in two regions.
    await round(people[5]!.id, null, { responses: 3, closesOn: '2026-11-26' });
    await round(people[6]!.id, 'Q34', { responses: 3, closed: true, closesOn: '2026-12-31' });
    await round(people[6]!.id, 'Q35', { responses: 5, closed: true, closesOn: '2026-12-31' });
    expect(closedByHand).toBeGreaterThan(0);
    for (const u of [1, 3, 6])
      await totals.refreshMemberProfile(ctx.db, people[u]!.id, version.id, TODAY, ['raters']);
    const due = await totals.roundsToCount(ctx.db, TODAY, 100);
    expect(due.map((d) => d.user_id)).toContain(people[5]!.id);
    expect(due.map((d) => d.user_id)).not.toContain(people[4]!.id);
    for (const d of due)
      await totals.refreshMemberProfile(ctx.db, d.user_id, d.version_id, TODAY, ['raters']);
    expect(await totals.roundsToCount(ctx.db, TODAY, 100)).toEqual([]);
    await expectKeptEqualsDirect(version.id);
    expect((await kept(version.id, 'raters', 'element')).length).toBeGreaterThan(0);

    // Closing the open round adds it.
    await ctx.db
      .updateTable('dev_feedback_rounds')
      .set({ closed_at: new Date() })
      .where('id', '=', open)
      .execute();
    await totals.refreshMemberProfile(ctx.db, people[4]!.id, version.id, TODAY, ['raters']);
    await expectKeptEqualsDirect(version.id);

    // A rebuild from scratch gives the same figures.
    const before = norm(await kept(version.id, 'raters', 'domain'));
    await totals.rebuildProfileTotals(ctx.db, TODAY);
    expect(norm(await kept(version.id, 'raters', 'domain'))).toEqual(before);
    await expectKeptEqualsDirect(version.id);
  });
});
