import { sql } from 'kysely';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  followRefresh,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { formationForm } from '../../../test/journeys/support.ts';
import { createMemberProfile } from '../members/index.ts';
import { summariseSessionReturns } from './index.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const PROFESSIONS = ['doctor', 'nurse', 'pharmacist', 'midwife', 'allied-health-professional'];

/** A cohort of `n` active members in a region's first intake, spread over a few trusts. */
async function cohort(region: string, n: number) {
  const intake = await ctx.db
    .selectFrom('intakes')
    .select(['id', 'name'])
    .where('region_code', '=', region)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const trusts = await ctx.db
    .selectFrom('organisations')
    .select('id')
    .where('kind', '=', 'trust')
    .where('sha_code', '=', region)
    .orderBy('id')
    .limit(4)
    .execute();
  const members = [];
  for (let i = 0; i < n; i++) {
    const user = await createUser(ctx, [{ role: 'member', regionCode: region }], {
      name: `Member ${region} ${String(i).padStart(2, '0')}`,
    });
    await ctx.db.transaction().execute((trx) =>
      createMemberProfile(
        trx,
        {
          userId: user.id,
          regionCode: region,
          intakeId: intake.id,
          profession: PROFESSIONS[i % PROFESSIONS.length]!,
          registrationNumber: null,
          organisationId: trusts[i % trusts.length]?.id ?? null,
          jobTitle: i % 3 === 0 ? 'Consultant' : 'Staff nurse',
        },
        'system',
      ),
    );
    members.push(user);
  }
  return { intake, members };
}

async function facilitator(region: string, lead: Agent, maxSets = 3) {
  const user = await createUser(ctx, [{ role: 'facilitator', regionCode: region }]);
  const res = await lead.post(`/learning-sets/regions/${region}/facilitators`, {
    email: user.email,
    maxSets: String(maxSets),
    isLead: 'yes',
  });
  expect(res.statusCode).toBe(303);
  const agent = new Agent(ctx.app);
  await agent.signIn(user.email);
  return { user, agent };
}

/** The formation form's choices these tests make; the rest are the shared defaults. */
const FORM = { minSize: '6', sizing: 'equal', separateOrganisations: 'yes' };

describe('forming, publishing and running sets', () => {
  let lead: Agent;
  let intakeId: number;
  let members: { id: number; email: string; name: string }[];
  let fac: { user: { id: number; email: string }; agent: Agent };
  let setIds: number[] = [];

  beforeAll(async () => {
    lead = (await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q35' }])).agent;
    const c = await cohort('Q35', 14);
    intakeId = c.intake.id;
    members = c.members;
  });

  it('explains infeasible requests instead of forming sets', async () => {
    await lead.get('/learning-sets/regions/Q35/form');
    let res = await lead.post('/learning-sets/regions/Q35/form', formationForm(intakeId, FORM));
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain("the region's facilitators can take only 0 more");

    fac = await facilitator('Q35', lead);
    res = await lead.post('/learning-sets/regions/Q35/form', {
      ...formationForm(intakeId, FORM),
      minSize: '8',
      maxSize: '9',
    });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('14 members cannot be split into sets of 8 to 9');

    res = await lead.post('/learning-sets/regions/Q35/form', {
      ...formationForm(intakeId, FORM),
      keepApart: `${members[0]!.name}; ${members[1]!.name}`,
      keepTogether: `${members[0]!.email}; ${members[1]!.email}`,
    });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain(
      'must be kept apart, but the keep-together pairs put them in the same set',
    );

    res = await lead.post('/learning-sets/regions/Q35/form', {
      ...formationForm(intakeId, FORM),
      keepApart: 'Nobody Here; Someone Else',
    });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('"nobody here" is not an active member of this cohort');

    res = await lead.post('/learning-sets/regions/Q35/form', {
      ...formationForm(intakeId, FORM),
      maxSize: '11',
      weightProfession: 'x',
    });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Sets can have at most 10 members');
    expect(await ctx.db.selectFrom('ls_formations').select('id').execute()).toHaveLength(0);
  });

  it('forms sets with scores, moves and swaps by hand, and publishes with emails', async () => {
    const started = await lead.post('/learning-sets/regions/Q35/form', {
      ...formationForm(intakeId, FORM),
      keepApart: `${members[2]!.name}; ${members[3]!.name}`,
    });
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toMatch(/^\/learning-sets\/formation-jobs\/\d+$/);
    const res = await followRefresh(lead, started.headers.location as string);
    expect(res.statusCode).toBe(303);
    const url = res.headers.location as string;
    const page = await lead.get(url);
    const text = visibleText(page.body);
    expect(text).toContain('Draft sets for');
    expect(text).toContain('diversity score');
    expect(text).toContain('What makes it diverse');
    const rows = await ctx.db.selectFrom('ls_set_members').selectAll().execute();
    expect(rows).toHaveLength(14);
    const bySet = new Map<number, number[]>();
    for (const r of rows) bySet.set(r.set_id, [...(bySet.get(r.set_id) ?? []), r.user_id]);
    setIds = [...bySet.keys()].sort((a, b) => a - b);
    expect(setIds).toHaveLength(2);
    expect([...bySet.values()].map((v) => v.length)).toEqual([7, 7]);
    const setOf = (u: number) => rows.find((r) => r.user_id === u)!.set_id;
    expect(setOf(members[2]!.id)).not.toBe(setOf(members[3]!.id));

    const formationId = Number(url.split('/').pop());
    // A move would break the equal-size bounds: refused with a reason.
    const move = await lead.post(`/learning-sets/formations/${formationId}/move`, {
      userId: String(members[0]!.id),
      setId: String(setIds.find((s) => s !== setOf(members[0]!.id))),
    });
    expect(move.statusCode).toBe(400);
    expect(visibleText(move.body)).toMatch(/would have (6|8) members/);
    // A swap that breaks keep-apart is refused; a good swap is saved and re-scored.
    const a = members[2]!.id;
    const sameAsThree = rows.find(
      (r) => r.set_id === setOf(members[3]!.id) && r.user_id !== members[3]!.id,
    )!.user_id;
    const bad = await lead.post(`/learning-sets/formations/${formationId}/swap`, {
      userId: String(a),
      otherUserId: String(sameAsThree),
    });
    expect(bad.statusCode).toBe(400);
    expect(visibleText(bad.body)).toContain('must be kept apart');
    const keepApart = [members[2]!.id, members[3]!.id];
    const x = rows.find((r) => !keepApart.includes(r.user_id))!.user_id;
    const y = rows.find((r) => r.set_id !== setOf(x) && !keepApart.includes(r.user_id))!.user_id;
    const good = await lead.post(`/learning-sets/formations/${formationId}/swap`, {
      userId: String(x),
      otherUserId: String(y),
    });
    expect(good.statusCode).toBe(303);
    const after = await ctx.db
      .selectFrom('ls_set_members')
      .select(['user_id', 'set_id'])
      .where('user_id', '=', x)
      .executeTakeFirstOrThrow();
    expect(after.set_id).toBe(setOf(y));
    expect(visibleText((await lead.get(url)).body)).toContain('Swapped');

    // Members see nothing before publishing.
    const member = new Agent(ctx.app);
    await member.signIn(members[0]!.email);
    expect((await member.get(`/learning-sets/sets/${setIds[0]}`)).statusCode).toBe(404);

    const publish = await lead.post(`/learning-sets/formations/${formationId}/publish`);
    expect(publish.statusCode).toBe(303);
    const mail = await ctx.db
      .selectFrom('outbox')
      .select('to_address')
      .where('kind', '=', 'learning-sets.published')
      .execute();
    expect(mail.map((m) => m.to_address)).toEqual(
      expect.arrayContaining([members[0]!.email, fac.user.email]),
    );
    expect((await lead.post(`/learning-sets/formations/${formationId}/publish`)).statusCode).toBe(409);

    const hub = visibleText((await member.get('/learning-sets')).body);
    expect(hub).toContain('Your sets');
    // The region page counts the facilitator's published sets against their capacity.
    const region = visibleText((await lead.get('/learning-sets/regions/Q35')).body);
    const { name } = await ctx.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', fac.user.id)
      .executeTakeFirstOrThrow();
    expect(region).toContain(`${name} (lead facilitator)`);
    expect(region).toContain('2 of 3');
  });

  it('runs sessions: attendance, actions, review, private notes, return; scopes every read', async () => {
    const memberSet = (
      await ctx.db
        .selectFrom('ls_set_members')
        .select('set_id')
        .where('user_id', '=', members[0]!.id)
        .executeTakeFirstOrThrow()
    ).set_id;
    const otherSet = setIds.find((s) => s !== memberSet)!;
    const past = new Date(Date.now() - 7 * 86400000).toISOString().slice(0, 10);
    await fac.agent.get(`/learning-sets/sets/${memberSet}`);
    const bad = await fac.agent.post(`/learning-sets/sets/${memberSet}/sessions`, {
      date: '2027-02-30',
      startTime: '25:00',
      durationMinutes: '180',
      location: '',
      onlineUrl: 'http://x',
    });
    expect(bad.statusCode).toBe(400);
    const badText = visibleText(bad.body);
    expect(badText).toContain('Enter a real date');
    expect(badText).toContain('Enter a start time like 14:30');
    const created = await fac.agent.post(`/learning-sets/sets/${memberSet}/sessions`, {
      date: past,
      startTime: '13:30',
      durationMinutes: '180',
      location: 'Education Centre',
      onlineUrl: '',
    });
    expect(created.statusCode).toBe(303);
    const sessionUrl = created.headers.location as string;
    const sessionId = Number(sessionUrl.split('/').pop());
    const setMembers = (
      await ctx.db.selectFrom('ls_set_members').select('user_id').where('set_id', '=', memberSet).execute()
    ).map((r) => r.user_id);

    const form: Record<string, string> = {};
    for (const [i, u] of setMembers.entries()) {
      form[`status-${u}`] = i === 0 ? 'apologies' : 'present';
      if (i === 1) form[`presented-${u}`] = 'yes';
    }
    expect((await fac.agent.post(`${sessionUrl}/attendance`, form)).statusCode).toBe(303);
    const action = await fac.agent.post(`${sessionUrl}/actions`, {
      ownerUserId: String(members[0]!.id),
      description: 'Meet the discharge team',
      dueOn: '2099-01-01',
    });
    expect(action.statusCode).toBe(303);
    expect(
      (await fac.agent.post(`${sessionUrl}/notes`, { body: 'Private observation about the set' })).statusCode,
    ).toBe(303);
    expect((await fac.agent.post(`${sessionUrl}/return`, { themes: 'Discharge and flow' })).statusCode).toBe(
      303,
    );

    // The facilitator's page: their own note, the return, and the presenter rotation (whoever has
    // not presented comes first).
    const facPage = visibleText((await fac.agent.get(sessionUrl)).body);
    expect(facPage).toContain('Private observation about the set');
    expect(facPage).toContain(`${setMembers.length - 1} of ${setMembers.length} present`);
    const presenter = members.find((m) => m.id === setMembers[1])!.name;
    const presented = new RegExp(`${presenter}: presented 1 time, last on \\d+ \\w+ \\d{4}`).exec(facPage);
    expect(presented).not.toBeNull();
    expect(facPage.match(/: not yet presented/g)).toHaveLength(setMembers.length - 1);
    expect(facPage.lastIndexOf(': not yet presented')).toBeLessThan(presented!.index);

    // The member sees the session and actions, never the notes.
    const member = new Agent(ctx.app);
    await member.signIn(members[0]!.email);
    const seen = visibleText((await member.get(sessionUrl)).body);
    expect(seen).toContain('Meet the discharge team');
    expect(seen).not.toContain('Private observation');
    const api = await member.api('GET', `/api/v1/learning-sets/${memberSet}/actions`);
    expect(api.statusCode).toBe(200);
    expect(api.json().actions[0].description).toBe('Meet the discharge team');

    // A member of the other set cannot read this set's actions or session.
    const outsider = new Agent(ctx.app);
    const outsiderId = (
      await ctx.db
        .selectFrom('ls_set_members')
        .select('user_id')
        .where('set_id', '=', otherSet)
        .executeTakeFirstOrThrow()
    ).user_id;
    await outsider.signIn(members.find((m) => m.id === outsiderId)!.email);
    expect((await outsider.api('GET', `/api/v1/learning-sets/${memberSet}/actions`)).statusCode).toBe(404);
    expect((await outsider.get(sessionUrl)).statusCode).toBe(404);
    expect((await outsider.get(`/learning-sets/sets/${memberSet}`)).statusCode).toBe(404);

    // Notes: not even the lead or the national team.
    const national = (await signedInAgent(ctx, [{ role: 'national', regionCode: null }])).agent;
    expect(visibleText((await national.get(sessionUrl)).body)).not.toContain('Private observation');
    expect(visibleText((await lead.get(sessionUrl)).body)).not.toContain('Private observation');
    expect((await lead.post(`${sessionUrl}/notes`, { body: 'x' })).statusCode).toBe(403);

    // Another region's staff get nothing.
    const otherLead = (await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q36' }])).agent;
    expect((await otherLead.get(`/learning-sets/sets/${memberSet}`)).statusCode).toBe(404);
    expect((await otherLead.get('/learning-sets/regions/Q35')).statusCode).toBe(403);
    const otherFac = (await signedInAgent(ctx, [{ role: 'facilitator', regionCode: 'Q36' }])).agent;
    expect((await otherFac.get(sessionUrl)).statusCode).toBe(404);
    expect(
      (await otherFac.api('PUT', `/api/v1/learning-sets/sessions/${sessionId}/attendance`, { entries: [] }))
        .statusCode,
    ).toBe(404);

    // The return feeds the dashboards without names.
    const summary = await summariseSessionReturns(ctx.db, 'Q35');
    expect(summary.returns).toBe(1);
    expect(summary.sets).toBe(1);
    expect((await summariseSessionReturns(ctx.db, 'all')).byRegion).toEqual([
      { regionCode: 'Q35', returns: 1, attendanceRate: summary.attendanceRate },
    ]);
    expect(summary.present).toBe(setMembers.length - 1);
    // A rate is shown only on five or more attendances or actions: this set's attendances are
    // enough, its one reviewed action is not.
    expect(setMembers.length).toBeGreaterThanOrEqual(5);
    expect(summary.attendanceRate).toBeCloseTo((setMembers.length - 1) / setMembers.length);
    expect(summary.actionsReviewed).toBeLessThan(5);
    expect(summary.actionCompletionRate).toBeNull();
    expect(JSON.stringify(summary)).not.toContain(members[0]!.name);
    expect((await summariseSessionReturns(ctx.db, 'Q36')).returns).toBe(0);

    // The totals kept by triggers match the returns after updates and deletes too.
    const totalsMatch = async () => {
      const direct = await sql<{ region_code: string; sets: number; returns: number; present: number }>`
        select region_code, count(distinct set_id)::int as sets, count(*)::int as returns,
          sum(present_count)::int as present from ls_session_returns group by region_code order by region_code`.execute(
        ctx.db,
      );
      const kept = await ctx.db
        .selectFrom('ls_region_return_totals')
        .select(['region_code', 'sets', 'returns', 'present'])
        .where('returns', '>', 0)
        .orderBy('region_code')
        .execute();
      expect(kept).toEqual(direct.rows);
    };
    await totalsMatch();
    const returned = await ctx.db.selectFrom('ls_session_returns').selectAll().execute();
    await ctx.db.updateTable('ls_session_returns').set({ present_count: 1 }).execute();
    await totalsMatch();
    await ctx.db.deleteFrom('ls_session_returns').execute();
    await totalsMatch();
    expect((await summariseSessionReturns(ctx.db, 'Q35')).sets).toBe(0);
    await ctx.db.insertInto('ls_session_returns').values(returned).execute();
    await totalsMatch();
    expect((await summariseSessionReturns(ctx.db, 'Q35')).sets).toBe(1);

    // Set health on the set page.
    const setPage = visibleText((await member.get(`/learning-sets/sets/${memberSet}`)).body);
    expect(setPage).toContain('Attendance by session');
    expect(setPage).toContain(`${setMembers.length - 1} of ${setMembers.length}`);
    expect(setPage).toContain('Actions: 1 agreed, 0 reviewed, 0 done.');

    // API: bad input is a 400, unknown fields too.
    const apiBad = await fac.agent.api('POST', `/api/v1/learning-sets/sessions/${sessionId}/actions`, {
      ownerUserId: members[0]!.id,
      description: '',
      dueOn: 'soon',
      extra: 1,
    });
    expect(apiBad.statusCode).toBe(400);

    // Review at a later session.
    const later = await fac.agent.post(`/learning-sets/sets/${memberSet}/sessions`, {
      date: new Date(Date.now() - 86400000).toISOString().slice(0, 10),
      startTime: '13:30',
      durationMinutes: '120',
      location: '',
      onlineUrl: 'https://meet.example/x',
    });
    const laterId = Number((later.headers.location as string).split('/').pop());
    const actionId = (await ctx.db.selectFrom('ls_actions').select('id').executeTakeFirstOrThrow()).id;
    const review = await fac.agent.api('POST', `/api/v1/learning-sets/actions/${actionId}/review`, {
      sessionId: laterId,
      status: 'carried-over',
    });
    expect(review.statusCode).toBe(204);
    const actions = await ctx.db
      .selectFrom('ls_actions')
      .select(['status', 'session_id'])
      .orderBy('id')
      .execute();
    expect(actions).toEqual([
      { status: 'carried-over', session_id: sessionId },
      { status: 'open', session_id: laterId },
    ]);
  });

  it('serves a revocable per-user ICS feed that a real parser reads', async () => {
    const member = new Agent(ctx.app);
    await member.signIn(members[0]!.email);
    await member.get('/learning-sets/calendar');
    const made = await member.post('/learning-sets/calendar');
    expect(made.statusCode).toBe(200);
    const url = /http:\/\/cln\.test(\/calendar\/[A-Za-z0-9_-]+\.ics)/.exec(made.body)![1]!;
    const feed = await ctx.app.inject({ method: 'GET', url });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toContain('text/calendar');
    const component = new ICAL.Component(ICAL.parse(feed.body));
    const events = component.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
    expect(events).toHaveLength(2);
    expect(events[0]!.summary).toContain('Action learning set');
    expect(events[0]!.location).toBe('Education Centre');
    expect(events[0]!.startDate.toJSDate().getTime()).toBeLessThan(events[0]!.endDate.toJSDate().getTime());
    const stored = await ctx.db.selectFrom('ls_calendar_feeds').select('token_hash').execute();
    expect(stored.some((s) => url.includes(s.token_hash))).toBe(false);

    // The facilitator's feed holds their sets' sessions too.
    await fac.agent.get('/learning-sets/calendar');
    const facMade = await fac.agent.post('/learning-sets/calendar');
    const facUrl = /http:\/\/cln\.test(\/calendar\/[A-Za-z0-9_-]+\.ics)/.exec(facMade.body)![1]!;
    const facFeed = await ctx.app.inject({ method: 'GET', url: facUrl });
    expect(
      new ICAL.Component(ICAL.parse(facFeed.body)).getAllSubcomponents('vevent').length,
    ).toBeGreaterThanOrEqual(2);

    expect((await member.post('/learning-sets/calendar/revoke')).statusCode).toBe(303);
    expect((await ctx.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: '/calendar/nonsense.ics' })).statusCode).toBe(404);
  });
});
