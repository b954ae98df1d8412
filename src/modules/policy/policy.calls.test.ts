import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  refusedForm,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { addMember, trustsOf } from '../../../test/journeys/support.ts';
import { addDays, londonDate, londonDateAfter, longDate } from '../../platform/dates.ts';
import { createNotices } from './policy.notices.ts';

let ctx: TestContext;
let pat: Agent;
let patId: number;
let nia: Agent;
const northWest: { id: number; email: string }[] = [];
let londoner: Agent;

const today = () => londonDate();

beforeAll(async () => {
  ctx = await buildTestApp();
  const patUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }], { name: 'Pat Policy' });
  patId = patUser.id;
  pat = new Agent(ctx.app);
  await pat.signIn(patUser.email);
  const niaUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }], { name: 'Nia Other' });
  nia = new Agent(ctx.app);
  await nia.signIn(niaUser.email);
  const [trust] = await trustsOf(ctx, 'Q31', 1);
  for (const name of ['Ada North', 'Ben North', 'Cy North'])
    northWest.push(
      await addMember(ctx, {
        regionCode: 'Q31',
        name,
        profession: 'nurse',
        organisationId: trust!,
        jobTitle: 'Matron',
      }),
    );
  const [ltrust] = await trustsOf(ctx, 'Q36', 1);
  const lon = await addMember(ctx, {
    regionCode: 'Q36',
    name: 'Lou London',
    profession: 'doctor',
    organisationId: ltrust!,
    jobTitle: 'Consultant',
  });
  londoner = new Agent(ctx.app);
  await londoner.signIn(lon.email);
});
afterAll(async () => {
  await ctx?.close();
});

const callForm = (over: Record<string, string | string[]> = {}) => ({
  kind: 'consultation',
  title: 'Urgent care at the front door',
  summary: 'How should urgent care be organised at the front door of emergency departments?',
  background: 'Waits at the front door have grown.\nWe want to hear from the clinicians who staff it.',
  opensOn: today(),
  closesOn: londonDateAfter(14),
  responseDueOn: '',
  responseDueReason: '',
  audienceRegions: ['Q31'],
  ...over,
});

const callRow = (id: number) =>
  ctx.db.selectFrom('policy_calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const countCalls = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('policy_calls')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** A form that succeeded: its redirect followed, as a browser would, so its flash is shown there. */
async function ok(agent: Agent, res: { statusCode: number; body: string; headers: Record<string, unknown> }) {
  expect(res.statusCode, visibleText(res.body).slice(0, 300)).toBe(303);
  const next = await agent.get(String(res.headers.location));
  expect(next.statusCode).toBe(200);
  return visibleText(next.body);
}

async function draftCall(over: Record<string, string | string[]> = {}) {
  const res = await pat.post('/policy/calls', callForm(over));
  await ok(pat, res);
  return Number(/\/policy\/calls\/(\d+)\/questions/.exec(String(res.headers.location))![1]);
}

describe('calls for input: drafting, states and their refusals', () => {
  let callId: number;

  it('names every region checkbox of the draft form by a label of its own: the region as people say it', async () => {
    const form = await pat.get('/policy/calls/new');
    expect(form.statusCode).toBe(200);
    const boxes = [
      ...form.body.matchAll(/<input[^>]*id="([^"]+)"[^>]*name="audienceRegions"[^>]*value="([^"]+)"/g),
    ];
    expect(boxes.map((b) => b[2])).toEqual([
      'Q30',
      'Q31',
      'Q32',
      'Q33',
      'Q34',
      'Q35',
      'Q36',
      'Q37',
      'Q38',
      'Q39',
    ]);
    const labels = boxes.map(([, id]) => {
      const label = new RegExp(`<label[^>]*for="${id}"[^>]*>([^<]*)</label>`).exec(form.body);
      return label?.[1]?.trim();
    });
    expect(labels).toContain('West Midlands');
    expect(labels).toContain('East of England');
    expect(new Set(labels).size).toBe(boxes.length);
    expect(labels.every((l) => l && !/^Q\d\d$/.test(l))).toBe(true);
  });

  it('Pat drafts a call; the response is due 12 weeks after close by default', async () => {
    expect((await pat.get('/policy/calls/new')).statusCode).toBe(200);
    callId = await draftCall();
    const row = await callRow(callId);
    expect(row).toMatchObject({ status: 'draft', owner_user_id: patId, audience_regions: ['Q31'] });
    expect(row.response_due_on).toBe(addDays(row.closes_on, 84));
    const page = visibleText((await pat.get(`/policy/calls/${callId}`)).body);
    expect(page).toContain('Urgent care at the front door');
    expect(page).toContain('(12 weeks after the call closes)');
    expect(page).toContain('Members in North West');
    expect(page).toContain('Draft, by Pat Policy: Drafted');
  });

  it('refuses a call closing before it opens, another due date without a reason, and saves nothing', async () => {
    const before = await countCalls();
    const backwards = await pat.post(
      '/policy/calls',
      callForm({ opensOn: londonDateAfter(10), closesOn: londonDateAfter(2) }),
    );
    expect(refusedForm(backwards, 400, 'Draft a call for input')).toEqual([
      { href: '#closesOn', text: 'The call must close on or after the day it opens' },
    ]);
    const due = await pat.post('/policy/calls', callForm({ responseDueOn: londonDateAfter(40) }));
    const errors = refusedForm(due, 400, 'Draft a call for input');
    expect(errors.map((e) => e.href)).toEqual(['#responseDueReason']);
    expect(errors[0]!.text).toContain('Give the reason the response is due on');
    expect(due.body).toContain('value="Urgent care at the front door"');
    const long = await pat.post('/policy/calls', callForm({ title: 'x'.repeat(201) }));
    expect(refusedForm(long, 400, 'Draft a call for input')[0]!.text).toBe(
      'A title must be 200 characters or fewer',
    );
    const hostile = await pat.post('/policy/calls', callForm({ audienceRegions: ['Q99'] }));
    expect(refusedForm(hostile, 400, 'Draft a call for input')[0]!.href).toBe('#audienceRegions');
    expect(await countCalls()).toBe(before);
  });

  it('adds questions of every kind and a document, refusing bad ones', async () => {
    const add = (form: Record<string, string>) => pat.post(`/policy/calls/${callId}/questions`, form);
    expect(
      await ok(
        pat,
        await add({
          kind: 'text',
          prompt: 'What would make the biggest difference?',
          maxLength: '500',
          required: 'yes',
        }),
      ),
    ).toContain('Question added');
    await ok(
      pat,
      await add({ kind: 'single', prompt: 'Who should triage?', options: 'Nurses\nDoctors\nParamedics' }),
    );
    await ok(
      pat,
      await add({ kind: 'multiple', prompt: 'What gets in the way?', options: 'Beds\nStaff\nIT' }),
    );
    await ok(
      pat,
      await add({
        kind: 'scale',
        prompt: 'How well does it work now?',
        scaleMin: '1',
        scaleMax: '5',
        scaleMinLabel: 'Badly',
        scaleMaxLabel: 'Well',
      }),
    );
    await ok(
      pat,
      await add({ kind: 'ranking', prompt: 'Rank these priorities', options: 'Speed\nSafety\nCost' }),
    );
    const oneOption = await add({ kind: 'single', prompt: 'Yes?', options: 'Yes' });
    expect(refusedForm(oneOption, 400, 'Questions and documents')).toEqual([
      { href: '#options', text: 'Give at least 2 options, one a line' },
    ]);
    const badScale = await add({ kind: 'scale', prompt: 'Scale', scaleMin: '5', scaleMax: '1' });
    expect(refusedForm(badScale, 400, 'Questions and documents')[0]).toEqual({
      href: '#scaleMax',
      text: 'The highest point must be above the lowest',
    });
    const noLimit = await add({ kind: 'text', prompt: 'Tell us', maxLength: '' });
    expect(refusedForm(noLimit, 400, 'Questions and documents')[0]!.href).toBe('#maxLength');
    const doc = await pat.post(`/policy/calls/${callId}/documents`, {
      title: 'The review',
      url: 'http://example.com/review',
    });
    expect(refusedForm(doc, 400, 'Questions and documents')[0]!.href).toBe('#document-url');
    await ok(
      pat,
      await pat.post(`/policy/calls/${callId}/documents`, {
        title: 'The review',
        url: 'https://www.gov.uk/review',
      }),
    );
    const questions = await ctx.db
      .selectFrom('policy_call_questions')
      .select(['kind'])
      .where('call_id', '=', callId)
      .orderBy('position')
      .execute();
    expect(questions.map((q) => q.kind)).toEqual(['text', 'single', 'multiple', 'scale', 'ranking']);
    const page = visibleText((await pat.get(`/policy/calls/${callId}/questions`)).body);
    expect(page).toContain('Rank these priorities');
    expect(page).toContain('The review');
  });

  it('another policy maker may read the call but not change it', async () => {
    expect((await nia.get(`/policy/calls/${callId}`)).statusCode).toBe(200);
    expect((await nia.post(`/policy/calls/${callId}/status`, { to: 'scheduled' })).statusCode).toBe(403);
    expect(
      (await nia.post(`/policy/calls/${callId}/questions`, { kind: 'text', prompt: 'Mine', maxLength: '5' }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await nia.api('PUT', `/api/v1/policy/calls/${callId}/response-due`, {
          responseDueOn: londonDateAfter(200),
          reason: 'x',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('a member cannot see a draft; schedules, and the clock opens it and tells the audience once', async () => {
    const [ada] = northWest;
    const adaAgent = new Agent(ctx.app);
    await adaAgent.signIn(ada!.email);
    expect((await adaAgent.get(`/policy/calls/${callId}`)).statusCode).toBe(404);
    const wrong = await pat.post(`/policy/calls/${callId}/status`, { to: 'concluded' });
    expect(refusedForm(wrong, 409, 'Urgent care at the front door')[0]!.text).toBe(
      'A draft call cannot be moved to concluded: it can move only to scheduled',
    );
    expect(
      await ok(pat, await pat.post(`/policy/calls/${callId}/status`, { to: 'scheduled', note: 'Ready' })),
    ).toContain('The call is now scheduled');
    // Structure may change while scheduled; the clock opens it on its opening day.
    const notices = createNotices({ db: ctx.db, baseUrl: 'http://cln.test' });
    const first = await notices.runCallClock();
    expect(first.opened).toBeGreaterThanOrEqual(1);
    expect((await callRow(callId)).status).toBe('open');
    await Promise.all([notices.runCallClock(), notices.runCallClock()]);
    const mails = await ctx.db
      .selectFrom('outbox')
      .select(['to_address', 'subject'])
      .where('kind', '=', 'policy.call.opened')
      .execute();
    const toCall = mails.filter((m) => m.subject.includes('Urgent care at the front door'));
    expect(toCall.map((m) => m.to_address).sort()).toEqual(
      northWest.map((m) => m.email.toLowerCase()).sort(),
    );
    const timeline = visibleText((await pat.get(`/policy/calls/${callId}`)).body);
    expect(timeline).toContain('Open, by the system: Opened on its opening date');
    // Now open: structure is fixed.
    const late = await pat.post(`/policy/calls/${callId}/questions`, {
      kind: 'text',
      prompt: 'Late',
      maxLength: '5',
    });
    expect(refusedForm(late, 409, 'Questions and documents')[0]!.text).toContain(
      'can be changed only while it is a draft or scheduled',
    );
    const member = visibleText((await adaAgent.get('/policy')).body);
    expect(member).toContain('Urgent care at the front door');
    expect(member).toContain('14 days left');
    // A member outside the audience learns nothing of it.
    expect((await londoner.get(`/policy/calls/${callId}`)).statusCode).toBe(404);
    expect((await londoner.api('GET', `/api/v1/policy/calls/${callId}`)).statusCode).toBe(404);
    expect(visibleText((await londoner.get('/policy')).body)).not.toContain('Urgent care');
  });

  it('reminds those who have not responded three days before close, once, and closes it after close', async () => {
    await ctx.db
      .updateTable('policy_calls')
      .set({ opens_on: addDays(today(), -10), closes_on: londonDateAfter(2) })
      .where('id', '=', callId)
      .execute();
    const notices = createNotices({ db: ctx.db, baseUrl: 'http://cln.test' });
    await notices.runCallClock();
    await notices.runCallClock();
    const reminders = await ctx.db
      .selectFrom('outbox')
      .select(['to_address', 'subject'])
      .where('kind', '=', 'policy.call.closing')
      .execute();
    expect(reminders).toHaveLength(3);
    expect(reminders[0]!.subject).toBe('2 days left to respond: Urgent care at the front door');
    // After its closing day the clock closes it; members see it is being analysed.
    await ctx.db
      .updateTable('policy_calls')
      .set({ opens_on: addDays(today(), -10), closes_on: addDays(today(), -1) })
      .where('id', '=', callId)
      .execute();
    expect((await notices.runCallClock()).closed).toBe(1);
    expect((await callRow(callId)).status).toBe('closed');
    const pageFor = new Agent(ctx.app);
    await pageFor.signIn(northWest[1]!.email);
    expect(visibleText((await pageFor.get(`/policy/calls/${callId}`)).body)).toContain(
      'We are analysing your feedback',
    );
  });

  it('refuses to conclude without a published response, then concludes once it exists', async () => {
    const refused = await pat.post(`/policy/calls/${callId}/status`, { to: 'concluded' });
    expect(refusedForm(refused, 409, 'Urgent care at the front door')[0]!.text).toContain(
      'A call concludes only once its published response exists',
    );
    const viaApi = await pat.api('POST', `/api/v1/policy/calls/${callId}/status`, { to: 'concluded' });
    expect(viaApi.statusCode).toBe(409);
    await ctx.db
      .updateTable('policy_calls')
      .set({ published_response: 'We will fund triage nurses.' })
      .where('id', '=', callId)
      .execute();
    await ok(pat, await pat.post(`/policy/calls/${callId}/status`, { to: 'concluded', note: 'Published' }));
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['summary'])
      .where('action', '=', 'policy.call.status')
      .where('entity_id', '=', String(callId))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.summary)).toEqual([
      'Moved the call for input “Urgent care at the front door” from draft to scheduled: Ready',
      'Moved the call for input “Urgent care at the front door” from scheduled to open: opened on its opening date',
      'Moved the call for input “Urgent care at the front door” from open to closed: closed after its closing date',
      'Moved the call for input “Urgent care at the front door” from closed to concluded: Published',
    ]);
  });

  it('moves the response-due date only with a reason, shown on the call and audited', async () => {
    const id = await draftCall({ title: 'Discharge letters' });
    const noReason = await pat.post(`/policy/calls/${id}/response-due`, {
      responseDueOn: londonDateAfter(200),
      reason: '',
    });
    expect(refusedForm(noReason, 400, 'Change the response-due date')).toEqual([
      { href: '#reason', text: 'Enter the reason for the change' },
    ]);
    const moved = await pat.post(`/policy/calls/${id}/response-due`, {
      responseDueOn: londonDateAfter(200),
      reason: 'Ministers asked for a joint response',
    });
    expect(await ok(pat, moved)).toContain('The date was changed: Ministers asked for a joint response');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['summary'])
      .where('action', '=', 'policy.call.response-due')
      .executeTakeFirstOrThrow();
    expect(audit.summary).toContain('Ministers asked for a joint response');
  });

  it('the API drafts, reads, sets questions and changes a call', async () => {
    const created = await pat.api('POST', '/api/v1/policy/calls', {
      kind: 'pulse',
      title: 'Quick pulse on rotas',
      summary: 'Are rotas published six weeks ahead?',
      opensOn: today(),
      closesOn: londonDateAfter(7),
      audienceRegions: [],
      audienceProfessions: ['doctor'],
      audienceSpecialtyIds: [],
    });
    expect(created.statusCode, created.body).toBe(201);
    const call = created.json();
    expect(call).toMatchObject({
      status: 'draft',
      kind: 'pulse',
      responseDueOn: addDays(londonDateAfter(7), 84),
    });
    const put = await pat.api('PUT', `/api/v1/policy/calls/${call.id}/questions`, {
      questions: [{ kind: 'single', prompt: 'Are they?', options: ['Yes', 'No'], required: true }],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().questions).toHaveLength(1);
    const unknown = await pat.api('PUT', `/api/v1/policy/calls/${call.id}`, { ...call, extra: 1 });
    expect(unknown.statusCode).toBe(400);
    const list = await pat.api('GET', '/api/v1/policy/calls?status=draft');
    expect(list.statusCode).toBe(200);
    expect(list.json().calls.map((c: { title: string }) => c.title)).toContain('Quick pulse on rotas');
    expect((await londoner.api('POST', '/api/v1/policy/calls', {})).statusCode).toBe(403);
  });

  it('changes a draft’s details and audience on its edit page; refuses once it has opened', async () => {
    const id = await draftCall({ title: 'Rotas' });
    const form = await pat.get(`/policy/calls/${id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Rotas"');
    const saved = await pat.post(`/policy/calls/${id}/edit`, {
      ...callForm({ title: 'Rotas and leave' }),
      audienceRegions: ['Q31', 'Q36'],
      audienceProfessions: ['midwife', 'nurse'],
      isPublic: 'yes',
    });
    const page = await ok(pat, saved);
    expect(page).toContain('Call saved');
    expect(page).toContain('Members in London, North West, who are midwives or nurses');
    expect(await callRow(id)).toMatchObject({ title: 'Rotas and leave', is_public: true });
    await ctx.db.updateTable('policy_calls').set({ status: 'open' }).where('id', '=', id).execute();
    const late = await pat.post(`/policy/calls/${id}/edit`, callForm({ title: 'Too late' }));
    expect(refusedForm(late, 409, 'Change Rotas and leave')[0]!.text).toContain(
      'can be changed only while it is a draft or scheduled',
    );
    expect((await callRow(id)).title).toBe('Rotas and leave');
  });

  it('closing a call before its closing date makes today its closing day, and says so', async () => {
    const id = await draftCall({ title: 'Early close' });
    await ctx.db
      .updateTable('policy_calls')
      .set({ status: 'open', opens_on: addDays(today(), -3), closes_on: londonDateAfter(10) })
      .where('id', '=', id)
      .execute();
    const planned = (await callRow(id)).closes_on;
    await ok(pat, await pat.post(`/policy/calls/${id}/status`, { to: 'closed', note: 'Enough heard' }));
    const row = await callRow(id);
    expect(row).toMatchObject({ status: 'closed', closes_on: today() });
    expect(row.response_due_on >= row.closes_on).toBe(true);
    const timeline = visibleText((await pat.get(`/policy/calls/${id}`)).body);
    expect(timeline).toContain(`Closed early (it was to close on ${longDate(planned)}): Enough heard`);
    const ledger = visibleText((await pat.get('/policy/ledger')).body);
    expect(ledger).toContain(`Closed on ${longDate(today())} (0 days ago)`);
  });
});
