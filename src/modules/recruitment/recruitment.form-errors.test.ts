import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, refusedForm, signedInAgent, type TestContext } from '../../../test/app.ts';
import { buildSubmission } from './recruitment.factories.ts';
import { createRecruitmentService, type RecruitmentService } from './recruitment.service.ts';

// The recruitment forms, sent with a bad answer or against a broken rule: the same page again at
// 400 (409 for a rule) with the NHS error summary linking to the field, the answers kept, nothing
// changed.

let ctx: TestContext;
let recruitment: RecruitmentService;
beforeAll(async () => {
  ctx = await buildTestApp();
  recruitment = createRecruitmentService({ db: ctx.db, config: { baseUrl: 'http://cln.test' } });
});
afterAll(async () => {
  await ctx?.close();
});

const anon = { userId: null, label: 'test', ip: null, requestId: null };

const statusOf = async (id: number) =>
  (await ctx.db.selectFrom('applications').select('status').where('id', '=', id).executeTakeFirstOrThrow())
    .status;

const applicationsOf = (email: string) =>
  ctx.db.selectFrom('applications').select('id').where('email', '=', email).execute();

async function offered(lead: Agent) {
  const input = buildSubmission({ employerOds: 'RTD' });
  const created = await recruitment.submitApplication(input, anon);
  await lead.get(`/recruitment/applications/${created.id}`);
  const res = await lead.post(`/recruitment/applications/${created.id}/decision`, { decision: 'offer' });
  expect(res.statusCode).toBe(303);
  await lead.get(res.headers.location as string);
  return { ...created, name: `${input.givenName} ${input.familyName}` };
}

describe('form errors on the application journey', () => {
  it('a question page keeps the other answers and links to the field', async () => {
    const agent = new Agent(ctx.app);
    await agent.get('/apply/personal-details');
    const res = await agent.post('/apply/personal-details', {
      givenName: 'Jo',
      familyName: 'Journey',
      email: 'nope',
    });
    expect(refusedForm(res, 400, 'Your details')).toEqual([
      { href: '#email', text: 'Enter an email address in the correct format, like name@nhs.net' },
    ]);
    expect(res.body).toContain('value="Journey"');
  });

  it('check answers links each problem to the question that fixes it, and sends nothing', async () => {
    const agent = new Agent(ctx.app);
    const email = `self.sponsor.${Date.now()}@nhs.test`;
    const steps: [string, Record<string, string>][] = [
      ['personal-details', { givenName: 'Sam', familyName: 'Self', email }],
      ['profession', { profession: 'doctor' }],
      ['registration-number', { registrationNumber: '7300001' }],
      ['employer', { employerOds: 'RTD' }],
      ['region', { regionCode: 'Q30' }],
      ['current-role', { jobTitle: 'Consultant', roleSummary: 'I lead a unit.' }],
      ['leadership', { leadershipExperience: 'I led a redesign.' }],
      ['motivation', { motivation: 'To make change.' }],
      ['sponsor', { sponsorName: 'Sam Self', sponsorEmail: email }],
      ['consent', { consent: 'yes' }],
    ];
    await agent.get('/apply/personal-details');
    for (const [step, form] of steps) expect((await agent.post(`/apply/${step}`, form)).statusCode).toBe(303);
    await agent.get('/apply/check-answers');
    const res = await agent.post('/apply/check-answers');
    expect(refusedForm(res, 400, 'Check your answers before sending your application')).toEqual([
      { href: '#sponsorEmail', text: 'Your sponsor must be someone else: enter their email address' },
    ]);
    expect(res.body).toContain('<a href="/apply/sponsor?change=1">Change your answer:');
    expect(await applicationsOf(email)).toEqual([]);
  });

  it('the sponsor’s form keeps the comment and records no answer', async () => {
    const input = buildSubmission({ employerOds: 'RTD' });
    const created = await recruitment.submitApplication(input, anon);
    const email = await ctx.db
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', input.sponsorEmail)
      .executeTakeFirstOrThrow();
    const link = /http:\/\/cln\.test(\/endorse\/[A-Za-z0-9_-]+)/.exec(email.body_text)![1]!;
    const sponsor = new Agent(ctx.app);
    await sponsor.get(link);
    const comment = 'A natural leader. '.repeat(60);
    const res = await sponsor.post(link, { comment });
    expect(refusedForm(res, 400, `Endorse Amina ${input.familyName}'s application`)).toEqual([
      { href: '#endorse', text: 'Select yes if you endorse this application' },
      { href: '#comment', text: 'Comment must be 1000 characters or fewer' },
    ]);
    expect(res.body).toContain(comment.trim());
    const endorsement = await ctx.db
      .selectFrom('endorsements')
      .select(['status', 'comment'])
      .where('application_id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(endorsement).toEqual({ status: 'pending', comment: null });
  });
});

describe('form errors on the review pages', () => {
  it('a decision the application’s status does not allow is a 409 on its decision field', async () => {
    const { agent: lead } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q30' }]);
    const created = await offered(lead);
    const res = await lead.post(`/recruitment/applications/${created.id}/decision`, {
      decision: 'shortlist',
      reason: 'Looked again',
    });
    expect(refusedForm(res, 409, `${created.name}: application ${created.reference}`)).toEqual([
      {
        href: '#decision',
        text: `${created.reference} is offered a place: it cannot be given the decision "shortlist".`,
      },
    ]);
    expect(res.body).toContain('Looked again');
    expect(await statusOf(created.id)).toBe('offered');
  });

  it('a bulk decision without applications, or one a status does not allow, on the list page', async () => {
    const { agent: lead } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q30' }]);
    const created = await offered(lead);
    await lead.get('/recruitment/regions/Q30');
    const none = await lead.post('/recruitment/regions/Q30/bulk', { decision: 'decline', reason: 'Full up' });
    expect(refusedForm(none, 400, 'Applications in North East')).toEqual([
      { href: '#ids', text: 'Select at least one application' },
    ]);
    expect(none.body).toContain('Full up');

    const refused = await lead.post('/recruitment/regions/Q30/bulk', {
      ids: String(created.id),
      decision: 'shortlist',
    });
    expect(refusedForm(refused, 409, 'Applications in North East')).toEqual([
      {
        href: '#decision',
        text: `${created.reference} is offered a place: it cannot be given the decision "shortlist".`,
      },
    ]);
    expect(await statusOf(created.id)).toBe('offered');
  });

  it('a request for places: too few, then a second while one waits (409 on the number)', async () => {
    const { agent: lead } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q31' }]);
    await lead.get('/recruitment/regions/Q31/quota-request');
    const pending = () =>
      ctx.db.selectFrom('quota_requests').select('id').where('region_code', '=', 'Q31').execute();
    const few = await lead.post('/recruitment/regions/Q31/quota-request', {
      requestedQuota: '5',
      reason: 'A second cohort',
    });
    expect(refusedForm(few, 400, 'Ask for more places')).toEqual([
      { href: '#requestedQuota', text: 'Enter a number of places greater than the current quota of 80' },
    ]);
    expect(few.body).toContain('A second cohort');
    expect(await pending()).toEqual([]);

    const ok = await lead.post('/recruitment/regions/Q31/quota-request', {
      requestedQuota: '100',
      reason: 'A second cohort',
    });
    expect(ok.statusCode).toBe(303);
    await lead.get('/recruitment/regions/Q31/quota-request');
    const again = await lead.post('/recruitment/regions/Q31/quota-request', {
      requestedQuota: '110',
      reason: 'Even more',
    });
    expect(refusedForm(again, 409, 'Ask for more places')).toEqual([
      {
        href: '#requestedQuota',
        text: 'There is already a request for more places waiting for the national team.',
      },
    ]);
    expect(again.body).toContain('Even more');
    expect(await pending()).toHaveLength(1);

    // Deciding it twice: the second is a 409 on that request's own decision field.
    const { agent: national } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const [request] = await pending();
    await national.get('/recruitment/quota-requests');
    expect(
      (await national.post(`/recruitment/quota-requests/${request!.id}`, { outcome: 'refuse' })).statusCode,
    ).toBe(303);
    await national.get('/recruitment/quota-requests');
    const twice = await national.post(`/recruitment/quota-requests/${request!.id}`, {
      outcome: 'approve',
      note: 'Changed my mind',
    });
    expect(refusedForm(twice, 409, 'Requests for more places')).toEqual([
      { href: `#outcome-${request!.id}`, text: 'This request has already been decided.' },
    ]);
    const decided = await ctx.db
      .selectFrom('quota_requests')
      .select('status')
      .where('id', '=', request!.id)
      .executeTakeFirstOrThrow();
    expect(decided.status).toBe('refused');
  });
});
