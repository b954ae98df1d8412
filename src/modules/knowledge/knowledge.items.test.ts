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

describe('library items', () => {
  it('drafts, refuses bad input, publishes, versions with a diff, renders hostile Markdown inert, exports CSV', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q31' }]);
    await agent.get('/knowledge/items/new');
    const bad = await agent.post('/knowledge/items', {
      kind: 'case-study',
      title: '',
      summary: 's',
      visibility: 'region',
      reviewedOn: '2027-03-01',
      reviewBy: '2027-01-01',
      resourceUrl: 'javascript:alert(1)',
    });
    const summary = refusedForm(bad, 400, 'Add to the library').map((e) => e.href);
    expect(summary).toEqual(expect.arrayContaining(['#title', '#resourceUrl']));
    const made = await agent.post('/knowledge/items', {
      kind: 'case-study',
      title: 'Frailty at the front door',
      summary: 'A frailty team cut admissions.',
      body: '[click](javascript:alert(1)) <script>alert(1)</script>',
      visibility: 'network',
      problem: 'Too many admissions',
    });
    expect(made.statusCode, visibleText(made.body).slice(0, 300)).toBe(303);
    const url = String(made.headers.location);
    const page = await agent.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/href="javascript/i);
    expect(page.body).not.toContain('<script>alert');
    expect((await agent.post(`${url}/publish`)).statusCode).toBe(303);
    await agent.get(`${url}/edit`);
    const edited = await agent.post(url, {
      kind: 'case-study',
      title: 'Frailty at the front door of the ED',
      summary: 'A frailty team cut admissions.',
      visibility: 'network',
      note: 'Clearer title',
    });
    expect(edited.statusCode, visibleText(edited.body).slice(0, 300)).toBe(303);
    const v2 = await agent.get(`${url}/versions/2`);
    expect(v2.statusCode).toBe(200);
    expect(v2.body).toMatch(/<ins><span class="nhsuk-u-visually-hidden">added: <\/span>[^<]*ED/);
    const other = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q32' }]);
    const list = visibleText((await other.agent.get('/knowledge')).body);
    expect(list).toContain('Frailty at the front door of the ED');
    const csv = await other.agent.get('/knowledge/items.csv');
    expect(csv.body).toContain('Frailty at the front door of the ED');
  });
});
