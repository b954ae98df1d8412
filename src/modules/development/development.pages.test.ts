import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import type { RoleGrant } from '../../platform/permissions.ts';
import { isMentorOf } from '../mentoring/index.ts';
import { createDevelopmentService } from './index.ts';

let ctx: TestContext;
let reminders: ReturnType<typeof createDevelopmentService>;
beforeAll(async () => {
  ctx = await buildTestApp();
  reminders = createDevelopmentService({ db: ctx.db, baseUrl: 'http://cln.test', isMentorOf });
});
afterAll(async () => {
  await ctx?.close();
});

const member = (region = 'Q30'): RoleGrant[] => [{ role: 'member', regionCode: region }];

async function frameworkVersion(key: string) {
  return ctx.db
    .selectFrom('dev_frameworks as f')
    .innerJoin('dev_framework_versions as v', 'v.framework_id', 'f.id')
    .select(['f.id as framework_id', 'v.id as version_id'])
    .where('f.key', '=', key)
    .orderBy('v.version_number', 'desc')
    .executeTakeFirstOrThrow();
}
async function elementsOf(versionId: number) {
  return ctx.db
    .selectFrom('dev_elements')
    .select(['id', 'name'])
    .where('version_id', '=', versionId)
    .orderBy('position')
    .execute();
}
async function count(
  table: 'dev_self_assessments' | 'dev_plan_goals' | 'dev_feedback_responses' | 'dev_raters',
) {
  const r = await ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
/** A full form answer: every element rated `rating`. */
async function selfForm(versionId: number, rating: number | ((i: number) => number)) {
  const form: Record<string, string> = { versionId: String(versionId) };
  for (const [i, e] of (await elementsOf(versionId)).entries())
    form[`rating-${e.id}`] = String(typeof rating === 'number' ? rating : rating(i));
  return form;
}
function linkIn(text: string) {
  return /http:\/\/cln\.test(\/feedback\/\S+)/.exec(text)![1]!;
}
async function latestEmailTo(to: string) {
  return ctx.db
    .selectFrom('outbox')
    .selectAll()
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

describe('frameworks as data', () => {
  it('seeds the MLCF, CLCF and HLM with domains, elements and a rating scale', async () => {
    const mlcf = await frameworkVersion('mlcf-2010');
    const hlm = await frameworkVersion('hlm-2013');
    const clcf = await frameworkVersion('clcf-2011');
    expect(await elementsOf(mlcf.version_id)).toHaveLength(20);
    expect(await elementsOf(hlm.version_id)).toHaveLength(9);
    expect(await elementsOf(clcf.version_id)).toHaveLength(28);
    const { agent } = await signedInAgent(ctx, member());
    const page = await agent.get(`/development/frameworks/${hlm.framework_id}`);
    expect(page.statusCode).toBe(200);
    const text = visibleText(page.body);
    expect(text).toContain('Healthcare Leadership Model');
    expect(text).toContain('Inspiring shared purpose');
    expect(text).toContain('4. Exemplary');
  });

  it('lets the national team publish a new version; past assessments keep theirs; others get 403', async () => {
    const { agent: memberAgent } = await signedInAgent(ctx, member('Q35'));
    const v1 = await frameworkVersion('mlcf-2010');
    await memberAgent.get('/development/self-assessments/new');
    expect(
      (await memberAgent.post('/development/self-assessments', await selfForm(v1.version_id, 3))).statusCode,
    ).toBe(303);

    const { agent: national } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    // The profiles open on the network framework's current version (this one, by default).
    const profilesVersion = async () =>
      (await national.api('GET', '/api/v1/development/profiles')).json().versionId as number;
    expect(await profilesVersion()).toBe(v1.version_id);
    const form = await national.get(`/development/frameworks/${v1.framework_id}/versions/new`);
    expect(form.statusCode).toBe(200);
    const bad = await national.post(`/development/frameworks/${v1.framework_id}/versions`, {
      edition: '2026 revision',
      structure: 'Planning without a domain',
      scale: 'Low: low\nHigh: high',
    });
    expect(bad.statusCode).toBe(400);
    expect(visibleText(bad.body)).toContain('begin domains with #');
    const ok = await national.post(`/development/frameworks/${v1.framework_id}/versions`, {
      edition: '2026 revision',
      structure:
        '# Demonstrating Personal Qualities\n- Developing Self-Awareness: knowing yourself\n# Setting Direction\n- Making Decisions',
      scale: 'Not yet: not yet shown\nSometimes: shown with support\nAlways: shown consistently',
    });
    expect(ok.statusCode).toBe(303);
    const v2 = await frameworkVersion('mlcf-2010');
    expect(v2.version_id).not.toBe(v1.version_id);
    expect(await profilesVersion()).toBe(v2.version_id);
    expect(await elementsOf(v2.version_id)).toHaveLength(2);
    const old = await ctx.db
      .selectFrom('dev_self_assessments')
      .select('version_id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(old.version_id).toBe(v1.version_id);

    const { agent: lead } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q35' }]);
    await lead.get('/development/frameworks');
    expect(
      (await lead.post(`/development/frameworks/${v1.framework_id}/versions`, { edition: 'x' })).statusCode,
    ).toBe(403);
    // Put the network back on a 20-element MLCF for the other tests, as a new version again.
    await national.get(`/development/frameworks/${v1.framework_id}/versions/new`);
    const restore = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/development/framework-versions/${v1.version_id}`,
    });
    expect(restore.statusCode).toBe(401);
    const structure = await national.api('GET', `/api/v1/development/framework-versions/${v1.version_id}`);
    const v = structure.json();
    const republish = await national.api(
      'POST',
      `/api/v1/development/frameworks/${v1.framework_id}/versions`,
      {
        edition: v.edition,
        scale: v.scale.map((s: { label: string; descriptor: string }) => ({
          label: s.label,
          descriptor: s.descriptor,
        })),
        domains: v.domains.map((d: { name: string; optional: boolean; elements: { name: string }[] }) => ({
          name: d.name,
          optional: d.optional,
          elements: d.elements.map((e) => ({ name: e.name })),
        })),
      },
    );
    expect(republish.statusCode, republish.body).toBe(201);
    expect(republish.json().versionNumber).toBe(3);
  });

  it('uses the region’s framework when one is set', async () => {
    const { agent: national } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const hlm = await frameworkVersion('hlm-2013');
    await national.get('/development/framework-settings');
    const res = await national.post('/development/framework-settings', {
      scope: 'region',
      scopeKey: 'Q39',
      frameworkId: String(hlm.framework_id),
    });
    expect(res.statusCode).toBe(303);
    const { agent } = await signedInAgent(ctx, member('Q39'));
    const page = await agent.get('/development/self-assessments/new');
    expect(visibleText(page.body)).toContain('Healthcare Leadership Model');
    const { agent: other } = await signedInAgent(ctx, member('Q38'));
    expect(visibleText((await other.get('/development/self-assessments/new')).body)).toContain(
      'Medical Leadership Competency Framework',
    );
  });
});

describe('self-assessment', () => {
  it('saves ratings with evidence and shows the change since last time', async () => {
    const { agent } = await signedInAgent(ctx, member('Q31'));
    const { version_id } = await frameworkVersion('mlcf-2010');
    const els = await elementsOf(version_id);
    const first = await agent.get('/development/self-assessments/new');
    expect(first.statusCode).toBe(200);
    const form = await selfForm(version_id, 2);
    form[`evidence-${els[0]!.id}`] = 'Led the sepsis audit';
    const saved = await agent.post('/development/self-assessments', form);
    expect(saved.statusCode).toBe(303);
    const shown = visibleText((await agent.get(saved.headers.location as string)).body);
    expect(shown).toContain('Led the sepsis audit');
    expect(shown).toContain('First rating');

    await agent.get('/development/self-assessments/new');
    const again = await agent.post(
      '/development/self-assessments',
      await selfForm(version_id, (i) => (i === 0 ? 3 : 2)),
    );
    const second = visibleText((await agent.get(again.headers.location as string)).body);
    expect(second).toContain('Up 1 (was 2)');
    expect(second).toContain('No change');
  });

  it('refuses a rating outside the scale or a missing rating, saving nothing', async () => {
    const { agent } = await signedInAgent(ctx, member('Q31'));
    const { version_id } = await frameworkVersion('mlcf-2010');
    const els = await elementsOf(version_id);
    const before = await count('dev_self_assessments');
    await agent.get('/development/self-assessments/new');
    const form = await selfForm(version_id, 2);
    form[`rating-${els[1]!.id}`] = '7';
    delete form[`rating-${els[2]!.id}`];
    const res = await agent.post('/development/self-assessments', form);
    expect(res.statusCode).toBe(400);
    const text = visibleText(res.body);
    expect(text).toContain(`Rating for ${els[1]!.name} must be on the scale, from 1`);
    expect(text).toContain(`Choose a rating for ${els[2]!.name}`);
    const api = await agent.api('POST', '/api/v1/development/self-assessments', {
      versionId: version_id,
      ratings: els.map((e) => ({ elementId: e.id, rating: 0 })),
    });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.message).toContain('must be on the scale');
    expect(await count('dev_self_assessments')).toBe(before);
  });

  it('keeps self-assessments private to their owner', async () => {
    const { agent } = await signedInAgent(ctx, member('Q32'));
    const { version_id } = await frameworkVersion('mlcf-2010');
    await agent.get('/development/self-assessments/new');
    const saved = await agent.post('/development/self-assessments', await selfForm(version_id, 2));
    const { agent: other } = await signedInAgent(ctx, member('Q32'));
    expect((await other.get(saved.headers.location as string)).statusCode).toBe(404);
    const { agent: national } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    expect((await national.get(saved.headers.location as string)).statusCode).toBe(404);
    const { agent: applicant } = await signedInAgent(ctx, [{ role: 'applicant', regionCode: 'Q32' }]);
    expect((await applicant.get('/development')).statusCode).toBe(403);
  });
});

describe('360-degree feedback', () => {
  async function startRound(agent: Agent) {
    await agent.get('/development/feedback/new');
    const res = await agent.post('/development/feedback', {
      title: 'Before appraisal',
      'closesOn-day': '1',
      'closesOn-month': '1',
      'closesOn-year': String(new Date().getFullYear() + 1),
    });
    expect(res.statusCode).toBe(303);
    return res.headers.location as string;
  }
  async function invite(agent: Agent, roundPath: string, name: string, email: string, group: string) {
    await agent.get(roundPath);
    return agent.post(`${roundPath}/raters`, { name, email, group });
  }
  async function answer(link: string, rating: number, comment?: string) {
    const rater = new Agent(ctx.app);
    const form = await rater.get(link);
    expect(form.statusCode).toBe(200);
    const ids = [...form.body.matchAll(/name="rating-(\d+)"/g)].map((m) => m[1]!);
    const body: Record<string, string> = {};
    for (const id of new Set(ids)) body[`rating-${id}`] = String(rating);
    if (comment) body.strengths = comment;
    return { res: await rater.post(link, body), rater };
  }

  it('refuses a rater inviting themselves, and a bad closing date, with clear messages', async () => {
    const { agent, user } = await signedInAgent(ctx, member('Q33'));
    await agent.get('/development/feedback/new');
    const past = await agent.post('/development/feedback', {
      title: 'Late',
      'closesOn-day': '1',
      'closesOn-month': '1',
      'closesOn-year': '2020',
    });
    expect(past.statusCode).toBe(400);
    expect(visibleText(past.body)).toContain('The closing date must be in the future');
    const round = await startRound(agent);
    const before = await count('dev_raters');
    const self = await invite(agent, round, 'Me', user.email.toUpperCase(), 'peer');
    expect(self.statusCode).toBe(400);
    expect(visibleText(self.body)).toContain('You cannot invite yourself as a rater');
    const noGroup = await invite(agent, round, 'Pat', 'pat@nhs.test', '');
    expect(noGroup.statusCode).toBe(400);
    expect(visibleText(noGroup.body)).toContain('Choose how this person works with you');
    expect(await count('dev_raters')).toBe(before);
  });

  it('with two peer responses shows no separate peer figures anywhere; a link works once', async () => {
    const { agent } = await signedInAgent(ctx, member('Q33'));
    const { version_id } = await frameworkVersion('mlcf-2010');
    await agent.get('/development/self-assessments/new');
    await agent.post('/development/self-assessments', await selfForm(version_id, 2));
    const round = await startRound(agent);
    const raters = [
      ['Pia Peer', 'pia@nhs.test', 'peer'],
      ['Pete Peer', 'pete@nhs.test', 'peer'],
      ['Lou Manager', 'lou@nhs.test', 'line-manager'],
      ['Olu Other', 'olu@nhs.test', 'other'],
    ];
    for (const [name, email, group] of raters)
      expect((await invite(agent, round, name!, email!, group!)).statusCode).toBe(303);
    const links = [];
    for (const [, email] of raters) links.push(linkIn((await latestEmailTo(email!)).body_text));
    const stored = await ctx.db.selectFrom('dev_raters').select('token_hash').execute();
    for (const l of links) expect(stored.map((s) => s.token_hash)).not.toContain(l.split('/').pop());

    // The report waits for the round to close.
    expect((await agent.get(`${round}/report`)).statusCode).toBe(409);

    const first = await answer(links[0]!, 4, 'Calm in a crisis');
    expect(first.res.statusCode, visibleText(first.res.body).slice(0, 600)).toBe(200);
    expect(visibleText(first.res.body)).toContain('Thank you for your feedback');
    const reused = await first.rater.get(links[0]!);
    expect(reused.statusCode).toBe(410);
    expect(visibleText(reused.body)).toContain('This feedback link has already been used');
    const repost = await first.rater.post(links[0]!, {});
    expect(repost.statusCode).toBe(410);
    await answer(links[1]!, 3);
    await answer(links[2]!, 2, 'Could delegate more');
    await answer(links[3]!, 3);
    expect(visibleText((await agent.get(round)).body)).toContain('4 of 4 invited people have answered');

    await agent.post(`${round}/close`);
    const report = await agent.get(`${round}/report`);
    expect(report.statusCode).toBe(200);
    const text = visibleText(report.body);
    expect(text).toContain('Other raters (line manager, peers, others combined)');
    expect(text).not.toMatch(/\bPeers\b/);
    expect(text).toContain('Calm in a crisis');
    expect(text).toContain('Could delegate more');
    expect(text).not.toContain('Pia');
    expect(report.body).toContain('<svg class="app-dev-chart" role="img"');
    const id = round.split('/').pop();
    const api = await agent.api('GET', `/api/v1/development/feedback-rounds/${id}/report`);
    expect(api.statusCode).toBe(200);
    const json = api.json();
    expect(json.columns.map((c: { key: string }) => c.key)).toEqual(['others']);
    expect(JSON.stringify(json)).not.toContain('"peer"');
    expect(Object.keys(json.domains[0].byColumn)).toEqual(['others']);
    expect(json.domains[0].self).toBe(2);
    expect(json.domains[0].raters).toBe(3);

    const { agent: other } = await signedInAgent(ctx, member('Q33'));
    expect((await other.get(`${round}/report`)).statusCode).toBe(404);
    expect((await other.api('GET', `/api/v1/development/feedback-rounds/${id}/report`)).statusCode).toBe(404);
  });

  it('refuses an expired link, and reminds raters with a fresh link', async () => {
    const { agent } = await signedInAgent(ctx, member('Q34'));
    const round = await startRound(agent);
    await invite(agent, round, 'Rae Rater', 'rae@nhs.test', 'peer');
    await invite(agent, round, 'Ray Rater', 'ray@nhs.test', 'peer');
    const oldLink = linkIn((await latestEmailTo('rae@nhs.test')).body_text);
    const id = Number(round.split('/').pop());
    await ctx.db
      .updateTable('dev_raters')
      .set({ invited_at: new Date(Date.now() - 4 * 86_400_000) })
      .where('round_id', '=', id)
      .execute();
    const { reminded } = await reminders.sendReminders();
    expect(reminded).toBeGreaterThanOrEqual(2);
    const reminder = await latestEmailTo('rae@nhs.test');
    expect(reminder.kind).toBe('development.feedback.reminder');
    const newLink = linkIn(reminder.body_text);
    expect((await new Agent(ctx.app).get(oldLink)).statusCode).toBe(404);
    expect((await new Agent(ctx.app).get(newLink)).statusCode).toBe(200);
    // A second run soon after sends nothing more.
    const again = await reminders.sendReminders();
    expect(again.reminded).toBe(0);

    await ctx.db
      .updateTable('dev_feedback_rounds')
      .set({ closes_on: '2020-01-01' })
      .where('id', '=', id)
      .execute();
    const expired = await new Agent(ctx.app).get(newLink);
    expect(expired.statusCode).toBe(410);
    expect(visibleText(expired.body)).toContain('Feedback for this request has closed');
    const before = await count('dev_feedback_responses');
    const apiPost = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/development/feedback/${newLink.split('/').pop()}`,
      payload: { ratings: [] },
    });
    expect(apiPost.statusCode, apiPost.body).toBe(410);
    expect(await count('dev_feedback_responses')).toBe(before);
  });
});

describe('development plans', () => {
  it('hides a plan from a mentor and facilitator until shared, and refuses a goal from another framework', async () => {
    const { agent, user } = await signedInAgent(ctx, member('Q36'));
    await agent.get('/development/plans/new');
    const created = await agent.post('/development/plans', { title: 'My leadership year' });
    expect(created.statusCode).toBe(303);
    const planPath = created.headers.location as string;
    const planId = Number(planPath.split('/').pop());

    const mlcf = await frameworkVersion('mlcf-2010');
    const hlm = await frameworkVersion('hlm-2013');
    const [element] = await elementsOf(mlcf.version_id);
    const [foreign] = await elementsOf(hlm.version_id);
    await agent.get(`${planPath}/goals/new`);
    const before = await count('dev_plan_goals');
    const wrong = await agent.post(`${planPath}/goals`, { title: 'Inspire', elementId: String(foreign!.id) });
    expect(wrong.statusCode).toBe(400);
    expect(visibleText(wrong.body)).toContain(
      'Choose a competency from Medical Leadership Competency Framework',
    );
    const wrongApi = await agent.api('POST', `/api/v1/development/plans/${planId}/goals`, {
      title: 'Inspire',
      elementId: foreign!.id,
    });
    expect(wrongApi.statusCode).toBe(400);
    expect(await count('dev_plan_goals')).toBe(before);
    const goal = await agent.post(`${planPath}/goals`, {
      title: 'Run a quality improvement project',
      elementId: String(element!.id),
      actions: 'QI course',
      'targetDate-day': '31',
      'targetDate-month': '3',
      'targetDate-year': '2027',
      status: 'in-progress',
    });
    expect(goal.statusCode).toBe(303);

    const { agent: mentor, user: mentorUser } = await signedInAgent(ctx, [
      { role: 'mentor', regionCode: 'Q36' },
    ]);
    const { agent: otherMentor } = await signedInAgent(ctx, [{ role: 'mentor', regionCode: 'Q36' }]);
    // The member's actual mentor, as the mentoring module records it.
    const request = await ctx.db
      .insertInto('mentoring_requests')
      .values({ user_id: user.id, goals: 'Lead a service change', format: 'either', same_region: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.db
      .insertInto('mentoring_relationships')
      .values({
        request_id: request.id,
        mentee_user_id: user.id,
        mentor_user_id: mentorUser.id,
        region_code: 'Q36',
        started_on: '2026-11-01',
        review_due_on: '2027-05-01',
      })
      .execute();
    const { agent: facilitator } = await signedInAgent(ctx, [{ role: 'facilitator', regionCode: 'Q36' }]);
    const { agent: otherFacilitator } = await signedInAgent(ctx, [
      { role: 'facilitator', regionCode: 'Q37' },
    ]);
    const { agent: national } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    for (const a of [mentor, otherMentor, facilitator, otherFacilitator, national]) {
      expect((await a.get(planPath)).statusCode).toBe(404);
      expect((await a.api('GET', `/api/v1/development/plans/${planId}`)).statusCode).toBe(404);
    }
    expect(visibleText((await mentor.get('/development/shared')).body)).not.toContain('My leadership year');

    await agent.get(planPath);
    expect((await agent.post(`${planPath}/sharing`, { share: 'mentor' })).statusCode).toBe(303);
    const seen = await mentor.get(planPath);
    expect(seen.statusCode).toBe(200);
    expect(visibleText(seen.body)).toContain('Run a quality improvement project');
    expect(visibleText((await mentor.get('/development/shared')).body)).toContain('My leadership year');
    expect((await otherMentor.get(planPath)).statusCode).toBe(404);
    expect((await facilitator.get(planPath)).statusCode).toBe(404);

    await agent.get(planPath);
    await agent.post(`${planPath}/sharing`, { share: ['mentor', 'facilitator'] });
    expect((await facilitator.get(planPath)).statusCode).toBe(200);
    expect((await otherFacilitator.get(planPath)).statusCode).toBe(404);
    const review = await facilitator.post(`${planPath}/reviews`, { notes: 'Good progress on the QI course' });
    expect(review.statusCode).toBe(303);
    expect(visibleText((await agent.get(planPath)).body)).toContain('Good progress on the QI course');
    // Shared readers cannot change goals.
    const goalRow = await ctx.db
      .selectFrom('dev_plan_goals')
      .select('id')
      .where('plan_id', '=', planId)
      .executeTakeFirstOrThrow();
    expect((await mentor.get(`/development/goals/${goalRow.id}/edit`)).statusCode).toBe(403);

    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'dev_plan')
      .where('entity_id', '=', String(planId))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'development.plan.create',
        'development.plan.goal.create',
        'development.plan.share',
        'development.plan.review',
      ]),
    );
    expect(user.id).toBeGreaterThan(0);
  });
});

describe('regional and national profiles', () => {
  it('withholds figures for fewer than 5 people in the page, the API and the CSV, and scopes regional leads', async () => {
    const { version_id } = await frameworkVersion('mlcf-2010');
    const els = await elementsOf(version_id);
    const assess = async (region: string, rating: number) => {
      const u = await createUser(ctx, member(region));
      const a = new Agent(ctx.app);
      await a.signIn(u.email);
      await a.api('POST', '/api/v1/development/self-assessments', {
        versionId: version_id,
        ratings: els.map((e) => ({ elementId: e.id, rating })),
      });
    };
    for (let i = 0; i < 5; i++) await assess('Q37', 4);
    for (let i = 0; i < 2; i++) await assess('Q38', 1);

    const { agent: national } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const api = await national.api('GET', `/api/v1/development/profiles?version=${version_id}`);
    expect(api.statusCode).toBe(200);
    expect(
      api.json().rows.find((r: { scope: string }) => r.scope === 'Q37'),
      api.body.slice(0, 500),
    ).toBeTruthy();
    const rows = api.json().rows as {
      scope: string;
      selfPeople: number | null;
      domains: { self: { mean: number | null; suppressed: boolean } }[];
    }[];
    const q37 = rows.find((r) => r.scope === 'Q37')!;
    const q38 = rows.find((r) => r.scope === 'Q38')!;
    expect(q37.selfPeople).toBe(5);
    expect(q37.domains[0]!.self.mean).toBe(4);
    expect(q38.selfPeople).toBeNull();
    expect(q38.domains[0]!.self).toEqual({ people: null, mean: null, suppressed: true });
    expect(JSON.stringify(q38)).not.toMatch(/"mean":1\b/);

    const csv = await national.get(`/development/profiles.csv?version=${version_id}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const q38Lines = csv.body.split('\n').filter((l) => l.startsWith('Q38'));
    expect(q38Lines.length).toBeGreaterThan(0);
    for (const l of q38Lines) expect(l).toContain('fewer than 5,suppressed');
    expect(csv.body.split('\n').find((l) => l.startsWith('Q37,') && l.includes(',domain,'))).toContain(
      '5,4.00',
    );

    const page = await national.get(`/development/profiles?version=${version_id}`);
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain('Fewer than 5');

    const { agent: lead } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q38' }]);
    const leadApi = await lead.api('GET', `/api/v1/development/profiles?version=${version_id}`);
    expect(leadApi.json().rows.map((r: { scope: string }) => r.scope)).toEqual(['national', 'Q38']);
    const leadCsv = await lead.get(`/development/profiles.csv?version=${version_id}`);
    expect(leadCsv.body).not.toContain('Q37');
    const { agent: m } = await signedInAgent(ctx, member('Q37'));
    expect((await m.get('/development/profiles')).statusCode).toBe(403);
    expect((await m.api('GET', '/api/v1/development/profiles')).statusCode).toBe(403);
    expect((await m.get('/development/profiles.csv')).statusCode).toBe(403);
  });
});
