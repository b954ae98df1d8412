import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../platform/errors.ts';
import {
  checkQuery,
  paginationFor,
  parseForm,
  pathId,
  queryString,
  withFormErrors,
} from '../../platform/forms.ts';
import type { QuestionView } from './policy.calls.ts';
import type { PolicyParticipation } from './policy.participation.ts';
import type { PolicyResponses } from './policy.responses.ts';
import {
  type AnswerValue,
  GROUP_DIMENSIONS,
  nudgeInput,
  pageOnlyQuery,
  responseInput,
} from './policy.schemas.ts';

const V = 'modules/policy/views/calls';
const team = { access: ['policy-maker'] as const };
const membersAndTeam = { access: ['member', 'policy-maker'] as const };

type FormValues = {
  intent?: string;
  onBehalf: string;
  confidential: boolean;
  safetyConcern: boolean;
  safetySummary: string;
  answers: Record<string, unknown>;
  ranks: Record<string, Record<string, string>>;
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A response form's fields as the service takes them; rankings come as a place for each option. */
function fromForm(body: Record<string, unknown>, questions: QuestionView[]) {
  const answers: Record<string, AnswerValue> = {};
  const ranks: FormValues['ranks'] = {};
  for (const q of questions) {
    const raw = body[`q${q.id}`];
    if (q.kind === 'ranking') {
      const places = q.options.map((_, i) => str(body[`rank-${q.id}-${i}`]).trim());
      ranks[q.id] = Object.fromEntries(places.map((p, i) => [String(i), p]));
      if (places.every((p) => p === '')) continue;
      const n = q.options.length;
      const numbers = places.map((p) => (/^\d{1,2}$/.test(p) ? Number(p) : NaN));
      const ok = numbers.every((x) => x >= 1 && x <= n) && new Set(numbers).size === n;
      // A ranking that is not one place each is sent as it is, for the service to refuse in words.
      answers[q.id] = ok
        ? [...q.options.keys()].sort((a, b) => numbers[a]! - numbers[b]!).map((i) => q.options[i]!)
        : places;
    } else if (q.kind === 'multiple') {
      answers[q.id] = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
    } else if (raw !== undefined) {
      answers[q.id] = Array.isArray(raw) ? raw.map(String) : String(raw);
    }
  }
  return {
    input: {
      intent: body.intent,
      onBehalf: body.onBehalf ?? 'self',
      confidential: body.confidential === 'yes',
      safetyConcern: body.safetyConcern === 'yes',
      safetySummary: body.safetySummary,
      answers,
    },
    values: {
      onBehalf: str(body.onBehalf) || 'self',
      confidential: body.confidential === 'yes',
      safetyConcern: body.safetyConcern === 'yes',
      safetySummary: str(body.safetySummary),
      answers: Object.fromEntries(questions.map((q) => [String(q.id), body[`q${q.id}`]])),
      ranks,
    } satisfies FormValues,
  };
}

/** The NHS components of each question, filled with what the member has given so far. */
function questionFields(questions: QuestionView[], values: FormValues) {
  return questions.map((q, i) => {
    const v = values.answers[String(q.id)];
    const chosen = v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
    const scale =
      q.kind === 'scale'
        ? Array.from({ length: q.scaleMax! - q.scaleMin! + 1 }, (_, k) => q.scaleMin! + k).map((n) => ({
            value: String(n),
            text:
              n === q.scaleMin && q.scaleMinLabel
                ? `${n}: ${q.scaleMinLabel}`
                : n === q.scaleMax && q.scaleMaxLabel
                  ? `${n}: ${q.scaleMaxLabel}`
                  : String(n),
            checked: chosen.includes(String(n)),
          }))
        : [];
    return {
      ...q,
      number: i + 1,
      field: `q${q.id}`,
      label: `${i + 1}. ${q.prompt}${q.required ? '' : ' (optional)'}`,
      text: typeof v === 'string' ? v : '',
      items:
        q.kind === 'scale'
          ? scale
          : q.options.map((o) => ({ value: o, text: o, checked: chosen.includes(o) })),
      ranks: q.options.map((o, k) => ({
        option: o,
        id: k === 0 ? `q${q.id}` : `rank-${q.id}-${k}`,
        name: `rank-${q.id}-${k}`,
        value:
          values.ranks[q.id]?.[String(k)] ??
          (Array.isArray(v) && v.includes(o) ? String(v.indexOf(o) + 1) : ''),
      })),
    };
  });
}

const isRanking = (r: { answers: { questionId: number; kind?: string }[] }, questionId: number) =>
  r.answers.find((a) => a.questionId === questionId)?.kind === 'ranking';

/** A member's response to a call; the policy team's list of responses, one response, and participation. */
export async function responsePages(
  app: FastifyInstance,
  opts: { responses: PolicyResponses; participation: PolicyParticipation },
) {
  const { responses, participation } = opts;

  async function respondPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: { values?: FormValues; errors?: FieldError[] } = {},
  ) {
    const form = await responses.getMyResponse(request.actor!, id);
    const r = form.response;
    const values: FormValues = extra.values ?? {
      onBehalf: r?.onBehalf ?? 'self',
      confidential: r?.confidential ?? false,
      safetyConcern: r?.safetyConcern ?? false,
      safetySummary: r?.safetySummary ?? '',
      answers: Object.fromEntries((r?.answers ?? []).map((a) => [String(a.questionId), a.value])),
      ranks: {},
    };
    return reply.page(`${V}/respond.njk`, {
      pageTitle: `Respond: ${form.call.title}`,
      backHref: `/policy/calls/${id}`,
      form,
      values,
      fields: questionFields(form.questions, values),
      errors: extra.errors,
    });
  }

  app.get(
    '/policy/calls/:id/respond',
    { config: { ...membersAndTeam, scope: 'audience' } },
    (request, reply) => respondPage(request, reply, pathId(request.params)),
  );

  app.post(
    '/policy/calls/:id/respond',
    { config: { ...membersAndTeam, scope: 'audience' } },
    async (request, reply) => {
      const id = pathId(request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const form = await responses.getMyResponse(request.actor!, id);
      const { input, values } = fromForm(body, form.questions);
      return withFormErrors(
        reply,
        (errors) => respondPage(request, reply, id, { values, errors }),
        async () => {
          const parsed = parseForm(responseInput, input);
          const saved = await responses.saveMyResponse(request.actor!, id, parsed);
          reply.flash(
            saved.status === 'draft'
              ? 'Draft saved: send it before the call closes'
              : saved.firstSubmission
                ? 'Response sent: thank you. You can change it until the call closes'
                : 'Your response is updated',
          );
          return reply.redirect(`/policy/calls/${id}`, 303);
        },
      );
    },
  );

  app.get(
    '/policy/calls/:id/responses',
    { config: { ...team, scope: 'audience' } },
    async (request, reply) => {
      const id = pathId(request.params);
      const q = checkQuery(pageOnlyQuery, request.query);
      const page = q.ok ? q.data.page : 1;
      const list = await responses.listResponses(request.actor!, id, page);
      return reply.page(`${V}/responses.njk`, {
        pageTitle: `Responses: ${list.call.title}`,
        backHref: `/policy/calls/${id}`,
        gridClass: 'nhsuk-grid-column-full',
        list,
        errors: q.ok ? undefined : q.errors,
        pagination: paginationFor(
          list.page,
          list.pageSize,
          list.total,
          (p) => `/policy/calls/${id}/responses${queryString({}, p)}`,
        ),
      });
    },
  );

  app.get(
    '/policy/responses/:id',
    { config: { ...membersAndTeam, scope: 'response' } },
    async (request, reply) => {
      const response = await responses.getResponse(request.actor!, pathId(request.params));
      return reply.page(`${V}/response.njk`, {
        pageTitle: response.mine
          ? `Your response: ${response.callTitle}`
          : `Response from ${response.respondent}`,
        backHref: response.mine
          ? `/policy/calls/${response.callId}`
          : `/policy/calls/${response.callId}/responses`,
        response: {
          ...response,
          answers: response.answers.map((a) => ({
            ...a,
            display:
              a.value === null || (Array.isArray(a.value) && a.value.length === 0)
                ? 'No answer'
                : Array.isArray(a.value)
                  ? a.value
                      .map((v, i) => (isRanking(response, a.questionId) ? `${i + 1}. ${v}` : v))
                      .join(isRanking(response, a.questionId) ? '\n' : ', ')
                  : String(a.value),
          })),
        },
      });
    },
  );

  async function participationPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: { values?: Record<string, unknown>; errors?: FieldError[] } = {},
  ) {
    const p = await participation.getParticipation(request.actor!, id);
    const v = extra.values ?? {};
    return reply.page(`${V}/participation.njk`, {
      pageTitle: `Who has responded: ${p.call.title}`,
      backHref: `/policy/calls/${id}`,
      gridClass: 'nhsuk-grid-column-full',
      p,
      groupItems: p.dimensions.flatMap((d) =>
        d.cells
          .filter((c) => c.value !== '')
          .map((c) => ({
            value: `${d.dimension}:${c.value}`,
            text: `${d.label}: ${c.label}`,
            selected: `${String(v.dimension)}:${String(v.value)}` === `${d.dimension}:${c.value}`,
          })),
      ),
      values: v,
      errors: extra.errors,
    });
  }

  app.get('/policy/calls/:id/participation', { config: { ...team, scope: 'audience' } }, (request, reply) =>
    participationPage(request, reply, pathId(request.params)),
  );

  app.post(
    '/policy/calls/:id/nudge',
    { config: { ...team, scope: 'call-owner' } },
    async (request, reply) => {
      const id = pathId(request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      // The form names a group as "dimension:value" in one select.
      const [dimension, ...rest] = str(body.group).split(':');
      const fields = {
        dimension: (GROUP_DIMENSIONS as readonly string[]).includes(dimension ?? '') ? dimension : undefined,
        value: rest.join(':'),
        message: body.message,
      };
      return withFormErrors(
        reply,
        (errors) =>
          participationPage(request, reply, id, {
            values: { ...fields },
            errors: errors.map((e) => ({ ...e, field: e.field === 'message' ? 'message' : 'group' })),
          }),
        async () => {
          const input = parseForm(nudgeInput, fields);
          const sent = await participation.nudgeGroup(request.actor!, id, input);
          reply.flash(`Nudge sent to ${sent.recipients} members (${sent.label}) who have not responded`);
          return reply.redirect(`/policy/calls/${id}/participation`, 303);
        },
        { messageField: 'group' },
      );
    },
  );
}
