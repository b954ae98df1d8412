import { performance } from 'node:perf_hooks';
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

// Forming sets runs the engine in worker threads as a job: the lead watches a progress page (or
// polls the API), may cancel, and lands on the draft. Only the region's lead and the national team
// see or cancel a job. The engine has a long budget here (5 s) so that a job is still running
// while the tests look at it and while other people's requests are timed.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp({ FORMATION_SECONDS: '5' });
});
afterAll(async () => {
  await ctx?.close();
});

const REGION = 'Q36';
const PROFESSIONS = ['doctor', 'nurse', 'pharmacist', 'midwife', 'allied-health-professional'];
/** The formation form's choices these tests make; the rest are the shared defaults. */
const FORM = { minSize: '6', sizing: 'equal', separateOrganisations: 'yes' };

let lead: Agent;
let otherLead: Agent;
let national: Agent;
let member: Agent;
let intakeId: number;

async function addCohort(n: number) {
  const intake = await ctx.db
    .selectFrom('intakes')
    .select(['id'])
    .where('region_code', '=', REGION)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const trusts = await ctx.db
    .selectFrom('organisations')
    .select('id')
    .where('kind', '=', 'trust')
    .where('sha_code', '=', REGION)
    .orderBy('id')
    .limit(4)
    .execute();
  for (let i = 0; i < n; i++) {
    const user = await createUser(ctx, [{ role: 'member', regionCode: REGION }]);
    await ctx.db.transaction().execute((trx) =>
      createMemberProfile(
        trx,
        {
          userId: user.id,
          regionCode: REGION,
          intakeId: intake.id,
          profession: PROFESSIONS[i % PROFESSIONS.length]!,
          registrationNumber: null,
          organisationId: trusts[i % trusts.length]?.id ?? null,
          jobTitle: i % 3 === 0 ? 'Consultant' : 'Staff nurse',
        },
        'system',
      ),
    );
  }
  return intake.id;
}

const formations = async () => (await ctx.db.selectFrom('ls_formations').select('id').execute()).length;

beforeAll(async () => {
  lead = (await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: REGION }])).agent;
  otherLead = (await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q37' }])).agent;
  national = (await signedInAgent(ctx, [{ role: 'national', regionCode: null }])).agent;
  member = (await signedInAgent(ctx, [{ role: 'member', regionCode: REGION }])).agent;
  intakeId = await addCohort(40);
  const facilitator = await createUser(ctx, [{ role: 'facilitator', regionCode: REGION }]);
  const res = await lead.post(`/learning-sets/regions/${REGION}/facilitators`, {
    email: facilitator.email,
    maxSets: '10',
    isLead: 'yes',
  });
  expect(res.statusCode).toBe(303);
});

async function discardDrafts() {
  const drafts = await ctx.db
    .selectFrom('ls_formations')
    .select('id')
    .where('status', '=', 'draft')
    .execute();
  for (const d of drafts) {
    await lead.get(`/learning-sets/formations/${d.id}`);
    expect((await lead.post(`/learning-sets/formations/${d.id}/discard`)).statusCode).toBe(303);
  }
}

describe('forming sets as a job', () => {
  it('shows progress that refreshes, refuses other regions, and cancels with nothing saved', async () => {
    await lead.get(`/learning-sets/regions/${REGION}/form`);
    const started = await lead.post(`/learning-sets/regions/${REGION}/form`, {
      ...formationForm(intakeId, FORM),
    });
    expect(started.statusCode).toBe(303);
    const jobPath = started.headers.location as string;
    expect(jobPath).toMatch(/^\/learning-sets\/formation-jobs\/\d+$/);

    const page = await lead.get(jobPath);
    expect(page.statusCode).toBe(200);
    expect(page.headers.refresh).toBe('1');
    const text = visibleText(page.body);
    expect(text).toContain('Forming sets…');
    expect(text).toMatch(/\d+% of the time used/);
    expect(text).toContain('Stop checking automatically');
    expect(page.body).toMatch(/<title>Forming sets/);
    // The lead may turn the refresh off and check by hand (WCAG 2.2.1).
    const still = await lead.get(`${jobPath}?refresh=off`);
    expect(still.headers.refresh).toBeUndefined();
    expect(visibleText(still.body)).toContain('Check progress again');

    // A second start for the cohort while it runs is refused, naming who started it.
    const again = await lead.post(`/learning-sets/regions/${REGION}/form`, {
      ...formationForm(intakeId, FORM),
    });
    expect(again.statusCode).toBe(409);
    expect(visibleText(again.body)).toMatch(/are being formed by Test Person \d+, who started at \d\d:\d\d/);

    // Someone from another region, or a member, neither sees nor cancels the job.
    expect((await otherLead.get(jobPath)).statusCode).toBe(404);
    await otherLead.get('/learning-sets');
    expect((await otherLead.post(`${jobPath}/cancel`)).statusCode).toBe(404);
    expect((await member.get(jobPath)).statusCode).toBe(403);
    const jobId = Number(jobPath.split('/').pop());
    expect((await otherLead.api('GET', `/api/v1/learning-sets/formation-jobs/${jobId}`)).statusCode).toBe(
      404,
    );
    expect(
      (await otherLead.api('POST', `/api/v1/learning-sets/formation-jobs/${jobId}/cancel`)).statusCode,
    ).toBe(404);
    // The national team sees it.
    expect((await national.get(`${jobPath}?refresh=off`)).statusCode).toBe(200);

    // The lead cancels: the page says so, nothing is saved, the cancel is audited.
    await lead.get(jobPath);
    const cancelled = await lead.post(`${jobPath}/cancel`);
    expect(cancelled.statusCode).toBe(303);
    const end = await followRefresh(lead, jobPath);
    expect(end.statusCode).toBe(200);
    expect(visibleText(end.body)).toContain('Forming sets was cancelled');
    expect(await formations()).toBe(0);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'learning-sets.formation.cancel')
      .execute();
    expect(audit).toHaveLength(1);
    // A finished job cannot be cancelled again.
    expect((await lead.api('POST', `/api/v1/learning-sets/formation-jobs/${jobId}/cancel`)).statusCode).toBe(
      409,
    );
  });

  it('through the API: 202 with the job, which reports progress and then the draft', async () => {
    await lead.get('/learning-sets');
    const res = await lead.api('POST', `/api/v1/learning-sets/regions/${REGION}/formations`, {
      ...formationForm(intakeId, FORM),
      intakeId,
    });
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(res.headers.location).toBe(job.url);
    expect(job.status).toBe('running');
    expect(
      (
        await otherLead.api('POST', `/api/v1/learning-sets/regions/${REGION}/formations`, {
          ...formationForm(intakeId, FORM),
          intakeId,
        })
      ).statusCode,
    ).toBe(403);
    let body = job;
    const until = Date.now() + 60_000;
    while (body.status === 'running' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      body = (await lead.api('GET', job.url)).json();
      if (body.status === 'running') expect(body.progress.percent).toBeLessThanOrEqual(100);
    }
    expect(body.status, `the job ended with: ${body.error}`).toBe('succeeded');
    expect(body.formationId).toBeTypeOf('number');
    expect(body.progress.bestObjective).toBeGreaterThan(0);
    const draft = await lead.get(body.formationUrl);
    expect(visibleText(draft.body)).toContain('Draft sets for');
    // The one-draft rule still holds once the draft exists.
    const second = await lead.api('POST', `/api/v1/learning-sets/regions/${REGION}/formations`, {
      ...formationForm(intakeId, FORM),
      intakeId,
    });
    expect(second.statusCode).toBe(409);
    await discardDrafts();
  });

  it('keeps other people’s requests at their usual speed while a formation runs, and still forms the sets', async () => {
    // What other people do meanwhile: a member's hub and profile, the lead's region page.
    const ordinary = () => [
      member.get('/learning-sets'),
      member.get('/profile'),
      lead.get(`/learning-sets/regions/${REGION}`),
    ];
    const timeRound = async () => {
      const t = performance.now();
      const responses = await Promise.all(ordinary());
      for (const r of responses) expect(r.statusCode).toBe(200);
      return performance.now() - t;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (let i = 0; i < 3; i++) await timeRound(); // warm up templates and caches
    const before: number[] = [];
    for (let i = 0; i < 15; i++) before.push(await timeRound());

    await lead.get(`/learning-sets/regions/${REGION}/form`);
    const started = await lead.post(`/learning-sets/regions/${REGION}/form`, {
      ...formationForm(intakeId, FORM),
    });
    expect(started.statusCode).toBe(303);
    const jobId = Number((started.headers.location as string).split('/').pop());
    const job = () =>
      ctx.db.selectFrom('engine_jobs').select(['status']).where('id', '=', jobId).executeTakeFirstOrThrow();
    // Let the worker threads start searching, then time the same requests while they do.
    await new Promise((r) => setTimeout(r, 700));
    // Only rounds that ended while the job was still running count (a loaded machine may finish
    // the formation before all 15 rounds are done); at least 5 must.
    const during: number[] = [];
    for (let i = 0; i < 15; i++) {
      const took = await timeRound();
      if ((await job()).status !== 'running') break;
      during.push(took);
    }
    expect(during.length, 'rounds timed while the formation ran').toBeGreaterThanOrEqual(5);

    const ratio = median(during) / median(before);
    console.log(
      `ordinary requests: median ${median(before).toFixed(1)} ms before, ${median(during).toFixed(1)} ms during a formation (x${ratio.toFixed(2)})`,
    );
    // The proof is that rounds finished at all while the formation ran: with the engine on the
    // request thread none could, as the event loop would be held for its whole 5 s budget. How much
    // slower they were is a speed figure, measured by the load benchmark, not asserted here (this
    // machine is shared and noisy); a round is still held to well under that budget.
    expect(Math.max(...during)).toBeLessThan(2_500);

    const end = await followRefresh(lead, started.headers.location as string);
    expect(end.statusCode).toBe(303);
    expect(end.headers.location).toMatch(/^\/learning-sets\/formations\/\d+$/);
    expect(await formations()).toBe(1);
  });
});
