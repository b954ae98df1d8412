import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Agent,
  buildTestApp,
  createUser,
  refusedForm,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { addMember, signedIn, trustsOf } from '../../../test/journeys/support.ts';
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';
import { assignToTheme, emailsTo, seedTheme } from './policy.outcomes.fixtures.ts';

let ctx: TestContext;
let owner: Agent;
let otherMaker: Agent;
let asha: Agent;
let ben: Agent;
let ashaEmail: string;
let callId: number;
let openCallId: number;
let ashaResponse: number;
let ashaOpenResponse: number;
let benResponse: number;

beforeAll(async () => {
  ctx = await buildTestApp();
  const trusts = await trustsOf(ctx, 'Q34');
  const ownerUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }]);
  owner = await signedIn(ctx, ownerUser.email);
  otherMaker = await signedIn(
    ctx,
    (await createUser(ctx, [{ role: 'policy-maker', regionCode: null }])).email,
  );
  const a = await addMember(ctx, {
    regionCode: 'Q34',
    name: 'Asha Patel',
    profession: 'doctor',
    organisationId: trusts[0]!,
    jobTitle: 'Consultant',
  });
  ashaEmail = a.email;
  const b = await addMember(ctx, {
    regionCode: 'Q34',
    name: 'Ben Okafor',
    profession: 'nurse',
    organisationId: trusts[1] ?? trusts[0]!,
    jobTitle: 'Matron',
  });
  asha = await signedIn(ctx, a.email);
  ben = await signedIn(ctx, b.email);
  const call = await seedCall(ctx.db, {
    ownerUserId: ownerUser.id,
    title: 'Discharge to assess',
    questions: [{ prompt: 'What slows discharge?' }, { prompt: 'What would help?' }],
  });
  callId = call.callId;
  const [q1, q2] = call.questionIds as [number, number];
  ashaResponse = await seedResponse(ctx.db, {
    callId,
    userId: a.id,
    answers: { [q1]: 'Social care assessments', [q2]: 'Seven-day services' },
  });
  benResponse = await seedResponse(ctx.db, { callId, userId: b.id, answers: { [q1]: 'Transport' } });
  const social = await seedTheme(ctx.db, { callId, questionId: q1, name: 'Social care capacity' });
  await assignToTheme(ctx.db, { themeId: social, responseId: ashaResponse, questionId: q1 });
  await owner.post(`/policy/calls/${callId}/outcomes`, {
    target: `theme-${social}`,
    decision: 'adapted',
    summary: 'Joint assessment teams in every ICB.',
    reason: '',
    ownerRole: 'Director of Integration',
    decidedOn: '2026-12-01',
  });
  await owner.post(`/policy/calls/${callId}/outcomes`, {
    target: `question-${q2}`,
    decision: 'deferred',
    summary: 'Seven-day services are for the next spending review.',
    reason: '',
    ownerRole: 'Director of Integration',
    decidedOn: '2026-12-01',
  });
  const outcome = await ctx.db
    .selectFrom('policy_outcomes')
    .select('id')
    .where('theme_id', '=', social)
    .executeTakeFirstOrThrow();
  await owner.post(`/policy/calls/${callId}/outcomes/${outcome.id}/milestones`, {
    title: 'Pilot in three ICBs',
    dueOn: '2027-03-31',
    status: 'in-progress',
    progress: '25',
    note: '',
  });
  const open = await seedCall(ctx.db, {
    ownerUserId: ownerUser.id,
    title: 'Still open',
    status: 'open',
    closesOn: '2099-01-01',
  });
  openCallId = open.callId;
  ashaOpenResponse = await seedResponse(ctx.db, {
    callId: open.callId,
    userId: a.id,
    answers: { [open.questionIds[0]!]: 'Early thoughts' },
  });
});
afterAll(async () => {
  await ctx?.close();
});

describe('closing the loop for each contributor', () => {
  it('shows a member under which themes their response was counted and what was decided for each', async () => {
    const res = await asha.get('/policy/contributions');
    expect(res.statusCode).toBe(200);
    const text = visibleText(res.body);
    expect(text).toContain('Discharge to assess');
    expect(text).toContain('Theme: Social care capacity');
    expect(text).toContain('Adapted');
    expect(text).toContain('Joint assessment teams in every ICB.');
    expect(text).toContain('Pilot in three ICBs');
    expect(text).toContain('In progress');
    expect(text).toContain('25%');
    // Asha answered the second question, so its decision is hers to see too.
    expect(text).toContain('Seven-day services are for the next spending review.');
    const api = await asha.api('GET', '/api/v1/policy/contributions');
    expect(api.statusCode).toBe(200);
    const closed = api.json().contributions.find((c: { callId: number }) => c.callId === callId);
    expect(closed.themes[0]).toMatchObject({ name: 'Social care capacity' });
    expect(closed.themes[0].outcomes[0].milestones[0]).toMatchObject({ status: 'in-progress', progress: 25 });

    const bens = visibleText((await ben.get('/policy/contributions')).body);
    expect(bens).toContain('Your response has not been counted under a theme yet.');
    expect(bens).not.toContain('Joint assessment teams');
    expect(bens).not.toContain('Seven-day services are for the next spending review.');
  });

  it('notified the contributor of the outcome and the milestone', async () => {
    const mails = await emailsTo(ctx.db, ashaEmail, 'policy.outcome-changed');
    expect(mails.map((m) => m.subject)).toEqual([
      'What was decided: Discharge to assess',
      'What was decided: Discharge to assess',
      'What was decided: Discharge to assess',
    ]);
    expect(mails[2]!.body_text).toContain('A new milestone: Pilot in three ICBs (In progress, 25% done');
  });

  it('"this misses my point" once a response: a second is refused with a clear message', async () => {
    const page = await asha.get(`/policy/contributions/${ashaResponse}/challenge`);
    expect(page.statusCode).toBe(200);
    const empty = await asha.post(`/policy/contributions/${ashaResponse}/challenge`, { body: ' ' });
    expect(refusedForm(empty, 400, 'This misses my point')).toEqual([
      { href: '#body', text: 'Say how the decision misses your point' },
    ]);
    const first = await asha.post(`/policy/contributions/${ashaResponse}/challenge`, {
      body: 'The problem is <b>home care</b>, not assessments.',
    });
    expect(first.statusCode).toBe(303);
    expect(visibleText((await asha.get('/policy/contributions')).body)).toContain(
      'Waiting for the team’s answer',
    );
    const second = await asha.post(`/policy/contributions/${ashaResponse}/challenge`, { body: 'Again' });
    expect(refusedForm(second, 409, 'This misses my point')[0]!.text).toBe(
      'You have already said this misses your point for this response: the team will answer it, and you will see the answer on this page',
    );
    const api = await asha.api('POST', `/api/v1/policy/contributions/${ashaResponse}/challenge`, {
      body: 'Again',
    });
    expect(api.statusCode).toBe(409);
    const rows = await ctx.db.selectFrom('policy_response_challenges').selectAll().execute();
    expect(rows.map((r) => r.body)).toEqual(['The problem is <b>home care</b>, not assessments.']);
  });

  it('refuses a challenge to someone else’s response, and before the call has closed', async () => {
    expect((await ben.get(`/policy/contributions/${ashaResponse}/challenge`)).statusCode).toBe(404);
    expect(
      (await ben.post(`/policy/contributions/${ashaResponse}/challenge`, { body: 'Mine now' })).statusCode,
    ).toBe(404);
    const early = await asha.post(`/policy/contributions/${ashaOpenResponse}/challenge`, {
      body: 'Too soon',
    });
    expect(refusedForm(early, 409, 'This misses my point')[0]!.text).toContain('once the call has closed');
    expect(visibleText((await asha.get('/policy/contributions')).body)).toContain('Still open');
    expect(openCallId).toBeGreaterThan(0);
  });

  it('the call’s team sees unanswered challenges and must answer; the member is emailed and sees the answer', async () => {
    const list = await owner.get(`/policy/calls/${callId}/challenges`);
    expect(list.statusCode).toBe(200);
    const text = visibleText(list.body);
    expect(text).toContain('1 waiting for an answer, 1 in all');
    expect(text).toContain('Asha Patel');
    expect(list.body).toContain('&lt;b&gt;home care&lt;/b&gt;');
    const challenge = await ctx.db
      .selectFrom('policy_response_challenges')
      .select('id')
      .executeTakeFirstOrThrow();

    expect((await otherMaker.get(`/policy/calls/${callId}/challenges`)).statusCode).toBe(403);
    expect((await asha.get(`/policy/calls/${callId}/challenges`)).statusCode).toBe(403);
    expect((await ben.api('GET', `/api/v1/policy/calls/${callId}/challenges`)).statusCode).toBe(403);
    expect(
      (
        await otherMaker.api('POST', `/api/v1/policy/calls/${callId}/challenges/${challenge.id}/answer`, {
          answer: 'Not mine to answer',
        })
      ).statusCode,
    ).toBe(403);

    await owner.get(`/policy/calls/${callId}/challenges/${challenge.id}`);
    const blank = await owner.post(`/policy/calls/${callId}/challenges/${challenge.id}`, { answer: '' });
    expect(refusedForm(blank, 400, 'Answer a challenge')).toEqual([
      { href: '#answer', text: 'Enter your answer' },
    ]);
    const answered = await owner.post(`/policy/calls/${callId}/challenges/${challenge.id}`, {
      answer: 'Home care is in the next phase; we have added it to the pilot.',
    });
    expect(answered.statusCode).toBe(303);
    const mail = await emailsTo(ctx.db, ashaEmail, 'policy.challenge-answered');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('An answer to your point: Discharge to assess');
    expect(mail[0]!.body_text).toContain('Home care is in the next phase');
    expect(visibleText((await asha.get('/policy/contributions')).body)).toContain(
      'Home care is in the next phase; we have added it to the pilot.',
    );
    const again = await owner.api(
      'POST',
      `/api/v1/policy/calls/${callId}/challenges/${challenge.id}/answer`,
      {
        answer: 'Twice',
      },
    );
    expect(again.statusCode).toBe(409);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'policy.challenge.%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['policy.challenge.create', 'policy.challenge.answer']);
    expect(visibleText((await owner.get(`/policy/calls/${callId}/challenges`)).body)).toContain(
      '0 waiting for an answer, 1 in all',
    );
  });

  it('is only for members', async () => {
    expect((await owner.get('/policy/contributions')).statusCode).toBe(403);
    expect(benResponse).toBeGreaterThan(0);
  });
});
