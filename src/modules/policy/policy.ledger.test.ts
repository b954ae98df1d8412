import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, createUser, type TestContext, visibleText } from '../../../test/app.ts';
import { addMember, signedIn, trustsOf } from '../../../test/journeys/support.ts';
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';
import { londonDateAfter } from '../../platform/dates.ts';
import { assignToTheme, seedTheme } from './policy.outcomes.fixtures.ts';

let ctx: TestContext;
let team: Agent;
let member: Agent;
let ownerId: number;
const day = (n: number) => londonDateAfter(n);

beforeAll(async () => {
  ctx = await buildTestApp();
  const owner = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }]);
  ownerId = owner.id;
  team = await signedIn(ctx, owner.email);
  const trusts = await trustsOf(ctx, 'Q34');
  const m = await addMember(ctx, {
    regionCode: 'Q34',
    name: 'Respondent Rowena Secretname',
    profession: 'doctor',
    organisationId: trusts[0]!,
    jobTitle: 'Consultant',
  });
  member = await signedIn(ctx, m.email);

  // Overdue (no published response, due date passed 10 days ago), closed 94 days ago.
  const overdue = await seedCall(ctx.db, {
    ownerUserId: ownerId,
    opensOn: day(-300),
    title: 'Overdue call',
    closesOn: day(-94),
    responseDueOn: day(-10),
    isPublic: true,
  });
  // More overdue still, but aimed at another region only and not public.
  await seedCall(ctx.db, {
    ownerUserId: ownerId,
    opensOn: day(-300),
    title: 'Q30 only overdue call',
    closesOn: day(-120),
    responseDueOn: day(-30),
    audienceRegions: ['Q30'],
  });
  await seedCall(ctx.db, {
    ownerUserId: ownerId,
    opensOn: day(-300),
    title: 'Due soon call',
    closesOn: day(-70),
    responseDueOn: day(5),
  });
  await seedCall(ctx.db, {
    ownerUserId: ownerId,
    opensOn: day(-300),
    title: 'Due later call',
    closesOn: day(-7),
    responseDueOn: day(77),
    isPublic: true,
  });
  // Past its due date, but its response is published: not overdue.
  const published = await seedCall(ctx.db, {
    ownerUserId: ownerId,
    opensOn: day(-300),
    title: 'Published call',
    status: 'concluded',
    closesOn: day(-100),
    responseDueOn: day(-20),
    isPublic: true,
    audienceRegions: ['Q34'],
  });
  await ctx.db
    .updateTable('policy_calls')
    .set({ published_response: 'We did it', published_at: new Date() })
    .where('id', '=', published.callId)
    .execute();
  await seedCall(ctx.db, {
    ownerUserId: ownerId,
    opensOn: day(-300),
    title: 'Still open call',
    status: 'open',
    closesOn: day(10),
  });
  await seedCall(ctx.db, {
    ownerUserId: ownerId,
    opensOn: day(-300),
    title: 'Draft call',
    status: 'draft',
    closesOn: day(20),
  });

  // A confidential response to the public overdue call, counted under a theme with an outcome.
  const r = await seedResponse(ctx.db, {
    callId: overdue.callId,
    userId: m.id,
    confidential: true,
    answers: { [overdue.questionIds[0]!]: 'Confidential secret text about my trust' },
  });
  const theme = await seedTheme(ctx.db, {
    callId: overdue.callId,
    questionId: overdue.questionIds[0]!,
    name: 'Workforce',
  });
  await assignToTheme(ctx.db, {
    themeId: theme,
    responseId: r,
    questionId: overdue.questionIds[0]!,
    excerpt: 'Confidential secret text',
  });
  await team.post(`/policy/calls/${overdue.callId}/outcomes`, {
    target: `theme-${theme}`,
    decision: 'adopted',
    summary: 'More nurses on the front door.',
    reason: '',
    ownerRole: 'Chief Nurse',
    decidedOn: day(-1),
  });
});
afterAll(async () => {
  await ctx?.close();
});

const titlesIn = (html: string) =>
  [...html.matchAll(/<h2 class="nhsuk-card__heading[^"]*">([^<]+)<\/h2>/g)].map((m) => m[1]);

describe('the ledger', () => {
  it('shows the policy team every closed or concluded call, overdue first, then due soonest, then published', async () => {
    const res = await team.get('/policy/ledger');
    expect(res.statusCode).toBe(200);
    expect(titlesIn(res.body)).toEqual([
      'Q30 only overdue call',
      'Overdue call',
      'Due soon call',
      'Due later call',
      'Published call',
    ]);
    const text = visibleText(res.body);
    expect(text).toContain('Closed on');
    expect(text).toContain('94 days ago');
    expect(text).toContain('10 days overdue');
    expect(text).toContain('due in 5 days');
    expect(text).toContain('More nurses on the front door.');
    expect(text).toContain('Owner: Chief Nurse');
    expect(res.body).toContain('href="/policy/calls/');
    expect(text).toContain('Record outcomes and the published response');
    expect(visibleText((await member.get('/policy/ledger')).body)).not.toContain('Record outcomes');
  });

  it('shows a member the calls aimed at them and the public ones', async () => {
    const res = await member.get('/policy/ledger');
    expect(res.statusCode).toBe(200);
    expect(titlesIn(res.body)).toEqual(['Overdue call', 'Due soon call', 'Due later call', 'Published call']);
  });

  it('shows signed-out visitors only public calls, with no names and no confidential text', async () => {
    const visitor = new Agent(ctx.app);
    const res = await visitor.get('/policy/ledger');
    expect(res.statusCode).toBe(200);
    expect(titlesIn(res.body)).toEqual(['Overdue call', 'Due later call', 'Published call']);
    expect(res.body).not.toContain('Rowena');
    expect(res.body).not.toContain('Secretname');
    expect(res.body).not.toContain('Confidential secret');
    const api = await visitor.api('GET', '/api/v1/policy/ledger');
    expect(api.statusCode).toBe(200);
    expect(api.json().calls.map((c: { title: string }) => c.title)).toEqual([
      'Overdue call',
      'Due later call',
      'Published call',
    ]);
    expect(api.json().calls[0]).toMatchObject({ overdue: true, daysToDue: -10, decisions: { adopted: 1 } });
    expect(api.body).not.toContain('Rowena');
    expect(api.body).not.toContain('Confidential secret');
  });

  it('is paginated', async () => {
    for (let i = 0; i < 20; i++)
      await seedCall(ctx.db, {
        ownerUserId: ownerId,
        opensOn: day(-300),
        title: `Later call ${String(i).padStart(2, '0')}`,
        closesOn: day(-1),
        responseDueOn: day(200 + i),
      });
    const first = await team.get('/policy/ledger');
    expect(titlesIn(first.body)).toHaveLength(20);
    expect(visibleText(first.body)).toContain('Showing 1 to 20 of 25');
    const second = await team.get('/policy/ledger?page=2');
    expect(titlesIn(second.body)).toEqual([
      'Later call 16',
      'Later call 17',
      'Later call 18',
      'Later call 19',
      'Published call',
    ]);
    expect((await team.get('/policy/ledger?page=zero')).statusCode).toBe(400);
  });
});
