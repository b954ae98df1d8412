import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type FieldError, NotFoundError } from '../../platform/errors.ts';
import { paginationFor, parseForm, pathId, queryString, withFormErrors } from '../../platform/forms.ts';
import { type Actor, isNational, regionsWhere } from '../../platform/permissions.ts';
import { PROFESSIONS } from '../../platform/registration.ts';
import {
  bulkDecisionInput,
  decisionInput,
  intakeInput,
  LIMITS,
  listQuery,
  quotaDecisionInput,
  quotaRequestInput,
  statusLabels,
} from './recruitment.schemas.ts';
import type { RecruitmentService } from './recruitment.service.ts';

const V = 'modules/recruitment/views';
const leads = { access: ['regional-lead'] as const };
const national = { access: ['national'] as const };
const regionParam = z.object({ code: z.string().regex(/^Q3\d$/) });

function codeOf(request: FastifyRequest): string {
  const p = regionParam.safeParse(request.params);
  if (!p.success) throw new NotFoundError('Region not found');
  return p.data.code;
}

/** The regional lead's review of applications, decisions, the waitlist and quota requests. */
export async function reviewPages(app: FastifyInstance, opts: { recruitment: RecruitmentService }) {
  const { recruitment } = opts;

  app.get('/recruitment', { config: leads }, async (request, reply) => {
    const actor = request.actor!;
    const scope = regionsWhere(actor, 'regional-lead');
    if (scope !== 'all' && scope.length === 1) return reply.redirect(`/recruitment/regions/${scope[0]}`, 303);
    const regions = await recruitment.listRecruitingRegions();
    const visible = scope === 'all' ? regions : regions.filter((r) => scope.includes(r.code));
    const summaries = await recruitment.regionSummaries(
      actor,
      visible.map((r) => r.code),
    );
    return reply.page(`${V}/review-regions.njk`, {
      pageTitle: 'Recruitment',
      gridClass: 'nhsuk-grid-column-full',
      summaries,
      isNational: isNational(actor),
      pendingRequests: isNational(actor)
        ? await recruitment.listQuotaRequests(actor, { status: 'pending' })
        : [],
    });
  });

  async function listPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const code = codeOf(request);
    const actor = request.actor!;
    const parsed = listQuery.safeParse(request.query);
    const q = parsed.success ? parsed.data : listQuery.parse({});
    const [summary, list] = await Promise.all([
      recruitment.regionSummary(actor, code),
      recruitment.listApplications(actor, code, q),
    ]);
    return reply.page(`${V}/review-list.njk`, {
      pageTitle: `Applications in ${summary.region.name}`,
      gridClass: 'nhsuk-grid-column-full',
      summary,
      list,
      query: q,
      statusItems: [
        { value: '', text: 'Any status' },
        ...Object.entries(statusLabels).map(([value, text]) => ({ value, text })),
      ],
      professionItems: [
        { value: '', text: 'Any profession' },
        ...PROFESSIONS.map((p) => ({ value: p.key, text: p.label })),
      ],
      endorsementItems: [
        { value: '', text: 'Any' },
        { value: 'pending', text: 'Waiting for sponsor' },
        { value: 'endorsed', text: 'Endorsed' },
        { value: 'not-endorsed', text: 'Not endorsed' },
      ],
      sortItems: [
        { value: 'newest', text: 'Newest first' },
        { value: 'oldest', text: 'Oldest first' },
        { value: 'name', text: 'Last name' },
        { value: 'waitlist', text: 'Waitlist position' },
      ],
      pagination: paginationFor(
        q.page,
        list.pageSize,
        list.total,
        (p) => `/recruitment/regions/${code}${queryString(q, p)}`,
      ),
      limits: LIMITS,
      ...extra,
    });
  }

  app.get('/recruitment/regions/:code', { config: { ...leads, scope: 'region' } }, (request, reply) =>
    listPage(request, reply),
  );

  app.post(
    '/recruitment/regions/:code/bulk',
    { config: { ...leads, scope: 'region' } },
    async (request, reply) => {
      const code = codeOf(request);
      return withFormErrors(
        reply,
        (errors) => listPage(request, reply, { errors, bulkValues: request.body }),
        async () => {
          const input = parseForm(bulkDecisionInput, request.body);
          const outcomes = await recruitment.decideMany(request.actor!, code, input.ids, input);
          const waitlisted = outcomes.filter(
            (o) => input.decision === 'offer' && o.status === 'waitlisted',
          ).length;
          reply.flash(
            `${outcomes.length} application${outcomes.length === 1 ? '' : 's'} updated` +
              (waitlisted ? `: the quota is full, so ${waitlisted} went on the waitlist` : ''),
          );
          return reply.redirect(`/recruitment/regions/${code}`, 303);
        },
        { messageField: 'decision' },
      );
    },
  );

  app.post(
    '/recruitment/regions/:code/auto-offer',
    { config: { ...leads, scope: 'region' } },
    async (request, reply) => {
      const code = codeOf(request);
      const on = (request.body as { autoOffer?: string } | undefined)?.autoOffer === 'yes';
      await recruitment.setAutoOffer(request.actor!, code, on);
      reply.flash(
        on
          ? 'Free places will be offered to the top of the waitlist automatically'
          : 'Free places will wait for your decision',
      );
      return reply.redirect(`/recruitment/regions/${code}`, 303);
    },
  );

  // ---- intakes: when a region takes applications ----
  async function intakesPage(
    request: FastifyRequest,
    reply: FastifyReply,
    code: string,
    extra: { values?: unknown; errors?: FieldError[] } = {},
  ) {
    const [summary, intakes] = await Promise.all([
      recruitment.regionSummary(request.actor!, code),
      recruitment.listIntakes(request.actor!, code),
    ]);
    return reply.page(`${V}/intakes.njk`, {
      pageTitle: 'Intakes',
      backHref: `/recruitment/regions/${code}`,
      gridClass: 'nhsuk-grid-column-full',
      region: summary.region,
      intakes,
      values: extra.values ?? {},
      errors: extra.errors,
    });
  }

  app.get('/recruitment/regions/:code/intakes', { config: { ...leads, scope: 'region' } }, (request, reply) =>
    intakesPage(request, reply, codeOf(request)),
  );

  app.post(
    '/recruitment/regions/:code/intakes',
    { config: { ...leads, scope: 'region' } },
    async (request, reply) => {
      const code = codeOf(request);
      return withFormErrors(
        reply,
        (errors) => intakesPage(request, reply, code, { values: request.body, errors }),
        async () => {
          const input = parseForm(intakeInput, request.body);
          await recruitment.addIntake(request.actor!, code, input);
          reply.flash(`Intake ${input.name} added`);
          return reply.redirect(`/recruitment/regions/${code}/intakes`, 303);
        },
      );
    },
  );

  async function intakePage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: { values?: unknown; errors?: FieldError[] } = {},
  ) {
    const intake = await recruitment.getIntake(request.actor!, id);
    const summary = await recruitment.regionSummary(request.actor!, intake.regionCode);
    return reply.page(`${V}/intake.njk`, {
      pageTitle: `Intake ${intake.name}`,
      backHref: `/recruitment/regions/${intake.regionCode}/intakes`,
      intake: { ...intake, regionName: summary.region.name },
      values: extra.values ?? intake,
      errors: extra.errors,
    });
  }

  app.get('/recruitment/intakes/:id', { config: { ...leads, scope: 'region' } }, (request, reply) =>
    intakePage(request, reply, pathId(request.params)),
  );

  app.post('/recruitment/intakes/:id', { config: { ...leads, scope: 'region' } }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => intakePage(request, reply, id, { values: request.body, errors }),
      async () => {
        const input = parseForm(intakeInput, request.body);
        const { regionCode } = await recruitment.updateIntake(request.actor!, id, input);
        reply.flash(`Intake ${input.name} saved`);
        return reply.redirect(`/recruitment/regions/${regionCode}/intakes`, 303);
      },
    );
  });

  async function quotaRequestPage(
    request: FastifyRequest,
    reply: FastifyReply,
    code: string,
    extra: { values: unknown; errors?: FieldError[] },
  ) {
    const summary = await recruitment.regionSummary(request.actor!, code);
    return reply.page(`${V}/quota-request.njk`, {
      pageTitle: 'Ask for more places',
      backHref: `/recruitment/regions/${code}`,
      summary,
      values: extra.values,
      limits: LIMITS,
      errors: extra.errors,
      history: await recruitment.listQuotaRequests(request.actor!, { regionCode: code }),
    });
  }

  app.get(
    '/recruitment/regions/:code/quota-request',
    { config: { ...leads, scope: 'region' } },
    async (request, reply) => quotaRequestPage(request, reply, codeOf(request), { values: {} }),
  );

  app.post(
    '/recruitment/regions/:code/quota-request',
    { config: { ...leads, scope: 'region' } },
    async (request, reply) => {
      const code = codeOf(request);
      return withFormErrors(
        reply,
        (errors) => quotaRequestPage(request, reply, code, { values: request.body, errors }),
        async () => {
          const input = parseForm(quotaRequestInput, request.body);
          await recruitment.requestQuota(request.actor!, code, input);
          reply.flash('Your request has been sent to the national team');
          return reply.redirect(`/recruitment/regions/${code}`, 303);
        },
        { messageField: 'requestedQuota' },
      );
    },
  );

  async function quotaRequestsPage(reply: FastifyReply, actor: Actor, extra: Record<string, unknown> = {}) {
    const rows = await recruitment.listQuotaRequests(actor, {});
    return reply.page(`${V}/quota-requests.njk`, {
      pageTitle: 'Requests for more places',
      gridClass: 'nhsuk-grid-column-full',
      backHref: '/recruitment',
      rows,
      values: {},
      ...extra,
    });
  }

  app.get('/recruitment/quota-requests', { config: national }, (request, reply) =>
    quotaRequestsPage(reply, request.actor!),
  );

  app.post(
    '/recruitment/quota-requests/:id',
    { config: { ...national, scope: 'region' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        // The error summary and the field's message, on the request's own form (never the success banner).
        (errors) =>
          quotaRequestsPage(reply, request.actor!, {
            errors: errors.map((e) => ({ ...e, field: `${e.field === 'note' ? 'note' : 'outcome'}-${id}` })),
            values: { id, ...(request.body as object) },
          }),
        async () => {
          const input = parseForm(quotaDecisionInput, request.body);
          await recruitment.decideQuotaRequest(request.actor!, id, input);
          reply.flash(
            input.outcome === 'approve'
              ? 'The request has been approved and the quota raised'
              : 'The request has been refused',
          );
          return reply.redirect('/recruitment/quota-requests', 303);
        },
        { messageField: 'outcome' },
      );
    },
  );

  async function applicationPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const application = await recruitment.getApplication(request.actor!, pathId(request.params));
    return reply.page(`${V}/review-application.njk`, {
      pageTitle: `${application.name}: application ${application.reference}`,
      backHref: `/recruitment/regions/${application.regionCode}`,
      application,
      values: {},
      limits: LIMITS,
      ...extra,
    });
  }

  app.get('/recruitment/applications/:id', { config: { ...leads, scope: 'region' } }, (request, reply) =>
    applicationPage(request, reply),
  );

  app.post(
    '/recruitment/applications/:id/decision',
    { config: { ...leads, scope: 'region' } },
    async (request, reply) => {
      const id = pathId(request.params);
      return withFormErrors(
        reply,
        (errors) => applicationPage(request, reply, { errors, values: request.body }),
        async () => {
          const input = parseForm(decisionInput, request.body);
          const outcome = await recruitment.decide(request.actor!, id, input);
          reply.flash(outcome.message);
          return reply.redirect(`/recruitment/applications/${id}`, 303);
        },
        { messageField: 'decision' },
      );
    },
  );
}
