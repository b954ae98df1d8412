import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { pageNumber, paginationFor, parseForm, pathId, withFormErrors } from '../../platform/forms.ts';
import type { Scope } from '../../platform/http-types.ts';
import { refreshWhileRunning } from '../../platform/job-pages.ts';
import { PROFESSIONS } from '../../platform/registration.ts';
import {
  adjustmentInput,
  agreementInput,
  conflictInput,
  endingInput,
  FORMAT_LABELS,
  FORMATS,
  GOAL_STATUS_LABELS,
  GOAL_STATUSES,
  goalProgressInput,
  meetingInput,
  offerInput,
  requestInput,
  reviewInput,
  runInput,
} from './mentoring.schemas.ts';
import { MENTORING_AREAS } from './mentoring.scoring.ts';
import type { MatchingAction, MentoringService } from './mentoring.service.ts';

const V = 'modules/mentoring/views';
const participants = { access: ['member', 'mentor'] as const };
const mentors = { access: ['mentor'] as const };
const admins = { access: ['regional-lead'] as const };

const HEALTH_LABELS = {
  'on-track': 'On track',
  'needs-check-in': 'Needs a check-in',
  'review-due': 'Review due',
};
const HEALTH_COLOURS = { 'on-track': 'green', 'needs-check-in': 'red', 'review-due': 'orange' };
/** What the run page says once a matching job has written the run it leads to. */
const DONE_FLASH: Record<MatchingAction, string> = {
  new: 'Matching run computed: review the proposed pairs',
  rerun: 'Matching run again with the latest offers and requests',
  pin: 'Pair pinned and matching run again',
  forbid: 'Pair ruled out and matching run again',
  clear: 'Adjustment cleared and matching run again',
};
const REGION_CODES = ['Q30', 'Q31', 'Q32', 'Q33', 'Q34', 'Q35', 'Q36', 'Q37', 'Q38', 'Q39'];

const asList = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

const areaItems = (chosen: string[]) =>
  MENTORING_AREAS.map((a) => ({
    value: a.key,
    text: a.label,
    hint: { text: a.group === 'competency' ? 'Leadership competency' : 'Experience' },
    checked: chosen.includes(a.key),
  }));
const professionItems = (chosen: string[]) =>
  PROFESSIONS.map((p) => ({ value: p.key, text: p.label, checked: chosen.includes(p.key) }));
const formatItems = (chosen: string | undefined) =>
  FORMATS.map((f) => ({ value: f, text: FORMAT_LABELS[f], checked: f === chosen }));

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** "12 mentees, 5 mentors" while the engine solves. */
const solvingCounts = (p: { stage: string; mentees: number | null; mentors: number | null }) =>
  p.stage === 'solving' && p.mentees !== null && p.mentors !== null
    ? `${plural(p.mentees, 'mentee')}, ${plural(p.mentors, 'mentor')}`
    : null;

export async function mentoringPages(app: FastifyInstance, opts: { mentoring: MentoringService }) {
  const { mentoring } = opts;

  app.navItems.push(
    { href: '/mentoring', text: 'Mentoring', roles: ['member', 'mentor'] },
    { href: '/mentoring/admin', text: 'Mentoring admin', roles: ['regional-lead'] },
  );

  app.get('/mentoring', { config: participants }, async (request, reply) => {
    const o = await mentoring.overview(request.actor!);
    return reply.page(`${V}/overview.njk`, {
      pageTitle: 'Mentoring',
      o,
      isMentor: request.actor!.roles.some((g) => g.role === 'mentor'),
      isMember: request.actor!.roles.some((g) => g.role === 'member'),
      areaLabel: Object.fromEntries(MENTORING_AREAS.map((a) => [a.key, a.label])),
      formatLabels: FORMAT_LABELS,
    });
  });

  /** One form handler: validation errors re-render the form with each field's message. */
  function formRoute<S extends z.ZodType>(
    url: string,
    access: { access: readonly ('member' | 'mentor' | 'regional-lead')[]; scope?: Scope },
    schema: S,
    render: (
      request: FastifyRequest,
      reply: FastifyReply,
      extra: Record<string, unknown>,
    ) => Promise<unknown>,
    act: (request: FastifyRequest, input: z.output<S>) => Promise<unknown>,
    done: (request: FastifyRequest) => { flash: string; to: string },
  ) {
    app.post(url, { config: access }, async (request, reply) =>
      withFormErrors(
        reply,
        (errors) => render(request, reply, { errors, posted: request.body, form: url }),
        async () => {
          await act(request, parseForm(schema, request.body));
          const d = done(request);
          reply.flash(d.flash);
          return reply.redirect(d.to, 303);
        },
      ),
    );
  }

  // Requests ----------------------------------------------------------------------------------

  async function requestPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const current = await mentoring.getMyRequest(request.actor!);
    const posted = extra.posted as Record<string, unknown> | undefined;
    const values = posted
      ? {
          goals: posted.goals,
          goalAreas: asList(posted.goalAreas),
          format: posted.format,
          mentorProfessions: asList(posted.mentorProfessions),
          sameRegion: posted.sameRegion === 'yes',
          planGoals: asList(posted.planGoals).map(Number),
        }
      : {
          goals: current?.goals ?? '',
          goalAreas: current?.goalAreas ?? [],
          format: current?.format ?? 'either',
          mentorProfessions: current?.mentorProfessions ?? [],
          sameRegion: current?.sameRegion ?? false,
          planGoals: current?.planGoalIds ?? [],
        };
    const planGoals = await mentoring.listMyPlanGoals(request.actor!);
    return reply.page(`${V}/request.njk`, {
      pageTitle: current ? 'Change your request for a mentor' : 'Ask for a mentor',
      backHref: '/mentoring',
      current,
      values,
      areaItems: areaItems(values.goalAreas as string[]),
      professionItems: professionItems(values.mentorProfessions as string[]),
      formatItems: formatItems(values.format as string),
      planGoalItems: planGoals.map((g) => ({
        value: String(g.id),
        text: g.title,
        hint: { text: `${g.competency} (${g.domain}), from your plan "${g.planTitle}"` },
        checked: (values.planGoals as number[]).includes(g.id),
      })),
      ...extra,
    });
  }
  app.get('/mentoring/request', { config: { access: ['member'] } }, (request, reply) =>
    requestPage(request, reply),
  );
  formRoute(
    '/mentoring/request',
    { access: ['member'] },
    requestInput,
    requestPage,
    (r, input) => mentoring.saveRequest(r.actor!, input),
    () => ({
      flash: 'Your request for a mentor has been saved. You will be included in the next matching run.',
      to: '/mentoring',
    }),
  );
  app.post('/mentoring/request/withdraw', { config: { access: ['member'] } }, async (request, reply) => {
    await mentoring.withdrawRequest(request.actor!);
    reply.flash('Your request for a mentor has been withdrawn');
    return reply.redirect('/mentoring', 303);
  });

  // Offers ------------------------------------------------------------------------------------

  async function offerPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const current = await mentoring.getOffer(request.actor!);
    const posted = extra.posted as Record<string, unknown> | undefined;
    const values = posted
      ? {
          capacity: posted.capacity,
          areas: asList(posted.areas),
          format: posted.format,
          menteeProfessions: asList(posted.menteeProfessions),
          notes: posted.notes,
        }
      : {
          capacity: current?.capacity ?? 1,
          areas: current?.areas ?? [],
          format: current?.format ?? 'either',
          menteeProfessions: current?.menteeProfessions ?? [],
          notes: current?.notes ?? '',
        };
    return reply.page(`${V}/offer.njk`, {
      pageTitle: current ? 'Change your mentoring offer' : 'Offer to mentor',
      backHref: '/mentoring',
      current,
      values,
      areaItems: areaItems(values.areas as string[]),
      professionItems: professionItems(values.menteeProfessions as string[]),
      formatItems: formatItems(values.format as string),
      ...extra,
    });
  }
  app.get('/mentoring/offer', { config: mentors }, (request, reply) => offerPage(request, reply));
  formRoute(
    '/mentoring/offer',
    mentors,
    offerInput,
    offerPage,
    (r, input) => mentoring.saveOffer(r.actor!, input),
    () => ({ flash: 'Your mentoring offer has been saved', to: '/mentoring' }),
  );

  // Conflicts ---------------------------------------------------------------------------------

  async function conflictsPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const conflicts = await mentoring.listConflicts(request.actor!);
    return reply.page(`${V}/conflicts.njk`, {
      pageTitle: 'People you must not be matched with',
      backHref: '/mentoring',
      conflicts,
      values: (extra.posted as object) ?? {},
      ...extra,
    });
  }
  app.get('/mentoring/conflicts', { config: participants }, (request, reply) =>
    conflictsPage(request, reply),
  );
  formRoute(
    '/mentoring/conflicts',
    participants,
    conflictInput,
    conflictsPage,
    (r, input) => mentoring.declareConflict(r.actor!, input),
    () => ({
      flash: 'Declaration saved: you will not be matched with this person',
      to: '/mentoring/conflicts',
    }),
  );
  app.post(
    '/mentoring/conflicts/:id/remove',
    { config: { ...participants, scope: 'own' } },
    async (request, reply) => {
      await mentoring.removeConflict(request.actor!, pathId(request.params));
      reply.flash('Declaration removed');
      return reply.redirect('/mentoring/conflicts', 303);
    },
  );

  // Pairs -------------------------------------------------------------------------------------

  async function pairPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const pair = await mentoring.getPair(request.actor!, pathId(request.params));
    const other = pair.role === 'mentor' ? pair.mentee : pair.mentor;
    const posted = (extra.posted as Record<string, unknown>) ?? {};
    const form = (extra.form as string | undefined) ?? '';
    return reply.page(`${V}/pair.njk`, {
      pageTitle: pair.role === 'mentor' ? `Mentoring ${other.name}` : `Your mentor: ${other.name}`,
      gridClass: 'nhsuk-grid-column-full',
      backHref: '/mentoring',
      pair,
      other,
      goalStatusLabels: GOAL_STATUS_LABELS,
      goalStatuses: GOAL_STATUSES,
      values: {
        agreement: form.endsWith('/agreement') ? posted : (pair.agreement ?? {}),
        meeting: form.endsWith('/meetings') ? posted : {},
        review: form.endsWith('/review') ? posted.review : (pair.review ?? ''),
        end: form.endsWith('/end') ? posted.feedback : '',
      },
      myFeedback: pair.role === 'mentor' ? pair.mentorFeedback : pair.menteeFeedback,
      ...extra,
    });
  }
  app.get('/mentoring/pairs/:id', { config: { ...participants, scope: 'pair' } }, (request, reply) =>
    pairPage(request, reply),
  );

  const pairForm = <S extends z.ZodType>(
    path: string,
    schema: S,
    act: (r: FastifyRequest, id: number, input: z.output<S>) => Promise<unknown>,
    flash: string,
  ) =>
    formRoute(
      `/mentoring/pairs/:id/${path}`,
      { ...participants, scope: 'pair' },
      schema,
      (r, reply, extra) => pairPage(r, reply, { ...extra, form: `/${path}` }),
      (r, input) => act(r, pathId(r.params), input),
      (r) => ({ flash, to: `/mentoring/pairs/${pathId(r.params)}` }),
    );
  pairForm(
    'agreement',
    agreementInput,
    (r, id, i) => mentoring.saveAgreement(r.actor!, id, i),
    'Agreement saved',
  );
  pairForm('meetings', meetingInput, (r, id, i) => mentoring.logMeeting(r.actor!, id, i), 'Meeting logged');
  pairForm(
    'goals',
    goalProgressInput,
    (r, id, i) => mentoring.updateGoal(r.actor!, id, i),
    'Goal progress saved',
  );
  pairForm(
    'review',
    reviewInput,
    (r, id, i) => mentoring.saveReview(r.actor!, id, i.review),
    'Six-month review saved',
  );
  pairForm(
    'end',
    endingInput,
    (r, id, i) => mentoring.endPair(r.actor!, id, i.feedback),
    'Thank you for your feedback',
  );
  app.post(
    '/mentoring/pairs/:id/decline',
    { config: { ...participants, scope: 'pair' } },
    async (request, reply) =>
      // A match already declined or under way is the pair's page again with the reason.
      withFormErrors(
        reply,
        (errors) => pairPage(request, reply, { errors }),
        async () => {
          await mentoring.declinePair(request.actor!, pathId(request.params));
          reply.flash(
            'The match has been declined. The mentee goes back into the pool for the next matching run.',
          );
          return reply.redirect('/mentoring', 303);
        },
      ),
  );

  // Administration ----------------------------------------------------------------------------

  async function adminPage(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const q = request.query as { page?: string; runs?: string };
    const page = pageNumber(q.page);
    const runsPage = pageNumber(q.runs);
    const [health, runs] = await Promise.all([
      mentoring.health(request.actor!, page),
      mentoring.listRuns(request.actor!, runsPage),
    ]);
    const actor = request.actor!;
    const national = actor.roles.some((g) => g.role === 'national');
    const regions = national
      ? REGION_CODES
      : actor.roles.filter((g) => g.role === 'regional-lead' && g.regionCode).map((g) => g.regionCode!);
    return reply.page(`${V}/admin.njk`, {
      pageTitle: 'Mentoring: matching and pair health',
      gridClass: 'nhsuk-grid-column-full',
      health,
      runs,
      healthLabels: HEALTH_LABELS,
      healthColours: HEALTH_COLOURS,
      healthPagination: paginationFor(
        page,
        health.pageSize,
        health.total,
        (p) => `/mentoring/admin?page=${p}`,
      ),
      runsPagination: paginationFor(runsPage, runs.pageSize, runs.total, (p) => `/mentoring/admin?runs=${p}`),
      scopeItems: [
        ...(national ? [{ value: 'all', text: 'The whole network' }] : []),
        ...regions.map((c) => ({ value: c, text: `Region ${c}` })),
      ],
      ...extra,
    });
  }
  app.get('/mentoring/admin', { config: admins }, (request, reply) => adminPage(request, reply));
  app.post('/mentoring/runs', { config: admins }, async (request, reply) =>
    // A draft run for the scope may already exist, or a run be computing (perhaps started a moment
    // ago by someone else): the conflict is shown on the form.
    withFormErrors(
      reply,
      (errors) => adminPage(request, reply, { errors }),
      async () => {
        const input = parseForm(runInput, request.body);
        const jobId = await mentoring.startRun(request.actor!, input.regionCode);
        return reply.redirect(`/mentoring/matching-jobs/${jobId}`, 303);
      },
      { messageField: 'regionCode' },
    ),
  );

  // The engine runs in a worker thread; this page shows how far it has got and, once the run is
  // written, sends the lead on to it. It refreshes itself (src/platform/job-pages.ts).
  app.get(
    '/mentoring/matching-jobs/:id',
    { config: { ...admins, scope: 'region' } },
    async (request, reply) => {
      const job = await mentoring.getMatchingJob(request.actor!, pathId(request.params));
      if (job.status === 'succeeded' && job.runId) {
        reply.flash(DONE_FLASH[job.action]);
        return reply.redirect(`/mentoring/runs/${job.runId}`, 303);
      }
      const refresh = refreshWhileRunning(request, reply, job.status === 'running');
      return reply.page(`${V}/matching-job.njk`, {
        pageTitle:
          job.status === 'running'
            ? 'Matching mentors'
            : job.status === 'cancelled'
              ? 'Matching mentors was cancelled'
              : 'Mentors could not be matched',
        backHref: job.recomputesRunId ? `/mentoring/runs/${job.recomputesRunId}` : '/mentoring/admin',
        job,
        scope: job.regionCode ? `Region ${job.regionCode}` : 'The whole network',
        counts: solvingCounts(job.progress),
        ...refresh,
      });
    },
  );
  app.post(
    '/mentoring/matching-jobs/:id/cancel',
    { config: { ...admins, scope: 'region' } },
    async (request, reply) => {
      const id = pathId(request.params);
      await mentoring.cancelMatchingJob(request.actor!, id);
      reply.flash('Matching is being cancelled: no run will be saved.');
      return reply.redirect(`/mentoring/matching-jobs/${id}`, 303);
    },
  );

  async function runPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) {
    const id = pathId(request.params);
    const run = await mentoring.getRun(request.actor!, id);
    const candidates = run.status === 'draft' ? await mentoring.runCandidates(request.actor!, id) : null;
    const posted = (extra.posted as Record<string, unknown>) ?? {};
    return reply.page(`${V}/run.njk`, {
      pageTitle: `Matching run ${run.id}: ${run.regionCode ? `region ${run.regionCode}` : 'whole network'}`,
      gridClass: 'nhsuk-grid-column-full',
      backHref: '/mentoring/admin',
      run,
      menteeItems: [
        { value: '', text: 'Choose a mentee' },
        ...(candidates?.mentees ?? []).map((m) => ({
          value: String(m.requestId),
          text: m.name,
          selected: String(m.requestId) === posted.requestId,
        })),
      ],
      mentorItems: [
        { value: '', text: 'Choose a mentor' },
        ...(candidates?.mentors ?? []).map((m) => ({
          value: String(m.userId),
          text: `${m.name} (${m.free} free)`,
          selected: String(m.userId) === posted.mentorUserId,
        })),
      ],
      ...extra,
    });
  }
  app.get('/mentoring/runs/:id', { config: { ...admins, scope: 'region' } }, (request, reply) =>
    runPage(request, reply),
  );
  // A pair that cannot be pinned is refused on the form at once; otherwise the run is computed
  // again with the change as a job, and its page leads back to the run.
  app.post('/mentoring/runs/:id/adjust', { config: { ...admins, scope: 'region' } }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) =>
        runPage(request, reply, { errors, posted: request.body, form: '/mentoring/runs/:id/adjust' }),
      async () => {
        const input = parseForm(adjustmentInput, request.body);
        const jobId = await mentoring.startAdjustment(request.actor!, pathId(request.params), input);
        return reply.redirect(`/mentoring/matching-jobs/${jobId}`, 303);
      },
    ),
  );
  app.post('/mentoring/runs/:id/rerun', { config: { ...admins, scope: 'region' } }, async (request, reply) =>
    withFormErrors(
      reply,
      (errors) => runPage(request, reply, { errors }),
      async () => {
        const jobId = await mentoring.startRerun(request.actor!, pathId(request.params));
        return reply.redirect(`/mentoring/matching-jobs/${jobId}`, 303);
      },
      { messageField: 'rerun' },
    ),
  );
  app.post(
    '/mentoring/runs/:id/approve',
    { config: { ...admins, scope: 'region' } },
    async (request, reply) => {
      const n = await mentoring.approveRun(request.actor!, pathId(request.params));
      reply.flash(`Run approved: ${n} pair${n === 1 ? '' : 's'} told by email`);
      return reply.redirect(`/mentoring/runs/${pathId(request.params)}`, 303);
    },
  );
  app.post(
    '/mentoring/runs/:id/discard',
    { config: { ...admins, scope: 'region' } },
    async (request, reply) => {
      await mentoring.discardRun(request.actor!, pathId(request.params));
      reply.flash('Run discarded');
      return reply.redirect('/mentoring/admin', 303);
    },
  );
}
