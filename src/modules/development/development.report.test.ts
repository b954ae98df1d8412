import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, signedInAgent, type TestContext, visibleText } from '../../../test/app.ts';
import { londonDate } from '../../platform/dates.ts';
import type { RoleGrant } from '../../platform/permissions.ts';
import { rowFigures } from './development.report.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const member = (region: string): RoleGrant[] => [{ role: 'member', regionCode: region }];
const nextYear = new Date().getFullYear() + 1;

async function startRound(agent: Agent, title = 'Before appraisal') {
  await agent.get('/development/feedback/new');
  const res = await agent.post('/development/feedback', {
    title,
    'closesOn-day': '1',
    'closesOn-month': '3',
    'closesOn-year': String(nextYear),
  });
  expect(res.statusCode).toBe(303);
  return res.headers.location as string;
}
async function invite(agent: Agent, roundPath: string, name: string, email: string, group: string) {
  await agent.get(roundPath);
  const res = await agent.post(`${roundPath}/raters`, { name, email, group });
  expect(res.statusCode, visibleText(res.body).slice(0, 300)).toBe(303);
}
async function linkFor(email: string) {
  const mail = await ctx.db
    .selectFrom('outbox')
    .select('body_text')
    .where('to_address', '=', email)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return /http:\/\/[^/\s]+(\/feedback\/\S+)/.exec(mail.body_text)![1]!;
}
/** Answers through the rater's form: `rate(i)` gives element i's rating, or 0 for "Not able to say". */
async function answer(link: string, rate: (i: number) => number, comment?: string) {
  const rater = new Agent(ctx.app);
  const form = await rater.get(link);
  expect(form.statusCode).toBe(200);
  const ids = [...new Set([...form.body.matchAll(/name="rating-(\d+)"/g)].map((m) => m[1]!))];
  const body: Record<string, string> = {};
  ids.forEach((id, i) => (body[`rating-${id}`] = String(rate(i))));
  if (comment) body.strengths = comment;
  const res = await rater.post(link, body);
  expect(res.statusCode, visibleText(res.body).slice(0, 300)).toBe(200);
  return ids.map(Number);
}
type Figures = {
  raters: number | null;
  byColumn: Record<string, number | null>;
  notAbleToSay: number | null;
};
type ReportJson = {
  closesOn: string;
  closedOn: string | null;
  closedEarly: boolean;
  columns: { key: string; label: string; responses: number }[];
  elements: (Figures & { id: number; name: string; domain: string })[];
  domains: (Figures & { name: string })[];
  strengths: string[];
  gaps: string[];
};
async function reportOf(agent: Agent, roundPath: string) {
  const id = roundPath.split('/').pop();
  const api = await agent.api('GET', `/api/v1/development/feedback-rounds/${id}/report`);
  expect(api.statusCode, api.body).toBe(200);
  const page = await agent.get(`${roundPath}/report`);
  expect(page.statusCode).toBe(200);
  return { json: api.json() as ReportJson, text: visibleText(page.body) };
}

describe('360 report figures need 3 ratings each', () => {
  it('two peers "not able to say": the manager’s score is never the group’s, shown, or ranked a strength', async () => {
    const { agent } = await signedInAgent(ctx, member('Q33'));
    const round = await startRound(agent);
    const raters = [
      ['Pia Peer', 'pia@nhs.test', 'peer'],
      ['Pete Peer', 'pete@nhs.test', 'peer'],
      ['Paz Peer', 'paz@nhs.test', 'peer'],
      ['Lou Manager', 'lou@nhs.test', 'line-manager'],
    ] as const;
    for (const [name, email, group] of raters) await invite(agent, round, name, email, group);
    // Element 0: the manager and one peer give the top score; two peers are not able to say.
    // Every other element: everyone rates 2 or 3.
    await answer(await linkFor('pia@nhs.test'), (i) => (i === 0 ? 0 : 3), 'Listens well');
    await answer(await linkFor('pete@nhs.test'), (i) => (i === 0 ? 0 : 3));
    await answer(await linkFor('paz@nhs.test'), (i) => (i === 0 ? 4 : 2));
    const ids = await answer(await linkFor('lou@nhs.test'), (i) => (i === 0 ? 4 : i % 2 ? 3 : 2));
    await agent.get(round);
    expect((await agent.post(`${round}/close`)).statusCode).toBe(303);

    const { json, text } = await reportOf(agent, round);
    // The manager (a group of one) has no column of their own: merged into "Other raters".
    expect(json.columns).toEqual([
      { key: 'others', label: 'Other raters (line manager, peers combined)', responses: 4 },
    ]);
    expect(text).not.toMatch(/Line manager \(1\)/);
    const top = json.elements.find((e) => e.id === ids[0])!;
    // Two ratings (the manager's and one peer's): withheld everywhere, counted as 2 "not able to say".
    expect(top.raters).toBeNull();
    expect(top.byColumn).toEqual({ others: null });
    expect(top.notAbleToSay).toBe(2);
    expect(json.strengths).not.toContain(top.name);
    expect(json.gaps).not.toContain(top.name);
    expect(json.strengths).toHaveLength(3);
    // Nowhere does the top score (4) appear as a figure.
    for (const e of json.elements) expect(e.raters).not.toBe(4);
    const second = json.elements.find((e) => e.id === ids[1])!;
    expect(second.raters).toBe(2.75);
    expect(second.notAbleToSay).toBe(0);
    // The page shows the count under "Not able to say" and explains the rule.
    expect(text.slice(text.indexOf('By element'))).toContain(
      `${top.name} (${top.domain}) Not shown Not shown Not shown 2`,
    );
    expect(text).toContain('Every score needs at least 3 people who rated it');
    expect(text).toContain("'not able to say' are counted, not scored");
  });

  it('withholds a column that would let a withheld one be worked out from the all-raters figure', async () => {
    const { agent } = await signedInAgent(ctx, member('Q34'));
    const round = await startRound(agent);
    const raters = [
      ['Ada Peer', 'ada@nhs.test', 'peer'],
      ['Ben Peer', 'ben@nhs.test', 'peer'],
      ['Cy Peer', 'cy@nhs.test', 'peer'],
      ['Di Manager', 'di@nhs.test', 'line-manager'],
      ['Ed Other', 'ed@nhs.test', 'other'],
      ['Fi Other', 'fi@nhs.test', 'other'],
    ] as const;
    for (const [name, email, group] of raters) await invite(agent, round, name, email, group);
    // Element 0: the two others are not able to say, so "Other raters" would rest on the manager.
    await answer(await linkFor('ada@nhs.test'), () => 3);
    await answer(await linkFor('ben@nhs.test'), () => 3);
    await answer(await linkFor('cy@nhs.test'), () => 3);
    const ids = await answer(await linkFor('di@nhs.test'), (i) => (i === 0 ? 1 : 2));
    await answer(await linkFor('ed@nhs.test'), (i) => (i === 0 ? 0 : 4));
    await answer(await linkFor('fi@nhs.test'), (i) => (i === 0 ? 0 : 4));
    await agent.get(round);
    await agent.post(`${round}/close`);
    const { json } = await reportOf(agent, round);
    expect(json.columns.map((c) => [c.key, c.responses])).toEqual([
      ['peer', 3],
      ['others', 3],
    ]);
    const first = json.elements.find((e) => e.id === ids[0])!;
    // All raters (4 ratings) is shown; neither column is: peers' 3.00 and the total would give the
    // manager's 1.
    expect(first.raters).toBe(2.5);
    expect(first.byColumn).toEqual({ peer: null, others: null });
    expect(first.notAbleToSay).toBe(2);
    const other = json.elements.find((e) => e.id === ids[1])!;
    expect(other.byColumn).toEqual({ peer: 3, others: 3.33 });
  });

  it('rowFigures: a cell on fewer than 3 raters is withheld, and so is the column that would expose it', () => {
    const responses = [
      { id: 1, group: 'peer' as const },
      { id: 2, group: 'peer' as const },
      { id: 3, group: 'peer' as const },
      { id: 4, group: 'line-manager' as const },
      { id: 5, group: 'direct-report' as const },
      { id: 6, group: 'direct-report' as const },
      { id: 7, group: 'direct-report' as const },
    ];
    const columns = [
      { key: 'peer', groups: ['peer' as const] },
      { key: 'direct-report', groups: ['direct-report' as const] },
      { key: 'others', groups: ['line-manager' as const] },
    ];
    const rate = (ids: number[], rating: number) =>
      ids.map((responseId) => ({ responseId, elementId: 9, rating }));
    const f = rowFigures(
      [9],
      columns,
      responses,
      [...rate([1, 2, 3], 3), ...rate([4], 1), ...rate([5, 6, 7], 4)],
      3,
    );
    // The manager's cell is withheld; so is the smaller of the shown columns (a tie: the first).
    expect(f.byColumn.others).toBeNull();
    expect(Object.values(f.byColumn).filter((v) => v !== null)).toHaveLength(1);
    expect(f.raters).toBe(3.14);
    const few = rowFigures([9], columns, responses, rate([1, 4], 5), 3);
    expect(few).toMatchObject({
      raters: null,
      byColumn: { peer: null, 'direct-report': null, others: null },
    });
  });
});

describe('the 360 round’s closing date', () => {
  it('says when a round closed early, and gives the planned date when it closed as planned', async () => {
    const { agent } = await signedInAgent(ctx, member('Q35'));
    const round = await startRound(agent, 'Closed early');
    for (const [name, email] of [
      ['Gus', 'gus@nhs.test'],
      ['Hal', 'hal@nhs.test'],
      ['Ivy', 'ivy@nhs.test'],
    ])
      await invite(agent, round, name!, email!, 'peer');
    for (const email of ['gus@nhs.test', 'hal@nhs.test', 'ivy@nhs.test'])
      await answer(await linkFor(email), () => 3);
    await agent.get(round);
    await agent.post(`${round}/close`);
    const { json, text } = await reportOf(agent, round);
    const today = londonDate();
    expect(json).toMatchObject({ closesOn: `${nextYear}-03-01`, closedOn: today, closedEarly: true });
    const todayLong = new Date(`${today}T12:00:00Z`).toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    expect(text).toContain(
      `feedback closed early, on ${todayLong} (it was planned to close on 1 March ${nextYear})`,
    );
    expect(visibleText((await agent.get(round)).body)).toContain(
      `Closed early, on ${todayLong} (it was planned to close at the end of 1 March ${nextYear})`,
    );

    // A round that closed by its date: the planned date, not "early".
    const byDate = await startRound(agent, 'Closed by date');
    const byDateId = Number(byDate.split('/').pop());
    await ctx.db
      .updateTable('dev_feedback_rounds')
      .set({ closes_on: '2026-01-05' })
      .where('id', '=', byDateId)
      .execute();
    const later = await reportOf(agent, byDate);
    expect(later.json).toMatchObject({ closesOn: '2026-01-05', closedOn: '2026-01-05', closedEarly: false });
    expect(later.text).toContain('feedback closed 5 January 2026');
    expect(later.text).not.toContain('early');
    // Closed by the scheduled task the day after: still as planned.
    await ctx.db
      .updateTable('dev_feedback_rounds')
      .set({ closed_at: new Date('2026-01-06T02:00:00Z') })
      .where('id', '=', byDateId)
      .execute();
    expect((await reportOf(agent, byDate)).json).toMatchObject({
      closedOn: '2026-01-05',
      closedEarly: false,
    });
  });
});

describe('reminding raters now', () => {
  it('right after inviting says plainly that no reminder went and why, not as a success', async () => {
    const { agent } = await signedInAgent(ctx, member('Q36'));
    const round = await startRound(agent, 'Remind');
    const id = Number(round.split('/').pop());
    const reminders = () =>
      ctx.db
        .selectFrom('outbox')
        .select('id')
        .where('kind', '=', 'development.feedback.reminder')
        .where('to_address', 'in', ['jo@nhs.test', 'kit@nhs.test'])
        .execute();

    await agent.get(round);
    const none = await agent.post(`${round}/remind`);
    expect(none.statusCode).toBe(409);
    expect(visibleText(none.body)).toContain('No reminder was sent: you have not invited anyone yet.');

    await invite(agent, round, 'Jo', 'jo@nhs.test', 'peer');
    await invite(agent, round, 'Kit', 'kit@nhs.test', 'peer');
    await agent.get(round);
    const soon = await agent.post(`${round}/remind`);
    expect(soon.statusCode).toBe(409);
    const text = visibleText(soon.body);
    expect(text).toContain('There is a problem');
    expect(text).toContain(
      'No reminder was sent: 2 people who have not answered were invited or reminded less than a day ago. You can remind people once a day.',
    );
    expect(text).not.toContain('Success');
    expect(String(soon.headers['set-cookie'] ?? '')).not.toContain('cln_flash');
    expect(await reminders()).toHaveLength(0);

    // A day later the reminder goes, with a success banner.
    await ctx.db
      .updateTable('dev_raters')
      .set({ invited_at: new Date(Date.now() - 2 * 86_400_000) })
      .where('round_id', '=', id)
      .execute();
    await agent.get(round);
    const sent = await agent.post(`${round}/remind`);
    expect(sent.statusCode).toBe(303);
    expect(visibleText((await agent.get(round)).body)).toContain('We have sent 2 reminders');
    expect(await reminders()).toHaveLength(2);

    // Everyone answered: said so.
    for (const email of ['jo@nhs.test', 'kit@nhs.test']) await answer(await linkFor(email), () => 3);
    await agent.get(round);
    const done = await agent.post(`${round}/remind`);
    expect(done.statusCode).toBe(409);
    expect(visibleText(done.body)).toContain('No reminder was sent: everyone you invited has answered.');
  });
});
