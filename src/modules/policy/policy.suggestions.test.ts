import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Agent,
  buildTestApp,
  createUser,
  followRefresh,
  postAndFollowJob,
  refusedForm,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { seedCall, seedResponse } from '../../../test/policy-fixtures.ts';
import { createEngineJobs } from '../../platform/engine-jobs.ts';
import type { Actor } from '../../platform/permissions.ts';
import { createWorkerPool, type RunOptions, type WorkerPool } from '../../platform/workers.ts';
import { FRONT_DOOR_ANSWERS } from './engine/test-support/front-door-answers.ts';
import { createPolicyAccess } from './policy.access.ts';
import { createPolicyAnalysis } from './policy.analysis.ts';
import { createPolicySuggestions } from './policy.suggestions.ts';

// To look at a job while it runs, one test starts it through services whose pool holds the engine
// until cancelled; the app's pages read and cancel that job through the database, as another
// process's would be.
const realPool = createWorkerPool({ maxThreads: 1 });
const heldPool: WorkerPool = {
  threads: 1,
  async run<P, R, Progress>(entry: URL, payload: P, options: RunOptions<Progress> = {}): Promise<R> {
    options.onProgress?.({ stage: 'clustering', tried: 1, of: 7 } as Progress);
    await new Promise<void>((_, reject) =>
      options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true }),
    );
    return realPool.run<P, R, Progress>(entry, payload, options);
  },
  close: () => realPool.close(),
};

let ctx: TestContext;
let owner: { agent: Agent; user: { id: number } };
let otherMaker: { agent: Agent; user: { id: number } };
let member: { agent: Agent; user: { id: number } };

beforeAll(async () => {
  ctx = await buildTestApp();
  owner = await signedInAgent(ctx, [{ role: 'policy-maker', regionCode: null }]);
  otherMaker = await signedInAgent(ctx, [{ role: 'policy-maker', regionCode: null }]);
  member = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q34' }]);
});
afterAll(async () => {
  await ctx?.close();
  await realPool.close();
});

const REGIONS = ['Q34', 'Q35', 'Q36'];

/** A closed call whose first question has the thirty front-door answers; its second is a choice. */
async function seedAnsweredCall() {
  const { callId, questionIds } = await seedCall(ctx.db, {
    ownerUserId: owner.user.id,
    questions: [
      { prompt: 'What would make the biggest difference at the front door?' },
      { kind: 'single', prompt: 'Do you agree?', options: ['Yes', 'No'] },
    ],
  });
  const responseIds: number[] = [];
  for (const [i, text] of FRONT_DOOR_ANSWERS.entries()) {
    const user = await createUser(ctx, [{ role: 'member', regionCode: REGIONS[i % 3]! }]);
    responseIds.push(
      await seedResponse(ctx.db, {
        callId,
        userId: user.id,
        answers: { [questionIds[0]!]: text, [questionIds[1]!]: ['Yes'] },
        regionCode: REGIONS[i % 3]!,
        profession: 'nurse',
        confidential: i === 5,
      }),
    );
  }
  return { callId, questionId: questionIds[0]!, choiceQuestionId: questionIds[1]!, responseIds };
}

const suggestionsOf = (questionId: number) =>
  ctx.db
    .selectFrom('policy_theme_suggestions')
    .selectAll()
    .where('question_id', '=', questionId)
    .orderBy('id')
    .execute();

describe('suggested themes', () => {
  it('runs as a job from the question page, shows three marked suggestions that count only once accepted, and re-runs over pending ones only', async () => {
    const { callId, questionId, choiceQuestionId, responseIds } = await seedAnsweredCall();
    const qUrl = `/policy/calls/${callId}/analysis/questions/${questionId}`;
    await owner.agent.get(qUrl);

    const done = await postAndFollowJob(owner.agent, `${qUrl}/suggestions`);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${qUrl}#suggestions`);
    const pending = await suggestionsOf(questionId);
    expect(pending).toHaveLength(3);
    expect(pending.every((s) => s.status === 'pending')).toBe(true);
    const staffing = pending.find((s) => s.response_ids.includes(responseIds[0]!))!;
    const handover = pending.find((s) => s.response_ids.includes(responseIds[10]!))!;
    const records = pending.find((s) => s.response_ids.includes(responseIds[20]!))!;
    expect(staffing.response_ids).toEqual(responseIds.slice(0, 10));
    expect(staffing.keyphrases.join(' ')).toMatch(/rota gaps|agency staff/);
    expect(handover.keyphrases.join(' ')).toMatch(/handover/);

    const page = visibleText((await owner.agent.get(qUrl)).body);
    expect(page).toContain('Themes suggested: review them under “Suggested themes”');
    expect(page).toContain('Suggested');
    expect(page).toContain(staffing.label);
    expect(page).toContain('This question has no themes yet');
    // Suggestions are never counted.
    const overview = visibleText((await owner.agent.get(`/policy/calls/${callId}/analysis`)).body);
    expect(overview).toContain('3 suggested themes waiting for a decision');
    expect(overview).toContain('No themes yet');
    expect(overview).toContain(
      `Suggested ${staffing.label}: ${staffing.keyphrases.join(', ')} (10 responses, not counted until accepted)`,
    );

    // Accept into a new theme: the person's assignments, source suggestion, in the history.
    const accepted = await owner.agent.post(`/policy/suggestions/${staffing.id}/accept`, {
      themeId: 'new',
      name: 'Staffing and rotas',
    });
    expect(accepted.statusCode).toBe(303);
    const theme = await ctx.db
      .selectFrom('policy_themes')
      .selectAll()
      .where('question_id', '=', questionId)
      .executeTakeFirstOrThrow();
    expect(accepted.headers.location).toBe(`/policy/themes/${theme.id}`);
    const themePage = visibleText((await owner.agent.get(`/policy/themes/${theme.id}`)).body);
    expect(themePage).toContain('Suggestion accepted: 10 responses counted under Staffing and rotas');
    expect(themePage).toContain('10 responses counted under this theme');
    expect(themePage).toContain('From a suggestion');
    expect(themePage).toContain('Assigned from an accepted suggestion');
    const assignments = await ctx.db
      .selectFrom('policy_theme_assignments')
      .selectAll()
      .where('theme_id', '=', theme.id)
      .execute();
    expect(assignments).toHaveLength(10);
    expect(assignments.every((a) => a.source === 'suggestion' && a.assigned_by === owner.user.id)).toBe(true);
    // Deciding twice is refused.
    await owner.agent.get(qUrl);
    expect((await owner.agent.post(`/policy/suggestions/${staffing.id}/reject`)).statusCode).toBe(409);

    // A new theme needs a free name.
    await owner.agent.get(qUrl);
    const clash = await owner.agent.post(`/policy/suggestions/${handover.id}/accept`, {
      themeId: 'new',
      name: 'staffing AND rotas',
    });
    expect(refusedForm(clash, 400, `Analysis of question 1: Urgent care at the front door`)).toEqual([
      {
        href: `#name-s${handover.id}`,
        text: 'This question already has a theme called Staffing and rotas: choose another name',
      },
    ]);
    expect((await suggestionsOf(questionId)).find((s) => s.id === handover.id)!.status).toBe('pending');

    // Reject one: hidden from the pending list, shown among the rejected.
    await owner.agent.get(qUrl);
    expect((await owner.agent.post(`/policy/suggestions/${handover.id}/reject`)).statusCode).toBe(303);
    const afterReject = visibleText((await owner.agent.get(qUrl)).body);
    expect(afterReject).toContain('Suggestion rejected');
    expect(afterReject).toContain('Rejected suggestions (1)');

    // Accept the third into the existing theme.
    expect(
      (await owner.agent.post(`/policy/suggestions/${records.id}/accept`, { themeId: String(theme.id) }))
        .statusCode,
    ).toBe(303);
    expect(
      await ctx.db
        .selectFrom('policy_theme_assignments')
        .select('id')
        .where('theme_id', '=', theme.id)
        .execute(),
    ).toHaveLength(20);

    // Re-running replaces pending suggestions only; accepted and rejected ones stay.
    const again = await postAndFollowJob(owner.agent, `${qUrl}/suggestions`);
    expect(again.statusCode).toBe(303);
    const after = await suggestionsOf(questionId);
    expect(after.filter((s) => s.status === 'accepted').map((s) => s.id)).toEqual([staffing.id, records.id]);
    expect(after.filter((s) => s.status === 'rejected').map((s) => s.id)).toEqual([handover.id]);
    expect(after.filter((s) => s.status === 'pending')).toHaveLength(3);

    // Only written answers are analysed.
    await owner.agent.get(`/policy/calls/${callId}/analysis/questions/${choiceQuestionId}`);
    const choice = await owner.agent.api('POST', `/api/v1/policy/calls/${callId}/suggestion-jobs`, {
      questionId: choiceQuestionId,
    });
    expect(choice.statusCode).toBe(400);

    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'policy.suggestion%')
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'policy.suggestion.accept',
      'policy.suggestion.accept',
      'policy.suggestion.reject',
      'policy.suggestions.run',
      'policy.suggestions.run',
    ]);
  });

  it('through the API; refuses the rest of the policy team and members', async () => {
    const { callId, questionId } = await seedAnsweredCall();
    await owner.agent.get('/');
    const started = await owner.agent.api('POST', `/api/v1/policy/calls/${callId}/suggestion-jobs`, {
      questionId,
    });
    expect(started.statusCode).toBe(202);
    const jobId = started.json().id;
    const jobUrl = `/policy/suggestion-jobs/${jobId}`;
    // Another policy maker and a member cannot follow or cancel it.
    expect((await otherMaker.agent.get(jobUrl)).statusCode).toBe(404);
    expect((await otherMaker.agent.api('GET', `/api/v1/policy/suggestion-jobs/${jobId}`)).statusCode).toBe(
      404,
    );
    await member.agent.get('/');
    expect((await member.agent.get(jobUrl)).statusCode).toBe(403);
    expect((await member.agent.api('GET', `/api/v1/policy/suggestion-jobs/${jobId}`)).statusCode).toBe(403);
    const finished = await followRefresh(owner.agent, jobUrl);
    expect(finished.statusCode).toBe(303);
    const job = await owner.agent.api('GET', `/api/v1/policy/suggestion-jobs/${jobId}`);
    expect(job.json()).toMatchObject({
      status: 'succeeded',
      questionId,
      progress: { step: 4, steps: 4, answers: 30 },
    });

    const list = await owner.agent.api(
      'GET',
      `/api/v1/policy/calls/${callId}/suggestions?questionId=${questionId}`,
    );
    expect(list.statusCode).toBe(200);
    const suggestions = list.json() as {
      id: number;
      status: string;
      responses: number;
      keyphrases: string[];
    }[];
    expect(suggestions).toHaveLength(3);
    expect(suggestions.every((s) => s.status === 'pending' && s.responses === 10)).toBe(true);
    // Other policy makers may read suggestions but not decide them; members not at all.
    expect((await otherMaker.agent.api('GET', `/api/v1/policy/calls/${callId}/suggestions`)).statusCode).toBe(
      200,
    );
    expect(
      (await otherMaker.agent.api('POST', `/api/v1/policy/suggestions/${suggestions[0]!.id}/accept`, {}))
        .statusCode,
    ).toBe(403);
    expect(
      (await member.agent.api('POST', `/api/v1/policy/suggestions/${suggestions[0]!.id}/reject`)).statusCode,
    ).toBe(403);
    expect(
      (await otherMaker.agent.api('POST', `/api/v1/policy/calls/${callId}/suggestion-jobs`, { questionId }))
        .statusCode,
    ).toBe(403);

    const accept = await owner.agent.api(
      'POST',
      `/api/v1/policy/suggestions/${suggestions[0]!.id}/accept`,
      {},
    );
    expect(accept.statusCode).toBe(200);
    expect(accept.json()).toMatchObject({ assigned: 10 });
    const reject = await owner.agent.api('POST', `/api/v1/policy/suggestions/${suggestions[1]!.id}/reject`);
    expect(reject.statusCode).toBe(200);
    const rejected = await owner.agent.api(
      'GET',
      `/api/v1/policy/calls/${callId}/suggestions?status=rejected`,
    );
    expect(rejected.json().map((s: { id: number }) => s.id)).toEqual([suggestions[1]!.id]);
    const counts = await owner.agent.api('GET', `/api/v1/policy/calls/${callId}/theme-counts`);
    expect(counts.json()[0].themes).toHaveLength(1);
    expect(counts.json()[0].themes[0].responses).toBe(10);
  });

  it('shows a running job’s progress, refuses a second run of the question, and cancels with the pending suggestions kept', async () => {
    const { callId, questionId } = await seedAnsweredCall();
    const ownerRow = await ctx.db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('id', '=', owner.user.id)
      .executeTakeFirstOrThrow();
    const actor: Actor = {
      userId: ownerRow.id,
      name: ownerRow.name,
      email: ownerRow.email,
      roles: [{ role: 'policy-maker', regionCode: null }],
      ip: null,
      requestId: null,
    };
    const jobs = createEngineJobs({ db: ctx.db, heartbeatMs: 50 });
    const access = createPolicyAccess({ db: ctx.db });
    const analysis = createPolicyAnalysis({ db: ctx.db, access });
    const held = createPolicySuggestions({ db: ctx.db, access, analysis, pool: heldPool, jobs });
    const jobId = await held.startSuggestions(actor, callId, questionId);
    const jobUrl = `/policy/suggestion-jobs/${jobId}`;
    await new Promise((r) => setTimeout(r, 200)); // a heartbeat or two: the progress is written

    const page = await owner.agent.get(jobUrl);
    expect(page.statusCode).toBe(200);
    expect(page.headers.refresh).toBe('1');
    const text = visibleText(page.body);
    expect(text).toContain('Suggesting themes…');
    expect(text).toContain('Step 2 of 4');
    expect(text).toContain('30 answers, 1 of 7 groupings tried');
    expect(text).toContain('Stop checking automatically');
    const still = await owner.agent.get(`${jobUrl}?refresh=off`);
    expect(still.headers.refresh).toBeUndefined();

    const qUrl = `/policy/calls/${callId}/analysis/questions/${questionId}`;
    await owner.agent.get(qUrl);
    const second = await owner.agent.post(`${qUrl}/suggestions`);
    expect(
      refusedForm(second, 409, 'Analysis of question 1: Urgent care at the front door')[0]!.text,
    ).toContain('Themes for this question are already being suggested');

    await owner.agent.get(jobUrl);
    const cancelled = await owner.agent.post(`${jobUrl}/cancel`);
    expect(cancelled.statusCode).toBe(303);
    await jobs.settled(jobId);
    const after = await owner.agent.get(jobUrl);
    expect(after.headers.refresh).toBeUndefined();
    expect(visibleText(after.body)).toContain('Suggesting themes was cancelled');
    expect(await suggestionsOf(questionId)).toEqual([]);
    expect((await owner.agent.post(`${jobUrl}/cancel`)).statusCode).toBe(409);
  });
});
