import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, createUser, type TestContext, visibleText } from '../../../test/app.ts';
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';

// The policy maker's page counts what waits for them: their calls closed and awaiting analysis, and
// (for a named safety lead) the patient-safety concerns nobody has acknowledged yet.

let ctx: TestContext;
let lead: Agent;
let other: Agent;
let national: Agent;

/** The text of the card whose heading is given, on the page at `url`. */
async function cardText(agent: Agent, url: string, heading: string): Promise<string> {
  const res = await agent.get(url);
  expect(res.statusCode).toBe(200);
  const card = res.body
    .split('<li class="nhsuk-grid-column-one-half nhsuk-card-group__item">')
    .find((c) => c.includes(heading));
  expect(card, `a card headed ${heading}`).toBeDefined();
  return visibleText(card!.split('</li>')[0]!);
}

beforeAll(async () => {
  ctx = await buildTestApp();
  const leadUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }], { name: 'Lee Lead' });
  const otherUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }], {
    name: 'Oli Other',
  });
  const nationalUser = await createUser(ctx, [{ role: 'national', regionCode: null }]);
  const memberUser = await createUser(ctx, [{ role: 'member', regionCode: 'Q34' }]);
  await ctx.db
    .insertInto('policy_staff')
    .values([
      { user_id: leadUser.id, role_title: 'National Patient Safety Director', safety_lead: true },
      { user_id: otherUser.id, role_title: 'Deputy Director, Workforce', safety_lead: false },
    ])
    .execute();
  // Lee owns two calls being analysed, one open and one concluded; Oli owns one being analysed.
  for (const status of ['closed', 'closed', 'open', 'concluded'] as const)
    await seedCall(ctx.db, { ownerUserId: leadUser.id, status, title: `Lee's ${status} call` });
  const { callId, questionIds } = await seedCall(ctx.db, { ownerUserId: otherUser.id, status: 'closed' });
  const responseId = await seedResponse(ctx.db, {
    callId,
    userId: memberUser.id,
    answers: { [questionIds[0]!]: 'Patients on trolleys overnight' },
  });
  // Three concerns raised; one acknowledged.
  for (const [i, summary] of ['Trolleys overnight', 'No observations', 'Missed medicines'].entries())
    await ctx.db
      .insertInto('policy_safety_concerns')
      .values({
        response_id: responseId,
        raised_by: memberUser.id,
        summary,
        lead_user_id: leadUser.id,
        ...(i === 2
          ? { acknowledged_by: leadUser.id, acknowledged_at: new Date(), acknowledgement: 'Looking at it' }
          : {}),
      })
      .execute();
  lead = new Agent(ctx.app);
  await lead.signIn(leadUser.email);
  other = new Agent(ctx.app);
  await other.signIn(otherUser.email);
  national = new Agent(ctx.app);
  await national.signIn(nationalUser.email);
});
afterAll(async () => {
  await ctx?.close();
});

describe("the policy maker's home cards", () => {
  it('show a safety lead the open concerns and their own calls awaiting analysis', async () => {
    expect(await cardText(lead, '/policy-maker', 'Patient-safety concerns')).toContain(
      '2 concerns awaiting acknowledgement',
    );
    expect(await cardText(lead, '/policy-maker', 'Calls for input')).toContain(
      '2 closed calls awaiting analysis',
    );
  });

  it('show another policy maker their own calls, and no count of concerns they cannot see', async () => {
    const safety = await cardText(other, '/policy-maker', 'Patient-safety concerns');
    expect(safety).toContain('For named safety leads');
    expect(safety).not.toMatch(/awaiting acknowledgement/);
    expect(await cardText(other, '/policy-maker', 'Calls for input')).toContain(
      '1 closed call awaiting analysis',
    );
  });

  it('follow the counts as concerns are acknowledged and calls conclude', async () => {
    await ctx.db
      .updateTable('policy_safety_concerns')
      .set({ acknowledged_at: new Date(), acknowledgement: 'Seen' })
      .where('acknowledged_at', 'is', null)
      .execute();
    await ctx.db
      .updateTable('policy_calls')
      .set({ status: 'concluded' })
      .where('status', '=', 'closed')
      .execute();
    expect(await cardText(lead, '/policy-maker', 'Patient-safety concerns')).toContain(
      'No concerns awaiting acknowledgement',
    );
    expect(await cardText(lead, '/policy-maker', 'Calls for input')).toContain(
      'No closed calls awaiting analysis',
    );
  });

  it('count everyone’s calls for the national team visiting the policy maker’s page, and say "more than" past the cap', async () => {
    const { id: owner } = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }]);
    for (let i = 0; i < 100; i++)
      await ctx.db
        .insertInto('policy_calls')
        .values({
          kind: 'pulse',
          title: `Pulse ${i}`,
          summary: 'A quick pulse',
          background: null,
          status: 'closed',
          opens_on: '2026-10-01',
          closes_on: '2026-10-08',
          response_due_on: '2026-12-31',
          response_due_reason: null,
          audience_intake_id: null,
          owner_user_id: owner,
        })
        .execute();
    expect(await cardText(national, '/policy-maker', 'Calls for input')).toContain(
      'More than 99 closed calls awaiting analysis',
    );
    expect(await cardText(national, '/policy-maker', 'Patient-safety concerns')).toContain(
      'No concerns awaiting acknowledgement',
    );
  });
});
