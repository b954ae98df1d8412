import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, refusedForm, signedInAgent, type TestContext } from '../../../test/app.ts';

// The region page's forms, sent with a bad answer: the region page again at 400 with the NHS error
// summary linking to the field (one per allocation for "received"), the answers kept, nothing saved.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const allocationsOf = (code: string) =>
  ctx.db
    .selectFrom('funding_allocations')
    .select(['id', 'amount', 'received_on'])
    .where('region_code', '=', code)
    .orderBy('id')
    .execute();

describe('form errors on the region page', () => {
  it('a funding allocation without an amount keeps the other answers', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/programme/regions/Q30');
    const res = await agent.post('/programme/regions/Q30/funding', {
      amount: 'lots',
      allocatedOn: '2026-10-01',
      reference: 'DH-ALLOC-7',
    });
    expect(refusedForm(res, 400, 'North East: programme')).toEqual([
      { href: '#fundingAmount', text: 'Enter the amount in pounds, like 25000 or 1250.50' },
    ]);
    expect(res.body).toContain('value="DH-ALLOC-7"');
    expect(await allocationsOf('Q30')).toEqual([]);
  });

  it('a target with an over-long reason points at the target form’s reason, not another form’s field', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/programme/regions/Q30');
    const res = await agent.post('/programme/regions/Q30/target', { target: '130', reason: 'x'.repeat(501) });
    const summary = refusedForm(res, 400, 'North East: programme');
    expect(summary.map((e) => e.href)).toEqual(['#targetReason']);
    expect(res.body).toContain('id="targetReason"');
  });

  it('marking an allocation received without a date points at that allocation’s field', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/programme/regions/Q30');
    expect(
      (await agent.post('/programme/regions/Q30/funding', { amount: '25000', allocatedOn: '2026-10-01' }))
        .statusCode,
    ).toBe(303);
    await agent.get('/programme/regions/Q30');
    const [allocation] = await allocationsOf('Q30');
    const res = await agent.post(`/programme/regions/Q30/funding/${allocation!.id}/received`, {
      receivedOn: 'soon',
    });
    expect(refusedForm(res, 400, 'North East: programme')).toEqual([
      { href: `#receivedOn-${allocation!.id}`, text: 'Enter the date received, like 2026-10-15' },
    ]);
    expect(await allocationsOf('Q30')).toEqual([{ ...allocation, received_on: null }]);
  });
});
