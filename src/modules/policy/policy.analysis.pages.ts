import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../platform/errors.ts';
import {
  paginationFor,
  parseForm,
  parsePathParams,
  parseQuery,
  pathId,
  withFormErrors,
} from '../../platform/forms.ts';
import { refreshWhileRunning } from '../../platform/job-pages.ts';
import { pageQuery } from '../../platform/schemas.ts';
import type { PolicyAnalysis } from './policy.analysis.ts';
import {
  acceptInput,
  answersQuery,
  assignInput,
  assignmentUpdate,
  mergeInput,
  questionParams,
  SENTIMENT_LABELS,
  SENTIMENTS,
  splitInput,
  themeInput,
} from './policy.analysis.schemas.ts';
import type { PolicySuggestions } from './policy.suggestions.ts';
import { SUGGESTION_STAGES } from './policy.suggestions.ts';

const V = 'modules/policy/views/analysis';
/**
 * The analysis belongs to the call's owner and the national team (scope `call-owner`). Other policy
 * makers may read it, without the text of confidential responses, and change nothing; members and
 * regional staff are refused (403).
 */
const team = { access: ['policy-maker'] as const, scope: 'call-owner' as const };
/** What the rest of the policy team may read (confidential text hidden); only the owner changes it. */
const teamReads = { access: ['policy-maker'] as const, scope: 'audience' as const };

type Posted = { form: string; key?: number; values: Record<string, unknown> };

/** Field errors of a form shown once per row (`excerpt-12`), so the summary links to the right field. */
const renamed = (errors: FieldError[], suffix: string, fields: readonly string[]) =>
  errors.map((e) => (fields.includes(e.field) ? { ...e, field: `${e.field}-${suffix}` } : e));

const sentimentItems = (current: unknown) => [
  { value: '', text: 'Not recorded', selected: !current },
  ...SENTIMENTS.map((s) => ({ value: s, text: SENTIMENT_LABELS[s], selected: current === s })),
];

/** The analysis pages: a call's questions and themes, a question's answers, a theme, suggestion runs. */
export async function policyAnalysisPages(
  app: FastifyInstance,
  opts: { analysis: PolicyAnalysis; suggestions: PolicySuggestions },
) {
  const { analysis, suggestions } = opts;

  app.get('/policy/calls/:id/analysis', { config: teamReads }, async (request, reply) => {
    const data = await analysis.getCallAnalysis(request.actor!, pathId(request.params));
    return reply.page(`${V}/call.njk`, {
      pageTitle: `Analysis: ${data.call.title}`,
      gridClass: 'nhsuk-grid-column-full',
      backHref: `/policy/calls/${data.call.id}`,
      ...data,
    });
  });

  async function questionPage(
    request: FastifyRequest,
    reply: FastifyReply,
    where: { callId: number; questionId: number; page?: number },
    extra: { errors?: FieldError[]; posted?: Posted } = {},
  ) {
    const page = where.page ?? parseQuery(answersQuery, request.query).page;
    const actor = request.actor!;
    const data = await analysis.getQuestionAnalysis(actor, where.callId, where.questionId, page);
    const [pending, rejected] = await Promise.all([
      suggestions.listSuggestions(actor, where.callId, { questionId: where.questionId, status: 'pending' }),
      suggestions.listSuggestions(actor, where.callId, { questionId: where.questionId, status: 'rejected' }),
    ]);
    const base = `/policy/calls/${where.callId}/analysis/questions/${where.questionId}`;
    return reply.page(`${V}/question.njk`, {
      pageTitle: `Analysis of question ${data.question.position}: ${data.call.title}`,
      gridClass: 'nhsuk-grid-column-full',
      backHref: `/policy/calls/${where.callId}/analysis`,
      ...data,
      base,
      pending,
      rejected,
      themeItems: data.themes.map((t) => ({ value: String(t.id), text: t.name })),
      sentimentItems,
      pagination: paginationFor(page, data.pageSize, data.total, (p) => `${base}?page=${p}`),
      errors: extra.errors,
      posted: extra.posted ?? { form: '', values: {} },
    });
  }

  const questionWhere = (request: FastifyRequest) => {
    const p = parsePathParams(questionParams, request.params);
    return { callId: p.id, questionId: p.questionId };
  };

  app.get('/policy/calls/:id/analysis/questions/:questionId', { config: teamReads }, (request, reply) =>
    questionPage(request, reply, questionWhere(request)),
  );

  app.post(
    '/policy/calls/:id/analysis/questions/:questionId/themes',
    { config: team },
    async (request, reply) => {
      const where = questionWhere(request);
      return withFormErrors(
        reply,
        (errors) =>
          questionPage(
            request,
            reply,
            { ...where, page: 1 },
            {
              errors,
              posted: { form: 'theme', values: request.body as Record<string, unknown> },
            },
          ),
        async () => {
          const input = parseForm(themeInput, request.body);
          const id = await analysis.createTheme(request.actor!, where.callId, where.questionId, input);
          reply.flash(`Theme ${input.name} added`);
          return reply.redirect(`/policy/themes/${id}`, 303);
        },
      );
    },
  );

  app.post(
    '/policy/calls/:id/analysis/questions/:questionId/assignments',
    { config: team },
    async (request, reply) => {
      const where = questionWhere(request);
      const { page } = parseQuery(pageQuery, request.query);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const row = Number(body.responseId) || 0;
      return withFormErrors(
        reply,
        (errors) =>
          questionPage(
            request,
            reply,
            { ...where, page },
            {
              errors: renamed(errors, String(row), [
                'themeId',
                'excerpt',
                'sentiment',
                'evidenceRich',
                'responseId',
              ]),
              posted: { form: 'assign', key: row, values: body },
            },
          ),
        async () => {
          const input = parseForm(assignInput, request.body);
          await analysis.assign(request.actor!, where.callId, where.questionId, input);
          reply.flash(`Response ${input.responseId} counted under the theme`);
          return reply.redirect(
            `/policy/calls/${where.callId}/analysis/questions/${where.questionId}?page=${page}#response-${input.responseId}`,
            303,
          );
        },
        { messageField: `themeId-${row}` },
      );
    },
  );

  app.post(
    '/policy/calls/:id/analysis/questions/:questionId/suggestions',
    { config: team },
    async (request, reply) => {
      const where = questionWhere(request);
      return withFormErrors(
        reply,
        (errors) =>
          questionPage(
            request,
            reply,
            { ...where, page: 1 },
            { errors: renamed(errors, 'run', ['form', 'questionId']) },
          ),
        async () => {
          const jobId = await suggestions.startSuggestions(request.actor!, where.callId, where.questionId);
          return reply.redirect(`/policy/suggestion-jobs/${jobId}`, 303);
        },
      );
    },
  );

  // Suggestions: accepted into a theme (new or existing) or rejected, from the question's page.
  app.post('/policy/suggestions/:id/accept', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    const where = await suggestions.locateSuggestion(request.actor!, id);
    return withFormErrors(
      reply,
      (errors) =>
        questionPage(
          request,
          reply,
          { ...where, page: 1 },
          {
            errors: renamed(errors, `s${id}`, ['themeId', 'name']),
            posted: { form: 'accept', key: id, values: request.body as Record<string, unknown> },
          },
        ),
      async () => {
        const input = parseForm(acceptInput, request.body);
        const accepted = await suggestions.acceptSuggestion(request.actor!, id, input);
        reply.flash(
          `Suggestion accepted: ${accepted.assigned} response${accepted.assigned === 1 ? '' : 's'} counted under ${accepted.themeName}`,
        );
        return reply.redirect(`/policy/themes/${accepted.themeId}`, 303);
      },
      { messageField: `themeId-s${id}` },
    );
  });

  app.post('/policy/suggestions/:id/reject', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    const where = await suggestions.locateSuggestion(request.actor!, id);
    return withFormErrors(
      reply,
      (errors) =>
        questionPage(request, reply, { ...where, page: 1 }, { errors: renamed(errors, `s${id}`, ['form']) }),
      async () => {
        await suggestions.rejectSuggestion(request.actor!, id);
        reply.flash('Suggestion rejected: it is listed under rejected suggestions');
        return reply.redirect(`/policy/calls/${where.callId}/analysis/questions/${where.questionId}`, 303);
      },
      { messageField: `form-s${id}` },
    );
  });

  // The engine runs in a worker thread; this page shows how far it has got and, once the
  // suggestions are saved, sends the person to the question's page. It refreshes itself.
  app.get('/policy/suggestion-jobs/:id', { config: team }, async (request, reply) => {
    const job = await suggestions.getSuggestionJob(request.actor!, pathId(request.params));
    if (job.status === 'succeeded') {
      reply.flash('Themes suggested: review them under “Suggested themes”');
      return reply.redirect(
        `/policy/calls/${job.callId}/analysis/questions/${job.questionId}#suggestions`,
        303,
      );
    }
    const refresh = refreshWhileRunning(request, reply, job.status === 'running');
    return reply.page(`${V}/job.njk`, {
      pageTitle:
        job.status === 'running'
          ? 'Suggesting themes'
          : job.status === 'cancelled'
            ? 'Suggesting themes was cancelled'
            : 'Themes could not be suggested',
      backHref: `/policy/calls/${job.callId}/analysis/questions/${job.questionId}`,
      job,
      stages: SUGGESTION_STAGES,
      ...refresh,
    });
  });

  app.post('/policy/suggestion-jobs/:id/cancel', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    await suggestions.cancelSuggestionJob(request.actor!, id);
    reply.flash('Suggesting themes is being cancelled: the pending suggestions stay as they were.');
    return reply.redirect(`/policy/suggestion-jobs/${id}`, 303);
  });

  // ---- a theme: its assignments and history; rename, merge, split ----

  async function themePage(
    request: FastifyRequest,
    reply: FastifyReply,
    themeId: number,
    extra: { errors?: FieldError[]; posted?: Posted; page?: number } = {},
  ) {
    const page = extra.page ?? parseQuery(pageQuery, request.query).page;
    const data = await analysis.getTheme(request.actor!, themeId, page);
    return reply.page(`${V}/theme.njk`, {
      pageTitle: `Theme: ${data.theme.name}`,
      gridClass: 'nhsuk-grid-column-full',
      backHref: `/policy/calls/${data.call.id}/analysis/questions/${data.question.id}`,
      ...data,
      sentimentItems,
      sentimentLabels: SENTIMENT_LABELS,
      mergeItems: [
        { value: '', text: 'Choose a theme' },
        ...data.mergeTargets.map((t) => ({ value: String(t.id), text: t.name })),
      ],
      pagination: paginationFor(
        page,
        data.pageSize,
        data.theme.responses,
        (p) => `/policy/themes/${themeId}?page=${p}`,
      ),
      errors: extra.errors,
      posted: extra.posted ?? { form: '', values: {} },
    });
  }

  app.get('/policy/themes/:id', { config: teamReads }, (request, reply) =>
    themePage(request, reply, pathId(request.params)),
  );

  app.post('/policy/themes/:id/rename', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) =>
        themePage(request, reply, id, {
          errors,
          page: 1,
          posted: { form: 'rename', values: request.body as Record<string, unknown> },
        }),
      async () => {
        const input = parseForm(themeInput, request.body);
        await analysis.renameTheme(request.actor!, id, input);
        reply.flash(`Theme saved as ${input.name}`);
        return reply.redirect(`/policy/themes/${id}`, 303);
      },
    );
  });

  app.post('/policy/themes/:id/merge', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => themePage(request, reply, id, { errors, page: 1 }),
      async () => {
        const input = parseForm(mergeInput, request.body);
        const into = await analysis.mergeTheme(request.actor!, id, input);
        reply.flash('Themes merged: this theme’s answers are now counted under it');
        return reply.redirect(`/policy/themes/${into}`, 303);
      },
      { messageField: 'intoThemeId' },
    );
  });

  app.post('/policy/themes/:id/split', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return withFormErrors(
      reply,
      (errors) =>
        themePage(request, reply, id, {
          errors: renamed(errors, 'split', ['name', 'description']),
          page: 1,
          posted: { form: 'split', values: body },
        }),
      async () => {
        const input = parseForm(splitInput, request.body);
        const newId = await analysis.splitTheme(request.actor!, id, input);
        reply.flash(
          `Theme ${input.name} split off with ${input.assignmentIds.length} answer${input.assignmentIds.length === 1 ? '' : 's'}`,
        );
        return reply.redirect(`/policy/themes/${newId}`, 303);
      },
      { messageField: 'assignmentIds' },
    );
  });

  async function themeOfAssignmentPage(
    request: FastifyRequest,
    reply: FastifyReply,
    assignmentId: number,
    errors: FieldError[],
  ) {
    const themeId = await analysis.themeOfAssignment(request.actor!, assignmentId);
    return themePage(request, reply, themeId, {
      errors: renamed(errors, `a${assignmentId}`, ['excerpt', 'sentiment', 'evidenceRich', 'form']),
      page: 1,
      posted: { form: 'assignment', key: assignmentId, values: request.body as Record<string, unknown> },
    });
  }

  app.post('/policy/assignments/:id', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => themeOfAssignmentPage(request, reply, id, errors),
      async () => {
        const input = parseForm(assignmentUpdate, request.body);
        const themeId = await analysis.updateAssignment(request.actor!, id, input);
        reply.flash('Assignment saved');
        return reply.redirect(`/policy/themes/${themeId}#assignment-${id}`, 303);
      },
    );
  });

  app.post('/policy/assignments/:id/remove', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => themeOfAssignmentPage(request, reply, id, errors),
      async () => {
        const themeId = await analysis.removeAssignment(request.actor!, id);
        reply.flash('Assignment removed: the response no longer counts under this theme');
        return reply.redirect(`/policy/themes/${themeId}`, 303);
      },
    );
  });
}
