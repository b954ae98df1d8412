import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, ForbiddenError } from '../../platform/errors.ts';
import {
  checkQuery,
  paginationFor,
  parseForm,
  pathId,
  queryString,
  withFormErrors,
} from '../../platform/forms.ts';
import { hasRole, isNational } from '../../platform/permissions.ts';
import type { PolicyCalls } from './policy.calls.ts';
import {
  CALL_KIND_LABELS,
  CALL_KINDS,
  CALL_STATUS_LABELS,
  CALL_STATUSES,
  callInput,
  callListQuery,
  documentInput,
  QUESTION_KIND_LABELS,
  QUESTION_KINDS,
  questionInput,
  removeInput,
  responseDueInput,
  statusChangeInput,
} from './policy.schemas.ts';

const V = 'modules/policy/views';
const team = { access: ['policy-maker'] as const };
const membersAndTeam = { access: ['member', 'policy-maker'] as const };

type Extra = { values?: Record<string, unknown>; errors?: FieldError[] };

const asList = (v: unknown): string[] =>
  v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

/** The policy channel's way in, and the policy team's pages for drafting and running a call. */
export async function callPages(app: FastifyInstance, opts: { calls: PolicyCalls }) {
  const { calls } = opts;

  app.get('/policy', { config: membersAndTeam }, async (request, reply) => {
    const actor = request.actor!;
    const isTeam = calls.isPolicyTeam(actor);
    const q = checkQuery(callListQuery, request.query);
    const query = q.ok ? q.data : { page: 1, status: undefined };
    const list = isTeam ? await calls.listCalls(actor, { status: query.status, page: query.page }) : null;
    const mine = hasRole(actor, 'member') && !isNational(actor) ? await calls.memberCalls(actor) : null;
    return reply.page(`${V}/policy-home.njk`, {
      pageTitle: isTeam ? 'Calls for input' : 'Calls for your input',
      gridClass: 'nhsuk-grid-column-full',
      isTeam,
      list,
      mine,
      errors: q.ok ? undefined : q.errors,
      status: query.status ?? '',
      statusItems: [
        { value: '', text: 'Any state' },
        ...CALL_STATUSES.map((s) => ({
          value: s,
          text: CALL_STATUS_LABELS[s],
          selected: s === query.status,
        })),
      ],
      kindLabels: CALL_KIND_LABELS,
      pagination: list
        ? paginationFor(
            list.page,
            list.pageSize,
            list.total,
            (p) => `/policy${queryString({ status: query.status }, p)}`,
          )
        : null,
    });
  });

  async function formItems(values: Record<string, unknown>) {
    const lists = await calls.referenceLists();
    const regions = asList(values.audienceRegions);
    const professions = asList(values.audienceProfessions);
    const specialties = asList(values.audienceSpecialtyIds);
    return {
      kindItems: CALL_KINDS.map((k) => ({ value: k, text: CALL_KIND_LABELS[k], checked: values.kind === k })),
      regionItems: lists.regions.map((r) => ({
        value: r.code,
        text: r.name,
        checked: regions.includes(r.code),
      })),
      professionItems: lists.professions.map((p) => ({
        value: p.key,
        text: p.label,
        checked: professions.includes(p.key),
      })),
      specialtyItems: lists.specialties.map((s) => ({
        value: String(s.id),
        text: s.name,
        checked: specialties.includes(String(s.id)),
      })),
      intakeItems: [
        { value: '', text: 'Any cohort' },
        ...lists.intakes.map((i) => ({
          value: String(i.id),
          text: `${i.regionName}: ${i.name}`,
          selected: String(values.audienceIntakeId ?? '') === String(i.id),
        })),
      ],
    };
  }

  async function newCallPage(request: FastifyRequest, reply: FastifyReply, extra: Extra = {}) {
    const values = extra.values ?? { kind: 'consultation' };
    return reply.page(`${V}/calls/call-form.njk`, {
      pageTitle: 'Draft a call for input',
      backHref: '/policy',
      action: '/policy/calls',
      submitText: 'Save draft call',
      values,
      errors: extra.errors,
      ...(await formItems(values)),
    });
  }

  app.get('/policy/calls/new', { config: team }, (request, reply) => newCallPage(request, reply));

  app.post('/policy/calls', { config: team }, (request, reply) =>
    withFormErrors(
      reply,
      (errors) => newCallPage(request, reply, { values: request.body as Record<string, unknown>, errors }),
      async () => {
        const input = parseForm(callInput, request.body);
        const id = await calls.createCall(request.actor!, input);
        reply.flash(`Call “${input.title}” drafted: add its questions next`);
        return reply.redirect(`/policy/calls/${id}/questions`, 303);
      },
    ),
  );

  async function callPage(request: FastifyRequest, reply: FastifyReply, id: number, extra: Extra = {}) {
    const call = await calls.getCall(request.actor!, id);
    return reply.page(`${V}/calls/call.njk`, {
      pageTitle: call.title,
      backHref: '/policy',
      call,
      kindLabel: CALL_KIND_LABELS[call.kind],
      statusLabels: CALL_STATUS_LABELS,
      questionKindLabels: QUESTION_KIND_LABELS,
      nextStates: call.nextStates.map((s) => ({ value: s, text: CALL_STATUS_LABELS[s] })),
      values: extra.values ?? {},
      errors: extra.errors,
    });
  }

  app.get('/policy/calls/:id', { config: { ...membersAndTeam, scope: 'audience' } }, (request, reply) =>
    callPage(request, reply, pathId(request.params)),
  );

  app.post(
    '/policy/calls/:id/status',
    { config: { ...team, scope: 'call-owner' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => callPage(request, reply, id, { values: request.body as Record<string, unknown>, errors }),
        async () => {
          const input = parseForm(statusChangeInput, request.body);
          const to = await calls.changeStatus(request.actor!, id, input);
          reply.flash(`The call is now ${CALL_STATUS_LABELS[to].toLowerCase()}`);
          return reply.redirect(`/policy/calls/${id}`, 303);
        },
        { messageField: 'to' },
      );
    },
  );

  /** The call for a form only its owner (or national) may submit: the rest of the team is refused the form too. */
  async function callToManage(request: FastifyRequest, id: number) {
    const call = await calls.getCall(request.actor!, id);
    if (!call.canManage) throw new ForbiddenError('Only the call’s owner or the national team can do that');
    return call;
  }

  async function editPage(request: FastifyRequest, reply: FastifyReply, id: number, extra: Extra = {}) {
    const call = await callToManage(request, id);
    const values = extra.values ?? {
      kind: call.kind,
      title: call.title,
      summary: call.summary,
      background: call.background,
      isPublic: call.isPublic ? 'yes' : '',
      opensOn: call.opensOn,
      closesOn: call.closesOn,
      // A due date by the default rule is left empty, so it moves with the closing date.
      responseDueOn: call.responseDueReason ? call.responseDueOn : '',
      responseDueReason: call.responseDueReason,
      audienceRegions: call.audience.regions,
      audienceProfessions: call.audience.professions,
      audienceSpecialtyIds: call.audience.specialtyIds.map(String),
      audienceIntakeId: call.audience.intakeId ?? '',
    };
    return reply.page(`${V}/calls/call-form.njk`, {
      pageTitle: `Change ${call.title}`,
      backHref: `/policy/calls/${id}`,
      action: `/policy/calls/${id}/edit`,
      submitText: 'Save changes',
      editing: true,
      call,
      values,
      errors: extra.errors,
      ...(await formItems(values)),
    });
  }

  app.get('/policy/calls/:id/edit', { config: { ...team, scope: 'call-owner' } }, (request, reply) =>
    editPage(request, reply, pathId(request.params)),
  );

  app.post('/policy/calls/:id/edit', { config: { ...team, scope: 'call-owner' } }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => editPage(request, reply, id, { values: request.body as Record<string, unknown>, errors }),
      async () => {
        const input = parseForm(callInput, request.body);
        await calls.updateCall(request.actor!, id, input);
        reply.flash('Call saved');
        return reply.redirect(`/policy/calls/${id}`, 303);
      },
    );
  });

  async function responseDuePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: Extra = {},
  ) {
    const call = await callToManage(request, id);
    return reply.page(`${V}/calls/response-due.njk`, {
      pageTitle: 'Change the response-due date',
      backHref: `/policy/calls/${id}`,
      call,
      values: extra.values ?? { responseDueOn: call.responseDueOn },
      errors: extra.errors,
    });
  }

  app.get('/policy/calls/:id/response-due', { config: { ...team, scope: 'call-owner' } }, (request, reply) =>
    responseDuePage(request, reply, pathId(request.params)),
  );

  app.post(
    '/policy/calls/:id/response-due',
    { config: { ...team, scope: 'call-owner' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) =>
          responseDuePage(request, reply, id, { values: request.body as Record<string, unknown>, errors }),
        async () => {
          const input = parseForm(responseDueInput, request.body);
          await calls.changeResponseDue(request.actor!, id, input);
          reply.flash('Response-due date changed');
          return reply.redirect(`/policy/calls/${id}`, 303);
        },
      );
    },
  );

  // ---- questions and background documents, while the call is a draft or scheduled ----
  async function questionsPage(request: FastifyRequest, reply: FastifyReply, id: number, extra: Extra = {}) {
    const call = await callToManage(request, id);
    const values = extra.values ?? { kind: 'text', maxLength: '2000' };
    return reply.page(`${V}/calls/questions.njk`, {
      pageTitle: 'Questions and documents',
      backHref: `/policy/calls/${id}`,
      gridClass: 'nhsuk-grid-column-full',
      call,
      questionKindLabels: QUESTION_KIND_LABELS,
      kindItems: QUESTION_KINDS.map((k) => ({
        value: k,
        text: QUESTION_KIND_LABELS[k],
        checked: values.kind === k,
      })),
      values,
      errors: extra.errors,
    });
  }

  app.get('/policy/calls/:id/questions', { config: { ...team, scope: 'call-owner' } }, (request, reply) =>
    questionsPage(request, reply, pathId(request.params)),
  );

  app.post(
    '/policy/calls/:id/questions',
    { config: { ...team, scope: 'call-owner' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) =>
          questionsPage(request, reply, id, { values: request.body as Record<string, unknown>, errors }),
        async () => {
          const input = parseForm(questionInput, request.body);
          await calls.addQuestion(request.actor!, id, input);
          reply.flash('Question added');
          return reply.redirect(`/policy/calls/${id}/questions`, 303);
        },
        { messageField: 'prompt' },
      );
    },
  );

  app.post(
    '/policy/calls/:id/questions/remove',
    { config: { ...team, scope: 'call-owner' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => questionsPage(request, reply, id, { errors }),
        async () => {
          const input = parseForm(removeInput, request.body);
          await calls.removeQuestion(request.actor!, id, input.itemId);
          reply.flash('Question removed');
          return reply.redirect(`/policy/calls/${id}/questions`, 303);
        },
      );
    },
  );

  app.post(
    '/policy/calls/:id/documents',
    { config: { ...team, scope: 'call-owner' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) =>
          questionsPage(request, reply, id, {
            values: { kind: 'text', maxLength: '2000', document: request.body },
            errors: errors.map((e) => ({
              ...e,
              field: e.field === 'form' ? 'documentTitle' : `document-${e.field}`,
            })),
          }),
        async () => {
          const input = parseForm(documentInput, request.body);
          await calls.addDocument(request.actor!, id, input);
          reply.flash('Document added');
          return reply.redirect(`/policy/calls/${id}/questions`, 303);
        },
      );
    },
  );

  app.post(
    '/policy/calls/:id/documents/remove',
    { config: { ...team, scope: 'call-owner' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => questionsPage(request, reply, id, { errors }),
        async () => {
          const input = parseForm(removeInput, request.body);
          await calls.removeDocument(request.actor!, id, input.itemId);
          reply.flash('Document removed');
          return reply.redirect(`/policy/calls/${id}/questions`, 303);
        },
      );
    },
  );
}
