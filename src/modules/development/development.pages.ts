import { readFileSync } from 'node:fs';
import { srcDir } from '../../paths.ts';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import {
  pageNumber,
  paginationFor,
  parseForm,
  parsePathParams,
  parseQuery,
  withFormErrors,
} from '../../platform/forms.ts';
import type { AnonymousActor } from '../../platform/permissions.ts';
import { idParam } from '../../platform/schemas.ts';
import {
  buildDomainChart,
  describeChange,
  formatMean,
  frameworkToText,
  parseFrameworkText,
} from './development.render.ts';
import {
  GOAL_STATUS_LABELS,
  GOAL_STATUSES,
  planInput as planForm,
  RATER_GROUP_LABELS,
  RATER_GROUPS,
  reviewInput as reviewForm,
  versionQuery,
} from './development.schemas.ts';
import {
  type DevelopmentService,
  MIN_GROUP_RESPONSES,
  RaterLinkError,
  type VersionStructure,
} from './development.service.ts';

const V = 'modules/development/views';
const PAGE_SIZE = 10;
// Read from src/ so the compiled build (dist/) finds it too.
const PRINT_CSS = readFileSync(
  path.join(srcDir, 'modules', 'development', 'views', 'development.css'),
  'utf8',
);

type Body = Record<string, unknown>;
const str = (body: Body, key: string): string => {
  const v = body[key];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
};

/** Day, month and year fields (NHS date input) as YYYY-MM-DD, or '' when all are empty. */
function dateFromParts(body: Body, name: string): string {
  const [d, m, y] = ['day', 'month', 'year'].map((p) => str(body, `${name}-${p}`).trim());
  if (!d && !m && !y) return '';
  if (!/^\d{1,2}$/.test(d!) || !/^\d{1,2}$/.test(m!) || !/^\d{4}$/.test(y!)) return 'invalid';
  return `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
}
function partsFromDate(iso: string | null | undefined) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? { day: String(Number(m[3])), month: String(Number(m[2])), year: m[1] } : {};
}

/** Radio answers for each element of a version, as ratings; "not able to say" (0) is left out. */
function ratingsFromForm(version: VersionStructure, body: Body, opts: { evidence: boolean }) {
  const ratings: { elementId: number; rating: number; evidence?: string }[] = [];
  for (const d of version.domains)
    for (const e of d.elements) {
      const raw = str(body, `rating-${e.id}`).trim();
      if (raw === '' || raw === '0') continue;
      const rating = /^\d{1,2}$/.test(raw) ? Number(raw) : -1;
      const evidence = str(body, `evidence-${e.id}`);
      ratings.push(
        opts.evidence
          ? { elementId: e.id, rating, ...(evidence ? { evidence } : {}) }
          : { elementId: e.id, rating },
      );
    }
  return ratings;
}

function anonymous(request: FastifyRequest): AnonymousActor {
  return { userId: null, label: '360 rater (anonymous)', ip: request.ip, requestId: request.id };
}

export async function developmentPages(app: FastifyInstance, opts: { development: DevelopmentService }) {
  const dev = opts.development;

  app.get('/development/print.css', { config: { access: 'public' } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PRINT_CSS),
  );

  // ---- the member's overview ----
  app.get('/development', { config: { access: ['member'] } }, async (request, reply) => {
    const actor = request.actor!;
    const q = request.query as Record<string, unknown>;
    const [sp, fp, pp] = [pageNumber(q.sp), pageNumber(q.fp), pageNumber(q.pp)];
    const [framework, selfs, rounds, plans] = await Promise.all([
      dev.getMyFramework(actor),
      dev.listSelfAssessments(actor, sp, PAGE_SIZE),
      dev.listRounds(actor, fp, PAGE_SIZE),
      dev.listPlans(actor, pp, PAGE_SIZE),
    ]);
    const href = (k: string) => (p: number) =>
      `/development?${new URLSearchParams({ ...(q as Record<string, string>), [k]: String(p) })}`;
    return reply.page(`${V}/overview.njk`, {
      pageTitle: 'Your leadership development',
      gridClass: 'nhsuk-grid-column-full',
      framework,
      selfs: selfs.rows.map((s) => ({ ...s, meanText: formatMean(s.meanRating) })),
      selfsPagination: paginationFor(sp, PAGE_SIZE, selfs.total, href('sp')),
      rounds: rounds.rows,
      roundsPagination: paginationFor(fp, PAGE_SIZE, rounds.total, href('fp')),
      plans: plans.rows,
      plansPagination: paginationFor(pp, PAGE_SIZE, plans.total, href('pp')),
    });
  });

  // ---- self-assessment ----
  const renderSelfForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: unknown; values?: Body } = {},
  ) => {
    const prep = await dev.prepareSelfAssessment(request.actor!);
    return reply.page(`${V}/self-new.njk`, {
      pageTitle: 'Assess yourself',
      backHref: '/development',
      ...prep,
      values: extra.values ?? {},
      errors: extra.errors,
    });
  };
  app.get('/development/self-assessments/new', { config: { access: ['member'] } }, async (request, reply) =>
    renderSelfForm(request, reply),
  );
  app.post('/development/self-assessments', { config: { access: ['member'] } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const versionId = Number(str(body, 'versionId'));
    return withFormErrors(
      reply,
      (errors) => renderSelfForm(request, reply, { errors, values: body }),
      async () => {
        const version = await dev.getVersion(Number.isInteger(versionId) && versionId > 0 ? versionId : 0);
        const { id } = await dev.saveSelfAssessment(request.actor!, {
          versionId,
          ratings: ratingsFromForm(version, body, { evidence: true }),
        });
        reply.flash('Your self-assessment has been saved');
        return reply.redirect(`/development/self-assessments/${id}`, 303);
      },
    );
  });
  app.get(
    '/development/self-assessments/:id',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const a = await dev.getSelfAssessment(request.actor!, id);
      return reply.page(`${V}/self-show.njk`, {
        pageTitle: 'Your self-assessment',
        backHref: '/development',
        gridClass: 'nhsuk-grid-column-full',
        a,
        rows: a.ratings.map((r) => ({ ...r, changeText: describeChange(r.change) })),
      });
    },
  );

  // ---- 360-degree feedback: the member's side ----
  const renderRoundForm = (reply: FastifyReply, extra: { values: Body; errors?: unknown }) =>
    reply.page(`${V}/round-new.njk`, {
      pageTitle: 'Ask for 360-degree feedback',
      backHref: '/development',
      ...extra,
    });
  app.get('/development/feedback/new', { config: { access: ['member'] } }, async (_request, reply) =>
    renderRoundForm(reply, { values: {} }),
  );
  app.post('/development/feedback', { config: { access: ['member'] } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    return withFormErrors(
      reply,
      (errors) => renderRoundForm(reply, { values: body, errors }),
      async () => {
        const { id } = await dev.createRound(request.actor!, {
          title: str(body, 'title'),
          closesOn: dateFromParts(body, 'closesOn'),
        });
        reply.flash('Now invite the people you would like feedback from');
        return reply.redirect(`/development/feedback/${id}`, 303);
      },
    );
  });

  const renderRound = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: Body = {}) => {
    const round = await dev.getRound(request.actor!, id);
    return reply.page(`${V}/round.njk`, {
      pageTitle: round.title,
      backHref: '/development',
      gridClass: 'nhsuk-grid-column-full',
      round,
      groups: RATER_GROUPS.map((g) => ({ value: g, text: RATER_GROUP_LABELS[g] })),
      minGroup: MIN_GROUP_RESPONSES,
      values: {},
      ...extra,
    });
  };
  app.get(
    '/development/feedback/:id',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => renderRound(request, reply, parsePathParams(idParam, request.params).id),
  );
  app.post(
    '/development/feedback/:id/raters',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const body = (request.body ?? {}) as Body;
      return withFormErrors(
        reply,
        (errors) => renderRound(request, reply, id, { values: body, errors }),
        async () => {
          const raterFields = {
            name: str(body, 'name'),
            email: str(body, 'email'),
            group: str(body, 'group'),
          };
          await dev.inviteRaters(request.actor!, id, [raterFields]);
          reply.flash(`We have emailed ${raterFields.email.trim()} a link to give feedback`);
          return reply.redirect(`/development/feedback/${id}`, 303);
        },
      );
    },
  );
  app.post(
    '/development/feedback/:id/close',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      await dev.closeRound(request.actor!, id);
      reply.flash('Feedback has closed: your report is ready');
      return reply.redirect(`/development/feedback/${id}/report`, 303);
    },
  );
  app.post(
    '/development/feedback/:id/remind',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      // When no one can be reminded the page says why, in the error summary (409), not as a success.
      return withFormErrors(
        reply,
        (errors) => renderRound(request, reply, id, { errors }),
        async () => {
          const { reminded } = await dev.remindNow(request.actor!, id);
          reply.flash(`We have sent ${reminded} reminder${reminded === 1 ? '' : 's'}`);
          return reply.redirect(`/development/feedback/${id}`, 303);
        },
      );
    },
  );
  app.get(
    '/development/feedback/:id/report',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const report = await dev.getReport(request.actor!, id);
      return reply.page(`${V}/report.njk`, {
        pageTitle: `360-degree feedback report: ${report.title}`,
        backHref: `/development/feedback/${id}`,
        gridClass: 'nhsuk-grid-column-full',
        report,
        chart: buildDomainChart(report.domains, report.scale),
        fmt: formatMean,
        minGroup: MIN_GROUP_RESPONSES,
      });
    },
  );

  // ---- 360-degree feedback: the rater's link (no account) ----
  const raterLinkPage = async (reply: FastifyReply, token: string, extra: Body = {}) => {
    const link = await dev.openRaterLink(token);
    return reply.page(`${V}/rater-form.njk`, {
      pageTitle: `Feedback for ${link.memberName}`,
      link,
      token,
      values: {},
      ...extra,
    });
  };
  const tokenOf = (request: FastifyRequest) => {
    const t = (request.params as { token?: string }).token ?? '';
    return /^[A-Za-z0-9_-]{20,100}$/.test(t) ? t : 'invalid-token-invalid-token';
  };
  /** A used, closed or unknown rater link is a page of its own that says which (404 or 410). */
  const unlessLinkRefused = async (reply: FastifyReply, show: () => Promise<unknown>) => {
    try {
      return await show();
    } catch (err) {
      if (!(err instanceof RaterLinkError)) throw err;
      return reply.status(err.status).page(`${V}/rater-link.njk`, {
        pageTitle:
          err.reason === 'used'
            ? 'This link has already been used'
            : err.reason === 'closed'
              ? 'Feedback has closed'
              : 'This link is not valid',
        message: err.message,
      });
    }
  };
  app.get('/feedback/:token', { config: { access: 'public', scope: 'token' } }, async (request, reply) => {
    // The token is in the address: never pass it on to another site.
    reply.header('referrer-policy', 'no-referrer');
    return unlessLinkRefused(reply, () => raterLinkPage(reply, tokenOf(request)));
  });
  app.post('/feedback/:token', { config: { access: 'public', scope: 'token' } }, async (request, reply) => {
    reply.header('referrer-policy', 'no-referrer');
    const token = tokenOf(request);
    const body = (request.body ?? {}) as Body;
    return unlessLinkRefused(reply, async () => {
      const link = await dev.openRaterLink(token);
      return withFormErrors(
        reply,
        (errors) => raterLinkPage(reply, token, { values: body, errors }),
        async () => {
          const { memberName } = await dev.submitFeedback(
            token,
            {
              ratings: ratingsFromForm(link.version, body, { evidence: false }),
              strengths: str(body, 'strengths'),
              development: str(body, 'development'),
            },
            anonymous(request),
          );
          return reply.page(`${V}/rater-done.njk`, { pageTitle: 'Thank you for your feedback', memberName });
        },
      );
    });
  });

  // ---- development plans ----
  const renderPlanForm = (reply: FastifyReply, extra: { values: unknown; errors?: unknown }) =>
    reply.page(`${V}/plan-new.njk`, {
      pageTitle: 'Start a development plan',
      backHref: '/development',
      ...extra,
    });
  app.get('/development/plans/new', { config: { access: ['member'] } }, async (_request, reply) =>
    renderPlanForm(reply, { values: {} }),
  );
  app.post('/development/plans', { config: { access: ['member'] } }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) => renderPlanForm(reply, { values: request.body, errors }),
      async () => {
        const { id } = await dev.createPlan(request.actor!, parseForm(planForm, request.body));
        reply.flash('Your plan has been created: add your first goal');
        return reply.redirect(`/development/plans/${id}`, 303);
      },
    ),
  );

  const renderPlan = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: Body = {}) => {
    const plan = await dev.getPlan(request.actor!, id);
    return reply.page(`${V}/plan.njk`, {
      pageTitle: plan.title,
      backHref: plan.isOwner ? '/development' : '/development/shared',
      gridClass: 'nhsuk-grid-column-full',
      plan,
      statusLabels: GOAL_STATUS_LABELS,
      values: {},
      ...extra,
    });
  };
  const planAccess = { access: ['member', 'mentor', 'facilitator'] as const };
  app.get('/development/plans/:id', { config: { ...planAccess, scope: 'shared' } }, async (request, reply) =>
    renderPlan(request, reply, parsePathParams(idParam, request.params).id),
  );
  app.post(
    '/development/plans/:id/sharing',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const body = (request.body ?? {}) as Body;
      const share = ([] as unknown[]).concat(body.share ?? []);
      await dev.updateSharing(request.actor!, id, {
        shareWithMentor: share.includes('mentor'),
        shareWithFacilitator: share.includes('facilitator'),
      });
      reply.flash('Your sharing choices have been saved');
      return reply.redirect(`/development/plans/${id}`, 303);
    },
  );
  app.post(
    '/development/plans/:id/reviews',
    { config: { ...planAccess, scope: 'shared' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      return withFormErrors(
        reply,
        (errors) => renderPlan(request, reply, id, { values: request.body, errors }),
        async () => {
          await dev.addReview(request.actor!, id, parseForm(reviewForm, request.body));
          reply.flash('Your review has been added');
          return reply.redirect(`/development/plans/${id}#reviews`, 303);
        },
      );
    },
  );

  const goalFromForm = (body: Body) => ({
    elementId: str(body, 'elementId'),
    title: str(body, 'title'),
    actions: str(body, 'actions'),
    evidence: str(body, 'evidence'),
    targetDate: dateFromParts(body, 'targetDate'),
    status: str(body, 'status') || 'not-started',
  });
  const renderGoalForm = async (
    reply: FastifyReply,
    plan: { id: number; title: string; versionId: number },
    opts: { goalId?: number; values: Body; errors?: unknown },
  ) => {
    const version = await dev.getVersion(plan.versionId);
    return reply.page(`${V}/goal-form.njk`, {
      pageTitle: opts.goalId ? 'Update a goal' : 'Add a goal',
      backHref: `/development/plans/${plan.id}`,
      plan,
      goalId: opts.goalId,
      action: opts.goalId ? `/development/goals/${opts.goalId}` : `/development/plans/${plan.id}/goals`,
      elementItems: [
        { value: '', text: 'Choose a competency' },
        ...version.domains.flatMap((d) =>
          d.elements.map((e) => ({ value: String(e.id), text: `${d.name}: ${e.name}` })),
        ),
      ],
      statusItems: GOAL_STATUSES.map((s) => ({ value: s, text: GOAL_STATUS_LABELS[s] })),
      values: opts.values,
      errors: opts.errors,
    });
  };
  app.get(
    '/development/plans/:id/goals/new',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const plan = await dev.getPlan(request.actor!, parsePathParams(idParam, request.params).id);
      if (!plan.isOwner) return reply.callNotFound();
      return renderGoalForm(reply, plan, { values: { status: 'not-started' } });
    },
  );
  app.post(
    '/development/plans/:id/goals',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const body = (request.body ?? {}) as Body;
      return withFormErrors(
        reply,
        async (errors) =>
          renderGoalForm(reply, await dev.getPlan(request.actor!, id), { values: body, errors }),
        async () => {
          await dev.addGoal(request.actor!, id, goalFromForm(body));
          reply.flash('The goal has been added to your plan');
          return reply.redirect(`/development/plans/${id}`, 303);
        },
      );
    },
  );
  app.get(
    '/development/goals/:id/edit',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { goal, plan } = await dev.getGoal(request.actor!, parsePathParams(idParam, request.params).id);
      const d = partsFromDate(goal.target_date);
      return renderGoalForm(reply, plan, {
        goalId: goal.id,
        values: {
          elementId: String(goal.element_id),
          title: goal.title,
          actions: goal.actions ?? '',
          evidence: goal.evidence ?? '',
          status: goal.status,
          'targetDate-day': d.day,
          'targetDate-month': d.month,
          'targetDate-year': d.year,
        },
      });
    },
  );
  app.post(
    '/development/goals/:id',
    { config: { access: ['member'], scope: 'own' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const body = (request.body ?? {}) as Body;
      return withFormErrors(
        reply,
        async (errors) => {
          const { plan } = await dev.getGoal(request.actor!, id);
          return renderGoalForm(reply, plan, { goalId: id, values: body, errors });
        },
        async () => {
          const { planId } = await dev.updateGoal(request.actor!, id, goalFromForm(body));
          reply.flash('The goal has been updated');
          return reply.redirect(`/development/plans/${planId}`, 303);
        },
      );
    },
  );

  app.get(
    '/development/shared',
    { config: { access: ['mentor', 'facilitator'] } },
    async (request, reply) => {
      const page = pageNumber((request.query as Body).page);
      const { rows, total } = await dev.listSharedPlans(request.actor!, page, 20);
      return reply.page(`${V}/shared.njk`, {
        pageTitle: 'Development plans shared with you',
        plans: rows,
        pagination: paginationFor(page, 20, total, (p) => `/development/shared?page=${p}`),
      });
    },
  );

  // ---- regional and national profiles ----
  app.get('/development/profiles', { config: { access: ['regional-lead'] } }, async (request, reply) => {
    const { version } = parseQuery(versionQuery, request.query);
    const [profiles, frameworks] = await Promise.all([
      dev.getProfiles(request.actor!, version),
      dev.listFrameworks(),
    ]);
    return reply.page(`${V}/profiles.njk`, {
      pageTitle: 'Leadership competency profiles',
      gridClass: 'nhsuk-grid-column-full',
      profiles,
      fmt: formatMean,
      versionItems: frameworks.map((f) => ({
        value: String(f.currentVersion.id),
        text: `${f.name} (version ${f.currentVersion.versionNumber})`,
        selected: f.currentVersion.id === profiles.versionId,
      })),
    });
  });
  app.get('/development/profiles.csv', { config: { access: ['regional-lead'] } }, async (request, reply) => {
    const { version } = parseQuery(versionQuery, request.query);
    const profiles = await dev.getProfiles(request.actor!, version);
    const records: (string | number)[][] = [];
    const cell = (c: { people: number | null; mean: number | null; suppressed: boolean }) =>
      c.suppressed
        ? ['fewer than 5', 'suppressed']
        : [c.people ?? 0, c.mean === null ? '' : c.mean.toFixed(2)];
    for (const row of profiles.rows) {
      for (const d of row.domains)
        records.push([row.scope, row.name, 'domain', d.name, '', ...cell(d.self), ...cell(d.raters)]);
      for (const e of row.elements) {
        const domain = profiles.version.domains.find((d) => d.elements.some((x) => x.id === e.elementId))!;
        records.push([
          row.scope,
          row.name,
          'element',
          domain.name,
          e.name,
          ...cell(e.self),
          ...cell(e.raters),
        ]);
      }
    }
    const csv = stringify(records, {
      header: true,
      columns: [
        'scope',
        'area',
        'level',
        'domain',
        'element',
        'self_people',
        'self_mean',
        'raters_people',
        'raters_mean',
      ],
    });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="competency-profiles-${profiles.versionId}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });

  // ---- frameworks ----
  app.get('/development/frameworks', { config: { access: 'signed-in' } }, async (request, reply) => {
    const frameworks = await dev.listFrameworks();
    return reply.page(`${V}/frameworks.njk`, {
      pageTitle: 'Leadership frameworks',
      frameworks,
      canEdit: request.actor!.roles.some((g) => g.role === 'national'),
    });
  });
  app.get(
    '/development/frameworks/:id',
    { config: { access: 'signed-in', scope: 'network' } },
    async (request, reply) => {
      const framework = await dev.getFramework(parsePathParams(idParam, request.params).id);
      const { version: wanted } = parseQuery(versionQuery, request.query);
      const chosen = framework.versions.find((v) => v.id === wanted) ?? framework.versions[0]!;
      const version = await dev.getVersion(chosen.id);
      return reply.page(`${V}/framework.njk`, {
        pageTitle: framework.name,
        backHref: '/development/frameworks',
        framework,
        version,
        canEdit: request.actor!.roles.some((g) => g.role === 'national'),
      });
    },
  );

  const renderFrameworkForm = (
    reply: FastifyReply,
    opts: { frameworkId?: number; name?: string; values: Body; errors?: unknown },
  ) =>
    reply.page(`${V}/framework-form.njk`, {
      pageTitle: opts.frameworkId ? `Publish a new version of ${opts.name}` : 'Add a leadership framework',
      backHref: opts.frameworkId ? `/development/frameworks/${opts.frameworkId}` : '/development/frameworks',
      frameworkId: opts.frameworkId,
      values: opts.values,
      errors: opts.errors,
    });
  const structureFromForm = (body: Body) => {
    const parsed = parseFrameworkText(str(body, 'structure'), str(body, 'scale'));
    if (parsed.errors.length) throw new ValidationError(parsed.errors);
    return { edition: str(body, 'edition'), note: str(body, 'note'), ...parsed.value };
  };
  app.get('/development/frameworks/new', { config: { access: ['national'] } }, async (_request, reply) =>
    renderFrameworkForm(reply, { values: {} }),
  );
  app.post('/development/frameworks', { config: { access: ['national'] } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    return withFormErrors(
      reply,
      (errors) => renderFrameworkForm(reply, { values: body, errors }),
      async () => {
        const { frameworkId } = await dev.createFramework(request.actor!, {
          key: str(body, 'key'),
          name: str(body, 'name'),
          publisher: str(body, 'publisher'),
          ...structureFromForm(body),
        });
        reply.flash('The framework has been added');
        return reply.redirect(`/development/frameworks/${frameworkId}`, 303);
      },
    );
  });
  app.get(
    '/development/frameworks/:id/versions/new',
    { config: { access: ['national'], scope: 'network' } },
    async (request, reply) => {
      const framework = await dev.getFramework(parsePathParams(idParam, request.params).id);
      const version = await dev.getVersion(framework.versions[0]!.id);
      return renderFrameworkForm(reply, {
        frameworkId: framework.id,
        name: framework.name,
        values: { edition: version.edition, note: version.note ?? '', ...frameworkToText(version) },
      });
    },
  );
  app.post(
    '/development/frameworks/:id/versions',
    { config: { access: ['national'], scope: 'network' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const body = (request.body ?? {}) as Body;
      return withFormErrors(
        reply,
        async (errors) =>
          renderFrameworkForm(reply, {
            frameworkId: id,
            name: (await dev.getFramework(id)).name,
            values: body,
            errors,
          }),
        async () => {
          const { versionNumber } = await dev.publishVersion(request.actor!, id, structureFromForm(body));
          reply.flash(
            `Version ${versionNumber} has been published. Earlier assessments keep the version they used.`,
          );
          return reply.redirect(`/development/frameworks/${id}`, 303);
        },
      );
    },
  );

  app.get('/development/framework-settings', { config: { access: ['national'] } }, async (request, reply) => {
    const settings = await dev.listChoices(request.actor!);
    return reply.page(`${V}/settings.njk`, {
      pageTitle: 'Which framework each region and cohort uses',
      backHref: '/development/frameworks',
      gridClass: 'nhsuk-grid-column-full',
      settings,
      name: (id: number | null) =>
        settings.frameworks.find((f) => f.id === id)?.name ?? 'As the wider default',
    });
  });
  app.post(
    '/development/framework-settings',
    { config: { access: ['national'] } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Body;
      const scope = str(body, 'scope');
      if (scope !== 'network' && scope !== 'region' && scope !== 'intake')
        throw new ValidationError([{ field: 'scope', message: 'Choose what the setting applies to' }]);
      const raw = str(body, 'frameworkId');
      await dev.setFrameworkChoice(request.actor!, {
        scope,
        scopeKey: scope === 'network' ? 'default' : str(body, 'scopeKey').slice(0, 40),
        frameworkId: raw === '' ? null : Number.isInteger(Number(raw)) && Number(raw) > 0 ? Number(raw) : -1,
      });
      reply.flash('The framework setting has been saved');
      return reply.redirect('/development/framework-settings', 303);
    },
  );
}
