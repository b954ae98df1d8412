import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInAgent, type TestContext, visibleText } from '../../../test/app.ts';
import { buildSubmission, createRecruitmentService, type RecruitmentService } from '../recruitment/index.ts';

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

const targetOf = async (code: string) =>
  (
    await ctx.db
      .selectFrom('network_regions')
      .select('recruitment_target')
      .where('code', '=', code)
      .executeTakeFirstOrThrow()
  ).recruitment_target;

const statusOf = async (id: number) =>
  (await ctx.db.selectFrom('applications').select('status').where('id', '=', id).executeTakeFirstOrThrow())
    .status;

function expectErrorSummary(body: string, message: string) {
  expect(body).toContain('nhsuk-error-summary');
  expect(body).not.toContain('nhsuk-notification-banner--success');
  const text = visibleText(body);
  expect(text).toContain('There is a problem');
  // Once in the summary, once on the field.
  expect(text.split(message).length - 1).toBeGreaterThanOrEqual(2);
}

describe("a region's places have one writer", () => {
  it('offers a place raised on the programme page to the top of the waitlist, and refuses a target below the places taken', async () => {
    const national = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await national.agent.get('/programme/regions/Q39');
    let res = await national.agent.post('/programme/regions/Q39/target', { target: '1', reason: 'pilot' });
    expect(res.statusCode).toBe(303);
    expect(await targetOf('Q39')).toBe(1);

    const first = await recruitment.submitApplication(buildSubmission({ regionCode: 'Q39' }), anon);
    const secondInput = buildSubmission({ regionCode: 'Q39', givenName: 'Wendy', familyName: 'Waitlist' });
    const second = await recruitment.submitApplication(secondInput, anon);
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q39' }]);
    await lead.agent.get(`/recruitment/applications/${first.id}`);
    await lead.agent.post(`/recruitment/applications/${first.id}/decision`, { decision: 'offer' });
    await lead.agent.post(`/recruitment/applications/${second.id}/decision`, { decision: 'offer' });
    expect(await statusOf(first.id)).toBe('offered');
    expect(await statusOf(second.id)).toBe('waitlisted');

    // Raising the target on the programme page: the new place goes to the top of the waitlist.
    await national.agent.get('/programme/regions/Q39');
    res = await national.agent.post('/programme/regions/Q39/target', { target: '2', reason: 'more money' });
    expect(res.statusCode).toBe(303);
    expect(await targetOf('Q39')).toBe(2);
    expect(await statusOf(second.id)).toBe('offered');
    const mail = await ctx.db
      .selectFrom('outbox')
      .select(['kind', 'subject'])
      .where('to_address', '=', secondInput.email)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(mail.kind).toBe('application.offer');
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id', 'summary'])
      .where((eb) =>
        eb.or([
          eb.and([eb('entity_type', '=', 'application'), eb('entity_id', '=', String(second.id))]),
          eb.and([eb('entity_type', '=', 'region'), eb('entity_id', '=', 'Q39')]),
        ]),
      )
      .orderBy('id')
      .execute();
    expect(audits.at(-2)).toMatchObject({ action: 'region.target' });
    expect(audits.at(-2)!.summary).toContain('from 1 to 2');
    expect(audits.at(-1)).toMatchObject({ action: 'application.offer', entity_id: String(second.id) });
    expect(audits.at(-1)!.summary).toContain('top of the waitlist');
    // Following the redirect shows (and uses up) the success message.
    expect(visibleText((await national.agent.get('/programme/regions/Q39')).body)).toContain(
      'Recruitment target saved',
    );

    // Two places are taken (two offers awaiting a reply): a target of 1 is refused, nothing saved.
    const message =
      'The target cannot be lower than the 2 places already taken in South West (0 accepted and 2 offers awaiting a reply). Enter 2 or more';
    res = await national.agent.post('/programme/regions/Q39/target', { target: '1' });
    expect(res.statusCode).toBe(400);
    expectErrorSummary(res.body, message);
    expect(await targetOf('Q39')).toBe(2);
    const api = await national.agent.api('PUT', '/api/v1/regions/Q39/target', { target: 1 });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.message).toBe(message);
    expect(await targetOf('Q39')).toBe(2);
  });

  it('offers the places of an approved quota request by the same rule', async () => {
    const national = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await national.agent.get('/programme/regions/Q38');
    expect((await national.agent.post('/programme/regions/Q38/target', { target: '0' })).statusCode).toBe(
      303,
    );
    await national.agent.get('/programme/regions/Q38');
    const waiting = await recruitment.submitApplication(buildSubmission({ regionCode: 'Q38' }), anon);
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q38' }]);
    await lead.agent.get(`/recruitment/applications/${waiting.id}`);
    await lead.agent.post(`/recruitment/applications/${waiting.id}/decision`, { decision: 'offer' });
    expect(await statusOf(waiting.id)).toBe('waitlisted');
    await lead.agent.get('/recruitment/regions/Q38/quota-request');
    const asked = await lead.agent.post('/recruitment/regions/Q38/quota-request', {
      requestedQuota: '1',
      reason: 'A strong applicant is waiting',
    });
    expect(asked.statusCode).toBe(303);
    const request = await ctx.db
      .selectFrom('quota_requests')
      .select('id')
      .where('region_code', '=', 'Q38')
      .executeTakeFirstOrThrow();

    // No decision chosen: the error summary and the field's message, not the success banner.
    await national.agent.get('/recruitment/quota-requests');
    let res = await national.agent.post(`/recruitment/quota-requests/${request.id}`, { note: 'hmm' });
    expect(res.statusCode).toBe(400);
    expectErrorSummary(res.body, 'Select approve or refuse');
    expect(res.body).toContain(`href="#outcome-${request.id}"`);

    res = await national.agent.post(`/recruitment/quota-requests/${request.id}`, { outcome: 'approve' });
    expect(res.statusCode).toBe(303);
    expect(await targetOf('Q38')).toBe(1);
    expect(await statusOf(waiting.id)).toBe('offered');
  });
});

describe('form errors on the programme pages', () => {
  it('show in the NHS error summary with the message on the field', async () => {
    const national = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await national.agent.get('/programme');
    let res = await national.agent.post('/programme/readiness-items', { label: '' });
    expect(res.statusCode).toBe(400);
    expectErrorSummary(res.body, 'Enter the checklist item');
    expect(res.body).toContain('href="#label"');

    res = await national.agent.post('/programme/phases/phase-1', {
      firstEventTarget: 'not a date',
      goLiveTarget: '',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#firstEventTarget-phase-1"');
    expect(res.body).toContain('nhsuk-error-summary');
    expect(res.body).not.toContain('nhsuk-notification-banner--success');

    await national.agent.get('/programme/regions/Q37');
    res = await national.agent.post('/programme/regions/Q37/target', { target: 'lots' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('href="#target"');
    expect(res.body).not.toContain('nhsuk-notification-banner--success');
  });
});
