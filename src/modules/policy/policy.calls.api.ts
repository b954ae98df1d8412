import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import type { PolicyCalls } from './policy.calls.ts';
import type { PolicyParticipation } from './policy.participation.ts';
import type { PolicyResponses } from './policy.responses.ts';
import {
  callInput,
  callListQuery,
  callOut,
  callSummaryOut,
  CALL_STATUSES,
  documentsInput,
  nudgeInput,
  pageOnlyQuery,
  participationOut,
  questionOut,
  questionsInput,
  responseDueInput,
  responseInput,
  responseOut,
  statusChangeInput,
} from './policy.schemas.ts';

const tags = ['policy'];
const errors = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
};
const team = ['policy-maker'] as const;
const membersAndTeam = ['member', 'policy-maker'] as const;

const myResponseOut = z.object({
  callId: z.number(),
  canRespond: z.boolean().describe('False for the policy team and anyone the call is not aimed at'),
  canChange: z.boolean().describe('True while the call is open'),
  organisationName: z.string().nullable().describe('The employer a member may respond on behalf of'),
  questions: z.array(questionOut),
  response: z
    .object({
      id: z.number(),
      status: z.enum(['draft', 'submitted']),
      onBehalf: z.enum(['self', 'organisation']),
      confidential: z.boolean(),
      safetyConcern: z.boolean(),
      safetySummary: z.string().nullable(),
      submittedAt: z.string().nullable(),
      updatedAt: z.string(),
      answers: z.array(
        z.object({
          questionId: z.number(),
          value: z.union([z.string(), z.array(z.string()), z.number(), z.null()]),
        }),
      ),
    })
    .nullable(),
});

/** The JSON API of calls for input, responses and participation, under /api/v1/policy. */
export async function callsApi(
  app: FastifyInstance,
  opts: { calls: PolicyCalls; responses: PolicyResponses; participation: PolicyParticipation },
) {
  const { calls, responses, participation } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/policy/calls',
    {
      config: { access: membersAndTeam },
      schema: {
        tags,
        summary:
          'Calls for input: every call for the policy team (newest first, paginated, optionally in one state); for a member, the open calls aimed at them, their drafts and the closed calls they answered',
        querystring: callListQuery,
        response: {
          200: z.object({
            calls: z.array(callSummaryOut),
            total: z.number(),
            page: z.number(),
            pageSize: z.number(),
            drafts: z.array(callSummaryOut).optional(),
            answered: z.array(callSummaryOut).optional(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const actor = request.actor!;
      if (calls.isPolicyTeam(actor)) return calls.listCalls(actor, request.query);
      const mine = await calls.memberCalls(actor);
      return {
        calls: mine.open,
        total: mine.open.length,
        page: 1,
        pageSize: 50,
        drafts: mine.drafts,
        answered: mine.answered,
      };
    },
  );

  api.post(
    '/api/v1/policy/calls',
    {
      config: { access: team },
      schema: {
        tags,
        summary:
          'Draft a call for input: kind, title, summary, background, dates (the response-due date defaults to 12 weeks after close; another date needs a reason), audience and whether it is on the public ledger',
        body: callInput,
        response: { 201: callOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await calls.createCall(request.actor!, request.body);
      reply.status(201);
      return calls.getCall(request.actor!, id);
    },
  );

  api.get(
    '/api/v1/policy/calls/:id',
    {
      config: { access: membersAndTeam, scope: 'audience' },
      schema: {
        tags,
        summary: 'A call with its questions, background documents, audience and dated timeline',
        params: idParam,
        response: { 200: callOut, ...errors },
      },
    },
    async (request) => calls.getCall(request.actor!, request.params.id),
  );

  api.put(
    '/api/v1/policy/calls/:id',
    {
      config: { access: team, scope: 'call-owner' },
      schema: {
        tags,
        summary: "Change a call's details, audience and dates (only while it is a draft or scheduled)",
        params: idParam,
        body: callInput,
        response: { 200: callOut, ...errors },
      },
    },
    async (request) => {
      await calls.updateCall(request.actor!, request.params.id, request.body);
      return calls.getCall(request.actor!, request.params.id);
    },
  );

  api.post(
    '/api/v1/policy/calls/:id/status',
    {
      config: { access: team, scope: 'call-owner' },
      schema: {
        tags,
        summary: `Move a call on (${CALL_STATUSES.join(', ')}): draft to scheduled and back, scheduled to open, open to closed, closed to concluded (only once its published response exists); dated and audited`,
        params: idParam,
        body: statusChangeInput,
        response: { 200: callOut, ...errors },
      },
    },
    async (request) => {
      await calls.changeStatus(request.actor!, request.params.id, request.body);
      return calls.getCall(request.actor!, request.params.id);
    },
  );

  api.put(
    '/api/v1/policy/calls/:id/response-due',
    {
      config: { access: team, scope: 'call-owner' },
      schema: {
        tags,
        summary: 'Move the date the published response is due, with the reason (kept, shown and audited)',
        params: idParam,
        body: responseDueInput,
        response: { 200: callOut, ...errors },
      },
    },
    async (request) => {
      await calls.changeResponseDue(request.actor!, request.params.id, request.body);
      return calls.getCall(request.actor!, request.params.id);
    },
  );

  api.put(
    '/api/v1/policy/calls/:id/questions',
    {
      config: { access: team, scope: 'call-owner' },
      schema: {
        tags,
        summary:
          "Set a call's questions in order (open text with a length limit, single and multiple choice, scale, ranking), while it is a draft or scheduled",
        params: idParam,
        body: questionsInput,
        response: { 200: callOut, ...errors },
      },
    },
    async (request) => {
      await calls.replaceQuestions(request.actor!, request.params.id, request.body.questions);
      return calls.getCall(request.actor!, request.params.id);
    },
  );

  api.put(
    '/api/v1/policy/calls/:id/documents',
    {
      config: { access: team, scope: 'call-owner' },
      schema: {
        tags,
        summary: "Set a call's background documents in order (a title and an https address each)",
        params: idParam,
        body: documentsInput,
        response: { 200: callOut, ...errors },
      },
    },
    async (request) => {
      await calls.replaceDocuments(request.actor!, request.params.id, request.body.documents);
      return calls.getCall(request.actor!, request.params.id);
    },
  );

  api.get(
    '/api/v1/policy/calls/:id/my-response',
    {
      config: { access: membersAndTeam, scope: 'audience' },
      schema: {
        tags,
        summary: "The signed-in member's response to a call (a draft or sent), with the call's questions",
        params: idParam,
        response: { 200: myResponseOut, ...errors },
      },
    },
    async (request) => {
      const form = await responses.getMyResponse(request.actor!, request.params.id);
      return { ...form, callId: form.call.id };
    },
  );

  api.put(
    '/api/v1/policy/calls/:id/my-response',
    {
      config: { access: membersAndTeam, scope: 'audience' },
      schema: {
        tags,
        summary:
          "Save a draft of the member's response (intent draft) or send it (intent submit), while the call is open. Answers are keyed by question id: text, the chosen option (single), the chosen options (multiple), every option in order (ranking) or a whole number (scale)",
        params: idParam,
        body: responseInput,
        response: { 200: myResponseOut, ...errors },
      },
    },
    async (request) => {
      await responses.saveMyResponse(request.actor!, request.params.id, request.body);
      const form = await responses.getMyResponse(request.actor!, request.params.id);
      return { ...form, callId: form.call.id };
    },
  );

  api.get(
    '/api/v1/policy/calls/:id/responses',
    {
      config: { access: team, scope: 'audience' },
      schema: {
        tags,
        summary:
          "Sent responses to a call, for the policy team, oldest first and paginated; confidential ones only for the call's owner and the national team",
        params: idParam,
        querystring: pageOnlyQuery,
        response: {
          200: z.object({
            total: z.number(),
            page: z.number(),
            pageSize: z.number(),
            confidentialHidden: z.boolean(),
            responses: z.array(
              z.object({
                id: z.number(),
                respondent: z.string(),
                onBehalfOf: z.string().nullable(),
                confidential: z.boolean(),
                safetyConcern: z.boolean(),
                region: z.string().nullable(),
                profession: z.string().nullable(),
                setting: z.string().nullable(),
                submittedAt: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => responses.listResponses(request.actor!, request.params.id, request.query.page),
  );

  api.get(
    '/api/v1/policy/responses/:id',
    {
      config: { access: membersAndTeam, scope: 'response' },
      schema: {
        tags,
        summary:
          "One response: for its author and the policy team (a confidential one only for the call's owner and the national team)",
        params: idParam,
        response: { 200: responseOut, ...errors },
      },
    },
    async (request) => responses.getResponse(request.actor!, request.params.id),
  );

  api.get(
    '/api/v1/policy/calls/:id/participation',
    {
      config: { access: team, scope: 'audience' },
      schema: {
        tags,
        summary:
          "Sent responses by profession, region, specialty and setting against the make-up of the call's audience: counts and shares, no count under 5 (null), no names",
        params: idParam,
        response: { 200: participationOut, ...errors },
      },
    },
    async (request) => participation.getParticipation(request.actor!, request.params.id),
  );

  api.post(
    '/api/v1/policy/calls/:id/nudges',
    {
      config: { access: team, scope: 'call-owner' },
      schema: {
        tags,
        summary:
          "Email the members of one group of an open call's audience who have not responded (the call's owner and the national team)",
        params: idParam,
        body: nudgeInput,
        response: { 201: z.object({ recipients: z.number(), label: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const sent = await participation.nudgeGroup(request.actor!, request.params.id, request.body);
      reply.status(201);
      return sent;
    },
  );
}
