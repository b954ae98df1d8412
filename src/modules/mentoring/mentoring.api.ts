import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../platform/errors.ts';
import { apiErrorSchema, idParam, pageQuery } from '../../platform/schemas.ts';
import {
  adjustmentInput,
  agreementInput,
  conflictInput,
  endingInput,
  healthOut,
  meetingInput,
  meetingOut,
  offerInput,
  offerOut,
  pairOut,
  requestInput,
  requestOut,
  reviewInput,
  runInput,
  runOut,
} from './mentoring.schemas.ts';
import { MATCHING_ACTIONS, MATCHING_STAGES, type MentoringService } from './mentoring.service.ts';

const tags = ['mentoring'];
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema };
const participants = { access: ['member', 'mentor'] as const };
const admins = { access: ['regional-lead'] as const };
const ok = z.object({ ok: z.literal(true) });

const matchingJobOut = z.object({
  id: z.number(),
  url: z.string(),
  action: z
    .enum(MATCHING_ACTIONS)
    .describe(
      'new: a new draft run; rerun: a draft computed again; pin, forbid, clear: a draft computed again with that change',
    ),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  regionCode: z.string().nullable(),
  recomputesRunId: z.number().nullable().describe('The draft this job computes again (null for a new run)'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  cancelRequested: z.boolean(),
  progress: z.object({
    stage: z.enum(MATCHING_STAGES),
    step: z.number(),
    steps: z.number(),
    mentees: z.number().nullable(),
    mentors: z.number().nullable(),
  }),
  runId: z.number().nullable(),
  runUrl: z.string().nullable(),
  error: z.string().nullable(),
});
type MatchingJob = Awaited<ReturnType<MentoringService['getMatchingJob']>>;
const jobUrl = (id: number) => `/api/v1/mentoring/matching-jobs/${id}`;
const presentMatchingJob = (j: MatchingJob) => ({
  id: j.id,
  url: jobUrl(j.id),
  action: j.action,
  status: j.status,
  regionCode: j.regionCode,
  recomputesRunId: j.recomputesRunId,
  startedAt: j.startedAt.toISOString(),
  finishedAt: j.finishedAt?.toISOString() ?? null,
  cancelRequested: j.cancelRequested,
  progress: j.progress,
  runId: j.runId,
  runUrl: j.runId ? `/api/v1/mentoring/runs/${j.runId}` : null,
  error: j.error,
});

export async function mentoringApi(base: FastifyInstance, opts: { mentoring: MentoringService }) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { mentoring } = opts;

  const presentPair = async (actor: Parameters<MentoringService['getPair']>[0], id: number) => {
    const p = await mentoring.getPair(actor, id);
    return {
      id: p.id,
      status: p.status,
      mentee: p.mentee,
      mentor: p.mentor,
      startedOn: p.startedOn,
      reviewDueOn: p.reviewDueOn,
      agreement: p.agreement,
      goals: p.goals,
      review: p.review,
      endedAt: p.endedAt,
    };
  };

  app.get(
    '/api/v1/mentoring/offer',
    {
      config: { access: ['mentor'] },
      schema: {
        tags,
        summary: 'Your mentoring offer (null when you have not made one)',
        response: { 200: z.object({ offer: offerOut.nullable() }), ...errors },
      },
    },
    async (request) => ({ offer: await mentoring.getOffer(request.actor!) }),
  );
  app.put(
    '/api/v1/mentoring/offer',
    {
      config: { access: ['mentor'] },
      schema: {
        tags,
        summary: 'Make or change your mentoring offer: capacity 0 to 5 (0 pauses it), areas and preferences',
        body: offerInput,
        response: { 200: z.object({ offer: offerOut.nullable() }), ...errors },
      },
    },
    async (request) => {
      await mentoring.saveOffer(request.actor!, request.body);
      return { offer: await mentoring.getOffer(request.actor!) };
    },
  );

  app.get(
    '/api/v1/mentoring/request',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary: 'Your open request for a mentor (waiting or matched), or null',
        response: { 200: z.object({ request: requestOut.nullable() }), ...errors },
      },
    },
    async (request) => ({ request: await mentoring.getMyRequest(request.actor!) }),
  );
  app.put(
    '/api/v1/mentoring/request',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary:
          'Ask for a mentor, or change your waiting request: goals (one a line), areas and preferences',
        body: requestInput,
        response: { 200: z.object({ request: requestOut.nullable() }), ...errors },
      },
    },
    async (request) => {
      await mentoring.saveRequest(request.actor!, request.body);
      return { request: await mentoring.getMyRequest(request.actor!) };
    },
  );
  app.delete(
    '/api/v1/mentoring/request',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary: 'Withdraw your waiting request for a mentor',
        response: { 200: ok, ...errors },
      },
    },
    async (request) => {
      await mentoring.withdrawRequest(request.actor!);
      return { ok: true as const };
    },
  );

  app.post(
    '/api/v1/mentoring/conflicts',
    {
      config: participants,
      schema: {
        tags,
        summary: 'Declare line management or a conflict with someone, so you are never matched together',
        body: conflictInput,
        response: { 200: ok, ...errors },
      },
    },
    async (request) => {
      await mentoring.declareConflict(request.actor!, request.body);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/mentoring/runs',
    {
      config: admins,
      schema: {
        tags,
        summary: "Matching runs (a regional lead sees their own region's runs)",
        querystring: pageQuery,
        response: {
          200: z.object({
            total: z.number().int(),
            runs: z.array(
              runOut.pick({
                id: true,
                regionCode: true,
                status: true,
                mentees: true,
                matched: true,
                objective: true,
                createdAt: true,
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const r = await mentoring.listRuns(request.actor!, request.query.page);
      return { total: r.total, runs: r.rows.map((x) => ({ ...x, createdAt: x.createdAt.toISOString() })) };
    },
  );
  const runResponse = { 200: runOut, ...errors };
  const presentRun = async (actor: Parameters<MentoringService['getRun']>[0], id: number) => {
    const { computedAt: _c, computingJobId, adjustments, ...run } = await mentoring.getRun(actor, id);
    return {
      ...run,
      computingJobUrl: computingJobId ? jobUrl(computingJobId) : null,
      adjustments: adjustments.map((a) => ({
        requestId: a.requestId,
        mentorUserId: a.mentorUserId,
        kind: a.kind,
      })),
    };
  };
  app.post(
    '/api/v1/mentoring/runs',
    {
      config: admins,
      schema: {
        tags,
        summary:
          'Start a matching run (the engine runs in the background): 202 with the job to follow; the draft run appears when it succeeds. The run matches the most mentees, then the highest total score, within capacities and exclusions. regionCode null: the whole network (national team only)',
        body: runInput,
        response: { 202: matchingJobOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await mentoring.startRun(request.actor!, request.body.regionCode);
      const job = await mentoring.getMatchingJob(request.actor!, id);
      return reply.status(202).header('location', jobUrl(id)).send(presentMatchingJob(job));
    },
  );
  app.get(
    '/api/v1/mentoring/matching-jobs/:id',
    {
      config: { ...admins, scope: 'region' },
      schema: {
        tags,
        summary:
          'A matching job (a new run, a re-run or an adjusted run): its status, progress, and the draft run once it has succeeded',
        params: idParam,
        response: { 200: matchingJobOut, ...errors },
      },
    },
    async (request) => presentMatchingJob(await mentoring.getMatchingJob(request.actor!, request.params.id)),
  );
  app.post(
    '/api/v1/mentoring/matching-jobs/:id/cancel',
    {
      config: { ...admins, scope: 'region' },
      schema: {
        tags,
        summary: 'Cancel a running matching job (no run is saved); 409 once it has finished',
        params: idParam,
        response: { 202: matchingJobOut, ...errors },
      },
    },
    async (request, reply) => {
      await mentoring.cancelMatchingJob(request.actor!, request.params.id);
      return reply
        .status(202)
        .send(presentMatchingJob(await mentoring.getMatchingJob(request.actor!, request.params.id)));
    },
  );
  app.get(
    '/api/v1/mentoring/runs/:id',
    {
      config: { ...admins, scope: 'region' },
      schema: {
        tags,
        summary: "A matching run with each proposed pair's score breakdown and the waitlist reasons",
        params: idParam,
        response: runResponse,
      },
    },
    async (request) => presentRun(request.actor!, request.params.id),
  );
  app.post(
    '/api/v1/mentoring/runs/:id/adjustments',
    {
      config: { ...admins, scope: 'region' },
      schema: {
        tags,
        summary:
          'Pin a pair, rule a pair out, or clear either, and compute the draft run again with it (in the background): 202 with the job to follow. The change and the new pairs are saved together when the job succeeds; a pair that cannot be pinned is refused at once (400)',
        params: idParam,
        body: adjustmentInput,
        response: { 202: matchingJobOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await mentoring.startAdjustment(request.actor!, request.params.id, request.body);
      const job = await mentoring.getMatchingJob(request.actor!, id);
      return reply.status(202).header('location', jobUrl(id)).send(presentMatchingJob(job));
    },
  );
  app.post(
    '/api/v1/mentoring/runs/:id/rerun',
    {
      config: { ...admins, scope: 'region' },
      schema: {
        tags,
        summary:
          'Compute a draft run again with the latest offers and requests, keeping its pins and exclusions (in the background): 202 with the job to follow; the run is rewritten when it succeeds',
        params: idParam,
        response: { 202: matchingJobOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await mentoring.startRerun(request.actor!, request.params.id);
      const job = await mentoring.getMatchingJob(request.actor!, id);
      return reply.status(202).header('location', jobUrl(id)).send(presentMatchingJob(job));
    },
  );
  app.post(
    '/api/v1/mentoring/runs/:id/approve',
    {
      config: { ...admins, scope: 'region' },
      schema: {
        tags,
        summary: 'Approve a draft run: creates the pairs and emails both people of each',
        params: idParam,
        response: runResponse,
      },
    },
    async (request) => {
      await mentoring.approveRun(request.actor!, request.params.id);
      return presentRun(request.actor!, request.params.id);
    },
  );

  app.get(
    '/api/v1/mentoring/pairs',
    {
      config: participants,
      schema: {
        tags,
        summary: 'Your mentoring pairs, as mentee or mentor',
        response: {
          200: z.object({
            pairs: z.array(
              pairOut
                .pick({ id: true, status: true, mentee: true, mentor: true, startedOn: true })
                .extend({ role: z.enum(['mentee', 'mentor']) }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({ pairs: await mentoring.listMyPairs(request.actor!) }),
  );
  app.get(
    '/api/v1/mentoring/pairs/:id',
    {
      config: { ...participants, scope: 'pair' },
      schema: {
        tags,
        summary: 'One of your pairs: agreement, goals, review (the pair only)',
        params: idParam,
        response: { 200: pairOut, ...errors },
      },
    },
    async (request) => presentPair(request.actor!, request.params.id),
  );
  app.post(
    '/api/v1/mentoring/pairs/:id/decline',
    {
      config: { ...participants, scope: 'pair' },
      schema: {
        tags,
        summary: 'Decline a match you are part of (no reason needed); the mentee returns to the pool',
        params: idParam,
        response: { 200: ok, ...errors },
      },
    },
    async (request) => {
      await mentoring.declinePair(request.actor!, request.params.id);
      return { ok: true as const };
    },
  );
  app.put(
    '/api/v1/mentoring/pairs/:id/agreement',
    {
      config: { ...participants, scope: 'pair' },
      schema: {
        tags,
        summary: 'Record the agreement: ground rules, how often to meet, for how long',
        params: idParam,
        body: agreementInput,
        response: { 200: pairOut, ...errors },
      },
    },
    async (request) => {
      await mentoring.saveAgreement(request.actor!, request.params.id, request.body);
      return presentPair(request.actor!, request.params.id);
    },
  );
  app.put(
    '/api/v1/mentoring/pairs/:id/review',
    {
      config: { ...participants, scope: 'pair' },
      schema: {
        tags,
        summary: 'Record the six-month review',
        params: idParam,
        body: reviewInput,
        response: { 200: pairOut, ...errors },
      },
    },
    async (request) => {
      await mentoring.saveReview(request.actor!, request.params.id, request.body.review);
      return presentPair(request.actor!, request.params.id);
    },
  );
  app.post(
    '/api/v1/mentoring/pairs/:id/end',
    {
      config: { ...participants, scope: 'pair' },
      schema: {
        tags,
        summary: 'End the mentoring with your feedback (or add your feedback once ended)',
        params: idParam,
        body: endingInput,
        response: { 200: pairOut, ...errors },
      },
    },
    async (request) => {
      await mentoring.endPair(request.actor!, request.params.id, request.body.feedback);
      return presentPair(request.actor!, request.params.id);
    },
  );
  app.get(
    '/api/v1/mentoring/pairs/:id/meetings',
    {
      config: { ...participants, scope: 'pair' },
      schema: {
        tags,
        summary: 'The meetings log with its private notes (the pair only)',
        params: idParam,
        response: { 200: z.object({ meetings: z.array(meetingOut) }), ...errors },
      },
    },
    async (request) => ({ meetings: (await mentoring.getPair(request.actor!, request.params.id)).meetings }),
  );
  app.post(
    '/api/v1/mentoring/pairs/:id/meetings',
    {
      config: { ...participants, scope: 'pair' },
      schema: {
        tags,
        summary: 'Log a meeting; its notes are private to the pair',
        params: idParam,
        body: meetingInput,
        response: { 201: z.object({ id: z.number().int() }), ...errors },
      },
    },
    async (request, reply) => {
      const id = await mentoring.logMeeting(request.actor!, request.params.id, request.body);
      return reply.status(201).send({ id });
    },
  );

  app.get(
    '/api/v1/mentoring/health',
    {
      config: admins,
      schema: {
        tags,
        summary: "Each active pair's health (on track, needs a check-in, review due), without meeting notes",
        querystring: pageQuery,
        response: {
          200: z.object({
            total: z.number().int(),
            reminderWeeks: z.number().int(),
            pairs: z.array(healthOut),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const h = await mentoring.health(request.actor!, request.query.page);
      if (!h) throw new NotFoundError();
      return { total: h.total, reminderWeeks: h.reminderWeeks, pairs: h.rows };
    },
  );
}
