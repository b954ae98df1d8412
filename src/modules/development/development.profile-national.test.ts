import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, createUser, signedInAgent, type TestContext } from '../../../test/app.ts';
import { londonDate } from '../../platform/dates.ts';
import * as totals from './development.profile-totals.ts';

// Differencing across scopes (issue 15): the national figure minus the regional ones must not give
// one member's ratings either. The published national figures are the sum of the regional
// snapshots, and the profiles withhold a shown region while the figures a reader cannot see rest on
// 1 to 4 people.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

type Cell = { people: number | null; mean: number | null; suppressed: boolean };
type Row = { scope: string; selfPeople: number | null; elements: { elementId: number; self: Cell }[] };

describe('national competency profiles cannot be differenced against the regions', () => {
  it('one member in another region never moves the national figures; hidden figures on 1 to 4 people withhold a shown region', async () => {
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
    let seed = 0;
    const assess = async (region: string) => {
      const u = await createUser(ctx, [{ role: 'member', regionCode: region }]);
      const a = new Agent(ctx.app);
      await a.signIn(u.email);
      seed++;
      const res = await a.api('POST', '/api/v1/development/self-assessments', {
        versionId: version.id,
        ratings: elements.map((e, i) => ({ elementId: e.id, rating: ((seed * 5 + i * 3) % 4) + 1 })),
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    const { agent: nationalTeam } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const read = async (agent = nationalTeam) => {
      const res = await agent.api('GET', `/api/v1/development/profiles?version=${version.id}`);
      expect(res.statusCode).toBe(200);
      return res.json().rows as Row[];
    };
    const scope = (rows: Row[], s: string) => rows.find((r) => r.scope === s)!;
    // Every figure published: a region with a contributor but nothing published says "fewer than 5"
    // instead of 0, which is no figure.
    const figures = (rows: Row[]) =>
      rows.map((r) => ({ scope: r.scope, means: r.elements.map((e) => [e.self.mean, e.self.people ?? 0]) }));

    for (let i = 0; i < 5; i++) await assess('Q31');
    const first = await read();
    expect(scope(first, 'national').selfPeople).toBe(5);
    expect(scope(first, 'national').elements).toEqual(scope(first, 'Q31').elements);

    // One member in Q32, then four more in Q31 (9 new people nationally, but no region has 5 new):
    // nothing moves, so neither the Q32 member nor any Q31 member can be singled out.
    await assess('Q32');
    expect(figures(await read())).toEqual(figures(first));
    for (let i = 0; i < 4; i++) {
      await assess('Q31');
      expect(figures(await read())).toEqual(figures(first));
      expect(scope(await read(), 'national')).toEqual(scope(first, 'national'));
    }
    // The fifth new Q31 member: Q31 and the national figures move together, and still agree; the Q32
    // member is in neither.
    await assess('Q31');
    const second = await read();
    expect(scope(second, 'Q31').selfPeople).toBe(10);
    expect(scope(second, 'national').selfPeople).toBe(10);
    expect(scope(second, 'national').elements).toEqual(scope(second, 'Q31').elements);
    expect(scope(second, 'Q32').selfPeople).toBeNull();
    // Four more in Q32 (5 new there): published, and the national figures are the sum.
    for (let i = 0; i < 4; i++) await assess('Q32');
    const third = await read();
    expect(scope(third, 'Q32').selfPeople).toBe(5);
    expect(scope(third, 'national').selfPeople).toBe(15);
    const published = await ctx.db
      .selectFrom('dev_profile_published_totals')
      .select(['region_code', 'item_id', 'people', 'rows', 'total'])
      .where('version_id', '=', version.id)
      .where('kind', '=', 'self')
      .where('level', '=', 'element')
      .execute();
    for (const e of elements) {
      const cells = published.filter((p) => p.item_id === e.id);
      const national = cells.find((c) => c.region_code === '')!;
      const regional = cells.filter((c) => c.region_code !== '');
      expect(national.rows).toBe(regional.reduce((n, c) => n + c.rows, 0));
      expect(national.total).toBeCloseTo(
        regional.reduce((n, c) => n + c.total, 0),
        9,
      );
    }

    // A rebuild (as after an upgrade) publishes everything as it stands, so a small region's 2 people
    // are published: withheld, and the national figure minus the regions shown would give their
    // ratings, so the smallest region shown (Q32) is withheld too, for the national team.
    await assess('Q33');
    await assess('Q33');
    await ctx.db.transaction().execute((trx) => totals.rebuildProfileTotals(trx, londonDate()));
    const rebuilt = await read();
    for (const e of scope(rebuilt, 'Q33').elements) expect(e.self.suppressed).toBe(true);
    for (const e of scope(rebuilt, 'Q32').elements)
      expect(e.self).toEqual({ people: null, mean: null, suppressed: true });
    for (const e of scope(rebuilt, 'Q31').elements) expect(e.self.people).toBe(10);
    for (const e of scope(rebuilt, 'national').elements) expect(e.self.people).toBe(17);
    // A lead of Q31 sees Q31 and England: what they cannot see rests on 7 people, so Q31 is shown.
    const { agent: lead } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q31' }]);
    const leadRows = await read(lead);
    expect(leadRows.map((r) => r.scope)).toEqual(['national', 'Q31']);
    for (const e of scope(leadRows, 'Q31').elements) expect(e.self.people).toBe(10);
  });
});
