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
import { assignToTheme, countEmails, emailsTo, seedTheme } from './policy.outcomes.fixtures.ts';

let ctx: TestContext;
let owner: Agent;
let otherMaker: Agent;
let national: Agent;
let inAudience: Agent;
let outsider: Agent;
let people: { email: string; name: string; id: number }[];
let call: { callId: number; questionIds: number[] };
let theme: number;
const title = 'Urgent care at the front door';

const KIND = 'policy.outcome-changed';

beforeAll(async () => {
  ctx = await buildTestApp();
  const trusts = await trustsOf(ctx, 'Q34');
  const ownerUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }]);
  owner = await signedIn(ctx, ownerUser.email);
  otherMaker = await signedIn(
    ctx,
    (await createUser(ctx, [{ role: 'policy-maker', regionCode: null }])).email,
  );
  national = await signedIn(ctx, (await createUser(ctx, [{ role: 'national', regionCode: null }])).email);
  people = [];
  for (const name of ['Asha Counted', 'Ben Merged', 'Cara Answered', 'Dev Draft', 'Eve Removed'])
    people.push(
      await addMember(ctx, {
        regionCode: 'Q34',
        name,
        profession: 'doctor',
        organisationId: trusts[0]!,
        jobTitle: 'Consultant',
      }),
    );
  inAudience = await signedIn(ctx, people[0]!.email);
  const q30 = await trustsOf(ctx, 'Q30');
  const far = await addMember(ctx, {
    regionCode: 'Q30',
    name: 'Far Away',
    profession: 'nurse',
    organisationId: q30[0]!,
    jobTitle: 'Matron',
  });
  outsider = await signedIn(ctx, far.email);

  call = await seedCall(ctx.db, {
    ownerUserId: ownerUser.id,
    title,
    audienceRegions: ['Q34'],
    questions: [{ prompt: 'What would make the biggest difference?' }, { prompt: 'Anything else?' }],
  });
  const [q1, q2] = call.questionIds as [number, number];
  const r = [] as number[];
  for (const [i, p] of people.entries())
    r.push(
      await seedResponse(ctx.db, {
        callId: call.callId,
        userId: p.id,
        status: i === 3 ? 'draft' : 'submitted',
        answers: { [q1]: `Answer ${i}`, [q2]: i === 0 ? 'More' : '' },
      }),
    );
  theme = await seedTheme(ctx.db, { callId: call.callId, questionId: q1, name: 'Triage at the door' });
  const merged = await seedTheme(ctx.db, {
    callId: call.callId,
    questionId: q1,
    name: 'Streaming',
    mergedIntoId: theme,
  });
  await assignToTheme(ctx.db, { themeId: theme, responseId: r[0]!, questionId: q1 });
  await assignToTheme(ctx.db, { themeId: merged, responseId: r[1]!, questionId: q1 });
  await assignToTheme(ctx.db, { themeId: theme, responseId: r[3]!, questionId: q1 }); // a draft: not counted
  await assignToTheme(ctx.db, { themeId: theme, responseId: r[4]!, questionId: q1, removed: true });
});
afterAll(async () => {
  await ctx?.close();
});

const outcomeForm = (over: Record<string, string> = {}) => ({
  target: `theme-${theme}`,
  decision: 'adopted',
  summary: 'Every emergency department will stream patients at the front door by April.',
  reason: '',
  ownerRole: 'Deputy Director, Urgent Care',
  decidedOn: '2026-11-30',
  ...over,
});

const outcomesOf = () =>
  ctx.db.selectFrom('policy_outcomes').selectAll().where('call_id', '=', call.callId).orderBy('id').execute();

describe('outcomes of a call', () => {
  it('the owner records an outcome for a theme; exactly the contributors counted under it are emailed, once each', async () => {
    const page = await owner.get(`/policy/calls/${call.callId}/outcomes`);
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain('Theme: Triage at the door (2 responses');
    const res = await owner.post(`/policy/calls/${call.callId}/outcomes`, outcomeForm());
    expect(res.statusCode, visibleText(res.body).slice(0, 300)).toBe(303);
    const after = visibleText((await owner.get(`/policy/calls/${call.callId}/outcomes`)).body);
    expect(after).toContain('Outcome recorded: Adopted');
    expect(after).toContain('Every emergency department will stream patients');
    expect(after).toContain('Owner: Deputy Director, Urgent Care');

    // Asha (counted), Ben (counted under a theme merged into it); not Cara (not counted), Dev
    // (a draft), Eve (the assignment was removed).
    const told = await Promise.all(people.map((p) => emailsTo(ctx.db, p.email, KIND)));
    expect(told.map((t) => t.length)).toEqual([1, 1, 0, 0, 0]);
    expect(told[0]![0]!.subject).toBe(`What was decided: ${title}`);
    expect(told[0]![0]!.body_text).toContain('Decision: Adopted');
    expect(told[0]![0]!.body_text).toContain('http://cln.test/policy/contributions');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['summary'])
      .where('action', '=', 'policy.outcome.create')
      .execute();
    expect(audit.map((a) => a.summary)).toEqual([
      `Recorded the outcome “Adopted” for Theme: Triage at the door of the call “${title}”; 2 contributors told`,
    ]);
  });

  it('an outcome for a whole question tells everyone who answered it', async () => {
    const before = await countEmails(ctx.db, KIND);
    const res = await owner.post(
      `/policy/calls/${call.callId}/outcomes`,
      outcomeForm({ target: `question-${call.questionIds[1]}`, decision: 'deferred', summary: 'Later.' }),
    );
    expect(res.statusCode).toBe(303);
    // Only Asha answered the second question (the others left it empty).
    expect((await countEmails(ctx.db, KIND)) - before).toBe(1);
    expect((await emailsTo(ctx.db, people[0]!.email, KIND)).at(-1)!.body_text).toContain(
      'Decision: Deferred',
    );
  });

  it('refuses "not adopted" without a reason, and a target of another call, saving nothing', async () => {
    const count = (await outcomesOf()).length;
    await owner.get(`/policy/calls/${call.callId}/outcomes`); // shows the last success message
    const refused = await owner.post(
      `/policy/calls/${call.callId}/outcomes`,
      outcomeForm({ decision: 'not-adopted', reason: '  ' }),
    );
    expect(refusedForm(refused, 400, `Outcomes: ${title}`)).toEqual([
      { href: '#reason', text: 'Enter the reason it was not adopted' },
    ]);
    const wrong = await owner.post(
      `/policy/calls/${call.callId}/outcomes`,
      outcomeForm({ target: 'theme-999999' }),
    );
    expect(refusedForm(wrong, 400, `Outcomes: ${title}`)[0]!.text).toBe('Choose one of this call’s themes');
    const api = await owner.api('POST', `/api/v1/policy/calls/${call.callId}/outcomes`, {
      ...outcomeForm({ decision: 'not-adopted' }),
      reason: null,
    });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.fields).toEqual([
      { field: 'reason', message: 'Enter the reason it was not adopted' },
    ]);
    expect((await outcomesOf()).length).toBe(count);
    const ok = await owner.api('POST', `/api/v1/policy/calls/${call.callId}/outcomes`, {
      ...outcomeForm({ decision: 'not-adopted', reason: 'The evidence does not support it.' }),
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ decision: 'not-adopted', reason: 'The evidence does not support it.' });
  });

  it('milestones: progress out of range is refused; adding and changing one is audited and told', async () => {
    const outcome = (await outcomesOf())[0]!;
    const url = `/policy/calls/${call.callId}/outcomes/${outcome.id}/milestones`;
    await owner.get(`/policy/calls/${call.callId}/outcomes/${outcome.id}`);
    const milestone = {
      title: 'Streaming guidance issued',
      dueOn: '2027-02-01',
      status: 'planned',
      progress: '0',
      note: '',
    };
    for (const progress of ['101', '-1', 'half', '2.5'])
      expect(
        refusedForm(await owner.post(url, { ...milestone, progress }), 400, 'Outcome: Triage at the door'),
      ).toEqual([{ href: '#progress', text: 'Enter the progress as a whole number from 0 to 100' }]);
    expect(
      refusedForm(
        await owner.post(url, { ...milestone, dueOn: '0000-01-01' }),
        400,
        'Outcome: Triage at the door',
      ),
    ).toEqual([{ href: '#dueOn', text: 'Enter a date between the years 2000 and 2100' }]);
    expect(
      (
        await owner.api('POST', `/api/v1/policy/calls/${call.callId}/outcomes/${outcome.id}/milestones`, {
          ...milestone,
          progress: 150,
        })
      ).statusCode,
    ).toBe(400);
    expect(await ctx.db.selectFrom('policy_milestones').selectAll().execute()).toEqual([]);

    const before = await countEmails(ctx.db, KIND);
    expect((await owner.post(url, milestone)).statusCode).toBe(303);
    expect((await countEmails(ctx.db, KIND)) - before).toBe(2);
    const m = await ctx.db.selectFrom('policy_milestones').selectAll().executeTakeFirstOrThrow();
    const change = await owner.post(`/policy/calls/${call.callId}/milestones/${m.id}`, {
      ...milestone,
      status: 'in-progress',
      progress: '40',
      note: 'Draft out for comment',
    });
    expect(change.statusCode).toBe(303);
    expect((await countEmails(ctx.db, KIND)) - before).toBe(4);
    // Saved again unchanged: nobody is told, nothing is audited.
    const same = await owner.post(`/policy/calls/${call.callId}/milestones/${m.id}`, {
      ...milestone,
      status: 'in-progress',
      progress: '40',
      note: 'Draft out for comment',
    });
    expect(same.statusCode).toBe(303);
    expect((await countEmails(ctx.db, KIND)) - before).toBe(4);
    const told = (await emailsTo(ctx.db, people[1]!.email, KIND)).at(-1)!.body_text;
    expect(told).toContain(
      'The milestone “Streaming guidance issued” is now in progress, 40% done: Draft out for comment',
    );
    // The email names the one outcome the milestone follows: its theme and the theme's question.
    expect(told).toMatch(/Theme: Triage at the door \(.+\)\. Decision: /);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'summary'])
      .where('action', 'like', 'policy.milestone.%')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['policy.milestone.create', 'policy.milestone.update']);
    expect(audit[1]!.summary).toContain('(Planned 0% to In progress 40%)');
    const page = visibleText((await owner.get(`/policy/calls/${call.callId}/outcomes`)).body);
    expect(page).toContain('Streaming guidance issued');
    expect(page).toContain('40%');
  });

  it('changing a decision is audited with before and after, and told', async () => {
    const outcome = (await outcomesOf())[0]!;
    const res = await owner.post(`/policy/calls/${call.callId}/outcomes/${outcome.id}`, {
      decision: 'adapted',
      summary: 'Streaming in the largest departments first.',
      reason: '',
      ownerRole: 'Deputy Director, Urgent Care',
      decidedOn: '2026-12-01',
    });
    expect(res.statusCode).toBe(303);
    expect((await emailsTo(ctx.db, people[0]!.email, KIND)).at(-1)!.body_text).toContain(
      'The decision changed from Adopted to Adapted',
    );
    const row = await ctx.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'policy.outcome.update')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row.details)).toContain('"decision":"adopted"');
  });

  it('keeps hostile text inert', async () => {
    await owner.get(`/policy/calls/${call.callId}/outcomes`);
    const res = await owner.post(
      `/policy/calls/${call.callId}/outcomes`,
      outcomeForm({ summary: '<script>alert("x")</script><b>bold</b>' }),
    );
    expect(res.statusCode).toBe(303);
    const page = await owner.get(`/policy/calls/${call.callId}/outcomes`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;alert');
  });

  it('publishes the response once the call has closed; not before, and not after it concludes', async () => {
    const res = await owner.post(`/policy/calls/${call.callId}/published-response`, {
      publishedResponse: 'Thank you. We heard that streaming matters most.',
    });
    expect(res.statusCode).toBe(303);
    expect(visibleText((await owner.get(String(res.headers.location))).body)).toContain('Response published');
    const c = await ctx.db
      .selectFrom('policy_calls')
      .select(['published_response', 'published_at', 'status'])
      .where('id', '=', call.callId)
      .executeTakeFirstOrThrow();
    expect(c).toMatchObject({
      published_response: 'Thank you. We heard that streaming matters most.',
      status: 'closed',
    });
    expect(c.published_at).not.toBeNull();
    const empty = await owner.post(`/policy/calls/${call.callId}/published-response`, {
      publishedResponse: ' ',
    });
    expect(refusedForm(empty, 400, `Outcomes: ${title}`)[0]!.text).toBe('Enter the published response');

    const open = await seedCall(ctx.db, {
      ownerUserId: await ownerId(),
      status: 'open',
      closesOn: '2099-01-01',
    });
    const early = await owner.api('PUT', `/api/v1/policy/calls/${open.callId}/published-response`, {
      publishedResponse: 'Too early',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toBe('The response is published once the call has closed');
    const outcomeEarly = await owner.post(`/policy/calls/${open.callId}/outcomes`, {
      ...outcomeForm({ target: `question-${open.questionIds[0]}` }),
    });
    expect(refusedForm(outcomeEarly, 409, 'Outcomes: Urgent care at the front door')[0]!.text).toContain(
      'Outcomes are recorded once the call has closed',
    );
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'policy.response.%')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['policy.response.publish']);
  });

  it('the API lists outcomes for the call’s audience and the team; outcomes are written only by the owner and national', async () => {
    const read = await inAudience.api('GET', `/api/v1/policy/calls/${call.callId}/outcomes`);
    expect(read.statusCode).toBe(200);
    expect(read.json().outcomes[0]).toMatchObject({ themeName: 'Triage at the door', decision: 'adapted' });
    expect(read.json().outcomes[0].milestones[0]).toMatchObject({ status: 'in-progress', progress: 40 });
    expect((await outsider.api('GET', `/api/v1/policy/calls/${call.callId}/outcomes`)).statusCode).toBe(404);
    expect((await otherMaker.api('GET', `/api/v1/policy/calls/${call.callId}/outcomes`)).statusCode).toBe(
      200,
    );

    expect((await inAudience.get(`/policy/calls/${call.callId}/outcomes`)).statusCode).toBe(403);
    expect((await outsider.get(`/policy/calls/${call.callId}/outcomes`)).statusCode).toBe(403);
    expect((await otherMaker.get(`/policy/calls/${call.callId}/outcomes`)).statusCode).toBe(403);
    await otherMaker.get('/sign-in');
    expect((await otherMaker.post(`/policy/calls/${call.callId}/outcomes`, outcomeForm())).statusCode).toBe(
      403,
    );
    expect(
      (await otherMaker.api('POST', `/api/v1/policy/calls/${call.callId}/outcomes`, outcomeForm()))
        .statusCode,
    ).toBe(403);
    const outcome = (await outcomesOf())[0]!;
    expect(
      (
        await otherMaker.api('PUT', `/api/v1/policy/calls/${call.callId}/outcomes/${outcome.id}`, {
          decision: 'adopted',
          summary: 'x',
          reason: null,
          ownerRole: 'x',
          decidedOn: '2026-12-01',
        })
      ).statusCode,
    ).toBe(403);
    // An outcome named under another call's path is not found.
    const other = await seedCall(ctx.db, { ownerUserId: await ownerId() });
    expect((await owner.get(`/policy/calls/${other.callId}/outcomes/${outcome.id}`)).statusCode).toBe(404);
    expect((await national.get(`/policy/calls/${call.callId}/outcomes/${outcome.id}`)).statusCode).toBe(200);
  });
});

async function ownerId(): Promise<number> {
  return (
    await ctx.db
      .selectFrom('policy_calls')
      .select('owner_user_id')
      .where('id', '=', call.callId)
      .executeTakeFirstOrThrow()
  ).owner_user_id!;
}
