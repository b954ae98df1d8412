import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInAgent, type TestContext, visibleText } from '../../../test/app.ts';
import { buildSubmission, createRecruitmentService } from '../recruitment/index.ts';
import { milestone } from './programme.service.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

describe('milestones', () => {
  it('says what is late against its target', () => {
    expect(milestone('2026-12-31', null, '2027-01-05').state).toBe('late');
    expect(milestone('2026-12-31', null, '2026-12-01').state).toBe('due');
    expect(milestone('2026-12-31', '2027-01-10', '2027-02-01').state).toBe('done-late');
    expect(milestone('2026-12-31', '2026-12-10', '2027-02-01').state).toBe('done-on-time');
    expect(milestone(null, null, '2027-02-01').state).toBe('not-set');
  });
});

describe('the national dashboard', () => {
  it('shows national figures with charts, tables and CSV to the national team and partners', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'partner', regionCode: null }]);
    const page = await agent.get('/programme');
    expect(page.statusCode).toBe(200);
    const text = visibleText(page.body);
    expect(text).toContain('National dashboard');
    expect(text).toContain('0 of 660');
    expect(text).toContain('1 of 10 regions launched');
    expect(page.body).toContain('<svg class="app-chart"');
    expect(page.body).toContain('Clinicians recruited against target by region');
    expect(text).toContain('Action learning: session returns');
    expect(text).toContain('No session returns yet.');
    // A partner reads but cannot change.
    expect(page.body).not.toContain('action="/programme/phases/');
    const csv = await agent.get('/programme/dashboard.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toContain('recruitment_target,recruited,recruited_percent');
    expect(lines.filter((l) => l.startsWith('region,'))).toHaveLength(10);
    expect(csv.body).toContain('national (rollout regions),,England,,,660,0,0.0');
    const api = await agent.api('GET', '/api/v1/dashboard');
    expect(api.statusCode).toBe(200);
    expect(api.json().national).toMatchObject({ target: 660, regionsLaunched: 1, regionsTotal: 10 });
    expect((await agent.post('/programme/regions/Q34/target', { target: '1' })).statusCode).toBe(403);
  });

  it('shows a regional lead their own region only, and refuses another', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q36' }]);
    const page = await agent.get('/programme');
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain('Dashboard: London');
    expect(visibleText(page.body)).not.toContain('West Midlands');
    const api = await agent.api('GET', '/api/v1/dashboard');
    expect(api.json().regions.map((r: { code: string }) => r.code)).toEqual(['Q36']);
    expect((await agent.get('/programme/regions/Q34')).statusCode).toBe(403);
    expect((await agent.api('GET', '/api/v1/regions/Q34/programme')).statusCode).toBe(403);
    expect((await agent.get('/programme/regions/Q36')).statusCode).toBe(200);
    // Leads keep their own readiness checklist, not another region's.
    await agent.get('/programme/regions/Q36');
    expect(
      (await agent.post('/programme/regions/Q36/readiness', { done: 'lead-appointed' })).statusCode,
    ).toBe(303);
    expect(
      (await agent.post('/programme/regions/Q34/readiness', { done: 'lead-appointed' })).statusCode,
    ).toBe(403);
    // The target is the national team's alone.
    expect((await agent.post('/programme/regions/Q36/target', { target: '500' })).statusCode).toBe(403);
    expect((await agent.api('PUT', '/api/v1/regions/Q36/target', { target: 500 })).statusCode).toBe(403);
  });

  it('lets the national team change the target, dates, funding and contract, each audited', async () => {
    const { agent, user } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/programme/regions/Q30');
    let res = await agent.post('/programme/regions/Q30/target', { target: '-3' });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('The recruitment target cannot be negative');
    res = await agent.post('/programme/regions/Q30/target', { target: '130', reason: 'Extra DH money' });
    expect(res.statusCode).toBe(303);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'region.target')
      .where('entity_id', '=', 'Q30')
      .executeTakeFirstOrThrow();
    expect(audit.actor_user_id).toBe(user.id);
    expect(audit.summary).toContain('from 120 to 130: Extra DH money');

    res = await agent.post('/programme/regions/Q30/plan', {
      status: 'recruiting',
      firstEventTarget: '2026-12-01',
      firstEventActual: '2026-12-15',
      goLiveTarget: 'not a date',
      goLiveActual: '',
    });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Enter the go-live target date as a real date');
    res = await agent.post('/programme/regions/Q30/plan', {
      status: 'recruiting',
      firstEventTarget: '2026-12-01',
      firstEventActual: '2026-12-15',
      goLiveTarget: '',
      goLiveActual: '',
    });
    expect(res.statusCode).toBe(303);
    res = await agent.post('/programme/regions/Q30/funding', {
      amount: '25000',
      allocatedOn: '2026-10-01',
      receivedOn: '2026-10-20',
    });
    expect(res.statusCode).toBe(303);
    res = await agent.post('/programme/regions/Q30/spend', {
      amount: '1200.50',
      spentOn: '2026-11-02',
      description: 'Venue <b>hire</b>',
    });
    expect(res.statusCode).toBe(303);
    res = await agent.post('/programme/regions/Q30/contract', {
      'training.promised': '4',
      'training.delivered': '1',
      'action-learning.promised': '10',
      'action-learning.delivered': '2',
      'leadership-development.promised': '3',
      'leadership-development.delivered': '0',
    });
    expect(res.statusCode).toBe(303);
    const page = await agent.get('/programme/regions/Q30');
    const text = visibleText(page.body);
    expect(text).toContain('130 clinicians');
    expect(text).toContain('done late');
    expect(text).toContain('£25,000 allocated, £25,000 received, £1,200.5 spent');
    expect(page.body).toContain('Venue &lt;b&gt;hire&lt;/b&gt;');

    const d = (await agent.api('GET', '/api/v1/dashboard')).json();
    const ne = d.regions.find((r: { code: string }) => r.code === 'Q30');
    expect(ne).toMatchObject({ target: 130, status: 'recruiting', contract: { promised: 17, delivered: 3 } });
    expect(ne.firstEvent.state).toBe('done-late');
    expect(d.phases.find((p: { key: string }) => p.key === 'phase-1').late).toContain('North East');
    const actions = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', 'Q30')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['region.target', 'region.plan', 'region.contract']),
    );
  });

  it("sums each region's recruitment, funding, readiness and contract, and the nation's", async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const before = (await agent.api('GET', '/api/v1/dashboard')).json();
    const sc = (d: typeof before) => d.regions.find((r: { code: string }) => r.code === 'Q38');
    // Three applications to South Central (Royal Berkshire is RHW): one accepted, one offered.
    const recruitment = createRecruitmentService({ db: ctx.db, config: { baseUrl: 'http://cln.test' } });
    const anon = { userId: null, label: 'test', ip: null, requestId: null };
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await recruitment.submitApplication(buildSubmission({ employerOds: 'RHW' }), anon)).id);
    await ctx.db.updateTable('applications').set({ status: 'accepted' }).where('id', '=', ids[0]!).execute();
    await ctx.db.updateTable('applications').set({ status: 'offered' }).where('id', '=', ids[1]!).execute();
    await agent.get('/programme/regions/Q38');
    const posts: [string, Record<string, string>][] = [
      ['funding', { amount: '10000.25', allocatedOn: '2026-09-01', receivedOn: '2026-09-10' }],
      ['funding', { amount: '5000', allocatedOn: '2026-10-01', receivedOn: '' }],
      ['spend', { amount: '99.99', spentOn: '2026-10-02', description: 'Room' }],
      ['spend', { amount: '0.01', spentOn: '2026-10-03', description: 'Pens' }],
      ['readiness', { done: 'lead-appointed' }],
      [
        'contract',
        {
          'training.promised': '2',
          'training.delivered': '1',
          'action-learning.promised': '5',
          'action-learning.delivered': '0',
          'leadership-development.promised': '0',
          'leadership-development.delivered': '0',
        },
      ],
    ];
    for (const [path, body] of posts)
      expect([path, (await agent.post(`/programme/regions/Q38/${path}`, body)).statusCode]).toEqual([
        path,
        303,
      ]);
    const after = (await agent.api('GET', '/api/v1/dashboard')).json();
    expect(sc(after)).toMatchObject({
      recruited: sc(before).recruited + 1,
      offered: sc(before).offered + 1,
      funding: { allocated: 15000.25, received: 10000.25, spent: 100 },
      readiness: { done: 1, total: sc(before).readiness.total },
      contract: { promised: 7, delivered: 1 },
    });
    expect(after.national).toMatchObject({
      recruited: before.national.recruited + 1,
      fundingAllocated: before.national.fundingAllocated + 15000.25,
      fundingReceived: before.national.fundingReceived + 10000.25,
      fundingSpent: before.national.fundingSpent + 100,
    });
    // A regional lead's dashboard shows the same line for their region.
    const lead = (await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q38' }])).agent;
    const own = (await lead.api('GET', '/api/v1/dashboard')).json();
    expect(own.regions).toEqual([sc(after)]);
    expect(own.national).toMatchObject({ regionsTotal: 10, fundingAllocated: sc(after).funding.allocated });
  });
});
