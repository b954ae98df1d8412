import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, buildTestApp, createUser, type TestContext, visibleText } from '../../../test/app.ts';
import { addMember, signedIn, trustsOf } from '../../../test/journeys/support.ts';
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';
import { assignToTheme, seedTheme } from './policy.outcomes.fixtures.ts';

let ctx: TestContext;
let owner: Agent;
let otherMaker: Agent;
let national: Agent;
let member: Agent;
let outsider: Agent;
let callId: number;
let questionId: number;
let orgName: string;

beforeAll(async () => {
  ctx = await buildTestApp();
  const trusts = await trustsOf(ctx, 'Q34');
  const ownerUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }]);
  owner = await signedIn(ctx, ownerUser.email);
  otherMaker = await signedIn(
    ctx,
    (await createUser(ctx, [{ role: 'policy-maker', regionCode: null }])).email,
  );
  national = await signedIn(ctx, (await createUser(ctx, [{ role: 'national', regionCode: null }])).email);
  const make = (name: string, regionCode = 'Q34', org = trusts[0]!) =>
    addMember(ctx, { regionCode, name, profession: 'doctor', organisationId: org, jobTitle: 'Consultant' });
  const open = await make('Olu Open');
  const secret = await make('Sam Secret');
  const behalf = await make('Bea Behalf');
  const hostile = await make('=HYPERLINK("http://evil")');
  const q30 = await trustsOf(ctx, 'Q30');
  outsider = await signedIn(ctx, (await make('Far Away', 'Q30', q30[0]!)).email);
  member = await signedIn(ctx, open.email);
  orgName = (
    await ctx.db
      .selectFrom('organisations')
      .select('name')
      .where('id', '=', trusts[0]!)
      .executeTakeFirstOrThrow()
  ).name;

  const call = await seedCall(ctx.db, {
    ownerUserId: ownerUser.id,
    title: 'Medicines optimisation',
    audienceRegions: ['Q34'],
    questions: [
      { prompt: 'What works?' },
      { kind: 'scale', prompt: 'How urgent?', scaleMin: 1, scaleMax: 5 },
    ],
  });
  callId = call.callId;
  const [q1, q2] = call.questionIds as [number, number];
  questionId = q1;
  const r1 = await seedResponse(ctx.db, {
    callId,
    userId: open.id,
    regionCode: 'Q34',
    profession: 'doctor',
    answers: { [q1]: 'Pharmacist-led reviews in care homes', [q2]: 4 },
  });
  const r2 = await seedResponse(ctx.db, {
    callId,
    userId: secret.id,
    confidential: true,
    answers: { [q1]: 'A confidential account of harm at my trust', [q2]: 5 },
  });
  const r3 = await seedResponse(ctx.db, {
    callId,
    userId: behalf.id,
    onBehalfOfOrganisationId: trusts[0]!,
    answers: { [q1]: "=cmd|' /C calc'!A0", [q2]: 2 },
  });
  await seedResponse(ctx.db, { callId, userId: hostile.id, answers: { [q1]: '+SUM(A1:A2)' } });
  await seedResponse(ctx.db, {
    callId,
    userId: (await make('Dee Draft')).id,
    status: 'draft',
    answers: { [q1]: 'Unfinished draft' },
  });
  const theme = await seedTheme(ctx.db, { callId, questionId: q1, name: 'Structured medication reviews' });
  await assignToTheme(ctx.db, {
    themeId: theme,
    responseId: r1,
    questionId: q1,
    excerpt: 'Pharmacist-led reviews',
    evidenceRich: true,
  });
  await assignToTheme(ctx.db, {
    themeId: theme,
    responseId: r2,
    questionId: q1,
    excerpt: 'A confidential account',
  });
  // Counted under a theme since merged into this one: its quote and count follow.
  const merged = await seedTheme(ctx.db, { callId, questionId: q1, name: 'Reviews', mergedIntoId: theme });
  await assignToTheme(ctx.db, {
    themeId: merged,
    responseId: r3,
    questionId: q1,
    excerpt: 'Reviews by the practice team',
  });
  await owner.post(`/policy/calls/${callId}/outcomes`, {
    target: `theme-${theme}`,
    decision: 'adopted',
    summary: '=Reviews for every care home resident',
    reason: '',
    ownerRole: 'National Clinical Director',
    decidedOn: '2026-12-01',
  });
});
afterAll(async () => {
  await ctx?.close();
});

const rowsOf = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

describe('exports of a call', () => {
  it('the responses CSV leaves confidential responses and drafts out and neutralises formula cells', async () => {
    const res = await owner.get(`/policy/calls/${callId}/responses.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain(`call-${callId}-responses.csv`);
    expect(res.body).not.toContain('confidential account');
    expect(res.body).not.toContain('Sam Secret');
    expect(res.body).not.toContain('Unfinished draft');
    const rows = rowsOf(res.body);
    expect(rows.map((r) => r.name)).toEqual(['Olu Open', 'Bea Behalf', `'=HYPERLINK("http://evil")`]);
    expect(rows[0]).toMatchObject({
      region: 'Q34',
      profession: 'Doctor',
      on_behalf_of_organisation: '',
      'Q1: What works?': 'Pharmacist-led reviews in care homes',
      'Q2: How urgent?': '4',
    });
    expect(rows[1]!.on_behalf_of_organisation).toBe(orgName);
    expect(rows[1]!['Q1: What works?']).toBe("'=cmd|' /C calc'!A0");
    expect(rows[2]!['Q1: What works?']).toBe("'+SUM(A1:A2)");
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('summary')
      .where('action', '=', 'policy.responses.export')
      .execute();
    expect(audit.map((a) => a.summary)).toEqual([
      'Exported 3 responses (confidential ones left out) of the call “Medicines optimisation” as CSV',
    ]);
  });

  it('the responses API leaves confidential responses out and is the owner’s and national’s only', async () => {
    const res = await owner.api('GET', `/api/v1/policy/calls/${callId}/responses/export`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(3);
    expect(body.responses.map((r: { name: string }) => r.name)).toEqual([
      'Olu Open',
      'Bea Behalf',
      '=HYPERLINK("http://evil")',
    ]);
    expect(body.responses[0].answers[1]).toMatchObject({ scale: 4 });
    expect(res.body).not.toContain('confidential account');
    expect((await national.api('GET', `/api/v1/policy/calls/${callId}/responses/export`)).statusCode).toBe(
      200,
    );
    expect((await otherMaker.api('GET', `/api/v1/policy/calls/${callId}/responses/export`)).statusCode).toBe(
      403,
    );
    expect((await otherMaker.get(`/policy/calls/${callId}/responses.csv`)).statusCode).toBe(403);
    expect((await member.api('GET', `/api/v1/policy/calls/${callId}/responses/export`)).statusCode).toBe(403);
    expect((await member.get(`/policy/calls/${callId}/responses.csv`)).statusCode).toBe(403);
    expect((await outsider.get(`/policy/calls/${callId}/responses.csv`)).statusCode).toBe(403);
  });

  it('the outcomes CSV, for the call’s audience; outside it, 404', async () => {
    const res = await member.get(`/policy/calls/${callId}/outcomes.csv`);
    expect(res.statusCode).toBe(200);
    const rows = rowsOf(res.body);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      about: 'Theme: Structured medication reviews (What works?)',
      decision: 'Adopted',
      summary: "'=Reviews for every care home resident",
      owner: 'National Clinical Director',
    });
    expect((await outsider.get(`/policy/calls/${callId}/outcomes.csv`)).statusCode).toBe(404);
    expect((await outsider.api('GET', `/api/v1/policy/calls/${callId}/outcomes`)).statusCode).toBe(404);
  });

  it('the printable response document of a concluded call: published response, themes with counts, outcomes, non-confidential quotes', async () => {
    // Closed: the owner previews it; members wait until it concludes.
    const preview = await owner.get(`/policy/calls/${callId}/document`);
    expect(preview.statusCode).toBe(200);
    expect(visibleText(preview.body)).toContain('Preview');
    const waiting = await member.get(`/policy/calls/${callId}/document`);
    expect(waiting.statusCode).toBe(200);
    expect(visibleText(waiting.body)).toContain('The response document appears here once the call concludes');
    expect(visibleText(waiting.body)).not.toContain('Pharmacist-led reviews');

    await owner.post(`/policy/calls/${callId}/published-response`, {
      publishedResponse: 'Thank you to the 4 clinicians who wrote to us.',
    });
    await ctx.db.updateTable('policy_calls').set({ status: 'concluded' }).where('id', '=', callId).execute();
    const res = await member.get(`/policy/calls/${callId}/document`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<link rel="stylesheet" href="/static/policy-print.css" media="print">');
    const text = visibleText(res.body);
    expect(text).toContain('Our response: Medicines optimisation');
    expect(text).toContain('Thank you to the 4 clinicians who wrote to us.');
    expect(text).toContain('Structured medication reviews 3');
    expect(text).toContain('Reviews by the practice team');
    expect(text).toContain('Pharmacist-led reviews');
    expect(text).toContain('=Reviews for every care home resident');
    expect(text).not.toContain('confidential account');
    // Quotes carry no names (the member's own name is in the page header, so read the owner's copy).
    expect(visibleText((await owner.get(`/policy/calls/${callId}/document`)).body)).not.toContain('Olu Open');
    expect(text).not.toContain('Preview');
    expect((await outsider.get(`/policy/calls/${callId}/document`)).statusCode).toBe(404);
    const css = await member.get('/static/policy-print.css');
    expect(css.statusCode).toBe(200);
    expect(questionId).toBeGreaterThan(0);
  });

  it('documents the API operations in OpenAPI', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of [
      '/api/v1/policy/ledger',
      '/api/v1/policy/calls/{id}/responses',
      '/api/v1/policy/calls/{id}/outcomes',
      '/api/v1/policy/calls/{id}/outcomes/{outcomeId}/milestones',
      '/api/v1/policy/calls/{id}/milestones/{milestoneId}',
      '/api/v1/policy/calls/{id}/published-response',
      '/api/v1/policy/contributions',
      '/api/v1/policy/contributions/{id}/challenge',
      '/api/v1/policy/calls/{id}/challenges/{challengeId}/answer',
    ])
      expect(paths).toContain(p);
  });

  it('the national dashboard shows the policy channel: calls by state, responses by region, response times, overdue', async () => {
    const res = await national.get('/programme');
    expect(res.statusCode).toBe(200);
    const text = visibleText(res.body);
    expect(text).toContain('Policy channel');
    expect(text).toMatch(/Concluded \d+/);
    expect(text).toContain('Responses by region');
    expect(text).toMatch(/West Midlands \d+/);
    expect(text).toContain('A published response came a median of');
  });
});
