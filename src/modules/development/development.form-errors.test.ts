import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, refusedForm, signedInAgent, type TestContext } from '../../../test/app.ts';
import type { RoleGrant } from '../../platform/permissions.ts';

// Every form of the development pages, sent with a bad answer: the same page again at 400 (409 for
// a broken rule) with the NHS error summary linking to the field, the answers kept, nothing saved.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const member = (region: string): RoleGrant[] => [{ role: 'member', regionCode: region }];
const nextYear = String(new Date().getFullYear() + 1);

async function count(
  table:
    | 'dev_self_assessments'
    | 'dev_feedback_rounds'
    | 'dev_raters'
    | 'dev_feedback_responses'
    | 'dev_plans'
    | 'dev_plan_goals'
    | 'dev_plan_reviews'
    | 'dev_frameworks'
    | 'dev_framework_versions',
) {
  const r = await ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function mlcfVersion() {
  return ctx.db
    .selectFrom('dev_frameworks as f')
    .innerJoin('dev_framework_versions as v', 'v.framework_id', 'f.id')
    .select(['f.id as frameworkId', 'v.id as versionId'])
    .where('f.key', '=', 'mlcf-2010')
    .orderBy('v.version_number', 'desc')
    .executeTakeFirstOrThrow();
}

async function startRound(agent: Agent) {
  await agent.get('/development/feedback/new');
  const res = await agent.post('/development/feedback', {
    title: 'Before appraisal',
    'closesOn-day': '1',
    'closesOn-month': '1',
    'closesOn-year': nextYear,
  });
  expect(res.statusCode).toBe(303);
  return res.headers.location as string;
}

async function startPlan(agent: Agent) {
  await agent.get('/development/plans/new');
  const res = await agent.post('/development/plans', { title: 'My leadership year' });
  expect(res.statusCode).toBe(303);
  return res.headers.location as string;
}

describe('form errors on the development pages', () => {
  it('self-assessment: a rating off the scale, with the evidence kept', async () => {
    const { agent } = await signedInAgent(ctx, member('Q30'));
    const { versionId } = await mlcfVersion();
    const form = await agent.get('/development/self-assessments/new');
    const ids = [...new Set([...form.body.matchAll(/name="rating-(\d+)"/g)].map((m) => m[1]!))];
    const body: Record<string, string> = { versionId: String(versionId) };
    for (const id of ids) body[`rating-${id}`] = '2';
    body[`rating-${ids[0]}`] = '9';
    body[`evidence-${ids[1]}`] = 'Chaired the sepsis audit';
    const before = await count('dev_self_assessments');
    const res = await agent.post('/development/self-assessments', body);
    const summary = refusedForm(res, 400, 'Assess yourself');
    expect(summary).toHaveLength(1);
    expect(summary[0]!.href).toBe(`#rating-${ids[0]}`);
    expect(summary[0]!.text).toMatch(/must be on the scale, from 1/);
    expect(res.body).toContain('Chaired the sepsis audit');
    expect(await count('dev_self_assessments')).toBe(before);
  });

  it('feedback round: a closing date in the past, with the title kept', async () => {
    const { agent } = await signedInAgent(ctx, member('Q30'));
    await agent.get('/development/feedback/new');
    const before = await count('dev_feedback_rounds');
    const res = await agent.post('/development/feedback', {
      title: 'Late round',
      'closesOn-day': '1',
      'closesOn-month': '1',
      'closesOn-year': '2020',
    });
    expect(refusedForm(res, 400, 'Ask for 360-degree feedback')).toEqual([
      { href: '#closesOn', text: 'The closing date must be in the future' },
    ]);
    expect(res.body).toContain('value="Late round"');
    expect(await count('dev_feedback_rounds')).toBe(before);
  });

  it('inviting a rater: a bad email with the name kept; a closed round is a 409 on the page', async () => {
    const { agent } = await signedInAgent(ctx, member('Q31'));
    const round = await startRound(agent);
    await agent.get(round);
    const before = await count('dev_raters');
    const res = await agent.post(`${round}/raters`, {
      name: 'Pat Peer',
      email: 'not-an-email',
      group: 'peer',
    });
    expect(refusedForm(res, 400, 'Before appraisal')).toEqual([
      { href: '#email', text: 'Enter an email address in the correct format, like name@nhs.net' },
    ]);
    expect(res.body).toContain('value="Pat Peer"');

    await agent.post(`${round}/close`);
    await agent.get(round);
    const closed = await agent.post(`${round}/raters`, {
      name: 'Pat Peer',
      email: 'pat@nhs.test',
      group: 'peer',
    });
    expect(refusedForm(closed, 409, 'Before appraisal')).toEqual([
      { href: '', text: 'This feedback round has closed: no more raters can be invited' },
    ]);
    expect(await count('dev_raters')).toBe(before);
  });

  it('the rater’s form: a rating off the scale, with the comments kept and the link still open', async () => {
    const { agent, user } = await signedInAgent(ctx, member('Q31'));
    const round = await startRound(agent);
    await agent.get(round);
    expect(
      (await agent.post(`${round}/raters`, { name: 'Rae Rater', email: 'rae.rater@nhs.test', group: 'peer' }))
        .statusCode,
    ).toBe(303);
    const email = await ctx.db
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', 'rae.rater@nhs.test')
      .executeTakeFirstOrThrow();
    const link = /http:\/\/cln\.test(\/feedback\/\S+)/.exec(email.body_text)![1]!;
    const rater = new Agent(ctx.app);
    const form = await rater.get(link);
    const ids = [...new Set([...form.body.matchAll(/name="rating-(\d+)"/g)].map((m) => m[1]!))];
    const body: Record<string, string> = { strengths: 'Calm in a crisis' };
    for (const id of ids) body[`rating-${id}`] = '3';
    body[`rating-${ids[0]}`] = '9';
    const before = await count('dev_feedback_responses');
    const res = await rater.post(link, body);
    const summary = refusedForm(res, 400, `Feedback for ${user.name}`);
    expect(summary).toHaveLength(1);
    expect(summary[0]!.href).toBe(`#rating-${ids[0]}`);
    expect(res.body).toContain('Calm in a crisis');
    expect(await count('dev_feedback_responses')).toBe(before);
    expect((await rater.get(link)).statusCode).toBe(200);
  });

  it('a new plan without a title', async () => {
    const { agent } = await signedInAgent(ctx, member('Q32'));
    await agent.get('/development/plans/new');
    const before = await count('dev_plans');
    const res = await agent.post('/development/plans', { title: '  ' });
    expect(refusedForm(res, 400, 'Start a development plan')).toEqual([
      { href: '#title', text: 'Enter a title for the plan' },
    ]);
    expect(await count('dev_plans')).toBe(before);
  });

  it('a plan review that is too long, kept on the plan page', async () => {
    const { agent } = await signedInAgent(ctx, member('Q32'));
    const plan = await startPlan(agent);
    await agent.get(plan);
    const before = await count('dev_plan_reviews');
    const notes = 'Progress. '.repeat(401);
    const res = await agent.post(`${plan}/reviews`, { notes });
    expect(refusedForm(res, 400, 'My leadership year')).toEqual([
      { href: '#notes', text: 'Your review notes must be 4000 characters or fewer' },
    ]);
    expect(res.body).toContain(notes.trim());
    expect(await count('dev_plan_reviews')).toBe(before);
  });

  it('adding and updating a goal without a title, with the actions kept', async () => {
    const { agent } = await signedInAgent(ctx, member('Q33'));
    const plan = await startPlan(agent);
    const form = await agent.get(`${plan}/goals/new`);
    const elementId = /<option value="(\d+)"/.exec(form.body)![1]!;
    const before = await count('dev_plan_goals');
    const res = await agent.post(`${plan}/goals`, {
      title: '',
      elementId,
      actions: 'Shadow the chief nurse',
    });
    expect(refusedForm(res, 400, 'Add a goal')).toEqual([{ href: '#title', text: 'Enter the goal' }]);
    expect(res.body).toContain('Shadow the chief nurse');
    expect(await count('dev_plan_goals')).toBe(before);

    const added = await agent.post(`${plan}/goals`, { title: 'Lead a QI project', elementId });
    expect(added.statusCode).toBe(303);
    const goal = await ctx.db
      .selectFrom('dev_plan_goals')
      .select(['id', 'title'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await agent.get(`/development/goals/${goal.id}/edit`);
    const update = await agent.post(`/development/goals/${goal.id}`, {
      title: '',
      elementId,
      actions: 'Read about QI',
      status: 'in-progress',
    });
    expect(refusedForm(update, 400, 'Update a goal')).toEqual([{ href: '#title', text: 'Enter the goal' }]);
    expect(update.body).toContain('Read about QI');
    expect(update.body).toContain(`action="/development/goals/${goal.id}"`);
    const after = await ctx.db
      .selectFrom('dev_plan_goals')
      .select(['title', 'actions'])
      .where('id', '=', goal.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ title: 'Lead a QI project', actions: null });
  });

  it('a new framework or version with a structure that does not parse, with the answers kept', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/development/frameworks/new');
    const [frameworks, versions] = [await count('dev_frameworks'), await count('dev_framework_versions')];
    const res = await agent.post('/development/frameworks', {
      key: 'test-2026',
      name: 'Test framework',
      publisher: 'NHS Test',
      edition: '2026',
      structure: 'Planning without a domain',
      scale: 'Low: low\nHigh: high',
    });
    const summary = refusedForm(res, 400, 'Add a leadership framework');
    expect(summary.map((e) => e.href)).toEqual(['#structure']);
    expect(summary[0]!.text).toContain('begin domains with #');
    expect(res.body).toContain('value="test-2026"');

    const { frameworkId } = await mlcfVersion();
    await agent.get(`/development/frameworks/${frameworkId}/versions/new`);
    const version = await agent.post(`/development/frameworks/${frameworkId}/versions`, {
      edition: '2027 revision',
      structure: 'Planning without a domain',
      scale: 'Low: low\nHigh: high',
    });
    const versionSummary = refusedForm(
      version,
      400,
      'Publish a new version of Medical Leadership Competency Framework',
    );
    expect(versionSummary.map((e) => e.href)).toEqual(['#structure']);
    expect(version.body).toContain('value="2027 revision"');
    expect([await count('dev_frameworks'), await count('dev_framework_versions')]).toEqual([
      frameworks,
      versions,
    ]);
  });
});
