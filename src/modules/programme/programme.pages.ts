import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { NotFoundError } from '../../platform/errors.ts';
import { parseForm, withFormErrors } from '../../platform/forms.ts';
import { idParam } from '../../platform/schemas.ts';
import { fundingChart, recruitmentChart, timelineChart } from './programme.charts.ts';
import { dashboardCsv } from './programme.csv.ts';
import {
  contractInput,
  fundingInput,
  phaseInput,
  readinessInput,
  readinessItemInput,
  receivedInput,
  REGION_STATUSES,
  regionPeopleInput,
  regionPlanInput,
  spendInput,
  targetInput,
} from './programme.schemas.ts';
import type { SessionReturnsSummary } from '../learning-sets/index.ts';
import type { OpenIntakes } from '../recruitment/index.ts';
import type { ProgrammeService } from './programme.service.ts';

const V = 'modules/programme/views';

/** The policy channel's figures on the national dashboard, as the policy module gives them. */
export type PolicyChannelFigures = {
  callsByStatus: { status: string; label: string; count: number }[];
  responsesByRegion: { regionCode: string | null; count: number }[];
  responses: number;
  medianDaysToResponse: number | null;
  publishedResponses: number;
  overdueCalls: number;
  overdueMilestones: number;
};
const viewers = { access: ['partner', 'regional-lead', 'facilitator'] as const };
const national = { access: ['national'] as const };
const leads = { access: ['regional-lead'] as const };

function codeOf(request: FastifyRequest): string {
  const code = (request.params as { code?: string }).code ?? '';
  if (!/^Q3\d$/.test(code)) throw new NotFoundError('Region not found');
  return code;
}

export async function programmePages(
  app: FastifyInstance,
  opts: {
    programme: ProgrammeService;
    sessionReturns: (regionCode: string | 'all') => Promise<SessionReturnsSummary>;
    openIntakes: () => Promise<OpenIntakes>;
    policyChannel?: (() => Promise<PolicyChannelFigures>) | undefined;
  },
) {
  const { programme } = opts;

  app.navItems.push({
    href: '/programme',
    text: 'Programme',
    roles: ['national', 'partner', 'regional-lead'],
  });

  app.get('/', { config: { access: 'public' } }, async (request, reply) => {
    // The way in is for newcomers: a signed-in person's home page goes to their own page instead.
    const [network, intakes] = await Promise.all([
      programme.describeNetwork(),
      request.actor ? null : opts.openIntakes(),
    ]);
    return reply.page(`${V}/home.njk`, {
      pageTitle: 'Home',
      gridClass: 'nhsuk-grid-column-full',
      network,
      intakes,
    });
  });

  async function dashboardPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const scope = programme.visibleRegions(request.actor!);
    // Action learning session returns (counts and themes, no names), for the regions in view.
    const [d, returns, policy] = await Promise.all([
      programme.dashboard(request.actor!),
      opts.sessionReturns(scope === 'all' || scope.length !== 1 ? 'all' : scope[0]!),
      scope === 'all' && opts.policyChannel ? opts.policyChannel() : null,
    ]);
    const learning = {
      ...returns,
      byRegion: returns.byRegion
        .filter((r) => scope === 'all' || scope.includes(r.regionCode))
        .map((r) => ({ ...r, name: d.regions.find((x) => x.code === r.regionCode)?.name ?? r.regionCode })),
      recentThemes: returns.recentThemes
        .filter((r) => scope === 'all' || scope.includes(r.regionCode))
        .slice(0, 5),
    };
    return reply.page(`${V}/dashboard.njk`, {
      learning,
      policy: policy && {
        ...policy,
        responsesByRegion: policy.responsesByRegion.map((r) => ({
          ...r,
          name: d.regions.find((x) => x.code === r.regionCode)?.name ?? r.regionCode ?? 'Not recorded',
        })),
      },
      pageTitle:
        scope === 'all' ? 'National dashboard' : `Dashboard: ${d.regions.map((r) => r.name).join(', ')}`,
      gridClass: 'nhsuk-grid-column-full',
      d,
      national: scope === 'all',
      isNationalTeam: request.actor!.roles.some((g) => g.role === 'national'),
      charts: { recruitment: recruitmentChart(d), timeline: timelineChart(d), funding: fundingChart(d) },
      phases: d.phaseRows,
      values: {},
      ...extra,
    });
  }

  app.get('/programme', { config: viewers }, (request, reply) => dashboardPage(request, reply));

  app.get('/programme/dashboard.csv', { config: viewers }, async (request, reply) => {
    const d = await programme.dashboard(request.actor!);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="cln-dashboard-${d.asOf}.csv"`)
      .header('cache-control', 'no-store')
      .send(dashboardCsv(d));
  });

  async function regionPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const region = await programme.regionDetail(request.actor!, codeOf(request));
    return reply.page(`${V}/region.njk`, {
      pageTitle: `${region.name}: programme`,
      gridClass: 'nhsuk-grid-column-full',
      backHref: '/programme',
      region,
      statusItems: REGION_STATUSES.map((s) => ({
        value: s,
        text: s.charAt(0).toUpperCase() + s.slice(1),
        selected: s === region.status,
      })),
      values: {},
      ...extra,
    });
  }

  app.get('/programme/regions/:code', { config: { ...viewers, scope: 'region' } }, (request, reply) =>
    regionPage(request, reply),
  );

  /** One form, one service call: a validation error re-renders the region page with the message on its field. */
  function regionForm<S extends z.ZodType>(
    path: string,
    access: { access: readonly ('national' | 'regional-lead')[] },
    schema: S,
    act: (request: FastifyRequest, code: string, input: z.output<S>) => Promise<unknown>,
    flash: string,
    /** Fields whose input has another id on the page (two forms there have an `amount`). */
    ids: Record<string, string> = {},
  ) {
    app.post(
      `/programme/regions/:code/${path}`,
      { config: { ...access, scope: 'region' } },
      async (request, reply) => {
        const code = codeOf(request);
        return withFormErrors(
          reply,
          (errors) =>
            regionPage(request, reply, {
              errors: errors.map((e) => ({ ...e, field: ids[e.field] ?? e.field })),
              values: { [path]: request.body },
            }),
          async () => {
            await act(request, code, parseForm(schema, request.body));
            reply.flash(flash);
            return reply.redirect(`/programme/regions/${code}`, 303);
          },
        );
      },
    );
  }

  regionForm(
    'target',
    national,
    targetInput,
    (r, code, input) => programme.setTarget(r.actor!, code, input),
    'Recruitment target saved',
    { reason: 'targetReason' },
  );
  regionForm(
    'plan',
    national,
    regionPlanInput,
    (r, code, input) => programme.updatePlan(r.actor!, code, input),
    'Status and dates saved',
  );
  regionForm(
    'people',
    national,
    regionPeopleInput,
    (r, code, input) => programme.updatePeople(r.actor!, code, input),
    'People saved',
  );
  regionForm(
    'funding',
    national,
    fundingInput,
    (r, code, input) => programme.addFunding(r.actor!, code, input),
    'Funding allocation added',
    { amount: 'fundingAmount' },
  );
  regionForm(
    'spend',
    leads,
    spendInput,
    (r, code, input) => programme.addSpend(r.actor!, code, input),
    'Spend recorded',
  );
  regionForm(
    'readiness',
    leads,
    readinessInput,
    (r, code, input) => programme.setReadiness(r.actor!, code, input.done),
    'Readiness checklist saved',
  );
  regionForm(
    'contract',
    national,
    contractInput,
    (r, code, input) => programme.setContract(r.actor!, code, input),
    'Contract saved',
  );

  app.post(
    '/programme/regions/:code/funding/:id/received',
    { config: { ...national, scope: 'region' } },
    async (request, reply) => {
      const code = codeOf(request);
      const id = idParam.safeParse(request.params);
      if (!id.success) throw new NotFoundError();
      return withFormErrors(
        reply,
        // Each allocation has its own date field: the message goes on this one's.
        (errors) =>
          regionPage(request, reply, {
            errors: errors.map((e) => ({ ...e, field: `receivedOn-${id.data.id}` })),
          }),
        async () => {
          const input = parseForm(receivedInput, request.body);
          await programme.markFundingReceived(request.actor!, code, id.data.id, input.receivedOn);
          reply.flash('Funding marked as received');
          return reply.redirect(`/programme/regions/${code}`, 303);
        },
      );
    },
  );

  // The dashboard's own forms: an error re-renders the dashboard (400) with the NHS error summary
  // and the message on the field, never in the success banner.
  app.post(
    '/programme/phases/:key',
    { config: { ...national, scope: 'network' } },
    async (request, reply) => {
      const key = (request.params as { key: string }).key;
      return withFormErrors(
        reply,
        (errors) =>
          dashboardPage(request, reply, {
            errors: errors.map((e) => ({ ...e, field: `${e.field}-${key}` })),
            values: { phase: { key, ...(request.body as object) } },
          }),
        async () => {
          const input = parseForm(phaseInput, request.body);
          await programme.updatePhase(request.actor!, key, input);
          reply.flash('Phase dates saved');
          return reply.redirect('/programme#phases', 303);
        },
      );
    },
  );

  app.post('/programme/readiness-items', { config: national }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) =>
        dashboardPage(request, reply, {
          errors: errors.map((e) => ({ ...e, field: e.field === 'form' ? 'label' : e.field })),
          values: { readinessItem: request.body },
        }),
      async () => {
        const input = parseForm(readinessItemInput, request.body);
        await programme.addReadinessItem(request.actor!, input.label);
        reply.flash('Checklist item added to every region');
        return reply.redirect('/programme#readiness', 303);
      },
    ),
  );
}
