import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInAgent, type TestContext, visibleText } from '../../../test/app.ts';
import type { RoleGrant } from '../../platform/permissions.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const member = (region: string): RoleGrant[] => [{ role: 'member', regionCode: region }];

async function mentorPair(menteeId: number, mentorId: number, region: string) {
  const request = await ctx.db
    .insertInto('mentoring_requests')
    .values({ user_id: menteeId, goals: 'Lead a service change', format: 'either', same_region: false })
    .returning('id')
    .executeTakeFirstOrThrow();
  await ctx.db
    .insertInto('mentoring_relationships')
    .values({
      request_id: request.id,
      mentee_user_id: menteeId,
      mentor_user_id: mentorId,
      region_code: region,
      started_on: '2026-11-01',
      review_due_on: '2027-05-01',
    })
    .execute();
}

async function reviewsOf(planId: number) {
  return ctx.db
    .selectFrom('dev_plan_reviews')
    .select(['notes', 'author_user_id'])
    .where('plan_id', '=', planId)
    .execute();
}

describe('a mentor reviewing a shared plan', () => {
  it('answers promptly while others browse, on the database the tests run on; only the member’s own mentor may review', async () => {
    const { agent, user } = await signedInAgent(ctx, member('Q31'));
    await agent.get('/development/plans/new');
    const created = await agent.post('/development/plans', { title: 'Lead the ward safety huddle' });
    expect(created.statusCode).toBe(303);
    const planPath = created.headers.location as string;
    const planId = Number(planPath.split('/').pop());
    await agent.get(planPath);
    expect((await agent.post(`${planPath}/sharing`, { share: 'mentor' })).statusCode).toBe(303);

    const { agent: mentor, user: mentorUser } = await signedInAgent(ctx, [
      { role: 'mentor', regionCode: 'Q31' },
    ]);
    await mentorPair(user.id, mentorUser.id, 'Q31');
    // Another mentor in the same region, not this member's mentor: no regional fallback.
    const { agent: otherMentor } = await signedInAgent(ctx, [{ role: 'mentor', regionCode: 'Q31' }]);
    const { agent: browser } = await signedInAgent(ctx, member('Q32'));
    const { agent: national } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);

    const form = await mentor.get(planPath);
    expect(form.statusCode).toBe(200);
    const started = Date.now();
    const [review, ...others] = await Promise.all([
      mentor.post(`${planPath}/reviews`, { notes: 'A clear first goal; agree a date' }),
      browser.get('/development'),
      browser.get('/development/self-assessments/new'),
      browser.get('/development/frameworks'),
      national.get('/development/profiles'),
      agent.get(planPath),
      mentor.get('/development/shared'),
    ]);
    const took = Date.now() - started;
    expect(review.statusCode, visibleText(review.body).slice(0, 300)).toBe(303);
    for (const r of others) expect(r.statusCode, r.body.slice(0, 200)).toBeGreaterThanOrEqual(200);
    for (const r of others) expect(r.statusCode).toBeLessThan(400);
    // A stray top-level query inside the review's transaction waits 30 s for PGlite's only connection.
    expect(took).toBeLessThan(10_000);
    expect(await reviewsOf(planId)).toEqual([
      { notes: 'A clear first goal; agree a date', author_user_id: mentorUser.id },
    ]);
    expect(visibleText((await agent.get(planPath)).body)).toContain('A clear first goal; agree a date');

    // The API path too.
    const viaApi = await mentor.api('POST', `/api/v1/development/plans/${planId}/reviews`, {
      notes: 'Second look: on track',
    });
    expect(viaApi.statusCode, viaApi.body).toBeLessThan(300);

    // A mentor in the member's region who does not mentor them is refused, and nothing is saved.
    await otherMentor.get('/development/shared');
    const refused = await otherMentor.post(`${planPath}/reviews`, { notes: 'Not my mentee' });
    expect([403, 404]).toContain(refused.statusCode);
    const refusedApi = await otherMentor.api('POST', `/api/v1/development/plans/${planId}/reviews`, {
      notes: 'Not my mentee',
    });
    expect([403, 404]).toContain(refusedApi.statusCode);
    expect((await otherMentor.get(planPath)).statusCode).toBe(404);
    expect(visibleText((await otherMentor.get('/development/shared')).body)).not.toContain(
      'Lead the ward safety huddle',
    );
    expect((await reviewsOf(planId)).map((r) => r.notes)).toEqual([
      'A clear first goal; agree a date',
      'Second look: on track',
    ]);

    // When the pair ends, the former mentor no longer sees or reviews the plan.
    await ctx.db
      .updateTable('mentoring_relationships')
      .set({ status: 'ended' })
      .where('mentor_user_id', '=', mentorUser.id)
      .execute();
    expect((await mentor.get(planPath)).statusCode).toBe(404);
    await mentor.get('/development/shared');
    expect([403, 404]).toContain((await mentor.post(`${planPath}/reviews`, { notes: 'Late' })).statusCode);
  });
});
