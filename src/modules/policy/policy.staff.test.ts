import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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

const policyMaker = () => signedInAgent(ctx, [{ role: 'policy-maker', regionCode: null }]);
const national = () => signedInAgent(ctx, [{ role: 'national', regionCode: null }]);

describe('policy staff', () => {
  it('lets the national team record a policy maker’s named role and safety lead, audited', async () => {
    const nat = await national();
    const pm = await policyMaker();
    const before = visibleText((await nat.agent.get('/policy/staff')).body);
    expect(before).toContain(pm.user.name);
    expect(before).toContain('Not recorded');
    const form = visibleText((await nat.agent.get(`/policy/staff/${pm.user.id}`)).body);
    expect(form).toContain(`Named role of ${pm.user.name}`);
    const res = await nat.agent.post(`/policy/staff/${pm.user.id}`, {
      roleTitle: 'Deputy Director, Urgent and Emergency Care, DHSC',
      safetyLead: 'yes',
    });
    expect(res.statusCode).toBe(303);
    const after = visibleText((await nat.agent.get('/policy/staff')).body);
    expect(after).toContain(
      'is recorded as Deputy Director, Urgent and Emergency Care, DHSC, a named patient-safety lead',
    );
    expect(after).toContain('Safety lead');
    const row = await ctx.db
      .selectFrom('policy_staff')
      .selectAll()
      .where('user_id', '=', pm.user.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      role_title: 'Deputy Director, Urgent and Emergency Care, DHSC',
      safety_lead: true,
    });
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'summary'])
      .where('action', '=', 'policy.staff.save')
      .execute();
    expect(audit.at(-1)!.summary).toContain('a named patient-safety lead');

    // The policy maker changes their title; the national team's safety-lead choice stays.
    const own = await pm.agent.api('PUT', '/api/v1/policy/staff/me', {
      roleTitle: 'Director, Urgent and Emergency Care, DHSC',
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({
      roleTitle: 'Director, Urgent and Emergency Care, DHSC',
      safetyLead: true,
    });
    const unlead = await nat.agent.api('PUT', `/api/v1/policy/staff/${pm.user.id}`, {
      roleTitle: 'Director, UEC, DHSC',
      safetyLead: false,
    });
    expect(unlead.json()).toMatchObject({ roleTitle: 'Director, UEC, DHSC', safetyLead: false });
    const list = await pm.agent.api('GET', '/api/v1/policy/staff');
    expect(list.json().staff.find((s: { userId: number }) => s.userId === pm.user.id)).toMatchObject({
      safetyLead: false,
    });
  });

  it('lets a policy maker record their own role on the page, but not other people’s', async () => {
    const pm = await policyMaker();
    const other = await policyMaker();
    expect(visibleText((await pm.agent.get('/policy/staff')).body)).toContain(
      'You have no named role recorded yet',
    );
    const res = await pm.agent.post('/policy/staff/me', { roleTitle: 'Head of Primary Care Policy, DHSC' });
    expect(res.statusCode).toBe(303);
    expect(visibleText((await pm.agent.get('/policy/staff')).body)).toContain(
      'Your named role is now Head of Primary Care Policy, DHSC',
    );
    expect((await pm.agent.get(`/policy/staff/${other.user.id}`)).statusCode).toBe(403);
    expect(
      (await pm.agent.post(`/policy/staff/${other.user.id}`, { roleTitle: 'Taken over' })).statusCode,
    ).toBe(403);
    expect(
      (
        await pm.agent.api('PUT', `/api/v1/policy/staff/${other.user.id}`, {
          roleTitle: 'x',
          safetyLead: true,
        })
      ).statusCode,
    ).toBe(403);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('summary')
      .where('action', '=', 'policy.staff.role')
      .where('actor_user_id', '=', pm.user.id)
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses members and people who are not policy staff', async () => {
    const m = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q33' }]);
    const nat = await national();
    expect((await m.agent.get('/policy/staff')).statusCode).toBe(403);
    expect((await m.agent.api('GET', '/api/v1/policy/staff')).statusCode).toBe(403);
    expect((await m.agent.post('/policy/staff/me', { roleTitle: 'Self-appointed' })).statusCode).toBe(403);
    // A member is not a policy maker: there is no staff record to make for them.
    expect((await nat.agent.get(`/policy/staff/${m.user.id}`)).statusCode).toBe(404);
    expect((await nat.agent.post(`/policy/staff/${m.user.id}`, { roleTitle: 'x' })).statusCode).toBe(404);
    expect(
      await ctx.db.selectFrom('policy_staff').select('user_id').where('user_id', '=', m.user.id).execute(),
    ).toEqual([]);
  });

  it('refuses an over-long role with nothing saved, and shows hostile text inert', async () => {
    const pm = await policyMaker();
    const long = await pm.agent.post('/policy/staff/me', { roleTitle: 'r'.repeat(201) });
    expect(refusedForm(long, 400, 'Policy staff')).toEqual([
      { href: '#roleTitle', text: 'The named role must be 200 characters or fewer' },
    ]);
    const empty = await pm.agent.api('PUT', '/api/v1/policy/staff/me', { roleTitle: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(
      await ctx.db.selectFrom('policy_staff').select('user_id').where('user_id', '=', pm.user.id).execute(),
    ).toEqual([]);
    await pm.agent.post('/policy/staff/me', { roleTitle: '<script>alert("role")</script>' });
    const html = (await pm.agent.get('/policy/staff')).body;
    expect(html).not.toContain('<script>alert("role")</script>');
    expect(html).toContain('&lt;script&gt;alert');
  });
});
