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
    await new Promise((r) => setTimeout(r, 200)); // a heartbeat or two: the progress is written

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
