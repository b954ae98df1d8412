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
import type { MentoringService } from './mentoring.service.ts';

const tags = ['mentoring'];
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema };
const participants = { access: ['member', 'mentor'] as const };
const admins = { access: ['regional-lead'] as const };
const ok = z.object({ ok: z.literal(true) });

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
    const { computedAt: _c, adjustments, ...run } = await mentoring.getRun(actor, id);
    return {
      ...run,
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
          'Compute a matching run (draft): most mentees matched, then the highest total score, within capacities and exclusions. regionCode null: the whole network (national team only)',
        body: runInput,
        response: runResponse,
      },
    },
    async (request) =>
      presentRun(request.actor!, await mentoring.createRun(request.actor!, request.body.regionCode)),
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
        summary: 'Pin a pair, rule a pair out, or clear either, then compute the run again',
        params: idParam,
        body: adjustmentInput,
        response: runResponse,
      },
    },
    async (request) => {
      await mentoring.adjustRun(request.actor!, request.params.id, request.body);
      return presentRun(request.actor!, request.params.id);
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
