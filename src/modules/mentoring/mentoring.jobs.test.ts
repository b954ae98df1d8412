import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Agent,
  buildTestApp,
  followRefresh,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { createEngineJobs } from '../../platform/engine-jobs.ts';
import type { Actor, RoleGrant } from '../../platform/permissions.ts';
import { createWorkerPool, type RunOptions, type WorkerPool } from '../../platform/workers.ts';
import { createMemberProfile } from '../members/index.ts';
import { createMentoringService } from './mentoring.service.ts';

// A matching run is a job: the lead watches a progress page (or polls the API), may cancel, and
// lands on the run. Only those who may run matching in the region see or cancel the job. The exact
// solve takes milliseconds here, so to look at a job while it runs the tests start one through a
// service whose pool holds the solve until released (or cancelled); the app's pages and API read
// and cancel that job through the database, as another process's would be.
let ctx: TestContext;
const realPool = createWorkerPool({ maxThreads: 1 });
let release: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  release = resolve;
});
const heldPool: WorkerPool = {
  threads: 1,
  async run<P, R, Progress>(entry: URL, payload: P, options: RunOptions<Progress> = {}): Promise<R> {
    await new Promise<void>((resolve, reject) => {
      void gate.then(resolve);
      options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
    });
    return realPool.run<P, R, Progress>(entry, payload, options);
  },
  close: () => realPool.close(),
};
const heldJobs = () => createEngineJobs({ db: ctx.db, heartbeatMs: 50 });

/** Waits until a held job has written that it is solving (a fixed sleep is too short on a busy machine). */
async function untilSolving(jobId: number) {
  const until = Date.now() + 30_000;
  for (;;) {
    const row = await ctx.db
      .selectFrom('engine_jobs')
      .select('progress')
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    if ((row.progress as { stage?: string } | null)?.stage === 'solving') return;
    if (Date.now() > until) throw new Error(`job ${jobId} did not reach the solving stage`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  release();
  await ctx?.close();
  await realPool.close();
});

async function user(roles: RoleGrant[]): Promise<{ agent: Agent; actor: Actor }> {
  const { agent, user: u } = await signedInAgent(ctx, roles);
  return { agent, actor: { userId: u.id, name: u.name, email: u.email, roles, ip: null, requestId: null } };
}

async function scope(region: string) {
  const service = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test' });
  const mentor = await user([
    { role: 'member', regionCode: region },
    { role: 'mentor', regionCode: region },
  ]);
  const mentee = await user([{ role: 'member', regionCode: region }]);
  for (const p of [mentor, mentee])
    await ctx.db
      .transaction()
      .execute((trx) =>
        createMemberProfile(
          trx,
          { userId: p.actor.userId, regionCode: region, profession: 'nurse' },
          'system',
        ),
      );
  await service.saveOffer(mentor.actor, {
    capacity: 1,
    areas: ['management'],
    format: 'either',
    menteeProfessions: [],
    notes: null,
  });
  await service.saveRequest(mentee.actor, {
    goals: 'Lead a service change',
    goalAreas: ['management'],
    format: 'either',
    mentorProfessions: [],
    sameRegion: false,
    planGoals: [],
  });
  return { mentor, mentee };
}

const runsOf = (region: string) =>
  ctx.db.selectFrom('mentoring_runs').select('id').where('region_code', '=', region).execute();

describe('matching mentors as a job', () => {
  it('shows progress that refreshes, refuses other regions and members, and cancels with nothing saved', async () => {
    const region = 'Q32';
    const { mentee } = await scope(region);
    const lead = await user([{ role: 'regional-lead', regionCode: region }]);
    const otherLead = await user([{ role: 'regional-lead', regionCode: 'Q33' }]);
    const jobs = heldJobs();
    const held = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool: heldPool, jobs });
    const jobId = await held.startRun(lead.actor, region);
    const jobUrl = `/mentoring/matching-jobs/${jobId}`;
    await untilSolving(jobId); // a heartbeat or two: the progress is written

    const page = await lead.agent.get(jobUrl);
    expect(page.statusCode).toBe(200);
    expect(page.headers.refresh).toBe('1');
    const text = visibleText(page.body);
    expect(text).toContain('Matching mentors…');
    expect(text).toContain('Step 2 of 3');
    expect(text).toContain('1 mentee, 1 mentor');
    expect(text).toContain('Stop checking automatically');
    const still = await lead.agent.get(`${jobUrl}?refresh=off`);
    expect(still.headers.refresh).toBeUndefined();
    expect(visibleText(still.body)).toContain('Check progress again');

    const api = await lead.agent.api('GET', `/api/v1/mentoring/matching-jobs/${jobId}`);
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({
      status: 'running',
      regionCode: region,
      progress: { stage: 'solving' },
    });

    // One run at a time for a scope: a second start is refused, naming who started the first.
    await lead.agent.get('/mentoring/admin');
    const second = await lead.agent.post('/mentoring/runs', { regionCode: region });
    expect(second.statusCode).toBe(409);
    expect(visibleText(second.body)).toContain(
      `A matching run for region ${region} was started by ${lead.actor.name}`,
    );
    expect(visibleText(second.body)).toContain('is still being computed');
    const secondApi = await lead.agent.api('POST', '/api/v1/mentoring/runs', { regionCode: region });
    expect(secondApi.statusCode).toBe(409);

    // A lead of another region is told there is no such job; a member may not reach the pages at all.
    await otherLead.agent.get('/mentoring/admin');
    expect((await otherLead.agent.get(jobUrl)).statusCode).toBe(404);
    expect((await otherLead.agent.post(`${jobUrl}/cancel`)).statusCode).toBe(404);
    expect((await otherLead.agent.api('GET', `/api/v1/mentoring/matching-jobs/${jobId}`)).statusCode).toBe(
      404,
    );
    expect(
      (await otherLead.agent.api('POST', `/api/v1/mentoring/matching-jobs/${jobId}/cancel`)).statusCode,
    ).toBe(404);
    await mentee.agent.get('/mentoring');
    expect((await mentee.agent.get(jobUrl)).statusCode).toBe(403);
    expect((await mentee.agent.post(`${jobUrl}/cancel`)).statusCode).toBe(403);
    expect((await mentee.agent.api('GET', `/api/v1/mentoring/matching-jobs/${jobId}`)).statusCode).toBe(403);

    const cancelled = await lead.agent.post(`${jobUrl}/cancel`);
    expect(cancelled.statusCode).toBe(303);
    expect(cancelled.headers.location).toBe(jobUrl);
    await jobs.settled(jobId);
    const after = await lead.agent.get(jobUrl);
    expect(after.headers.refresh).toBeUndefined();
    expect(visibleText(after.body)).toContain('Matching mentors was cancelled');
    expect(visibleText(after.body)).toContain('No run was saved');
    expect(await runsOf(region)).toHaveLength(0);
    expect((await lead.agent.post(`${jobUrl}/cancel`)).statusCode).toBe(409);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'engine-job')
      .where('entity_id', '=', String(jobId))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['mentoring.run.cancel']);
  });

  it('from the admin page: the progress page leads to the run, as the run page did before', async () => {
    const region = 'Q34';
    await scope(region);
    const lead = await user([{ role: 'regional-lead', regionCode: region }]);
    await lead.agent.get('/mentoring/admin');
    const started = await lead.agent.post('/mentoring/runs', { regionCode: region });
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toMatch(/^\/mentoring\/matching-jobs\/\d+$/);
    const done = await followRefresh(lead.agent, started.headers.location as string);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toMatch(/^\/mentoring\/runs\/\d+$/);
    const run = visibleText((await lead.agent.get(done.headers.location as string)).body);
    expect(run).toContain('Matching run computed: review the proposed pairs');
    expect(run).toContain('1 of 1 waiting mentees matched');
    expect(await runsOf(region)).toHaveLength(1);
  });

  it('through the API: 202 with the job, which reports its end and the run', async () => {
    const region = 'Q35';
    await scope(region);
    const lead = await user([{ role: 'regional-lead', regionCode: region }]);
    const otherLead = await user([{ role: 'regional-lead', regionCode: 'Q36' }]);
    await lead.agent.get('/mentoring/admin');
    expect(
      (await otherLead.agent.api('POST', '/api/v1/mentoring/runs', { regionCode: region })).statusCode,
    ).toBe(403);
    const res = await lead.agent.api('POST', '/api/v1/mentoring/runs', { regionCode: region });
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(res.headers.location).toBe(job.url);
    expect(job.url).toMatch(/^\/api\/v1\/mentoring\/matching-jobs\/\d+$/);
    let body = job;
    const until = Date.now() + 60_000;
    while (body.status === 'running' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await lead.agent.api('GET', job.url)).json();
    }
    expect(body.status).toBe('succeeded');
    expect(body.progress).toMatchObject({ step: 3, steps: 3 });
    const run = await lead.agent.api('GET', body.runUrl);
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ id: body.runId, regionCode: region, matched: 1, mentees: 1 });
    // The one-draft rule still holds once the run exists.
    expect((await lead.agent.api('POST', '/api/v1/mentoring/runs', { regionCode: region })).statusCode).toBe(
      409,
    );
  });
});

/** A pool whose solves wait until `release()` (or a cancel): a job can be looked at, and changed under, while it runs. */
function holdingPool() {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const pool: WorkerPool = {
    threads: 1,
    async run<P, R, Progress>(entry: URL, payload: P, options: RunOptions<Progress> = {}): Promise<R> {
      await new Promise<void>((resolve, reject) => {
        void gate.then(resolve);
        options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
      });
      return realPool.run<P, R, Progress>(entry, payload, options);
    },
    close: async () => {},
  };
  return { pool, release };
}

const runState = (id: number) =>
  ctx.db
    .selectFrom('mentoring_runs')
    .select(['status', 'computed_at', 'matched'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const adjustmentsOf = (id: number) =>
  ctx.db.selectFrom('mentoring_run_adjustments').selectAll().where('run_id', '=', id).execute();
const auditOf = (runId: number, action: string) =>
  ctx.db
    .selectFrom('audit_log')
    .select('id')
    .where('entity_type', '=', 'mentoring_run')
    .where('entity_id', '=', String(runId))
    .where('action', '=', action)
    .execute();

describe('computing a draft run again as a job (re-run, pin, rule out, clear)', () => {
  it('one job per scope when two start at once; progress on the job and run pages; a cancel leaves the run as it was', async () => {
    const region = 'Q37';
    const { mentor } = await scope(region);
    const lead = await user([{ role: 'regional-lead', regionCode: region }]);
    const plain = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool: realPool });
    const runId = await plain.createRun(lead.actor, region);
    const before = await runState(runId);
    const requestId = (await plain.runCandidates(lead.actor, runId)).mentees[0]!.requestId;
    const { pool, release } = holdingPool();
    const jobs = heldJobs();
    const held = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool, jobs });

    // Two re-runs of the same draft at the same moment: one job, the other refused naming it.
    const started = await Promise.allSettled([
      held.startRerun(lead.actor, runId),
      held.startRerun(lead.actor, runId),
    ]);
    const ok = started.filter((s) => s.status === 'fulfilled') as PromiseFulfilledResult<number>[];
    expect(ok).toHaveLength(1);
    const refused = started.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as Error).message).toContain(`/mentoring/matching-jobs/${ok[0]!.value}`);
    const jobId = ok[0]!.value;
    const jobUrl = `/mentoring/matching-jobs/${jobId}`;
    await untilSolving(jobId);

    await lead.agent.get('/mentoring/admin');
    const page = await lead.agent.get(jobUrl);
    expect(page.statusCode).toBe(200);
    expect(page.headers.refresh).toBe('1');
    const text = visibleText(page.body);
    expect(text).toContain('Matching mentors…');
    expect(text).toContain(`matching run ${runId}`);
    expect(text).toContain('matching this draft run again with the latest offers and requests');
    const runPage = visibleText((await lead.agent.get(`/mentoring/runs/${runId}`)).body);
    expect(runPage).toContain('This run is being computed again');
    expect(runPage).toContain('Follow its progress');
    const runApi = (await lead.agent.api('GET', `/api/v1/mentoring/runs/${runId}`)).json();
    expect(runApi.computingJobUrl).toBe(`/api/v1/mentoring/matching-jobs/${jobId}`);
    const jobApi = (await lead.agent.api('GET', `/api/v1/mentoring/matching-jobs/${jobId}`)).json();
    expect(jobApi).toMatchObject({ action: 'rerun', recomputesRunId: runId, status: 'running', runId: null });

    // While it runs, a pin or another re-run of the scope is refused, on the form and in the API.
    const pinForm = await lead.agent.post(`/mentoring/runs/${runId}/adjust`, {
      requestId: String(requestId),
      mentorUserId: String(mentor.actor.userId),
      kind: 'pin',
    });
    expect(pinForm.statusCode).toBe(409);
    expect(visibleText(pinForm.body)).toContain('is still being computed');
    const rerunForm = await lead.agent.post(`/mentoring/runs/${runId}/rerun`);
    expect(rerunForm.statusCode).toBe(409);
    expect(visibleText(rerunForm.body)).toContain('There is a problem');
    expect((await lead.agent.api('POST', `/api/v1/mentoring/runs/${runId}/rerun`)).statusCode).toBe(409);

    const cancelled = await lead.agent.api('POST', `/api/v1/mentoring/matching-jobs/${jobId}/cancel`);
    expect(cancelled.statusCode).toBe(202);
    await jobs.settled(jobId);
    release();
    const after = visibleText((await lead.agent.get(jobUrl)).body);
    expect(after).toContain('Matching mentors was cancelled');
    expect(after).toContain('Nothing was saved: the run was left as it was.');
    expect(after).toContain('Back to the run');
    expect(await runState(runId)).toEqual(before);
    expect(await auditOf(runId, 'mentoring.run.rerun')).toHaveLength(0);
  });

  it('a cancelled pin saves neither the pin nor new pairs', async () => {
    const region = 'Q38';
    const { mentor } = await scope(region);
    const lead = await user([{ role: 'regional-lead', regionCode: region }]);
    const plain = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool: realPool });
    const runId = await plain.createRun(lead.actor, region);
    const before = await runState(runId);
    const requestId = (await plain.runCandidates(lead.actor, runId)).mentees[0]!.requestId;
    const { pool, release } = holdingPool();
    const jobs = heldJobs();
    const held = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool, jobs });
    const jobId = await held.startAdjustment(lead.actor, runId, {
      requestId,
      mentorUserId: mentor.actor.userId,
      kind: 'pin',
    });
    await lead.agent.get('/mentoring/admin');
    const page = visibleText((await lead.agent.get(`/mentoring/matching-jobs/${jobId}`)).body);
    expect(page).toContain('matching this draft run again with the pair you pinned');
    const cancel = await lead.agent.post(`/mentoring/matching-jobs/${jobId}/cancel`);
    expect(cancel.statusCode).toBe(303);
    await jobs.settled(jobId);
    release();
    expect((await held.getMatchingJob(lead.actor, jobId)).status).toBe('cancelled');
    expect(await adjustmentsOf(runId)).toHaveLength(0);
    expect(await runState(runId)).toEqual(before);
    expect(await auditOf(runId, 'mentoring.run.pin')).toHaveLength(0);
  });

  it('the write re-checks what the computation read: a run decided, or computed again, meanwhile is left as it is', async () => {
    const region = 'Q39';
    await scope(region);
    const lead = await user([{ role: 'regional-lead', regionCode: region }]);
    const plain = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool: realPool });
    const jobs = heldJobs();

    // Computed again by someone else (the CLI, another process) while this job ran: theirs stands.
    const runId = await plain.createRun(lead.actor, region);
    const first = holdingPool();
    const held = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool: first.pool, jobs });
    const jobId = await held.startRerun(lead.actor, runId);
    await new Promise((r) => setTimeout(r, 20)); // a computed_at distinct from the first write's
    await plain.rerun(lead.actor, runId);
    const theirs = await runState(runId);
    first.release();
    await jobs.settled(jobId);
    const job = await held.getMatchingJob(lead.actor, jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toContain('computed again by someone else');
    expect(await runState(runId)).toEqual(theirs);
    expect(await auditOf(runId, 'mentoring.run.rerun')).toHaveLength(1);

    // Discarded while the job ran: nothing is written to it.
    const second = holdingPool();
    const held2 = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool: second.pool, jobs });
    const jobId2 = await held2.startRerun(lead.actor, runId);
    await plain.discardRun(lead.actor, runId);
    const discarded = await runState(runId);
    second.release();
    await jobs.settled(jobId2);
    const job2 = await held2.getMatchingJob(lead.actor, jobId2);
    expect(job2.status).toBe('failed');
    expect(job2.error).toBe('This run has been decided and cannot be run again');
    expect(await runState(runId)).toEqual(discarded);
    await lead.agent.get('/mentoring/admin');
    const page = visibleText((await lead.agent.get(`/mentoring/matching-jobs/${jobId2}`)).body);
    expect(page).toContain('Mentors could not be matched');
    expect(page).toContain('The run was left as it was.');
    // A decided run cannot be started again at all.
    expect((await lead.agent.api('POST', `/api/v1/mentoring/runs/${runId}/rerun`)).statusCode).toBe(409);
  });

  it('from the run page: pin and re-run go through the progress page back to the run', async () => {
    const region = 'Q30';
    const { mentor } = await scope(region);
    const lead = await user([{ role: 'regional-lead', regionCode: region }]);
    await lead.agent.get('/mentoring/admin');
    const created = await followRefresh(
      lead.agent,
      (await lead.agent.post('/mentoring/runs', { regionCode: region })).headers.location as string,
    );
    const runUrl = created.headers.location as string;
    const runId = Number(runUrl.split('/').pop());
    await lead.agent.get(runUrl);
    const requestId = (await runPairs(runId))[0]!.request_id;

    const pin = await lead.agent.post(`${runUrl}/adjust`, {
      requestId: String(requestId),
      mentorUserId: String(mentor.actor.userId),
      kind: 'pin',
    });
    expect(pin.statusCode).toBe(303);
    expect(pin.headers.location).toMatch(/^\/mentoring\/matching-jobs\/\d+$/);
    const pinned = await followRefresh(lead.agent, pin.headers.location as string);
    expect(pinned.headers.location).toBe(runUrl);
    const pinnedPage = visibleText((await lead.agent.get(runUrl)).body);
    expect(pinnedPage).toContain('Pair pinned and matching run again');
    expect(pinnedPage).toContain('Pinned');
    expect(await adjustmentsOf(runId)).toHaveLength(1);
    expect(await auditOf(runId, 'mentoring.run.pin')).toHaveLength(1);

    const rerun = await lead.agent.post(`${runUrl}/rerun`);
    expect(rerun.statusCode).toBe(303);
    const done = await followRefresh(lead.agent, rerun.headers.location as string);
    expect(done.headers.location).toBe(runUrl);
    const rerunPage = visibleText((await lead.agent.get(runUrl)).body);
    expect(rerunPage).toContain('Matching run again with the latest offers and requests');
    expect(rerunPage).not.toContain('This run is being computed again');
    expect(await auditOf(runId, 'mentoring.run.rerun')).toHaveLength(1);
  });

  it('through the API: re-run and adjustments answer 202 with the job, which reports the run', async () => {
    const region = 'Q31';
    const { mentor } = await scope(region);
    const lead = await user([{ role: 'regional-lead', regionCode: region }]);
    const otherLead = await user([{ role: 'regional-lead', regionCode: 'Q30' }]);
    const plain = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test', pool: realPool });
    const runId = await plain.createRun(lead.actor, region);
    const requestId = (await plain.runCandidates(lead.actor, runId)).mentees[0]!.requestId;
    const follow = async (url: string) => {
      let body = (await lead.agent.api('GET', url)).json();
      const until = Date.now() + 60_000;
      while (body.status === 'running' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        body = (await lead.agent.api('GET', url)).json();
      }
      return body;
    };
    expect((await otherLead.agent.api('POST', `/api/v1/mentoring/runs/${runId}/rerun`)).statusCode).toBe(403);
    const forbid = await lead.agent.api('POST', `/api/v1/mentoring/runs/${runId}/adjustments`, {
      requestId,
      mentorUserId: mentor.actor.userId,
      kind: 'forbid',
    });
    expect(forbid.statusCode).toBe(202);
    expect(forbid.json()).toMatchObject({ action: 'forbid', recomputesRunId: runId });
    const forbidden = await follow(forbid.headers.location as string);
    expect(forbidden).toMatchObject({
      status: 'succeeded',
      runId,
      runUrl: `/api/v1/mentoring/runs/${runId}`,
    });
    const run = (await lead.agent.api('GET', forbidden.runUrl)).json();
    expect(run).toMatchObject({ matched: 0, computingJobUrl: null });
    expect(run.adjustments).toEqual([{ requestId, mentorUserId: mentor.actor.userId, kind: 'forbid' }]);

    const again = await lead.agent.api('POST', `/api/v1/mentoring/runs/${runId}/rerun`);
    expect(again.statusCode).toBe(202);
    expect(await follow(again.json().url)).toMatchObject({ status: 'succeeded', action: 'rerun', runId });
  });
});

const runPairs = (runId: number) =>
  ctx.db.selectFrom('mentoring_run_pairs').select('request_id').where('run_id', '=', runId).execute();
