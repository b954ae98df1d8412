import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  refusedForm,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { addMember, trustsOf } from '../../../test/journeys/support.ts';
import { londonDate, londonDateAfter } from '../../platform/dates.ts';
import type { Actor } from '../../platform/permissions.ts';
import { createPolicyAccess } from './policy.access.ts';
import { createNotices } from './policy.notices.ts';
import { createResponses } from './policy.responses.ts';

let ctx: TestContext;
let pat: Agent;
let nia: Agent;
let natalie: Agent;
let callId: number;
let q: { text: number; single: number; multiple: number; scale: number; ranking: number };
const people: Record<string, { id: number; email: string; name: string; agent: Agent }> = {};
let trustName: string;

async function person(key: string, region: string, name: string) {
  const [trust] = await trustsOf(ctx, region, 1);
  const user = await addMember(ctx, {
    regionCode: region,
    name,
    profession: 'nurse',
    organisationId: trust!,
    jobTitle: 'Matron',
  });
  const agent = new Agent(ctx.app);
  await agent.signIn(user.email);
  people[key] = { id: user.id, email: user.email, name, agent };
}

beforeAll(async () => {
  ctx = await buildTestApp();
  const staff = async (name: string, role: 'policy-maker' | 'national') => {
    const u = await createUser(ctx, [{ role, regionCode: null }], { name });
    const a = new Agent(ctx.app);
    await a.signIn(u.email);
    return a;
  };
  pat = await staff('Pat Policy', 'policy-maker');
  nia = await staff('Nia Other', 'policy-maker');
  natalie = await staff('Natalie National', 'national');
  await person('ada', 'Q31', 'Ada North');
  await person('ben', 'Q31', 'Ben North');
  await person('cy', 'Q31', 'Cy North');
  await person('lou', 'Q36', 'Lou London');
  const [trust] = await trustsOf(ctx, 'Q31', 1);
  trustName = (
    await ctx.db.selectFrom('organisations').select('name').where('id', '=', trust!).executeTakeFirstOrThrow()
  ).name;

  const created = await pat.api('POST', '/api/v1/policy/calls', {
    kind: 'consultation',
    title: 'Urgent care at the front door',
    summary: 'How should urgent care be organised?',
    opensOn: londonDate(),
    closesOn: londonDateAfter(20),
    audienceRegions: ['Q31'],
    audienceProfessions: [],
    audienceSpecialtyIds: [],
  });
  callId = created.json().id;
  const put = await pat.api('PUT', `/api/v1/policy/calls/${callId}/questions`, {
    questions: [
      { kind: 'text', prompt: 'What would make the biggest difference?', maxLength: 50, required: true },
      { kind: 'single', prompt: 'Who should triage?', options: ['Nurses', 'Doctors'] },
      { kind: 'multiple', prompt: 'What gets in the way?', options: ['Beds', 'Staff', 'IT'] },
      {
        kind: 'scale',
        prompt: 'How well does it work now?',
        scaleMin: 1,
        scaleMax: 5,
        scaleMinLabel: 'Badly',
        scaleMaxLabel: 'Well',
      },
      { kind: 'ranking', prompt: 'Rank these priorities', options: ['Speed', 'Safety', 'Cost'] },
    ],
  });
  const ids = (put.json().questions as { id: number }[]).map((x) => x.id);
  q = { text: ids[0]!, single: ids[1]!, multiple: ids[2]!, scale: ids[3]!, ranking: ids[4]! };
  expect(
    (await pat.api('POST', `/api/v1/policy/calls/${callId}/status`, { to: 'scheduled' })).statusCode,
  ).toBe(200);
  await createNotices({ db: ctx.db, baseUrl: 'http://cln.test' }).runCallClock();
});
afterAll(async () => {
  await ctx?.close();
});

const answersOf = async (userId: number) =>
  ctx.db
    .selectFrom('policy_answers as a')
    .innerJoin('policy_responses as r', 'r.id', 'a.response_id')
    .select(['a.question_id', 'a.text_value', 'a.choice_values', 'a.scale_value'])
    .where('r.user_id', '=', userId)
    .orderBy('a.question_id')
    .execute();
const responseOf = (userId: number) =>
  ctx.db
    .selectFrom('policy_responses')
    .selectAll()
    .where('user_id', '=', userId)
    .where('call_id', '=', callId)
    .executeTakeFirst();

const full = () => ({
  [`q${q.text}`]: 'More triage nurses',
  [`q${q.single}`]: 'Nurses',
  [`q${q.multiple}`]: ['Beds', 'IT'],
  [`q${q.scale}`]: '2',
  [`rank-${q.ranking}-0`]: '2',
  [`rank-${q.ranking}-1`]: '1',
  [`rank-${q.ranking}-2`]: '3',
  onBehalf: 'self',
});
const TITLE = 'Respond: Urgent care at the front door';

async function followed(
  agent: Agent,
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
) {
  expect(res.statusCode, visibleText(res.body).slice(0, 400)).toBe(303);
  return visibleText((await agent.get(String(res.headers.location))).body);
}

describe('responses to a call', () => {
  it('a member saves a draft, sends it, and edits it until close; groups are kept when first sent', async () => {
    const { agent, id } = people.ada!;
    const form = await agent.get(`/policy/calls/${callId}/respond`);
    expect(form.statusCode).toBe(200);
    expect(visibleText(form.body)).toContain('1. What would make the biggest difference?');
    expect(visibleText(form.body)).toContain(`On behalf of ${trustName}`);
    const draft = await agent.post(`/policy/calls/${callId}/respond`, {
      intent: 'draft',
      [`q${q.single}`]: 'Doctors',
    });
    expect(await followed(agent, draft)).toContain('Draft saved');
    expect(await responseOf(id)).toMatchObject({ status: 'draft', region_code: null, submitted_at: null });
    expect(visibleText((await agent.get('/policy')).body)).toContain('Your drafts');
    const again = await agent.get(`/policy/calls/${callId}/respond`);
    expect(again.body).toMatch(/value="Doctors" checked/);

    const sent = await agent.post(`/policy/calls/${callId}/respond`, { intent: 'submit', ...full() });
    expect(await followed(agent, sent)).toContain('Response sent');
    expect(await responseOf(id)).toMatchObject({
      status: 'submitted',
      region_code: 'Q31',
      profession: 'nurse',
      setting: 'trust',
    });
    expect(await answersOf(id)).toEqual([
      { question_id: q.text, text_value: 'More triage nurses', choice_values: [], scale_value: null },
      { question_id: q.single, text_value: null, choice_values: ['Nurses'], scale_value: null },
      { question_id: q.multiple, text_value: null, choice_values: ['Beds', 'IT'], scale_value: null },
      { question_id: q.scale, text_value: null, choice_values: [], scale_value: 2 },
      {
        question_id: q.ranking,
        text_value: null,
        choice_values: ['Safety', 'Speed', 'Cost'],
        scale_value: null,
      },
    ]);
    const edited = await agent.post(`/policy/calls/${callId}/respond`, {
      intent: 'submit',
      ...full(),
      [`q${q.text}`]: '<script>alert(1)</script> more nurses',
    });
    expect(await followed(agent, edited)).toContain('Your response is updated');
    expect((await responseOf(id))!.status).toBe('submitted');
    const mine = await agent.get(`/policy/responses/${(await responseOf(id))!.id}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; more nurses');
    expect(mine.body).not.toContain('<script>alert(1)');
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'policy_response')
      .orderBy('id')
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      'policy.response.draft',
      'policy.response.submit',
      'policy.response.update',
    ]);
  });

  it('refuses each bad answer with the error summary, keeping what was typed, and saves nothing', async () => {
    const { agent, id } = people.ben!;
    const send = (over: Record<string, string | string[]>) =>
      agent.post(`/policy/calls/${callId}/respond`, { intent: 'submit', ...full(), ...over });
    const cases: [Record<string, string | string[]>, string, string][] = [
      [{ [`q${q.text}`]: '' }, `#q${q.text}`, 'Answer question 1: What would make the biggest difference?'],
      [
        { [`q${q.text}`]: 'x'.repeat(51) },
        `#q${q.text}`,
        'Question 1: your answer must be 50 characters or fewer (it is 51)',
      ],
      [{ [`q${q.single}`]: 'Porters' }, `#q${q.single}`, 'Question 2: choose one of the options'],
      [
        { [`q${q.multiple}`]: ['Beds', 'Money'] },
        `#q${q.multiple}`,
        'Question 3: choose from the options, each once',
      ],
      [{ [`q${q.scale}`]: '9' }, `#q${q.scale}`, 'Question 4: choose a point on the scale from 1 to 5'],
      [
        { [`rank-${q.ranking}-0`]: '1', [`rank-${q.ranking}-1`]: '1' },
        `#q${q.ranking}`,
        'Question 5: put all 3 options in order, each with a different place',
      ],
      [
        { safetyConcern: 'yes', safetySummary: '' },
        '#safetySummary',
        'Give a short summary of the patient-safety concern',
      ],
    ];
    for (const [over, href, text] of cases) {
      const res = await send(over);
      expect(refusedForm(res, 400, TITLE)).toEqual([{ href, text }]);
    }
    const kept = await send({ [`q${q.text}`]: 'x'.repeat(51), [`q${q.multiple}`]: ['Beds', 'Money'] });
    expect(kept.body).toContain('x'.repeat(51));
    expect(await responseOf(id)).toBeUndefined();
    expect(await answersOf(id)).toEqual([]);
    // The API refuses the same answers with the fields named.
    const api = await agent.api('PUT', `/api/v1/policy/calls/${callId}/my-response`, {
      intent: 'submit',
      answers: { [q.text]: 'ok', [q.ranking]: ['Speed', 'Speed', 'Cost'] },
    });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.fields).toEqual([
      {
        field: `q${q.ranking}`,
        message: 'Question 5: put all 3 options in order, each with a different place',
      },
    ]);
    expect(await responseOf(id)).toBeUndefined();
  });

  it('responds on behalf of the organisation, shown as such to the policy team', async () => {
    const { agent, id } = people.ben!;
    const res = await agent.api('PUT', `/api/v1/policy/calls/${callId}/my-response`, {
      intent: 'submit',
      onBehalf: 'organisation',
      answers: {
        [q.text]: 'Open a second triage bay',
        [q.ranking]: ['Cost', 'Safety', 'Speed'],
        [q.scale]: 4,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().response).toMatchObject({ status: 'submitted', onBehalf: 'organisation' });
    expect((await responseOf(id))!.on_behalf_of_organisation_id).not.toBeNull();
    const list = visibleText((await pat.get(`/policy/calls/${callId}/responses`)).body);
    expect(list).toMatch(new RegExp(`Ben North ?, on behalf of ${trustName}`));
  });

  it('a confidential response is for the owner and national only: another policy maker is refused it and does not see it listed', async () => {
    const { agent, id } = people.cy!;
    const res = await agent.post(`/policy/calls/${callId}/respond`, {
      intent: 'submit',
      ...full(),
      confidential: 'yes',
    });
    await followed(agent, res);
    const responseId = (await responseOf(id))!.id;
    expect((await responseOf(id))!.confidential).toBe(true);
    expect(visibleText((await pat.get(`/policy/calls/${callId}/responses`)).body)).toContain('Cy North');
    expect((await pat.get(`/policy/responses/${responseId}`)).statusCode).toBe(200);
    expect((await natalie.get(`/policy/responses/${responseId}`)).statusCode).toBe(200);
    const other = visibleText((await nia.get(`/policy/calls/${callId}/responses`)).body);
    expect(other).not.toContain('Cy North');
    expect(other).toContain('Confidential responses are left out');
    expect((await nia.get(`/policy/responses/${responseId}`)).statusCode).toBe(403);
    expect((await nia.api('GET', `/api/v1/policy/responses/${responseId}`)).statusCode).toBe(403);
    const niaList = await nia.api('GET', `/api/v1/policy/calls/${callId}/responses`);
    expect(niaList.json().responses.map((r: { respondent: string }) => r.respondent)).not.toContain(
      'Cy North',
    );
    // Another member reaches neither the response nor the list.
    expect((await people.ben!.agent.get(`/policy/responses/${responseId}`)).statusCode).toBe(404);
    expect((await people.ben!.agent.get(`/policy/calls/${callId}/responses`)).statusCode).toBe(403);
  });

  it('the policy team reaches the response form but does not respond', async () => {
    const page = await pat.get(`/policy/calls/${callId}/respond`);
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain('Only members this call is aimed at respond to it');
    const api = await natalie.api('GET', `/api/v1/policy/calls/${callId}/my-response`);
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ canRespond: false, response: null });
    expect(
      (await pat.api('PUT', `/api/v1/policy/calls/${callId}/my-response`, { intent: 'draft' })).statusCode,
    ).toBe(403);
    expect((await people.ada!.agent.get(`/policy/calls/${callId}/participation`)).statusCode).toBe(403);
  });

  it('a member outside the audience gets 404 and cannot respond', async () => {
    const { agent, id } = people.lou!;
    expect((await agent.get(`/policy/calls/${callId}/respond`)).statusCode).toBe(404);
    expect(
      (await agent.post(`/policy/calls/${callId}/respond`, { intent: 'submit', ...full() })).statusCode,
    ).toBe(404);
    expect(
      (await agent.api('PUT', `/api/v1/policy/calls/${callId}/my-response`, { intent: 'draft' })).statusCode,
    ).toBe(404);
    expect(await responseOf(id)).toBeUndefined();
  });

  it('hands a safety concern to the fast lane inside the submitting transaction, once', async () => {
    const onSafetyConcern = vi.fn(
      async (_trx: unknown, _concern: { responseId: number; userId: number; summary: string }) => {},
    );
    const responses = createResponses({
      db: ctx.db,
      access: createPolicyAccess({ db: ctx.db }),
      onSafetyConcern,
    });
    const ada = people.ada!;
    const actor: Actor = {
      userId: ada.id,
      name: ada.name,
      email: ada.email,
      roles: [{ role: 'member', regionCode: 'Q31' }],
      ip: null,
      requestId: null,
    };
    const input = {
      intent: 'submit' as const,
      onBehalf: 'self' as const,
      confidential: false,
      safetyConcern: true,
      safetySummary: 'Patients wait in a corridor without observation',
      answers: { [q.text]: 'Corridor care' },
    };
    await responses.saveMyResponse(actor, callId, input);
    await responses.saveMyResponse(actor, callId, input);
    expect(onSafetyConcern).toHaveBeenCalledTimes(1);
    expect(onSafetyConcern.mock.calls[0]![1]).toMatchObject({
      userId: ada.id,
      summary: 'Patients wait in a corridor without observation',
    });
  });

  it('after close, a response can no longer be sent or changed', async () => {
    await ctx.db.updateTable('policy_calls').set({ status: 'closed' }).where('id', '=', callId).execute();
    const { agent, id } = people.ada!;
    const before = await answersOf(id);
    const res = await agent.post(`/policy/calls/${callId}/respond`, { intent: 'submit', ...full() });
    expect(refusedForm(res, 409, TITLE)[0]!.text).toContain('responses can no longer be sent or changed');
    expect(await answersOf(id)).toEqual(before);
    expect(
      (
        await agent.api('PUT', `/api/v1/policy/calls/${callId}/my-response`, {
          intent: 'submit',
          answers: { [q.text]: 'x' },
        })
      ).statusCode,
    ).toBe(409);
    const home = visibleText((await agent.get('/policy')).body);
    expect(home).toContain('Calls you answered');
    expect(home).toContain('We are analysing your feedback');
  });
});
