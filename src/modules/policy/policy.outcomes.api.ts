import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam, pageQuery } from '../../platform/schemas.ts';
import type { PolicyContributions } from './policy.contributions.ts';
import type { MilestoneView, OutcomeView, PolicyOutcomes } from './policy.outcomes.ts';
import {
  callChallengeParams,
  callMilestoneParams,
  callOutcomeParams,
  callOutcomesOut,
  challengeAnswerInput,
  challengeInput,
  milestoneInput,
  milestoneOut,
  outcomeChange,
  outcomeInput,
  outcomeOut,
  publishedResponseInput,
} from './policy.outcomes.schemas.ts';

const tags = ['policy'];
const errors = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
};
const owner = { access: ['policy-maker'] as const, scope: 'call-owner' as const };

export function presentMilestone(m: MilestoneView) {
  return { id: m.id, title: m.title, dueOn: m.dueOn, status: m.status, progress: m.progress, note: m.note };
}
export function presentOutcome(o: OutcomeView) {
  return {
    id: o.id,
    themeId: o.themeId,
    themeName: o.themeName,
    questionId: o.questionId,
    question: o.question,
    decision: o.decision,
    summary: o.summary,
    reason: o.reason,
    ownerRole: o.ownerRole,
    decidedOn: o.decidedOn,
    milestones: o.milestones.map(presentMilestone),
  };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const contributionOut = z.object({
  responseId: z.number(),
  callId: z.number(),
  callTitle: z.string(),
  callStatus: z.string(),
  submittedAt: z.string().nullable(),
  confidential: z.boolean(),
  onBehalfOf: z.string().nullable(),
  publishedResponse: z.string().nullable(),
  themes: z.array(
    z.object({ themeId: z.number(), name: z.string(), question: z.string(), outcomes: z.array(outcomeOut) }),
  ),
  questionOutcomes: z.array(outcomeOut),
  challenge: z
    .object({
      body: z.string(),
      createdAt: z.string(),
      answer: z.string().nullable(),
      answeredAt: z.string().nullable(),
    })
    .nullable(),
  mayChallenge: z.boolean(),
});

const challengeOut = z.object({
  id: z.number(),
  responseId: z.number(),
  memberName: z.string(),
  body: z.string(),
  createdAt: z.string(),
  answer: z.string().nullable(),
  answeredAt: z.string().nullable(),
  answeredBy: z.string().nullable(),
});
type ChallengeView = Awaited<ReturnType<PolicyContributions['challengeToAnswer']>>['challenge'];
const presentChallenge = (c: ChallengeView) => ({
  ...c,
  createdAt: c.createdAt.toISOString(),
  answeredAt: iso(c.answeredAt),
});

/** Outcomes, milestones, the published response and "this misses my point" through the JSON API. */
export async function outcomesApi(
  app: FastifyInstance,
  opts: { outcomes: PolicyOutcomes; contributions: PolicyContributions },
) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { outcomes, contributions } = opts;

  async function outcomeById(
    actor: Parameters<PolicyOutcomes['outcomeToManage']>[0],
    callId: number,
    id: number,
  ) {
    return presentOutcome((await outcomes.outcomeToManage(actor, callId, id)).outcome);
  }

  api.get(
    '/api/v1/policy/calls/:id/outcomes',
    {
      config: { access: 'signed-in', scope: 'audience' },
      schema: {
        tags,
        summary: "A call's published response and its outcomes (per theme or question) with their milestones",
        params: idParam,
        response: { 200: callOutcomesOut, ...errors },
      },
    },
    async (request) => {
      const data = await outcomes.outcomesOf(request.actor!, request.params.id);
      return { ...data, outcomes: data.outcomes.map(presentOutcome) };
    },
  );

  api.post(
    '/api/v1/policy/calls/:id/outcomes',
    {
      config: owner,
      schema: {
        tags,
        summary:
          'Record an outcome for a theme or question of a closed call (a reason is required when not adopted); the contributors it touches are emailed',
        params: idParam,
        body: outcomeInput,
        response: { 201: outcomeOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await outcomes.addOutcome(request.actor!, request.params.id, request.body);
      reply.status(201);
      return outcomeById(request.actor!, request.params.id, id);
    },
  );

  api.put(
    '/api/v1/policy/calls/:id/outcomes/:outcomeId',
    {
      config: owner,
      schema: {
        tags,
        summary:
          "Change an outcome's decision, summary, reason, owner or date; the contributors it touches are emailed",
        params: callOutcomeParams,
        body: outcomeChange,
        response: { 200: outcomeOut, ...errors },
      },
    },
    async (request) => {
      await outcomes.changeOutcome(request.actor!, request.params.id, request.params.outcomeId, request.body);
      return outcomeById(request.actor!, request.params.id, request.params.outcomeId);
    },
  );

  api.post(
    '/api/v1/policy/calls/:id/outcomes/:outcomeId/milestones',
    {
      config: owner,
      schema: {
        tags,
        summary:
          'Add a follow-up milestone to an outcome (progress 0 to 100); the contributors it touches are emailed',
        params: callOutcomeParams,
        body: milestoneInput,
        response: { 201: milestoneOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await outcomes.addMilestone(
        request.actor!,
        request.params.id,
        request.params.outcomeId,
        request.body,
      );
      reply.status(201);
      return presentMilestone(
        (await outcomes.milestoneToManage(request.actor!, request.params.id, id)).milestone,
      );
    },
  );

  api.put(
    '/api/v1/policy/calls/:id/milestones/:milestoneId',
    {
      config: owner,
      schema: {
        tags,
        summary:
          "Change a milestone's title, due date, status, progress or note; the contributors it touches are emailed",
        params: callMilestoneParams,
        body: milestoneInput,
        response: { 200: milestoneOut, ...errors },
      },
    },
    async (request) => {
      await outcomes.changeMilestone(
        request.actor!,
        request.params.id,
        request.params.milestoneId,
        request.body,
      );
      return presentMilestone(
        (await outcomes.milestoneToManage(request.actor!, request.params.id, request.params.milestoneId))
          .milestone,
      );
    },
  );

  api.put(
    '/api/v1/policy/calls/:id/published-response',
    {
      config: owner,
      schema: {
        tags,
        summary: "Publish (or revise, until the call concludes) a closed call's published response",
        params: idParam,
        body: publishedResponseInput,
        response: { 200: z.object({ publishedResponse: z.string(), publishedAt: z.string() }), ...errors },
      },
    },
    async (request) => {
      await outcomes.publishResponse(request.actor!, request.params.id, request.body.publishedResponse);
      const data = await outcomes.outcomesOf(request.actor!, request.params.id);
      return { publishedResponse: data.publishedResponse!, publishedAt: data.publishedAt! };
    },
  );

  api.get(
    '/api/v1/policy/contributions',
    {
      config: { access: ['member'] },
      schema: {
        tags,
        summary:
          'Your submitted responses: under which themes each was counted, what was decided for each, and your "this misses my point"',
        querystring: pageQuery,
        response: {
          200: z.object({ total: z.number(), page: z.number(), contributions: z.array(contributionOut) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const data = await contributions.myContributions(request.actor!, request.query.page);
      return {
        total: data.total,
        page: data.page,
        contributions: data.items.map((c) => ({
          responseId: c.responseId,
          callId: c.callId,
          callTitle: c.callTitle,
          callStatus: c.callStatus,
          submittedAt: iso(c.submittedAt),
          confidential: c.confidential,
          onBehalfOf: c.onBehalfOf,
          publishedResponse: c.publishedResponse,
          themes: c.themes.map((t) => ({ ...t, outcomes: t.outcomes.map(presentOutcome) })),
          questionOutcomes: c.questionOutcomes.map(presentOutcome),
          challenge: c.challenge
            ? {
                body: c.challenge.body,
                createdAt: c.challenge.createdAt.toISOString(),
                answer: c.challenge.answer,
                answeredAt: iso(c.challenge.answeredAt),
              }
            : null,
          mayChallenge: c.mayChallenge,
        })),
      };
    },
  );

  api.post(
    '/api/v1/policy/contributions/:id/challenge',
    {
      config: { access: ['member'], scope: 'own' },
      schema: {
        tags,
        summary:
          'Say "this misses my point" about your response (once a response, after the call has closed)',
        params: idParam,
        body: challengeInput,
        response: { 201: z.object({ responseId: z.number(), body: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      await contributions.challenge(request.actor!, request.params.id, request.body.body);
      reply.status(201);
      return { responseId: request.params.id, body: request.body.body };
    },
  );

  api.get(
    '/api/v1/policy/calls/:id/challenges',
    {
      config: owner,
      schema: {
        tags,
        summary: 'The "this misses my point" challenges to a call, unanswered first (oldest first)',
        params: idParam,
        querystring: pageQuery,
        response: {
          200: z.object({
            total: z.number(),
            unanswered: z.number(),
            page: z.number(),
            challenges: z.array(challengeOut),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const data = await contributions.challengesOf(request.actor!, request.params.id, request.query.page);
      return {
        total: data.total,
        unanswered: data.unanswered,
        page: data.page,
        challenges: data.challenges.map(presentChallenge),
      };
    },
  );

  api.post(
    '/api/v1/policy/calls/:id/challenges/:challengeId/answer',
    {
      config: owner,
      schema: {
        tags,
        summary: 'Answer a challenge; the member is emailed the answer',
        params: callChallengeParams,
        body: challengeAnswerInput,
        response: { 200: challengeOut, ...errors },
      },
    },
    async (request) => {
      await contributions.answerChallenge(
        request.actor!,
        request.params.id,
        request.params.challengeId,
        request.body.answer,
      );
      return presentChallenge(
        (await contributions.challengeToAnswer(request.actor!, request.params.id, request.params.challengeId))
          .challenge,
      );
    },
  );
}
