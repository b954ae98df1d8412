import { sql } from 'kysely';
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
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const member = () => signedInAgent(ctx, [{ role: 'member', regionCode: 'Q31' }]);
const policyMaker = () => signedInAgent(ctx, [{ role: 'policy-maker', regionCode: null }]);

async function ask(agent: Agent, form: Record<string, string>) {
  const res = await agent.post('/policy/questions', { visibility: 'network', ...form });
  expect(res.statusCode, visibleText(res.body).slice(0, 300)).toBe(303);
  const id = Number(/\/policy\/questions\/(\d+)$/.exec(String(res.headers.location))?.[1]);
  expect(id).toBeGreaterThan(0);
  // As a browser does: the page it leads to shows the flash.
  expect(visibleText((await agent.get(String(res.headers.location))).body)).toContain(
    form.title!.slice(0, 20),
  );
  return id;
}

const outboxTo = (to: string) =>
  ctx.db.selectFrom('outbox').select(['subject', 'body_text', 'kind']).where('to_address', '=', to).execute();

async function recordRole(agent: Agent, roleTitle: string) {
  const res = await agent.post('/policy/staff/me', { roleTitle });
  expect(res.statusCode).toBe(303);
  await agent.get(String(res.headers.location));
}

describe('questions to policy makers', () => {
  it('lets a member ask the network; others read and support it once, and the count is kept', async () => {
    const asker = await member();
    const other = await member();
    const third = await member();
    const id = await ask(asker.agent, {
      title: 'Who funds virtual wards after March?',
      body: 'Our ICB is unsure.',
    });

    const page = visibleText((await other.agent.get(`/policy/questions/${id}`)).body);
    expect(page).toContain('Who funds virtual wards after March?');
    expect(page).toContain('Waiting 0 days');
    expect(page).toContain('Support this question');

    expect((await other.agent.post(`/policy/questions/${id}/support`)).statusCode).toBe(303);
    const again = await other.agent.post(`/policy/questions/${id}/support`);
    expect(again.statusCode).toBe(409);
    expect(visibleText(again.body)).toContain('You already support this question');
    const api = await third.agent.api('POST', `/api/v1/policy/questions/${id}/support`);
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ supports: 2, supportedByMe: true, canSupport: false });
    expect((await third.agent.api('POST', `/api/v1/policy/questions/${id}/support`)).statusCode).toBe(409);

    const own = await asker.agent.post(`/policy/questions/${id}/support`);
    expect(own.statusCode).toBe(409);
    expect(visibleText(own.body)).toContain('You asked this question');

    const row = await ctx.db
      .selectFrom('policy_questions')
      .select('supports')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.supports).toBe(2);
    const counted = await ctx.db
      .selectFrom('policy_question_supports')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('question_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(2);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', String(id))
      .where('entity_type', '=', 'policy_question')
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'policy.question.ask',
      'policy.question.support',
      'policy.question.support',
    ]);
  });

  it('keeps a private question to the asker and the policy team (404 for other members)', async () => {
    const asker = await member();
    const other = await member();
    const pm = await policyMaker();
    const id = await ask(asker.agent, {
      title: 'Private: revalidation of locum staff',
      body: 'A question about my own trust.',
      visibility: 'private',
    });
    expect((await other.agent.get(`/policy/questions/${id}`)).statusCode).toBe(404);
    expect((await other.agent.api('GET', `/api/v1/policy/questions/${id}`)).statusCode).toBe(404);
    expect((await other.agent.post(`/policy/questions/${id}/support`)).statusCode).toBe(404);
    expect(visibleText((await other.agent.get('/policy/questions')).body)).not.toContain(
      'revalidation of locum',
    );
    expect(visibleText((await pm.agent.get('/policy/questions')).body)).toContain(
      'Private: revalidation of locum staff',
    );
    expect(visibleText((await asker.agent.get(`/policy/questions/${id}`)).body)).toContain(
      'Private to the policy team',
    );
    expect((await pm.agent.get(`/policy/questions/${id}`)).statusCode).toBe(200);
  });

  it('is answered under the named role, emails the asker and supporters, and is found by a word of its answer', async () => {
    const asker = await member();
    const supporter = await member();
    const pm = await policyMaker();
    const id = await ask(asker.agent, {
      title: 'Will the tariff change for same-day emergency care?',
      body: 'SDEC units need to plan.',
    });
    await supporter.agent.post(`/policy/questions/${id}/support`);

    const noRole = await pm.agent.post(`/policy/questions/${id}/answer`, { answer: 'Yes.' });
    expect(refusedForm(noRole, 409, 'Will the tariff change for same-day emergency care?')).toEqual([
      { href: '#answer', text: expect.stringContaining('Record your named role') },
    ]);
    expect(
      (
        await ctx.db
          .selectFrom('policy_questions')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('open');

    await recordRole(pm.agent, 'Deputy Director, Urgent and Emergency Care, DHSC');
    const answered = await pm.agent.post(`/policy/questions/${id}/answer`, {
      answer: 'The blended payment will include a zebracrossing adjustment from April.',
    });
    expect(answered.statusCode).toBe(303);
    const page = visibleText((await supporter.agent.get(`/policy/questions/${id}`)).body);
    expect(page).toContain('Answered by Deputy Director, Urgent and Emergency Care, DHSC');
    expect(page).toContain('zebracrossing adjustment');
    expect(page).not.toContain('Support this question');

    const toAsker = await outboxTo(asker.user.email);
    expect(toAsker.map((m) => m.subject)).toContain('Your question to policy makers has been answered');
    expect(toAsker.find((m) => m.kind === 'policy-question-answered')!.body_text).toContain(
      'Deputy Director',
    );
    expect((await outboxTo(supporter.user.email)).map((m) => m.subject)).toContain(
      'A question you support has been answered',
    );

    const again = await pm.agent.post(`/policy/questions/${id}/answer`, { answer: 'Again' });
    expect(again.statusCode).toBe(409);

    const found = visibleText(
      (await supporter.agent.get('/policy/questions?tab=answered&q=zebracrossing')).body,
    );
    expect(found).toContain('Will the tariff change for same-day emergency care?');
    const missing = visibleText(
      (await supporter.agent.get('/policy/questions?tab=answered&q=hippopotamus')).body,
    );
    expect(missing).toContain('No answered question matches your search');
    const api = await supporter.agent.api('GET', '/api/v1/policy/questions?tab=answered&q=zebracrossing');
    expect(api.json().questions.map((q: { id: number }) => q.id)).toEqual([id]);
    expect(api.json().questions[0].answeredRole).toBe('Deputy Director, Urgent and Emergency Care, DHSC');
  });

  it('lists waiting questions oldest first with the days each has waited', async () => {
    const asker = await member();
    const newer = await ask(asker.agent, { title: 'Newer question on workforce', body: 'b' });
    const older = await ask(asker.agent, { title: 'Older question on estates', body: 'b' });
    await sql`update policy_questions set created_at = now() - interval '12 days 1 hour' where id = ${older}`.execute(
      ctx.db,
    );
    await sql`update policy_questions set created_at = now() - interval '3 days 1 hour' where id = ${newer}`.execute(
      ctx.db,
    );
    // Questions of earlier tests are younger than both; these two lead.
    const res = await asker.agent.api('GET', '/api/v1/policy/questions?tab=waiting');
    const ids = res.json().questions.map((q: { id: number }) => q.id);
    expect(ids.slice(0, 2)).toEqual([older, newer]);
    expect(res.json().questions[0].daysWaiting).toBe(12);
    const text = visibleText((await asker.agent.get('/policy/questions')).body);
    expect(text.indexOf('Older question on estates')).toBeLessThan(
      text.indexOf('Newer question on workforce'),
    );
    expect(text).toContain('Waiting 12 days');
    const mine = visibleText((await asker.agent.get('/policy/questions?tab=mine')).body);
    expect(mine).toContain('Newer question on workforce');
    const bad = await asker.agent.get('/policy/questions?tab=sideways');
    expect(bad.statusCode).toBe(400);
    expect(visibleText(bad.body)).toContain('Choose waiting, answered or mine');
  });

  it('lets only the asker withdraw an open question; it then leaves the network’s view', async () => {
    const asker = await member();
    const other = await member();
    const id = await ask(asker.agent, { title: 'Withdrawable question on rotas', body: 'b' });
    expect((await other.agent.post(`/policy/questions/${id}/withdraw`)).statusCode).toBe(403);
    expect((await asker.agent.post(`/policy/questions/${id}/withdraw`)).statusCode).toBe(303);
    expect(visibleText((await asker.agent.get(`/policy/questions/${id}`)).body)).toContain('Withdrawn');
    expect((await other.agent.get(`/policy/questions/${id}`)).statusCode).toBe(404);
    const twice = await asker.agent.api('POST', `/api/v1/policy/questions/${id}/withdraw`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('already withdrawn');
  });

  it('turns a question into a draft call owned by the policy maker', async () => {
    const asker = await member();
    const pm = await policyMaker();
    const id = await ask(asker.agent, {
      title: 'How should discharge to assess work?',
      body: 'Delayed discharges are rising.',
    });
    const memberTry = await asker.agent.post(`/policy/questions/${id}/to-call`);
    expect(memberTry.statusCode).toBe(403);
    const res = await pm.agent.post(`/policy/questions/${id}/to-call`);
    expect(res.statusCode).toBe(303);
    const callId = Number(/\/policy\/calls\/(\d+)$/.exec(String(res.headers.location))?.[1]);
    const call = await ctx.db
      .selectFrom('policy_calls')
      .selectAll()
      .where('id', '=', callId)
      .executeTakeFirstOrThrow();
    expect(call).toMatchObject({
      status: 'draft',
      title: 'How should discharge to assess work?',
      summary: 'Delayed discharges are rising.',
      owner_user_id: pm.user.id,
      source_question_id: id,
    });
    expect(call.closes_on > call.opens_on).toBe(true);
    expect(call.response_due_on > call.closes_on).toBe(true);
    const q = await ctx.db
      .selectFrom('policy_questions')
      .select('call_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(q.call_id).toBe(callId);
    const again = await pm.agent.api('POST', `/api/v1/policy/questions/${id}/to-call`);
    expect(again.statusCode).toBe(409);
    expect(visibleText((await asker.agent.get(`/policy/questions/${id}`)).body)).toContain(
      'turned into a call for input',
    );
  });

  it('refuses people outside the channel and members acting for the policy team', async () => {
    const asker = await member();
    const facilitator = await signedInAgent(ctx, [{ role: 'facilitator', regionCode: 'Q31' }]);
    const id = await ask(asker.agent, { title: 'A question for the refusals', body: 'b' });
    expect((await facilitator.agent.get('/policy/questions')).statusCode).toBe(403);
    expect((await facilitator.agent.get(`/policy/questions/${id}`)).statusCode).toBe(403);
    expect((await facilitator.agent.api('GET', `/api/v1/policy/questions/${id}`)).statusCode).toBe(403);
    expect(
      (await asker.agent.post(`/policy/questions/${id}/answer`, { answer: 'Self-answer' })).statusCode,
    ).toBe(403);
    const pm = await policyMaker();
    expect((await pm.agent.get('/policy/questions/new')).statusCode).toBe(403);
    expect((await pm.agent.api('POST', `/api/v1/policy/questions/${id}/support`)).statusCode).toBe(403);
    expect((await asker.agent.get('/policy/questions/999999')).statusCode).toBe(404);
  });

  it('shows hostile text inert and refuses over-long input with nothing saved', async () => {
    const asker = await member();
    const other = await member();
    const id = await ask(asker.agent, {
      title: '<script>alert("q")</script>',
      body: '<img src=x onerror=alert(1)>',
    });
    const html = (await other.agent.get(`/policy/questions/${id}`)).body;
    expect(html).not.toContain('<script>alert("q")</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;');

    const before = await ctx.db
      .selectFrom('policy_questions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const long = await asker.agent.post('/policy/questions', {
      title: 'x'.repeat(151),
      body: 'y'.repeat(3001),
      visibility: 'network',
    });
    expect(refusedForm(long, 400, 'Ask policy makers a question')).toEqual([
      { href: '#title', text: 'Your question in a line must be 150 characters or fewer' },
      { href: '#body', text: 'The detail must be 3000 characters or fewer' },
    ]);
    const api = await asker.agent.api('POST', '/api/v1/policy/questions', {
      title: 'ok',
      body: 'ok',
      visibility: 'everyone',
    });
    expect(api.statusCode).toBe(400);
    const after = await ctx.db
      .selectFrom('policy_questions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);

    const pm = await policyMaker();
    await recordRole(pm.agent, 'Director of Policy');
    const tooLong = await pm.agent.post(`/policy/questions/${id}/answer`, { answer: 'z'.repeat(5001) });
    expect(refusedForm(tooLong, 400, '<script>alert("q")</script>')).toEqual([
      { href: '#answer', text: 'The answer must be 5000 characters or fewer' },
    ]);
    expect(
      (
        await ctx.db
          .selectFrom('policy_questions')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('open');
  });

  it('asks, reads and lists through the JSON API', async () => {
    const asker = await member();
    const res = await asker.agent.api('POST', '/api/v1/policy/questions', {
      title: 'API question on pharmacy first',
      body: 'Detail',
      visibility: 'network',
      safetyConcern: false,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'open',
      mine: true,
      canWithdraw: true,
      askedBy: 'You',
      supports: 0,
    });
    const mine = await asker.agent.api('GET', '/api/v1/policy/questions?tab=mine');
    expect(mine.json().questions.map((q: { id: number }) => q.id)).toContain(res.json().id);
  });
  it('documents every operation of questions, safety and staff in the OpenAPI description', async () => {
    const docs = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(docs.statusCode).toBe(200);
    const paths = Object.keys(docs.json().paths);
    for (const p of [
      '/api/v1/policy/questions',
      '/api/v1/policy/questions/{id}',
      '/api/v1/policy/questions/{id}/support',
      '/api/v1/policy/questions/{id}/answer',
      '/api/v1/policy/questions/{id}/withdraw',
      '/api/v1/policy/questions/{id}/to-call',
      '/api/v1/policy/safety',
      '/api/v1/policy/safety/{id}',
      '/api/v1/policy/safety/{id}/acknowledge',
      '/api/v1/policy/staff',
      '/api/v1/policy/staff/me',
      '/api/v1/policy/staff/{id}',
    ])
      expect(paths, p).toContain(p);
  });
});
