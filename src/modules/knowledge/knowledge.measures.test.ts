import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  refusedForm,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const count = async (table: 'knowledge_measures' | 'knowledge_measure_values') =>
  Number(
    (
      await ctx.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('measures and run charts', () => {
  it('the owner adds a measure and its values; the run chart shows the median and a shift; the figures are a table', async () => {
    const owner = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q31' }]);
    const item = await seedItem(ctx.db, {
      ownerUserId: owner.user.id,
      title: 'Frailty front door',
      visibility: 'region',
      regionCode: 'Q31',
    });
    const base = `/knowledge/items/${item}/measures`;
    await owner.agent.get(base);
    const refused = await owner.agent.post(base, { kind: 'nonsense', name: '' });
    expect(refusedForm(refused, 400, 'Measures: Frailty front door').map((e) => e.href)).toEqual(
      expect.arrayContaining(['#kind', '#name']),
    );
    expect(await count('knowledge_measures')).toBe(0);

    const made = await owner.agent.post(base, {
      kind: 'outcome',
      name: 'Admissions of frail older people',
      unit: 'a week',
      description: '',
    });
    expect(made.statusCode, visibleText(made.body).slice(0, 300)).toBe(303);
    const measureId = Number(/#measure-(\d+)/.exec(String(made.headers.location))![1]);
    // Twelve weeks, the last six below the median (25.5): a shift down, and no trend.
    const weeks = [30, 32, 31, 33, 31, 34, 20, 21, 19, 20, 18, 19];
    for (const [i, value] of weeks.entries()) {
      const res = await owner.agent.post(`${base}/${measureId}/values`, {
        measuredOn: `2027-03-${String(i + 1).padStart(2, '0')}`,
        value: String(value),
        note: i === 0 ? 'Before the frailty team' : '',
      });
      expect(res.statusCode, visibleText(res.body).slice(0, 300)).toBe(303);
    }
    // A second value for a date, and a value that is not a number: refused, nothing saved.
    await owner.agent.get(base);
    const twice = await owner.agent.post(`${base}/${measureId}/values`, {
      measuredOn: '2027-03-01',
      value: '12',
      note: '',
    });
    expect(refusedForm(twice, 400, 'Measures: Frailty front door').map((e) => e.text)).toEqual([
      'This measure already has a value for 2027-03-01',
    ]);
    const notNumber = await owner.agent.post(`${base}/${measureId}/values`, {
      measuredOn: '2027-04-01',
      value: 'twelve',
      note: '',
    });
    expect(notNumber.statusCode).toBe(400);
    expect(await count('knowledge_measure_values')).toBe(12);

    const page = await owner.agent.get(base);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /<svg class="app-run-chart" role="img" aria-labelledby="chart-\d+-title chart-\d+-desc"/,
    );
    expect(page.body).toContain('<title id="chart-');
    const text = visibleText(page.body);
    expect(text).toContain('Run chart of Admissions of frail older people (a week)');
    expect(text).toContain('12 values from 2027-03-01 to 2027-03-12, median 25.5');
    expect(text).toContain('A shift: 6 points in a row below the median, 2027-03-07 to 2027-03-12');
    expect(text).toContain('Figures for Admissions of frail older people');
    expect(text).toContain('Before the frailty team');

    // Region Q31's lead reads the item and sees the chart but no forms; region Q32 gets not found.
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q31' }]);
    const read = await lead.agent.get(base);
    expect(read.statusCode).toBe(200);
    expect(visibleText(read.body)).toContain('median 25.5');
    expect(read.body).not.toContain('Add the value');
    expect(
      (await lead.agent.post(`${base}/${measureId}/values`, { measuredOn: '2027-05-01', value: '1' }))
        .statusCode,
    ).toBe(403);
    const outsider = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q32' }]);
    const hidden = await outsider.agent.get(base);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).not.toContain('Admissions of frail older people');

    // The owner changes a value and removes another; the audit log names each change.
    const valueId = (
      await ctx.db
        .selectFrom('knowledge_measure_values')
        .select('id')
        .where('measure_id', '=', measureId)
        .where('measured_on', '=', '2027-03-12')
        .executeTakeFirstOrThrow()
    ).id;
    await owner.agent.get(`${base}/${measureId}/values/${valueId}`);
    const changed = await owner.agent.post(`${base}/${measureId}/values/${valueId}`, {
      measuredOn: '2027-03-12',
      value: '14',
      note: 'Checked against the ward log',
    });
    expect(changed.statusCode).toBe(303);
    expect(visibleText((await owner.agent.get(base)).body)).toContain('Checked against the ward log');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'knowledge.measure%')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'knowledge.measure.add',
        'knowledge.measure.value.add',
        'knowledge.measure.value.edit',
      ]),
    );
  });

  it('the JSON API lists, adds, changes and removes measures and values, with the same rules', async () => {
    const owner = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q31' }]);
    const item = await seedItem(ctx.db, { ownerUserId: owner.user.id, visibility: 'network' });
    const token = (
      await ctx.app.services.accounts.createApiToken(
        {
          userId: owner.user.id,
          name: owner.user.name,
          email: owner.user.email,
          roles: [{ role: 'member', regionCode: 'Q31' }],
          ip: null,
          requestId: null,
        },
        'measures test',
      )
    ).token;
    const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      ctx.app.inject({
        method,
        url: `/api/v1/knowledge/items/${item}/measures${url}`,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    const added = await api('POST', '', {
      kind: 'process',
      name: 'Seen within 30 minutes',
      unit: '%',
      description: null,
    });
    expect(added.statusCode, added.body).toBe(201);
    const measure = added.json() as { id: number };
    const bad = await api('POST', `/${measure.id}/values`, {
      measuredOn: '2027-02-30',
      value: 5,
      note: null,
    });
    expect(bad.statusCode).toBe(400);
    for (const [i, v] of [1, 2, 3, 4, 5].entries()) {
      const r = await api('POST', `/${measure.id}/values`, {
        measuredOn: `2027-01-0${i + 1}`,
        value: v,
        note: null,
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const listed = (await api('GET', '')).json() as {
      measures: {
        id: number;
        median: number;
        signals: { kind: string; direction: string; from: string; to: string }[];
        values: { id: number }[];
      }[];
    };
    expect(listed.measures[0]!.median).toBe(3);
    expect(listed.measures[0]!.signals).toEqual([
      { kind: 'trend', direction: 'up', from: '2027-01-01', to: '2027-01-05' },
    ]);
    expect(listed.measures[0]).not.toHaveProperty('geometry');
    const valueId = listed.measures[0]!.values[0]!.id;
    const patched = await api('PATCH', `/${measure.id}/values/${valueId}`, {
      measuredOn: '2027-01-01',
      value: 9,
      note: 'Recounted',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((patched.json() as { signals: unknown[] }).signals).toEqual([]);
    expect((await api('DELETE', `/${measure.id}/values/${valueId}`)).statusCode).toBe(200);
    expect(
      (
        await api('PATCH', `/${measure.id}`, {
          kind: 'balancing',
          name: 'Readmissions',
          unit: null,
          description: null,
        })
      ).statusCode,
    ).toBe(200);
    expect((await api('DELETE', `/${measure.id}`)).statusCode).toBe(204);
    expect(((await api('GET', '')).json() as { measures: unknown[] }).measures).toEqual([]);
  });
});
