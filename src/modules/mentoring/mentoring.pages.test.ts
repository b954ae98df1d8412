import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  postAndFollowJob,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import type { RoleGrant } from '../../platform/permissions.ts';
import { createMemberProfile } from '../members/index.ts';
import { createMentoringService } from './mentoring.service.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

async function orgId(ods: string) {
  return (
    await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('ods_code', '=', ods)
      .executeTakeFirstOrThrow()
  ).id;
}

/** A signed-in person with a member profile in the region, employed by the ODS code's trust. */
async function person(
  region: string,
  opts: { mentor?: boolean; ods?: string; name?: string; profession?: string } = {},
) {
  const roles: RoleGrant[] = [{ role: 'member', regionCode: region }];
  if (opts.mentor) roles.push({ role: 'mentor', regionCode: region });
  const user = await createUser(ctx, roles, { name: opts.name });
  const organisationId = opts.ods ? await orgId(opts.ods) : null;
  await ctx.db.transaction().execute((trx) =>
    createMemberProfile(
      trx,
      {
        userId: user.id,
        regionCode: region,
        profession: opts.profession ?? 'nurse',
        registrationNumber: null,
        organisationId,
        jobTitle: 'Nurse consultant',
      },
      'system',
    ),
  );
  const agent = new Agent(ctx.app);
  await agent.signIn(user.email);
  return { agent, user };
}

async function staff(roles: RoleGrant[]) {
  const user = await createUser(ctx, roles);
  const agent = new Agent(ctx.app);
  await agent.signIn(user.email);
  return { agent, user };
}

const auditCount = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('audit_log')
        .select((e) => e.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('offers and requests', () => {
  it('saves an offer and refuses a capacity out of range with a message, saving nothing', async () => {
    const { agent, user } = await person('Q31', { mentor: true });
    await agent.get('/mentoring/offer');
    const before = await auditCount();
    const bad = await agent.post('/mentoring/offer', { capacity: '6', areas: 'research', format: 'online' });
    expect(bad.statusCode).toBe(400);
    expect(visibleText(bad.body)).toContain('Capacity must be between 0 and 5 mentees');
    expect(await auditCount()).toBe(before);
    expect(
      await ctx.db.selectFrom('mentoring_offers').where('user_id', '=', user.id).select('user_id').execute(),
    ).toHaveLength(0);
    const good = await agent.post('/mentoring/offer', {
      capacity: '2',
      areas: ['research', 'management'],
      format: 'online',
    });
    expect(good.statusCode).toBe(303);
    const page = await agent.get('/mentoring');
    expect(visibleText(page.body)).toContain('Your mentoring offer has been saved');
    expect(visibleText(page.body)).toContain('Mentees you can take 2');
  });

  it('keeps a member without the mentor role away from offers', async () => {
    const { agent } = await person('Q31');
    expect((await agent.get('/mentoring/offer')).statusCode).toBe(403);
  });

  it('saves a request, shows it, and asks for goals when they are missing', async () => {
    const { agent } = await person('Q31');
    await agent.get('/mentoring/request');
    const bad = await agent.post('/mentoring/request', {
      goals: '',
      goalAreas: 'research',
      format: 'either',
    });
    expect(bad.statusCode).toBe(400);
    expect(visibleText(bad.body)).toContain('Enter your goals for mentoring');
    const ok = await agent.post('/mentoring/request', {
      goals: 'Publish an audit',
      goalAreas: 'research',
      format: 'either',
    });
    expect(ok.statusCode).toBe(303);
    expect(visibleText((await agent.get('/mentoring')).body)).toContain('Waiting for the next matching run');
  });

  it('links a request to goals of the mentee’s own development plan, and refuses anyone else’s', async () => {
    const { agent } = await person('Q32');
    await agent.get('/development/plans/new');
    const plan = await agent.post('/development/plans', { title: 'My year' });
    const planPath = plan.headers.location as string;
    const element = await ctx.db
      .selectFrom('dev_plans as p')
      .innerJoin('dev_elements as e', 'e.version_id', 'p.version_id')
      .select('e.id')
      .where('p.id', '=', Number(planPath.split('/').pop()))
      .executeTakeFirstOrThrow();
    await agent.get(`${planPath}/goals/new`);
    expect(
      (
        await agent.post(`${planPath}/goals`, {
          title: 'Lead the sepsis pathway',
          elementId: String(element.id),
        })
      ).statusCode,
    ).toBe(303);
    const own = await ctx.db
      .selectFrom('dev_plan_goals')
      .select('id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();

    const form = await agent.get('/mentoring/request');
    expect(visibleText(form.body)).toContain('Lead the sepsis pathway');

    const { agent: other } = await person('Q32');
    await other.get('/mentoring/request');
    const refused = await other.post('/mentoring/request', {
      goals: 'Grow',
      goalAreas: 'research',
      format: 'either',
      planGoals: String(own.id),
    });
    expect(refused.statusCode).toBe(400);
    expect(visibleText(refused.body)).toContain('Choose goals from your own development plan');

    const ok = await agent.post('/mentoring/request', {
      goals: 'Lead a pathway',
      goalAreas: 'improving-services',
      format: 'either',
      planGoals: String(own.id),
    });
    expect(ok.statusCode).toBe(303);
    expect(visibleText((await agent.get('/mentoring')).body)).toContain('Lead the sepsis pathway');
  });
});

describe('matching runs, relationships and privacy', () => {
  it('matches, explains, excludes the same organisation, approves, notifies, and keeps notes private', async () => {
    const region = 'Q35';
    const mentor = await person(region, { mentor: true, ods: 'R0A', name: 'Mona Mentor' });
    const sameOrgMentee = await person(region, { ods: 'R0A', name: 'Sam Sameorg' });
    const mentee = await person(region, { name: 'Tara Trainee' });
    const third = await person(region, { name: 'Theo Third' });
    const lead = await staff([{ role: 'regional-lead', regionCode: region }]);
    const otherLead = await staff([{ role: 'regional-lead', regionCode: 'Q36' }]);

    await mentor.agent.get('/mentoring/offer');
    await mentor.agent.post('/mentoring/offer', {
      capacity: '2',
      areas: ['research', 'innovation'],
      format: 'either',
    });
    for (const m of [sameOrgMentee, mentee]) {
      await m.agent.get('/mentoring/request');
      expect(
        (
          await m.agent.post('/mentoring/request', {
            goals: 'Publish research\nLead innovation',
            goalAreas: ['research', 'innovation'],
            format: 'online',
          })
        ).statusCode,
      ).toBe(303);
    }

    // A lead of another region can neither run nor see this region's matching.
    await otherLead.agent.get('/mentoring/admin');
    expect((await otherLead.agent.post('/mentoring/runs', { regionCode: region })).statusCode).toBe(403);
    expect((await otherLead.agent.post('/mentoring/runs', { regionCode: '' })).statusCode).toBe(403);

    await lead.agent.get('/mentoring/admin');
    const created = await postAndFollowJob(lead.agent, '/mentoring/runs', { regionCode: region });
    expect(created.statusCode).toBe(303);
    const runUrl = created.headers.location as string;
    const runId = Number(runUrl.split('/').pop());
    const runPage = visibleText((await lead.agent.get(runUrl)).body);
    expect(runPage).toContain('1 of 2 waiting mentees matched');
    expect(runPage).toContain('Tara Trainee');
    expect(runPage).toContain('Goals the mentor offers (2): 20');
    expect(runPage).toContain('Sam Sameorg: Every mentor with a free place is ruled out');

    expect((await otherLead.agent.get(runUrl)).statusCode).toBe(403);
    expect((await otherLead.agent.post(`${runUrl}/approve`)).statusCode).toBe(403);

    // Pinning an excluded pair is refused with the reason.
    const sameOrgRequest = await ctx.db
      .selectFrom('mentoring_requests')
      .select('id')
      .where('user_id', '=', sameOrgMentee.user.id)
      .executeTakeFirstOrThrow();
    const pin = await lead.agent.post(`${runUrl}/adjust`, {
      requestId: String(sameOrgRequest.id),
      mentorUserId: String(mentor.user.id),
      kind: 'pin',
    });
    expect(pin.statusCode).toBe(400);
    expect(visibleText(pin.body)).toContain('they work for the same organisation');

    const approved = await lead.agent.post(`${runUrl}/approve`);
    expect(approved.statusCode).toBe(303);
    const mail = await ctx.db
      .selectFrom('outbox')
      .select(['to_address', 'subject'])
      .where('kind', '=', 'mentoring.matched')
      .execute();
    expect(mail.map((m) => m.to_address).sort()).toEqual([mentee.user.email, mentor.user.email].sort());
    const waitlisted = await ctx.db
      .selectFrom('mentoring_requests')
      .select('waitlist_reason')
      .where('id', '=', sameOrgRequest.id)
      .executeTakeFirstOrThrow();
    expect(waitlisted.waitlist_reason).toContain('ruled out');
    expect(
      await ctx.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'mentoring.pair.approve')
        .where('details', 'is not', null)
        .execute(),
    ).toHaveLength(1);
    void runId;

    const rel = await ctx.db
      .selectFrom('mentoring_relationships')
      .select('id')
      .where('mentee_user_id', '=', mentee.user.id)
      .executeTakeFirstOrThrow();
    const pairUrl = `/mentoring/pairs/${rel.id}`;
    await mentor.agent.get(pairUrl);
    const badMeeting = await mentor.agent.post(`${pairUrl}/meetings`, {
      metOn: '2999-01-01',
      format: 'online',
      notes: 'x',
    });
    expect(badMeeting.statusCode).toBe(400);
    expect(visibleText(badMeeting.body)).toContain('must be today or in the past');
    const today = new Date().toISOString().slice(0, 10);
    expect(
      (
        await mentor.agent.post(`${pairUrl}/meetings`, {
          metOn: today,
          format: 'online',
          notes: 'Private: career worries',
        })
      ).statusCode,
    ).toBe(303);
    expect(visibleText((await mentee.agent.get(pairUrl)).body)).toContain('Private: career worries');

    // A third member cannot read the pair's page, notes or meetings API.
    const thirdPage = await third.agent.get(pairUrl);
    expect(thirdPage.statusCode).toBe(403);
    expect(thirdPage.body).not.toContain('career worries');
    const thirdApi = await third.agent.api('GET', `/api/v1/mentoring/pairs/${rel.id}/meetings`);
    expect(thirdApi.statusCode).toBe(403);
    expect(thirdApi.body).not.toContain('career worries');

    // The health view shows the pair but never the notes.
    const health = await lead.agent.get('/mentoring/admin');
    expect(visibleText(health.body)).toContain('Tara Trainee');
    expect(visibleText(health.body)).toContain('On track');
    expect(health.body).not.toContain('career worries');
    expect((await lead.agent.get(pairUrl)).statusCode).toBe(403);
    const otherHealth = await otherLead.agent.get('/mentoring/admin');
    expect(visibleText(otherHealth.body)).not.toContain('Tara Trainee');

    // The meeting is logged, so decline is no longer offered; a third member cannot decline for them.
    expect((await third.agent.post(`${pairUrl}/decline`)).statusCode).toBe(403);
    const end = await mentee.agent.post(`${pairUrl}/end`, { feedback: 'Very helpful' });
    expect(end.statusCode).toBe(303);
    expect((await mentor.agent.post(`${pairUrl}/end`, { feedback: 'A pleasure' })).statusCode).toBe(303);
    const ended = visibleText((await mentor.agent.get(pairUrl)).body);
    expect(ended).toContain('Feedback from Tara Trainee Very helpful');
  });

  it('lets either person decline without fault and returns the mentee to the pool; past pairs are excluded', async () => {
    const region = 'Q37';
    const mentor = await person(region, { mentor: true });
    const mentee = await person(region);
    const national = await staff([{ role: 'national', regionCode: null }]);
    await mentor.agent.get('/mentoring/offer');
    await mentor.agent.post('/mentoring/offer', { capacity: '1', areas: 'management', format: 'either' });
    await mentee.agent.get('/mentoring/request');
    await mentee.agent.post('/mentoring/request', {
      goals: 'Manage a budget',
      goalAreas: 'management',
      format: 'either',
    });
    await national.agent.get('/mentoring/admin');
    const created = await postAndFollowJob(national.agent, '/mentoring/runs', { regionCode: region });
    await national.agent.post(`${created.headers.location}/approve`);
    const rel = await ctx.db
      .selectFrom('mentoring_relationships')
      .select('id')
      .where('mentee_user_id', '=', mentee.user.id)
      .executeTakeFirstOrThrow();
    await mentor.agent.get(`/mentoring/pairs/${rel.id}`);
    expect((await mentor.agent.post(`/mentoring/pairs/${rel.id}/decline`)).statusCode).toBe(303);
    expect(visibleText((await mentee.agent.get('/mentoring')).body)).toContain('back in the pool');
    const again = await postAndFollowJob(national.agent, '/mentoring/runs', { regionCode: region });
    const page = visibleText((await national.agent.get(again.headers.location as string)).body);
    expect(page).toContain('0 of 1 waiting mentees matched');
    expect(page).toContain('ruled out');
  });

  it('reminds quiet pairs once per window and marks them as needing a check-in', async () => {
    const region = 'Q38';
    const mentor = await person(region, { mentor: true });
    const mentee = await person(region);
    const national = await staff([{ role: 'national', regionCode: null }]);
    const service = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test' });
    // Two pairs, so that a batch of one pair leaves a second batch.
    for (const [m, e] of [
      [mentor, mentee],
      [await person(region, { mentor: true }), await person(region)],
    ] as const) {
      await m.agent.get('/mentoring/offer');
      await m.agent.post('/mentoring/offer', { capacity: '1', areas: 'digital', format: 'online' });
      await e.agent.get('/mentoring/request');
      await e.agent.post('/mentoring/request', { goals: 'Digital', goalAreas: 'digital', format: 'online' });
    }
    await national.agent.get('/mentoring/admin');
    const created = await postAndFollowJob(national.agent, '/mentoring/runs', { regionCode: region });
    await national.agent.post(`${created.headers.location}/approve`);
    const later = new Date(Date.now() + 8 * 7 * 86_400_000);
    // One pair to a transaction, so that the pairs of this file cross batches.
    const sent = await service.sendReminders(later, 1);
    expect(sent).toBeGreaterThanOrEqual(2);
    const reminders = await ctx.db
      .selectFrom('outbox')
      .select('to_address')
      .where('kind', '=', 'mentoring.reminder')
      .execute();
    expect(reminders.map((r) => r.to_address)).toEqual(
      expect.arrayContaining([mentor.user.email, mentee.user.email]),
    );
    // Each reminded pair: two emails, one audit entry, and the reminder time recorded.
    expect(reminders).toHaveLength(2 * sent);
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'mentoring.reminder')
      .execute();
    const marked = await ctx.db
      .selectFrom('mentoring_relationships')
      .select('id')
      .where('last_reminder_at', '=', later)
      .execute();
    expect(marked).toHaveLength(sent);
    expect(audited.map((a) => Number(a.entity_id)).sort()).toEqual(marked.map((m) => m.id).sort());
    expect(await service.sendReminders(later)).toBe(0);
    const health = await service.health(
      {
        userId: national.user.id,
        name: national.user.name,
        email: national.user.email,
        roles: [{ role: 'national', regionCode: null }],
        ip: null,
        requestId: null,
      },
      1,
      later,
    );
    expect(health.rows.find((r) => r.mentee === mentee.user.name)?.health).toBe('needs-check-in');
    expect(ctx.app.scheduledTasks.some((t) => t.name === 'mentoring.meeting-reminders')).toBe(true);
  });
});

describe('capacity', () => {
  it('approves a run that gives one mentor two mentees within their capacity of two', async () => {
    const region = 'Q33';
    const mentor = await person(region, { mentor: true });
    const a = await person(region);
    const b = await person(region);
    const national = await staff([{ role: 'national', regionCode: null }]);
    await mentor.agent.get('/mentoring/offer');
    await mentor.agent.post('/mentoring/offer', { capacity: '2', areas: 'policy', format: 'either' });
    for (const m of [a, b]) {
      await m.agent.get('/mentoring/request');
      await m.agent.post('/mentoring/request', { goals: 'Policy', goalAreas: 'policy', format: 'either' });
    }
    await national.agent.get('/mentoring/admin');
    const created = await postAndFollowJob(national.agent, '/mentoring/runs', { regionCode: region });
    const approved = await national.agent.post(`${created.headers.location}/approve`);
    expect(approved.statusCode).toBe(303);
    const pairs = await ctx.db
      .selectFrom('mentoring_relationships')
      .select('id')
      .where('mentor_user_id', '=', mentor.user.id)
      .execute();
    expect(pairs).toHaveLength(2);
  });
});

describe('API', () => {
  it('rejects bad input with clear messages and serves a mentor their offer', async () => {
    const mentor = await person('Q39', { mentor: true });
    await mentor.agent.get('/mentoring');
    const bad = await mentor.agent.api('PUT', '/api/v1/mentoring/offer', {
      capacity: 9,
      areas: ['research'],
      format: 'online',
      menteeProfessions: [],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('Capacity must be between 0 and 5');
    const unknown = await mentor.agent.api('PUT', '/api/v1/mentoring/offer', {
      capacity: 1,
      areas: ['research'],
      format: 'online',
      bogus: 1,
    });
    expect(unknown.statusCode).toBe(400);
    const ok = await mentor.agent.api('PUT', '/api/v1/mentoring/offer', {
      capacity: 0,
      areas: ['research'],
      format: 'online',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().offer.capacity).toBe(0);
    expect((await mentor.agent.api('GET', '/api/v1/mentoring/runs/999999')).statusCode).toBe(403);
    const docs = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(docs.body).toContain('/api/v1/mentoring/runs/{id}/approve');
  });
});
