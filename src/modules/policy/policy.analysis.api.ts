import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam, pageQuery } from '../../platform/schemas.ts';
import type { PolicyAnalysis } from './policy.analysis.ts';
import {
  acceptInput,
  assignToThemeInput,
  assignmentPatch,
  mergeInput,
  newThemeInput,
  SENTIMENTS,
  splitInput,
  startSuggestionsInput,
  suggestionsQuery,
  themeInput,
} from './policy.analysis.schemas.ts';
import type { PolicySuggestions } from './policy.suggestions.ts';

const tags = ['policy analysis'];
const team = { access: ['policy-maker'] as const, scope: 'call-owner' as const };
/** What the rest of the policy team may read (confidential text hidden); only the owner changes it. */
const teamReads = { access: ['policy-maker'] as const, scope: 'audience' as const };
const errors = { 400: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema };

const groupCount = z.object({ value: z.string(), responses: z.number().int() });
const groupsOut = z.object({
  region: z.array(groupCount),
  profession: z.array(groupCount),
  setting: z.array(groupCount),
});
const themeOut = z.object({
  id: z.number().int(),
  questionId: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  responses: z
    .number()
    .int()
    .describe('Live responses counted under the theme (accepted suggestions included)'),
  mergedIntoId: z.number().int().nullable(),
  mergedIntoName: z.string().nullable(),
  groups: groupsOut,
});
const assignmentOut = z.object({
  id: z.number().int(),
  themeId: z.number().int(),
  responseId: z.number().int(),
  excerpt: z.string().nullable(),
  sentiment: z.enum(SENTIMENTS).nullable(),
  evidenceRich: z.boolean(),
  source: z.enum(['person', 'suggestion']),
  assignedAt: z.date(),
  assignedBy: z.string().nullable(),
  confidential: z.boolean(),
  text: z.string(),
});
const historyOut = z.object({
  id: z.number().int(),
  assignmentId: z.number().int(),
  responseId: z.number().int(),
  action: z.string(),
  description: z.string(),
  changedBy: z.string().nullable(),
  changedAt: z.date(),
});
const themeDetailOut = z.object({
  theme: themeOut,
  callId: z.number().int(),
  assignments: z.array(assignmentOut),
  history: z.array(historyOut),
  page: z.number().int(),
  pageSize: z.number().int(),
});
const suggestionOut = z.object({
  id: z.number().int(),
  questionId: z.number().int(),
  label: z.string(),
  keyphrases: z.array(z.string()),
  responseIds: z.array(z.number().int()),
  responses: z.number().int(),
  score: z.number(),
  status: z.enum(['pending', 'accepted', 'rejected']),
  themeId: z.number().int().nullable(),
  themeName: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.date().nullable(),
  createdAt: z.date(),
});
const jobOut = z.object({
  id: z.number().int(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  callId: z.number().int(),
  questionId: z.number().int(),
  startedBy: z.string().nullable(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  cancelRequested: z.boolean(),
  error: z.string().nullable(),
  progress: z.object({
    stage: z.string(),
    step: z.number().int(),
    steps: z.number().int(),
    answers: z.number().int().nullable(),
  }),
});
const countsOut = z.array(
  z.object({
    questionId: z.number().int(),
    prompt: z.string(),
    answers: z.number().int(),
    themes: z.array(
      z.object({
        themeId: z.number().int(),
        name: z.string(),
        responses: z.number().int(),
        groups: groupsOut,
      }),
    ),
  }),
);
const idOut = z.object({ id: z.number().int() });

/** JSON routes of the analysis: themes, assignments, live counts and suggestions, as the pages. */
export async function policyAnalysisApi(
  base: FastifyInstance,
  opts: { analysis: PolicyAnalysis; suggestions: PolicySuggestions },
) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { analysis, suggestions } = opts;

  async function themeDetail(
    actor: NonNullable<Parameters<PolicyAnalysis['getTheme']>[0]>,
    id: number,
    page = 1,
  ) {
    const d = await analysis.getTheme(actor, id, page);
    return {
      theme: d.theme,
      callId: d.call.id,
      page: d.page,
      pageSize: d.pageSize,
      assignments: d.assignments.map((a) => ({
        id: a.id,
        themeId: a.themeId,
        responseId: a.responseId,
        excerpt: a.excerpt,
        sentiment: a.sentiment,
        evidenceRich: a.evidenceRich,
        source: a.source,
        assignedAt: a.assignedAt,
        assignedBy: a.assignedBy,
        confidential: a.confidential,
        text: a.text,
      })),
      history: d.history.map((h) => ({
        id: h.id,
        assignmentId: h.assignmentId,
        responseId: h.responseId,
        action: h.action,
        description: h.description,
        changedBy: h.changedBy,
        changedAt: h.changedAt,
      })),
    };
  }

  const presentJob = (j: Awaited<ReturnType<PolicySuggestions['getSuggestionJob']>>) => ({
    id: j.id,
    status: j.status,
    callId: j.callId,
    questionId: j.questionId,
    startedBy: j.startedBy,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    cancelRequested: j.cancelRequested,
    error: j.error,
    progress: {
      stage: j.progress.stage,
      step: j.progress.step,
      steps: j.progress.steps,
      answers: j.progress.answers,
    },
  });

  app.get(
    '/api/v1/policy/calls/:id/themes',
    {
      config: teamReads,
      schema: {
        tags,
        summary:
          'The themes of every question of a call (merged ones included, marked), with live counts per group',
        params: idParam,
        response: { 200: z.array(themeOut), ...errors },
      },
    },
    async (request) => {
      const a = await analysis.getCallAnalysis(request.actor!, request.params.id);
      return a.questions.flatMap((q) => q.themes);
    },
  );

  app.post(
    '/api/v1/policy/calls/:id/themes',
    {
      config: team,
      schema: {
        tags,
        summary: 'Add a theme to a question of the call (names are unique per question among live themes)',
        params: idParam,
        body: newThemeInput,
        response: { 201: themeDetailOut, ...errors },
      },
    },
    async (request, reply) => {
      const { questionId, ...input } = request.body;
      const id = await analysis.createTheme(request.actor!, request.params.id, questionId, input);
      return reply.status(201).send(await themeDetail(request.actor!, id));
    },
  );

  app.get(
    '/api/v1/policy/calls/:id/theme-counts',
    {
      config: teamReads,
      schema: {
        tags,
        summary:
          'Live counts: responses per theme and per group (region, profession, setting at submission), per question',
        params: idParam,
        response: { 200: countsOut, ...errors },
      },
    },
    async (request) => analysis.countsForCall(request.actor!, request.params.id),
  );

  app.get(
    '/api/v1/policy/themes/:id',
    {
      config: teamReads,
      schema: {
        tags,
        summary: 'A theme with a page of its live assignments and its newest history',
        params: idParam,
        querystring: pageQuery,
        response: { 200: themeDetailOut, ...errors },
      },
    },
    async (request) => themeDetail(request.actor!, request.params.id, request.query.page),
  );

  app.patch(
    '/api/v1/policy/themes/:id',
    {
      config: team,
      schema: {
        tags,
        summary: 'Rename a theme or change its description',
        params: idParam,
        body: themeInput,
        response: { 200: themeDetailOut, ...errors },
      },
    },
    async (request) => {
      await analysis.renameTheme(request.actor!, request.params.id, request.body);
      return themeDetail(request.actor!, request.params.id);
    },
  );

  app.post(
    '/api/v1/policy/themes/:id/merge',
    {
      config: team,
      schema: {
        tags,
        summary:
          'Merge this theme into another of the same question: that one takes its live assignments; this one is kept, marked merged',
        params: idParam,
        body: mergeInput,
        response: { 200: themeDetailOut, ...errors },
      },
    },
    async (request) => {
      const into = await analysis.mergeTheme(request.actor!, request.params.id, request.body);
      return themeDetail(request.actor!, into);
    },
  );

  app.post(
    '/api/v1/policy/themes/:id/split',
    {
      config: team,
      schema: {
        tags,
        summary: 'Split a theme: a new theme of the same question takes the chosen live assignments',
        params: idParam,
        body: splitInput,
        response: { 201: themeDetailOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await analysis.splitTheme(request.actor!, request.params.id, request.body);
      return reply.status(201).send(await themeDetail(request.actor!, id));
    },
  );

  app.post(
    '/api/v1/policy/themes/:id/assignments',
    {
      config: team,
      schema: {
        tags,
        summary:
          'Count a response’s answer (or an excerpt of it, copied exactly) under the theme, with sentiment and an evidence-rich flag',
        params: idParam,
        body: assignToThemeInput,
        response: { 201: idOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await analysis.assignToTheme(request.actor!, request.params.id, request.body);
      return reply.status(201).send({ id });
    },
  );

  app.patch(
    '/api/v1/policy/assignments/:id',
    {
      config: team,
      schema: {
        tags,
        summary: 'Change an assignment’s excerpt, sentiment or evidence-rich flag',
        params: idParam,
        body: assignmentPatch,
        response: { 200: idOut, ...errors },
      },
    },
    async (request) => {
      await analysis.updateAssignment(request.actor!, request.params.id, request.body);
      return { id: request.params.id };
    },
  );

  app.post(
    '/api/v1/policy/assignments/:id/remove',
    {
      config: team,
      schema: {
        tags,
        summary: 'Remove an assignment (dated, kept in the history; never deleted)',
        params: idParam,
        response: { 200: idOut, ...errors },
      },
    },
    async (request) => {
      await analysis.removeAssignment(request.actor!, request.params.id);
      return { id: request.params.id };
    },
  );

  app.get(
    '/api/v1/policy/calls/:id/suggestions',
    {
      config: teamReads,
      schema: {
        tags,
        summary:
          'Suggested themes of the call (pending by default): marked as suggestions and never counted until accepted',
        params: idParam,
        querystring: suggestionsQuery,
        response: { 200: z.array(suggestionOut), ...errors },
      },
    },
    async (request) => suggestions.listSuggestions(request.actor!, request.params.id, request.query),
  );

  app.post(
    '/api/v1/policy/calls/:id/suggestion-jobs',
    {
      config: team,
      schema: {
        tags,
        summary:
          'Suggest themes for a text question (runs in the background): 202 with the job to follow; replaces the pending suggestions',
        params: idParam,
        body: startSuggestionsInput,
        response: { 202: jobOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await suggestions.startSuggestions(
        request.actor!,
        request.params.id,
        request.body.questionId,
      );
      const job = await suggestions.getSuggestionJob(request.actor!, id);
      return reply
        .status(202)
        .header('location', `/api/v1/policy/suggestion-jobs/${id}`)
        .send(presentJob(job));
    },
  );

  app.get(
    '/api/v1/policy/suggestion-jobs/:id',
    {
      config: team,
      schema: {
        tags,
        summary: 'A suggestion job: its status and progress',
        params: idParam,
        response: { 200: jobOut, ...errors },
      },
    },
    async (request) => presentJob(await suggestions.getSuggestionJob(request.actor!, request.params.id)),
  );

  app.post(
    '/api/v1/policy/suggestion-jobs/:id/cancel',
    {
      config: team,
      schema: {
        tags,
        summary: 'Cancel a running suggestion job (the pending suggestions stay as they were)',
        params: idParam,
        response: { 202: jobOut, ...errors },
      },
    },
    async (request, reply) => {
      await suggestions.cancelSuggestionJob(request.actor!, request.params.id);
      return reply
        .status(202)
        .send(presentJob(await suggestions.getSuggestionJob(request.actor!, request.params.id)));
    },
  );

  app.post(
    '/api/v1/policy/suggestions/:id/accept',
    {
      config: team,
      schema: {
        tags,
        summary:
          'Accept a suggestion: into a new theme (its label, or `name`) or an existing theme (`themeId`); its responses are counted, source suggestion',
        params: idParam,
        body: acceptInput,
        response: {
          200: z.object({ themeId: z.number().int(), themeName: z.string(), assigned: z.number().int() }),
          ...errors,
        },
      },
    },
    async (request) => suggestions.acceptSuggestion(request.actor!, request.params.id, request.body),
  );

  app.post(
    '/api/v1/policy/suggestions/:id/reject',
    {
      config: team,
      schema: {
        tags,
        summary: 'Reject a suggestion: hidden from the pending list, shown among the rejected',
        params: idParam,
        response: { 200: z.object({ callId: z.number().int(), questionId: z.number().int() }), ...errors },
      },
    },
    async (request) => suggestions.rejectSuggestion(request.actor!, request.params.id),
  );
}
