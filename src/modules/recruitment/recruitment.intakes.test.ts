import { createRecruitmentService } from './index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Agent,
  buildTestApp,
  refusedForm,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';

let ctx: TestContext;
let lead: Agent;
beforeAll(async () => {
  ctx = await buildTestApp();
  lead = (await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q34' }])).agent;
});
afterAll(async () => {
  await ctx?.close();
});

const service = () => createRecruitmentService({ db: ctx.db, config: { baseUrl: 'http://cln.test' } });

const intakesOf = (region: string) =>
  ctx.db
    .selectFrom('intakes')
    .select(['id', 'name', 'opens_on', 'closes_on', 'status'])
    .where('region_code', '=', region)
    .orderBy('id')
    .execute();

describe('a region’s intakes and the dates they take applications', () => {
  it('the lead gives the current intake a closing date, then adds the next one', async () => {
    const page = await lead.get('/recruitment/regions/Q34/intakes');
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain('2026/27');
    // The current intake has no closing date, so it runs on for ever: the next cannot open alongside.
    const next = { name: '2027/28', opensOn: '2027-09-01', closesOn: '2027-12-31', status: 'open' };
    const overlapping = await lead.post('/recruitment/regions/Q34/intakes', next);
    expect(refusedForm(overlapping, 400, 'Intakes')[0]!.text).toContain(
      'These dates overlap 2026/27, which takes applications from 1 September 2026 with no closing date',
    );
    const current = (await intakesOf('Q34')).find((i) => i.name === '2026/27')!;
    await lead.get(`/recruitment/intakes/${current.id}`);
    expect(
      (
        await lead.post(`/recruitment/intakes/${current.id}`, {
          name: '2026/27',
          opensOn: '2026-09-01',
          closesOn: '2027-06-30',
          status: 'open',
        })
      ).statusCode,
    ).toBe(303);
    const res = await lead.post('/recruitment/regions/Q34/intakes', {
      name: '2027/28',
      opensOn: '2027-09-01',
      closesOn: '2027-12-31',
      status: 'open',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/recruitment/regions/Q34/intakes');
    expect(visibleText((await lead.get('/recruitment/regions/Q34/intakes')).body)).toContain(
      'Intake 2027/28 added',
    );
    expect((await intakesOf('Q34')).map((i) => i.name)).toContain('2027/28');
    expect((await service().describeOpenIntakes()).open.find((i) => i.regionCode === 'Q34')).toMatchObject({
      closesOn: '2027-06-30',
    });
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['summary'])
      .where('action', '=', 'intake.create')
      .execute();
    expect(audit.map((a) => a.summary)).toEqual([
      'Added the intake 2027/28 to West Midlands (open, from 1 September 2027 to 31 December 2027)',
    ]);
  });

  it('refuses overlapping open intakes, a closing date before the opening, and a name in use, saving nothing', async () => {
    const before = await intakesOf('Q34');
    const overlap = await lead.post('/recruitment/regions/Q34/intakes', {
      name: 'Spring top-up',
      opensOn: '2027-10-01',
      closesOn: '',
      status: 'open',
    });
    const summary = refusedForm(overlap, 400, 'Intakes');
    expect(summary.map((e) => e.href)).toEqual(['#opensOn']);
    expect(summary[0]!.text).toContain('These dates overlap');
    expect(overlap.body).toContain('value="Spring top-up"');
    const backwards = await lead.post('/recruitment/regions/Q34/intakes', {
      name: 'Backwards',
      opensOn: '2028-03-01',
      closesOn: '2028-02-01',
      status: 'closed',
    });
    expect(refusedForm(backwards, 400, 'Intakes')).toEqual([
      { href: '#closesOn', text: 'The closing date must be on or after the date it opens' },
    ]);
    const twice = await lead.post('/recruitment/regions/Q34/intakes', {
      name: '2027/28',
      opensOn: '2029-01-01',
      closesOn: '',
      status: 'closed',
    });
    expect(refusedForm(twice, 400, 'Intakes').map((e) => e.href)).toEqual(['#name']);
    expect(await intakesOf('Q34')).toEqual(before);
  });

  it('a changed closing date is what the public pages say, and closing the intake stops applications', async () => {
    const current = (await intakesOf('Q34')).find((i) => i.name === '2026/27')!;
    const form = await lead.get(`/recruitment/intakes/${current.id}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="2026-09-01"');
    const saved = await lead.post(`/recruitment/intakes/${current.id}`, {
      name: '2026/27',
      opensOn: '2026-09-01',
      closesOn: '2027-07-31',
      status: 'open',
    });
    expect(saved.statusCode).toBe(303);
    await lead.get(String(saved.headers.location));
    const open = await service().describeOpenIntakes();
    expect(open.open.find((i) => i.regionCode === 'Q34')).toMatchObject({ closesOn: '2027-07-31' });

    expect(
      (
        await lead.post(`/recruitment/intakes/${current.id}`, {
          name: '2026/27',
          opensOn: '2026-09-01',
          closesOn: '2027-07-31',
          status: 'closed',
        })
      ).statusCode,
    ).toBe(303);
    await lead.get('/recruitment/regions/Q34/intakes');
    const after = await service().describeOpenIntakes();
    expect(after.open.map((i) => i.regionCode)).not.toContain('Q34');
    const update = await ctx.db
      .selectFrom('audit_log')
      .select(['summary'])
      .where('action', '=', 'intake.update')
      .where('entity_id', '=', String(current.id))
      .execute();
    expect(update).toHaveLength(3);
  });

  it('is refused to people outside the region, through the pages and the API', async () => {
    const current = (await intakesOf('Q34'))[0]!;
    const other = (await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q35' }])).agent;
    expect((await other.get('/recruitment/regions/Q34/intakes')).statusCode).toBe(403);
    expect((await other.get(`/recruitment/intakes/${current.id}`)).statusCode).toBe(404);
    await other.get('/recruitment/regions/Q35/intakes');
    const write = await other.post(`/recruitment/intakes/${current.id}`, {
      name: 'Taken over',
      opensOn: '2026-09-01',
      closesOn: '',
      status: 'open',
    });
    expect(write.statusCode).toBe(404);
    const member = (await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q34' }])).agent;
    expect((await member.get('/recruitment/regions/Q34/intakes')).statusCode).toBe(403);
    expect((await intakesOf('Q34')).map((i) => i.name)).not.toContain('Taken over');
  });

  it('the JSON API lists, adds and changes intakes with the same rules', async () => {
    const national = (await signedInAgent(ctx, [{ role: 'national', regionCode: null }])).agent;
    const list = await national.api('GET', '/api/v1/regions/Q36/intakes');
    expect(list.statusCode).toBe(200);
    const before = JSON.parse(list.body).intakes;
    expect(before[0]).toMatchObject({ regionCode: 'Q36', status: 'open' });
    const made = await national.api('POST', '/api/v1/regions/Q36/intakes', {
      name: '2028/29',
      opensOn: '2028-09-01',
      closesOn: null,
      status: 'closed',
    });
    expect(made.statusCode).toBe(201);
    const id = JSON.parse(made.body).id;
    const bad = await national.api('PUT', `/api/v1/intakes/${id}`, {
      name: '2028/29',
      opensOn: '2028-09-01',
      closesOn: '2028-01-01',
      status: 'closed',
    });
    expect(bad.statusCode).toBe(400);
    const changed = await national.api('PUT', `/api/v1/intakes/${id}`, {
      name: '2028/29',
      opensOn: '2028-09-01',
      closesOn: '2028-11-30',
      status: 'closed',
    });
    expect(JSON.parse(changed.body)).toMatchObject({ id, closesOn: '2028-11-30', applications: 0 });
  });
});
