import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  followRefresh,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { ConflictError } from '../../platform/errors.ts';
import type { Actor, RoleGrant } from '../../platform/permissions.ts';
import { createMemberProfile } from '../members/index.ts';
import { createMentoringService, type MentoringService } from './mentoring.service.ts';

// A matching run scores and solves with no transaction open, then writes in a short transaction
// that re-checks every proposed pair. The afterSolve parameter runs between the two: the changes
// made there go through the service and `db` (they would wait forever on the embedded database's
// one connection if the run still held a transaction while solving).

let ctx: TestContext;
let mentoring: MentoringService;
let national: Actor;
beforeAll(async () => {
  ctx = await buildTestApp();
  mentoring = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test' });
  national = await actor([{ role: 'national', regionCode: null }], 'Nia National');
});
afterAll(async () => {
  await ctx?.close();
});

async function actor(roles: RoleGrant[], name?: string): Promise<Actor> {
  const u = await createUser(ctx, roles, { name });
  return { userId: u.id, name: u.name, email: u.email, roles, ip: null, requestId: null };
}

async function person(region: string, mentor = false): Promise<Actor> {
  const roles: RoleGrant[] = [{ role: 'member', regionCode: region }];
  if (mentor) roles.push({ role: 'mentor', regionCode: region });
  const a = await actor(roles);
  await ctx.db
    .transaction()
    .execute((trx) =>
      createMemberProfile(trx, { userId: a.userId, regionCode: region, profession: 'nurse' }, 'system'),
    );
  return a;
}

const offer = (a: Actor, capacity: number) =>
  mentoring.saveOffer(a, {
    capacity,
    areas: ['management'],
    format: 'either',
    menteeProfessions: [],
    notes: null,
  });
const ask = (a: Actor) =>
  mentoring.saveRequest(a, {
    goals: 'Lead a service change',
    goalAreas: ['management'],
    format: 'either',
    mentorProfessions: [],
    sameRegion: false,
    planGoals: [],
  });

async function scope(region: string, mentors: number[], mentees: number) {
  const ms = [];
  for (const capacity of mentors) {
    const m = await person(region, true);
    await offer(m, capacity);
    ms.push(m);
  }
  const es = [];
  for (let i = 0; i < mentees; i++) {
    const e = await person(region);
    await ask(e);
    es.push(e);
  }
  return { mentors: ms, mentees: es };
}

const runsOf = (region: string) =>
  ctx.db.selectFrom('mentoring_runs').selectAll().where('region_code', '=', region).execute();

describe('concurrent runs for one scope', () => {
  it('through the service: one run, and a 409 naming it for the other', async () => {
    await scope('Q30', [1], 2);
    const lead = await actor([{ role: 'regional-lead', regionCode: 'Q30' }], 'Lou Lead');
    const results = await Promise.allSettled([
      mentoring.createRun(lead, 'Q30'),
      mentoring.createRun(national, 'Q30'),
    ]);
    const made = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<number>[];
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(made).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(ConflictError);
    expect((refused[0]!.reason as Error).message).toMatch(
      new RegExp(
        `A matching run for region Q30 was started by (Lou Lead|Nia National) at \\d\\d:\\d\\d on .* and is still a draft: open it \\(/mentoring/runs/${made[0]!.value}\\)`,
      ),
    );
    const runs = await runsOf('Q30');
    expect(runs.map((r) => r.id)).toEqual([made[0]!.value]);
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'mentoring.run.create')
      .execute();
    expect(audits.filter((a) => Number(a.entity_id) === made[0]!.value)).toHaveLength(1);
    // Once decided, the scope can be run again.
    await mentoring.discardRun(lead, made[0]!.value);
    await expect(mentoring.createRun(lead, 'Q30')).resolves.toBeTypeOf('number');
  });

  it('through the pages: one 303 to the run’s job, one 409 page naming who started it', async () => {
    await scope('Q31', [1], 1);
    const agents = [];
    for (let i = 0; i < 2; i++) {
      const u = await createUser(ctx, [{ role: 'national', regionCode: null }]);
      const a = new Agent(ctx.app);
      await a.signIn(u.email);
      await a.get('/mentoring/admin');
      agents.push(a);
    }
    const responses = await Promise.all(agents.map((a) => a.post('/mentoring/runs', { regionCode: 'Q31' })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    const refused = visibleText(responses.find((r) => r.statusCode === 409)!.body);
    expect(refused).toContain('There is a problem');
    // The second sees the first still computing, or (if it has finished) the draft it wrote.
    expect(refused).toMatch(
      /A matching run for region Q31 was started by .* and is still (being computed|a draft)/,
    );
    const started = responses.find((r) => r.statusCode === 303)!;
    expect(started.headers.location).toMatch(/^\/mentoring\/matching-jobs\/\d+$/);
    const done = await followRefresh(agents[responses.indexOf(started)]!, started.headers.location as string);
    expect(done.headers.location).toMatch(/^\/mentoring\/runs\/\d+$/);
    expect(await runsOf('Q31')).toHaveLength(1);
  });
});

describe('the write re-checks what the solve read', () => {
  it('drops the pair of a request withdrawn between solve and write', async () => {
    const { mentees } = await scope('Q32', [2], 2);
    const id = await mentoring.createRun(national, 'Q32', {
      afterSolve: () => mentoring.withdrawRequest(mentees[0]!),
    });
    const run = await mentoring.getRun(national, id);
    expect(run.pairs.map((p) => p.mentee.userId)).toEqual([mentees[1]!.userId]);
    expect(run.mentees).toBe(1);
    expect(run.matched).toBe(1);
    expect(run.unmatched).toEqual([]);
  });

  it('drops the pair beyond a capacity lowered between solve and write, saying why', async () => {
    const { mentors, mentees } = await scope('Q33', [2], 2);
    const id = await mentoring.createRun(national, 'Q33', { afterSolve: () => offer(mentors[0]!, 1) });
    const run = await mentoring.getRun(national, id);
    expect(run.matched).toBe(1);
    expect(run.pairs).toHaveLength(1);
    expect(run.unmatched).toHaveLength(1);
    expect(mentees.map((m) => m.userId)).toContain(run.pairs[0]!.mentee.userId);
    expect(run.unmatched[0]!.reason).toBe(
      'Proposed with a mentor, but the mentor has no free place left since the run was computed; run it again to match this mentee',
    );
    // The mentor's active mentees never exceed the capacity when the run is approved.
    await mentoring.approveRun(national, id);
    const active = await ctx.db
      .selectFrom('mentoring_relationships')
      .select('id')
      .where('mentor_user_id', '=', mentors[0]!.userId)
      .where('status', '=', 'active')
      .execute();
    expect(active).toHaveLength(1);
  });

  it('drops a pair when a conflict is declared or the offer paused meanwhile', async () => {
    const { mentors, mentees } = await scope('Q35', [1, 1], 2);
    const id = await mentoring.createRun(national, 'Q35', {
      afterSolve: async () => {
        await mentoring.declareConflict(mentees[0]!, { email: mentors[0]!.email, kind: 'conflict' });
        await mentoring.declareConflict(mentees[0]!, { email: mentors[1]!.email, kind: 'line-management' });
        await offer(mentors[1]!, 0);
      },
    });
    const run = await mentoring.getRun(national, id);
    expect(run.matched).toBe(0);
    expect(run.unmatched.map((u) => u.reason).sort()).toEqual([
      expect.stringContaining('a conflict of interest has been declared between them'),
      expect.stringContaining('the mentor has withdrawn or paused their offer'),
    ]);
  });

  it('refuses to save a rerun when the pins changed while it was computed', async () => {
    const { mentors, mentees } = await scope('Q36', [1, 1], 1);
    const id = await mentoring.createRun(national, 'Q36');
    const request = (await mentoring.runCandidates(national, id)).mentees[0]!.requestId;
    const before = await mentoring.getRun(national, id);
    const err = await mentoring
      .rerun(national, id, {
        afterSolve: () =>
          mentoring.adjustRun(national, id, {
            requestId: request,
            mentorUserId: mentors[1]!.userId,
            kind: 'pin',
          }),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toContain('were changed while it was being computed');
    // The pin and its own computation stand; the stale rerun wrote nothing.
    const after = await mentoring.getRun(national, id);
    expect(after.pairs.map((p) => [p.mentee.userId, p.mentor.userId, p.pinned])).toEqual([
      [mentees[0]!.userId, mentors[1]!.userId, true],
    ]);
    expect(before.pairs).toHaveLength(1);
  });

  it('approval re-checks too: a paused offer refuses it, two overlapping runs approved at once match once', async () => {
    const { mentors, mentees } = await scope('Q37', [1], 1);
    const id = await mentoring.createRun(national, 'Q37');
    await offer(mentors[0]!, 0);
    await expect(mentoring.approveRun(national, id)).rejects.toThrow(
      /Things have changed since this run was computed \(.*: the mentor has withdrawn or paused their offer\)/,
    );
    await offer(mentors[0]!, 1);
    await mentoring.discardRun(national, id);

    // A regional and a national run both propose the same pair; approving both at once gives one pair.
    // Only this pair is open anywhere, so the national run proposes it too.
    await ctx.db
      .updateTable('mentoring_offers')
      .set({ capacity: 0 })
      .where('user_id', '!=', mentors[0]!.userId)
      .execute();
    await ctx.db
      .updateTable('mentoring_requests')
      .set({ status: 'withdrawn' })
      .where('status', '=', 'waiting')
      .where('user_id', '!=', mentees[0]!.userId)
      .execute();
    const regional = await mentoring.createRun(national, 'Q37');
    const whole = await mentoring.createRun(national, null);
    const wholeRun = await mentoring.getRun(national, whole);
    expect(wholeRun.pairs.some((p) => p.mentee.userId === mentees[0]!.userId)).toBe(true);
    const results = await Promise.allSettled([
      mentoring.approveRun(national, regional),
      mentoring.approveRun(national, whole),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    const pairs = await ctx.db
      .selectFrom('mentoring_relationships')
      .select('mentor_user_id')
      .where('mentee_user_id', '=', mentees[0]!.userId)
      .execute();
    expect(pairs).toEqual([{ mentor_user_id: mentors[0]!.userId }]);
  });
});

describe('writes on one pair or request at the same moment', () => {
  it('a decline and a logged meeting at once: exactly one passes', async () => {
    const { mentors, mentees } = await scope('Q38', [1], 1);
    const id = await mentoring.createRun(national, 'Q38');
    await mentoring.approveRun(national, id);
    const pair = (await mentoring.listMyPairs(mentees[0]!))[0]!;
    const today = new Date().toISOString().slice(0, 10);
    const results = await Promise.allSettled([
      mentoring.declinePair(mentors[0]!, pair.id),
      mentoring.logMeeting(mentees[0]!, pair.id, { metOn: today, format: 'online', notes: null }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Error,
    ).toBeInstanceOf(ConflictError);
    const state = await mentoring.getPair(mentees[0]!, pair.id);
    // Declined with no meeting, or active with one meeting: never declined after meeting.
    if (state.status === 'declined') expect(state.meetings).toHaveLength(0);
    else expect(state.meetings).toHaveLength(1);
  });

  it('a request submitted twice at once makes one request and a clear 409, not a 500', async () => {
    const member = await person('Q39');
    const results = await Promise.allSettled([ask(member), ask(member)]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const r of results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[])
      expect(r.reason).toBeInstanceOf(ConflictError);
    const open = await ctx.db
      .selectFrom('mentoring_requests')
      .select('id')
      .where('user_id', '=', member.userId)
      .execute();
    expect(open).toHaveLength(1);
  });
});
