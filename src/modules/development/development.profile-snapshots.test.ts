import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import type { RoleGrant } from '../../platform/permissions.ts';
import * as snapshotsMigration from '../../db/migrations/2026-12-07-0200-development-profile-snapshots.ts';
import * as totals from './development.profile-totals.ts';
import { PUBLISH_AFTER_MEMBERS } from './development.profile-totals.ts';

// The differencing attack on competency profiles (issue 15): read a region's figures, let one member
// (or a few, one at a time) self-assess, read again. Published figures are snapshots that change
// only once 5 different members have contributed since the last one, so no reading differs from
// another by fewer than 5 people's ratings.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const REGION = 'Q35';
const member = (): RoleGrant[] => [{ role: 'member', regionCode: REGION }];

type Cell = { people: number | null; mean: number | null; suppressed: boolean };
type Row = {
  scope: string;
  selfPeople: number | null;
  domains: { self: Cell }[];
  elements: { elementId: number; self: Cell }[];
};

describe('competency profiles cannot be differenced', () => {
  it('a reading does not change until 5 new people have contributed, then it moves', async () => {
    expect(PUBLISH_AFTER_MEMBERS).toBe(5);
    const version = await ctx.db
      .selectFrom('dev_frameworks as f')
      .innerJoin('dev_framework_versions as v', 'v.framework_id', 'f.id')
      .select('v.id')
      .where('f.key', '=', 'mlcf-2010')
      .orderBy('v.version_number', 'desc')
      .executeTakeFirstOrThrow();
    const elements = await ctx.db
      .selectFrom('dev_elements')
      .select('id')
      .where('version_id', '=', version.id)
      .orderBy('position')
      .execute();
    expect(elements).toHaveLength(20);

    const agents: Agent[] = [];
    const newMember = async () => {
      const u = await createUser(ctx, member());
      const a = new Agent(ctx.app);
      await a.signIn(u.email);
      agents.push(a);
      return a;
    };
    // Ratings that differ per element and per person, so a difference would show them.
    const assess = async (a: Agent, seed: number) => {
      const res = await a.api('POST', '/api/v1/development/self-assessments', {
        versionId: version.id,
        ratings: elements.map((e, i) => ({ elementId: e.id, rating: ((seed * 7 + i * 3) % 4) + 1 })),
      });
      expect(res.statusCode, res.body).toBe(201);
    };

    const { agent: lead } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: REGION }]);
    const read = async () => {
      const res = await lead.api('GET', `/api/v1/development/profiles?version=${version.id}`);
      expect(res.statusCode).toBe(200);
      return res.json().rows as Row[];
    };
    const csv = async () => (await lead.get(`/development/profiles.csv?version=${version.id}`)).body;
    const page = async () =>
      visibleText((await lead.get(`/development/profiles?version=${version.id}`)).body);

    // Four people: nothing is published at all.
    for (let i = 0; i < 4; i++) await assess(await newMember(), i);
    const none = await read();
    for (const row of none) {
      expect(row.selfPeople === 0 || row.selfPeople === null).toBe(true);
      for (const e of row.elements) expect(e.self.mean).toBeNull();
    }
    // The fifth: the first snapshot, resting on 5 people.
    await assess(await newMember(), 4);
    const first = await read();
    const regional = (rows: Row[]) => rows.find((r) => r.scope === REGION)!;
    const national = (rows: Row[]) => rows.find((r) => r.scope === 'national')!;
    expect(regional(first).selfPeople).toBe(5);
    expect(national(first).selfPeople).toBe(5);
    for (const e of regional(first).elements) {
      expect(e.self.people).toBe(5);
      expect(e.self.mean).not.toBeNull();
    }
    const firstCsv = await csv();
    const firstPage = await page();
    expect(firstPage).toContain('change only once at least 5 different people');

    // One new member self-assesses: the reading is unchanged, so their ratings cannot be worked out.
    await assess(await newMember(), 5);
    expect(await read()).toEqual(first);
    expect(await csv()).toBe(firstCsv);
    // An existing member re-assesses with other ratings: unchanged too.
    await assess(agents[0]!, 11);
    expect(await read()).toEqual(first);
    // And re-assessing again counts them once, not twice.
    await assess(agents[0]!, 12);
    expect(await read()).toEqual(first);
    // Two more new members, one at a time, reading after each: 4 different people so far.
    await assess(await newMember(), 6);
    expect(await read()).toEqual(first);
    await assess(await newMember(), 7);
    expect(await read()).toEqual(first);
    expect(await csv()).toBe(firstCsv);
    expect(await page()).toBe(firstPage);

    // The fifth different contributor: the figures move, and rest on everyone's latest ratings.
    await assess(await newMember(), 8);
    const second = await read();
    expect(second).not.toEqual(first);
    expect(regional(second).selfPeople).toBe(9);
    expect(national(second).selfPeople).toBe(9);
    for (const e of regional(second).elements) expect(e.self.people).toBe(9);
    // The published figures are now the live ones (the latest self-assessment of each of the 9).
    const live = await ctx.db
      .selectFrom('dev_profile_totals')
      .select(['item_id', 'people', 'rows', 'total'])
      .where('version_id', '=', version.id)
      .where('kind', '=', 'self')
      .where('level', '=', 'element')
      .where('region_code', '=', REGION)
      .execute();
    for (const e of regional(second).elements) {
      const l = live.find((x) => x.item_id === e.elementId)!;
      expect(e.self.mean).toBe(Math.round((l.total / l.rows) * 100) / 100);
    }
    // Between the two readings 5 people changed their ratings: the difference of the sums is the
    // sum of 5 people's changes, which does not give any one of them.
    const pending = await ctx.db
      .selectFrom('dev_profile_pending')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('version_id', '=', version.id)
      .where('region_code', '=', REGION)
      .executeTakeFirstOrThrow();
    expect(Number(pending.n)).toBe(0);

    // One more after that: unchanged again.
    await assess(await newMember(), 9);
    expect(await read()).toEqual(second);
  });

  it('360 figures: rounds closing one at a time do not move them until 5 members, and a rebuild publishes', async () => {
    const TODAY = '2026-11-27';
    const REG = 'Q39';
    const version = await ctx.db
      .selectFrom('dev_frameworks as f')
      .innerJoin('dev_framework_versions as v', 'v.framework_id', 'f.id')
      .select('v.id')
      .where('f.key', '=', 'hlm-2013')
      .orderBy('v.version_number', 'desc')
      .executeTakeFirstOrThrow();
    const elements = await ctx.db
      .selectFrom('dev_elements')
      .select('id')
      .where('version_id', '=', version.id)
      .execute();
    const closeRound = async (seed: number) => {
      const u = await createUser(ctx, []);
      const r = await ctx.db
        .insertInto('dev_feedback_rounds')
        .values({
          user_id: u.id,
          version_id: version.id,
          region_code: REG,
          title: 'Feedback',
          closes_on: '2026-12-31',
          closed_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (let k = 0; k < 3; k++) {
        const resp = await ctx.db
          .insertInto('dev_feedback_responses')
          .values({ round_id: r.id, rater_group: 'peer', strengths_comment: null, development_comment: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        await ctx.db
          .insertInto('dev_feedback_ratings')
          .values(
            elements.map((e, j) => ({
              response_id: resp.id,
              element_id: e.id,
              rating: 1 + ((seed + j + k) % 4),
            })),
          )
          .execute();
      }
      await totals.refreshMemberProfile(ctx.db, u.id, version.id, TODAY, ['raters']);
    };
    const published = async () =>
      (await totals.selectProfileTotals(ctx.db, version.id, true))
        .filter((f) => f.kind === 'raters' && f.region_code === REG)
        .map((f) => [f.level, f.item_id, f.people, f.mean])
        .sort();
    const live = async () =>
      (await totals.selectProfileTotals(ctx.db, version.id))
        .filter((f) => f.kind === 'raters' && f.region_code === REG)
        .map((f) => [f.level, f.item_id, f.people, f.mean])
        .sort();
    for (let i = 0; i < 5; i++) await closeRound(i);
    const first = await published();
    expect(first.length).toBeGreaterThan(0);
    expect(first).toEqual(await live());
    for (let i = 5; i < 9; i++) {
      await closeRound(i);
      expect(await published()).toEqual(first);
      expect(await live()).not.toEqual(first);
    }
    await closeRound(9);
    const second = await published();
    expect(second).not.toEqual(first);
    expect(second).toEqual(await live());
    // One more member after the snapshot does not move them.
    await closeRound(10);
    expect(await published()).toEqual(second);
    // A rebuild from scratch (the first start after an upgrade) publishes what it computes.
    await totals.rebuildProfileTotals(ctx.db, TODAY);
    expect(await published()).toEqual(await live());
    expect(await ctx.db.selectFrom('dev_profile_pending').selectAll().execute()).toEqual([]);
  });

  it('the upgrade publishes the figures already kept', async () => {
    const versions = await ctx.db.selectFrom('dev_profile_totals').select('version_id').distinct().execute();
    expect(versions.length).toBeGreaterThan(0);
    // Back to before the migration, then up again, as on the first start after the upgrade.
    await snapshotsMigration.down(ctx.db);
    await snapshotsMigration.up(ctx.db);
    for (const { version_id } of versions) {
      // The national figures are summed from the regional ones: equal, up to floating-point order.
      const sorted = (rows: object[]) =>
        rows
          .map((r) =>
            JSON.stringify(r, (k, v: unknown) => (k === 'mean' && typeof v === 'number' ? v.toFixed(9) : v)),
          )
          .sort();
      expect(sorted(await totals.selectProfileTotals(ctx.db, version_id, true))).toEqual(
        sorted(await totals.selectProfileTotals(ctx.db, version_id)),
      );
      expect(sorted(await totals.selectProfilePeopleTotals(ctx.db, version_id, true))).toEqual(
        sorted(await totals.selectProfilePeopleTotals(ctx.db, version_id)),
      );
    }
  });
});
