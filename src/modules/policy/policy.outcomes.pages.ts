import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../platform/errors.ts';
import { parseForm, parsePathParams, pathId, withFormErrors } from '../../platform/forms.ts';
import type { PolicyOutcomes } from './policy.outcomes.ts';
import {
  callMilestoneParams,
  callOutcomeParams,
  DECISION_LABELS,
  MILESTONE_LABELS,
  milestoneInput,
  OUTCOME_DECISIONS,
  MILESTONE_STATUSES,
  outcomeChange,
  outcomeInput,
  publishedResponseInput,
} from './policy.outcomes.schemas.ts';

const V = 'modules/policy/views/outcomes';
const team = { access: ['policy-maker'] as const, scope: 'call-owner' as const };
type Extra = { values?: unknown; errors?: FieldError[] };

const decisionItems = (current: unknown) =>
  OUTCOME_DECISIONS.map((d) => ({ value: d, text: DECISION_LABELS[d], checked: current === d }));
const statusItems = (current: unknown) =>
  MILESTONE_STATUSES.map((s) => ({
    value: s,
    text: MILESTONE_LABELS[s],
    selected: (current ?? 'planned') === s,
  }));

/** The owner's outcomes of a call: what was decided per theme or question, milestones, the published response. */
export async function outcomesPages(app: FastifyInstance, opts: { outcomes: PolicyOutcomes }) {
  const { outcomes } = opts;

  async function outcomesPage(request: FastifyRequest, reply: FastifyReply, id: number, extra: Extra = {}) {
    const data = await outcomes.outcomesToManage(request.actor!, id);
    const values = (extra.values ?? {}) as Record<string, unknown>;
    return reply.page(`${V}/outcomes.njk`, {
      pageTitle: `Outcomes: ${data.call.title}`,
      gridClass: 'nhsuk-grid-column-full',
      ...data,
      targetItems: [
        { value: '', text: 'Choose a theme or question' },
        ...data.themes.map((t) => ({
          value: `theme-${t.id}`,
          text: `Theme: ${t.name} (${t.responses} responses; ${t.question})`,
          selected: values.target === `theme-${t.id}`,
        })),
        ...data.questions.map((q) => ({
          value: `question-${q.id}`,
          text: `Question ${q.position}: ${q.prompt}`,
          selected: values.target === `question-${q.id}`,
        })),
      ],
      decisionItems: decisionItems(values.decision),
      values,
      responseValue: values.publishedResponse ?? data.call.publishedResponse ?? '',
      errors: extra.errors,
    });
  }

  app.get('/policy/calls/:id/outcomes', { config: team }, (request, reply) =>
    outcomesPage(request, reply, pathId(request.params)),
  );

  app.post('/policy/calls/:id/outcomes', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => outcomesPage(request, reply, id, { values: request.body, errors }),
      async () => {
        const input = parseForm(outcomeInput, request.body);
        await outcomes.addOutcome(request.actor!, id, input);
        reply.flash(`Outcome recorded: ${DECISION_LABELS[input.decision]}`);
        return reply.redirect(`/policy/calls/${id}/outcomes`, 303);
      },
      { messageField: 'target' },
    );
  });

  app.post('/policy/calls/:id/published-response', { config: team }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => outcomesPage(request, reply, id, { values: request.body, errors }),
      async () => {
        const input = parseForm(publishedResponseInput, request.body);
        const { first } = await outcomes.publishResponse(request.actor!, id, input.publishedResponse);
        reply.flash(first ? 'Response published' : 'Published response revised');
        return reply.redirect(`/policy/calls/${id}/outcomes`, 303);
      },
      { messageField: 'publishedResponse' },
    );
  });

  async function outcomePage(
    request: FastifyRequest,
    reply: FastifyReply,
    p: { id: number; outcomeId: number },
    extra: Extra & { form?: 'outcome' | 'milestone' } = {},
  ) {
    const data = await outcomes.outcomeToManage(request.actor!, p.id, p.outcomeId);
    const o = data.outcome;
    const outcomeValues = (extra.form === 'outcome' ? extra.values : o) as Record<string, unknown>;
    const milestoneValues = (extra.form === 'milestone' ? extra.values : {}) as Record<string, unknown>;
    return reply.page(`${V}/outcome.njk`, {
      pageTitle: `Outcome: ${o.themeName ?? o.question ?? 'question'}`,
      backHref: `/policy/calls/${p.id}/outcomes`,
      ...data,
      outcomeValues,
      milestoneValues,
      decisionItems: decisionItems(outcomeValues.decision),
      statusItems: statusItems(milestoneValues.status),
      errors: extra.errors,
    });
  }

  app.get('/policy/calls/:id/outcomes/:outcomeId', { config: team }, (request, reply) =>
    outcomePage(request, reply, parsePathParams(callOutcomeParams, request.params)),
  );

  app.post('/policy/calls/:id/outcomes/:outcomeId', { config: team }, async (request, reply) => {
    const p = parsePathParams(callOutcomeParams, request.params);
    return withFormErrors(
      reply,
      (errors) => outcomePage(request, reply, p, { values: request.body, errors, form: 'outcome' }),
      async () => {
        const input = parseForm(outcomeChange, request.body);
        await outcomes.changeOutcome(request.actor!, p.id, p.outcomeId, input);
        reply.flash('Outcome saved');
        return reply.redirect(`/policy/calls/${p.id}/outcomes`, 303);
      },
      { messageField: 'decision' },
    );
  });

  app.post('/policy/calls/:id/outcomes/:outcomeId/milestones', { config: team }, async (request, reply) => {
    const p = parsePathParams(callOutcomeParams, request.params);
    return withFormErrors(
      reply,
      (errors) => outcomePage(request, reply, p, { values: request.body, errors, form: 'milestone' }),
      async () => {
        const input = parseForm(milestoneInput, request.body);
        await outcomes.addMilestone(request.actor!, p.id, p.outcomeId, input);
        reply.flash(`Milestone added: ${input.title}`);
        return reply.redirect(`/policy/calls/${p.id}/outcomes/${p.outcomeId}`, 303);
      },
      { messageField: 'title' },
    );
  });

  async function milestonePage(
    request: FastifyRequest,
    reply: FastifyReply,
    p: { id: number; milestoneId: number },
    extra: Extra = {},
  ) {
    const data = await outcomes.milestoneToManage(request.actor!, p.id, p.milestoneId);
    const values = (extra.values ?? data.milestone) as Record<string, unknown>;
    return reply.page(`${V}/milestone.njk`, {
      pageTitle: `Milestone: ${data.milestone.title}`,
      backHref: `/policy/calls/${p.id}/outcomes/${data.outcome.id}`,
      ...data,
      values,
      statusItems: statusItems(values.status),
      errors: extra.errors,
    });
  }

  app.get('/policy/calls/:id/milestones/:milestoneId', { config: team }, (request, reply) =>
    milestonePage(request, reply, parsePathParams(callMilestoneParams, request.params)),
  );

  app.post('/policy/calls/:id/milestones/:milestoneId', { config: team }, async (request, reply) => {
    const p = parsePathParams(callMilestoneParams, request.params);
    return withFormErrors(
      reply,
      (errors) => milestonePage(request, reply, p, { values: request.body, errors }),
      async () => {
        const input = parseForm(milestoneInput, request.body);
        await outcomes.changeMilestone(request.actor!, p.id, p.milestoneId, input);
        reply.flash(`Milestone saved: ${input.title}`);
        return reply.redirect(`/policy/calls/${p.id}/milestones/${p.milestoneId}`, 303);
      },
      { messageField: 'title' },
    );
  });
}
