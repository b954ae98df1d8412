import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Agent,
  buildTestApp,
  refusedForm,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';
import { createSafety } from './policy.safety.ts';

let ctx: TestContext;
let national: Awaited<ReturnType<typeof signedInAgent>>;
beforeAll(async () => {
  ctx = await buildTestApp();
  national = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
});
afterAll(async () => {
  await ctx?.close();
});

const member = () => signedInAgent(ctx, [{ role: 'member', regionCode: 'Q32' }]);
const policyMaker = () => signedInAgent(ctx, [{ role: 'policy-maker', regionCode: null }]);
const outboxTo = (to: string) =>
  ctx.db.selectFrom('outbox').select(['subject', 'body_text', 'kind']).where('to_address', '=', to).execute();

async function follow(agent: Agent, res: { statusCode: number; headers: Record<string, unknown> }) {
  expect(res.statusCode).toBe(303);
  return agent.get(String(res.headers.location));
}

async function askFlagged(agent: Agent, title: string) {
  const res = await agent.post('/policy/questions', {
    title,
    body: 'Patients are waiting on trolleys for over twelve hours.',
    visibility: 'private',
    safetyConcern: 'yes',
  });
  const page = visibleText((await follow(agent, res)).body);
  expect(page).toContain('a named safety lead has been told at once');
  const q = await ctx.db
    .selectFrom('policy_questions')
    .select('id')
    .where('title', '=', title)
    .executeTakeFirstOrThrow();
  return ctx.db
    .selectFrom('policy_safety_concerns')
    .selectAll()
    .where('question_id', '=', q.id)
    .executeTakeFirstOrThrow();
}

describe('the patient-safety fast lane', () => {
  it('sends a concern to the national team while no safety lead is named, and says so on the staff page', async () => {
    const sender = await member();
    const concern = await askFlagged(sender.agent, 'Corridor care with no oxygen points');
    expect(concern.lead_user_id).toBeNull();
    expect((await outboxTo(national.user.email)).map((m) => m.subject)).toContain(
      'A patient-safety concern has been raised',
    );
    expect((await outboxTo(sender.user.email)).map((m) => m.subject)).toContain(
      'We have your patient-safety concern',
    );
    const staffPage = visibleText((await national.agent.get('/policy/staff')).body);
    expect(staffPage).toContain('No patient-safety lead is named');
    expect(staffPage).toContain('patient-safety concerns go to the national team');
  });

  it('reaches the named safety lead at once, by email and on their page, with a receipt to the sender', async () => {
    const lead = await policyMaker();
    const res = await national.agent.post(`/policy/staff/${lead.user.id}`, {
      roleTitle: 'National Patient Safety Director, NHS England',
      safetyLead: 'yes',
    });
    await follow(national.agent, res);
    const sender = await member();
    const concern = await askFlagged(sender.agent, 'Ambulance handover delays over four hours');
    expect(concern.lead_user_id).toBe(lead.user.id);
    const toLead = await outboxTo(lead.user.email);
    expect(toLead.map((m) => m.kind)).toContain('policy-safety-concern');
    expect(toLead.find((m) => m.kind === 'policy-safety-concern')!.body_text).toContain(
      `http://cln.test/policy/safety/${concern.id}`,
    );
    const receipt = (await outboxTo(sender.user.email)).find((m) => m.kind === 'policy-safety-receipt');
    expect(receipt!.body_text).toContain('A patient-safety lead will acknowledge it');

    const list = visibleText((await lead.agent.get('/policy/safety')).body);
    expect(list).toContain('Ambulance handover delays over four hours');
    expect(list).toContain('Awaiting acknowledgement');
    const show = visibleText((await lead.agent.get(`/policy/safety/${concern.id}`)).body);
    expect(show).toContain('Patients are waiting on trolleys for over twelve hours.');
    expect(show).toContain('Acknowledge this concern');
  });

  it('records a concern raised in a response inside the caller’s transaction and shows the response’s answers', async () => {
    const owner = await policyMaker();
    const sender = await member();
    const { callId, questionIds } = await seedCall(ctx.db, {
      ownerUserId: owner.user.id,
      title: 'Winter pressures call',
      status: 'open',
      questions: [{ kind: 'text', prompt: 'What worries you most this winter?' }],
    });
    const responseId = await seedResponse(ctx.db, {
      callId,
      userId: sender.user.id,
      answers: { [questionIds[0]!]: 'Unstaffed escalation beds in our trust' },
    });
    const safety = createSafety({ db: ctx.db, baseUrl: 'http://cln.test' });
    const id = await ctx.db.transaction().execute((trx) =>
      safety.raiseSafetyConcern(trx, {
        responseId,
        userId: sender.user.id,
        summary: 'Winter pressures call',
      }),
    );
    const row = await ctx.db
      .selectFrom('policy_safety_concerns')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ response_id: responseId, raised_by: sender.user.id });
    expect((await outboxTo(sender.user.email)).map((m) => m.kind)).toContain('policy-safety-receipt');
    const page = visibleText((await national.agent.get(`/policy/safety/${id}`)).body);
    expect(page).toContain('Response to the call: Winter pressures call');
    expect(page).toContain('What worries you most this winter?');
    expect(page).toContain('Unstaffed escalation beds in our trust');
    // A rolled-back transaction leaves no concern and no email.
    const before = await ctx.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        await safety.raiseSafetyConcern(trx, {
          responseId,
          raisedBy: sender.user.id,
          summary: 'Rolled back',
        });
        throw new Error('the response failed to save');
      }),
    ).rejects.toThrow('the response failed to save');
    expect(
      await ctx.db
        .selectFrom('policy_safety_concerns')
        .select('id')
        .where('summary', '=', 'Rolled back')
        .execute(),
    ).toEqual([]);
    const after = await ctx.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('shows a concern unacknowledged for 48 hours as overdue, first', async () => {
    const sender = await member();
    const fresh = await askFlagged(sender.agent, 'Fresh concern about sepsis screening');
    const old = await askFlagged(sender.agent, 'Old concern about medicines storage');
    await sql`update policy_safety_concerns set raised_at = now() - interval '49 hours' where id = ${old.id}`.execute(
      ctx.db,
    );
    const res = await national.agent.api('GET', '/api/v1/policy/safety');
    const open = res.json().open as { id: number; overdue: boolean }[];
    expect(open[0]).toMatchObject({ id: old.id, overdue: true });
    expect(open.find((c) => c.id === fresh.id)!.overdue).toBe(false);
    const text = visibleText((await national.agent.get('/policy/safety')).body);
    expect(text).toContain('Overdue waiting 49 hours');
    expect(text.indexOf('Old concern about medicines storage')).toBeLessThan(
      text.indexOf('Fresh concern about sepsis screening'),
    );
  });

  it('is acknowledged with a note emailed to the sender, once', async () => {
    const sender = await member();
    const concern = await askFlagged(sender.agent, 'Concern to acknowledge about falls');
    const tooLong = await national.agent.post(`/policy/safety/${concern.id}/acknowledge`, {
      note: 'n'.repeat(2001),
    });
    expect(refusedForm(tooLong, 400, `Patient-safety concern ${concern.id}`)).toEqual([
      { href: '#note', text: 'The note must be 2000 characters or fewer' },
    ]);
    const res = await national.agent.post(`/policy/safety/${concern.id}/acknowledge`, {
      note: 'Thank you. <b>We have asked the trust</b> to review its falls protocol.',
    });
    const page = await follow(national.agent, res);
    expect(visibleText(page.body)).toContain('Acknowledged');
    expect(page.body).toContain('&lt;b&gt;We have asked the trust&lt;/b&gt;');
    const mail = (await outboxTo(sender.user.email)).find((m) => m.kind === 'policy-safety-acknowledged');
    expect(mail!.body_text).toContain('to review its falls protocol');
    const row = await ctx.db
      .selectFrom('policy_safety_concerns')
      .selectAll()
      .where('id', '=', concern.id)
      .executeTakeFirstOrThrow();
    expect(row.acknowledged_by).toBe(national.user.id);
    const twice = await national.agent.api('POST', `/api/v1/policy/safety/${concern.id}/acknowledge`, {
      note: 'Again',
    });
    expect(twice.statusCode).toBe(409);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'policy_safety_concern')
      .where('entity_id', '=', String(concern.id))
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['policy.safety.acknowledge', 'policy.safety.raise']);
    const list = visibleText((await national.agent.get('/policy/safety')).body);
    expect(list.indexOf('Concern to acknowledge about falls')).toBeGreaterThan(
      list.indexOf('Acknowledged concerns'),
    );
  });

  it('refuses members and policy makers who are not safety leads', async () => {
    const sender = await member();
    const concern = await askFlagged(sender.agent, 'Concern for the refusals');
    const pm = await policyMaker();
    for (const who of [sender, pm]) {
      expect((await who.agent.get('/policy/safety')).statusCode).toBe(403);
      expect((await who.agent.get(`/policy/safety/${concern.id}`)).statusCode).toBe(403);
      expect((await who.agent.api('GET', `/api/v1/policy/safety/${concern.id}`)).statusCode).toBe(403);
      expect(
        (await who.agent.post(`/policy/safety/${concern.id}/acknowledge`, { note: 'x' })).statusCode,
      ).toBe(403);
    }
    expect((await national.agent.get('/policy/safety/999999')).statusCode).toBe(404);
    const row = await ctx.db
      .selectFrom('policy_safety_concerns')
      .select('acknowledged_at')
      .where('id', '=', concern.id)
      .executeTakeFirstOrThrow();
    expect(row.acknowledged_at).toBeNull();
  });
});
