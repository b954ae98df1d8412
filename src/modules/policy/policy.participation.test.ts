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
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';
import { londonDateAfter } from '../../platform/dates.ts';
import { suppress } from './policy.participation.ts';

let ctx: TestContext;
let pat: Agent;
let nia: Agent;
let callId: number;
const members: { id: number; email: string; profession: string }[] = [];

beforeAll(async () => {
  ctx = await buildTestApp();
  const patUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }], { name: 'Pat Policy' });
  pat = new Agent(ctx.app);
  await pat.signIn(patUser.email);
  const niaUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }], { name: 'Nia Other' });
  nia = new Agent(ctx.app);
  await nia.signIn(niaUser.email);
  const [trust] = await trustsOf(ctx, 'Q31', 1);
  const make = { nurse: 8, doctor: 6, pharmacist: 2 };
  for (const [profession, n] of Object.entries(make))
    for (let i = 0; i < n; i++) {
      const u = await addMember(ctx, {
        regionCode: 'Q31',
        name: `${profession} ${i}`,
        profession,
        organisationId: trust!,
        jobTitle: 'Clinician',
      });
      members.push({ id: u.id, email: u.email, profession });
    }
  const [ltrust] = await trustsOf(ctx, 'Q36', 1);
  await addMember(ctx, {
    regionCode: 'Q36',
    name: 'Lou London',
    profession: 'pharmacist',
    organisationId: ltrust!,
    jobTitle: 'Pharmacist',
  });
  ({ callId } = await seedCall(ctx.db, {
    ownerUserId: patUser.id,
    status: 'open',
    closesOn: londonDateAfter(10),
    audienceRegions: ['Q31'],
  }));
  // 6 nurses, 5 doctors and 1 pharmacist have responded.
  const responded = [
    ...members.filter((m) => m.profession === 'nurse').slice(0, 6),
    ...members.filter((m) => m.profession === 'doctor').slice(0, 5),
    ...members.filter((m) => m.profession === 'pharmacist').slice(0, 1),
  ];
  for (const m of responded)
    await seedResponse(ctx.db, {
      callId,
      userId: m.id,
      answers: {},
      regionCode: 'Q31',
      profession: m.profession,
      setting: 'trust',
    });
});
afterAll(async () => {
  await ctx?.close();
});

describe('participation before close', () => {
  it('hides every count under 5, and a second one where the total would give it away', () => {
    expect(suppress([6, 5, 1])).toEqual([false, true, true]);
    expect(suppress([6, 3, 1])).toEqual([false, true, true]);
    expect(suppress([12])).toEqual([false]);
    expect(suppress([4])).toEqual([true]);
    expect(suppress([9, 8, 7])).toEqual([false, false, false]);
  });

  it('shows responses against the audience by group, with no small counts and no names', async () => {
    const res = await pat.api('GET', `/api/v1/policy/calls/${callId}/participation`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ totalResponses: 12, totalAudience: 16 });
    const professions = body.dimensions.find(
      (d: { dimension: string }) => d.dimension === 'profession',
    ).cells;
    expect(
      professions.map((c: { label: string; responses: number | null; audience: number | null }) => [
        c.label,
        c.responses,
        c.audience,
      ]),
    ).toEqual([
      ['Doctor', null, null],
      ['Nurse', 6, 8],
      ['Pharmacist', null, null],
    ]);
    const regions = body.dimensions.find((d: { dimension: string }) => d.dimension === 'region').cells;
    expect(regions).toEqual([
      expect.objectContaining({ label: 'North West', responses: 12, audience: 16, responseRate: 0.75 }),
    ]);
    const page = await pat.get(`/policy/calls/${callId}/participation`);
    expect(page.statusCode).toBe(200);
    const text = visibleText(page.body);
    expect(text).toContain('Nurse 6 50% 8 75%');
    expect(text).toContain('Pharmacist fewer than 5');
    expect(text).toContain('Doctor hidden');
    expect(text).toContain('12 responses sent, from an audience of 16 members');
  });

  it('nudges the members of a group who have not responded, once recorded and audited', async () => {
    const refused = await nia.post(`/policy/calls/${callId}/nudge`, { group: 'profession:pharmacist' });
    expect(refused.statusCode).toBe(403);
    const bad = await pat.post(`/policy/calls/${callId}/nudge`, { group: 'profession:astronaut' });
    expect(refusedForm(bad, 400, 'Who has responded: Urgent care at the front door')).toEqual([
      { href: '#group', text: 'Choose a profession of the call’s audience' },
    ]);
    const res = await pat.post(`/policy/calls/${callId}/nudge`, {
      group: 'profession:pharmacist',
      message: 'We need the pharmacy view',
    });
    expect(res.statusCode).toBe(303);
    const page = visibleText((await pat.get(String(res.headers.location))).body);
    expect(page).toContain('Nudge sent to 1 members (Pharmacist) who have not responded');
    const mails = await ctx.db
      .selectFrom('outbox')
      .select(['to_address', 'body_text'])
      .where('kind', '=', 'policy.call.nudge')
      .execute();
    const unanswered = members.filter((m) => m.profession === 'pharmacist')[1]!;
    expect(mails.map((m) => m.to_address)).toEqual([unanswered.email.toLowerCase()]);
    expect(mails[0]!.body_text).toContain('We need the pharmacy view');
    expect(
      await ctx.db.selectFrom('policy_nudges').select(['dimension', 'value', 'recipients']).execute(),
    ).toEqual([{ dimension: 'profession', value: 'pharmacist', recipients: 1 }]);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('summary')
      .where('action', '=', 'policy.call.nudge')
      .executeTakeFirstOrThrow();
    expect(audit.summary).toContain('1 members who had not responded');
    const api = await pat.api('POST', `/api/v1/policy/calls/${callId}/nudges`, {
      dimension: 'region',
      value: 'Q31',
    });
    expect(api.statusCode, api.body).toBe(201);
    expect(api.json().recipients).toBe(4);
  });

  it('hides a total under 5, which would give away a group that is the whole', async () => {
    const owner = await ctx.db
      .selectFrom('policy_calls')
      .select('owner_user_id')
      .where('id', '=', callId)
      .executeTakeFirstOrThrow();
    const small = await seedCall(ctx.db, {
      ownerUserId: owner.owner_user_id!,
      status: 'open',
      closesOn: londonDateAfter(5),
      audienceRegions: ['Q36'],
    });
    const lou = await ctx.db
      .selectFrom('member_profiles')
      .select('user_id')
      .where('region_code', '=', 'Q36')
      .executeTakeFirstOrThrow();
    await seedResponse(ctx.db, {
      callId: small.callId,
      userId: lou.user_id,
      answers: {},
      regionCode: 'Q36',
      profession: 'pharmacist',
    });
    const body = (await pat.api('GET', `/api/v1/policy/calls/${small.callId}/participation`)).json();
    expect(body).toMatchObject({ totalResponses: null, totalAudience: null });
    const text = visibleText((await pat.get(`/policy/calls/${small.callId}/participation`)).body);
    expect(text).toContain('Fewer than 5 responses sent, from an audience of fewer than 5 members');
  });
});
