import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import {
  pageNumber,
  paginationFor,
  parseForm,
  parsePathParams,
  withFormErrors,
} from '../../platform/forms.ts';
import type { Actor, Role } from '../../platform/permissions.ts';
import { refreshWhileRunning } from '../../platform/job-pages.ts';
import { idParam, regionCodeField } from '../../platform/schemas.ts';
import { renderCalendar } from './learning-sets.calendar.ts';
import {
  ACTION_STATUS_LABELS,
  ACTION_STATUSES,
  actionSchema,
  ATTENDANCE_LABELS,
  ATTENDANCE_STATUSES,
  ATTRIBUTES,
  facilitatorSchema,
  formationSchema,
  moveSchema,
  noteSchema,
  returnSchema,
  reviewSchema,
  sessionSchema,
  setFacilitatorSchema,
  swapSchema,
} from './learning-sets.schemas.ts';
import type { LearningSetsService } from './learning-sets.service.ts';

const V = 'modules/learning-sets/views';
export const SET_ROLES: Role[] = ['member', 'mentor', 'facilitator', 'regional-lead'];
const STAFF_ROLES: Role[] = ['facilitator', 'regional-lead'];
const LEAD_ROLES: Role[] = ['regional-lead'];
const REGION_PAGE_SIZE = 25;

const regionParams = z.object({ code: regionCodeField });

export async function learningSetsPages(
  app: FastifyInstance,
  opts: { sets: LearningSetsService; baseUrl: string },
) {
  const { sets } = opts;
  app.navItems.push({ href: '/learning-sets', text: 'Action learning sets', roles: SET_ROLES });

  // Hub: your sets, and for staff their regions.
  app.get('/learning-sets', { config: { access: SET_ROLES } }, async (request, reply) => {
    const actor = request.actor!;
    const mine = await sets.listMySets(actor);
    const regions = (await sets.listRegions()).filter((r) => sets.isStaffOf(actor, r.code));
    return reply.page(`${V}/hub.njk`, { pageTitle: 'Action learning sets', mine, regions });
  });

  // Region overview: facilitators, formations, published sets, returns.
  const regionPage = async (
    reply: FastifyReply,
    actorCode: string,
    page: number,
    extra: Record<string, unknown> = {},
  ) => {
    const actor = reply.request.actor!;
    const region = (await sets.listRegions()).find((r) => r.code === actorCode);
    if (!region) throw new NotFoundError('There is no such region');
    const isLead = sets.isLeadOf(actor, region.code);
    const [facilitators, { rows, total }, formations, returns] = await Promise.all([
      sets.listFacilitators(actor, region.code),
      sets.listRegionSets(actor, region.code, page, REGION_PAGE_SIZE),
      isLead ? sets.listFormations(actor, region.code) : [],
      sets.summariseReturns(region.code),
    ]);
    return reply.page(`${V}/region.njk`, {
      pageTitle: `Action learning in ${region.name}`,
      backHref: '/learning-sets',
      gridClass: 'nhsuk-grid-column-full',
      region,
      facilitators,
      setRows: rows,
      pagination: paginationFor(
        page,
        REGION_PAGE_SIZE,
        total,
        (p) => `/learning-sets/regions/${region.code}?page=${p}`,
      ),
      isLead,
      formations,
      returns,
      values: { maxSets: 3 },
      ...extra,
    });
  };

  app.get(
    '/learning-sets/regions/:code',
    { config: { access: STAFF_ROLES, scope: 'region' } },
    async (request, reply) => {
      const { code } = parsePathParams(regionParams, request.params);
      return regionPage(reply, code, pageNumber((request.query as { page?: string }).page));
    },
  );

  app.post(
    '/learning-sets/regions/:code/facilitators',
    { config: { access: LEAD_ROLES, scope: 'region' } },
    async (request, reply) => {
      const { code } = parsePathParams(regionParams, request.params);
      return withFormErrors(
        reply,
        (errors) => regionPage(reply, code, 1, { errors, values: request.body }),
        async () => {
          const input = parseForm(facilitatorSchema, request.body);
          const user = await sets.saveFacilitator(request.actor!, code, input);
          reply.flash(`${user.name} is a facilitator in ${code} with capacity for ${input.maxSets} sets`);
          return reply.redirect(`/learning-sets/regions/${code}`, 303);
        },
      );
    },
  );

  // Forming sets
  const formPage = async (
    reply: FastifyReply,
    code: string,
    values: Record<string, unknown>,
    errors?: unknown,
  ) => {
    const { region, intakes } = await sets.cohortOptions(reply.request.actor!, code);
    // A cohort has one draft at a time: show the drafts to open before forming another.
    const drafts = (await sets.listFormations(reply.request.actor!, code)).filter(
      (f) => f.status === 'draft',
    );
    const v: Record<string, unknown> = {
      minSize: 6,
      maxSize: 8,
      sizing: 'vary',
      separateOrganisations: 'yes',
      seed: 1,
      ...Object.fromEntries(
        ATTRIBUTES.map((a) => [`weight${a.key[0]!.toUpperCase()}${a.key.slice(1)}`, a.defaultWeight]),
      ),
      ...values,
    };
    return reply.page(`${V}/form.njk`, {
      pageTitle: `Form action learning sets in ${region.name}`,
      drafts,
      backHref: `/learning-sets/regions/${region.code}`,
      region,
      values: v,
      errors,
      intakeItems: [
        { value: '', text: 'Choose a cohort' },
        ...intakes.map((i) => ({
          value: String(i.id),
          text: `${i.name} (${i.active_members} active member${i.active_members === 1 ? '' : 's'})`,
          selected: String(v.intakeId ?? '') === String(i.id),
        })),
      ],
      weightFields: ATTRIBUTES.map((a) => {
        const name = `weight${a.key[0]!.toUpperCase()}${a.key.slice(1)}`;
        return { name, label: a.label, value: v[name] };
      }),
    });
  };

  app.get(
    '/learning-sets/regions/:code/form',
    { config: { access: LEAD_ROLES, scope: 'region' } },
    async (request, reply) => {
      const { code } = parsePathParams(regionParams, request.params);
      return formPage(reply, code, {});
    },
  );

  app.post(
    '/learning-sets/regions/:code/form',
    { config: { access: LEAD_ROLES, scope: 'region' } },
    async (request, reply) => {
      const { code } = parsePathParams(regionParams, request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      return withFormErrors(
        reply,
        (errors) =>
          formPage(reply, code, { ...body, separateOrganisations: body.separateOrganisations ?? '' }, errors),
        async () => {
          const input = parseForm(formationSchema, request.body);
          const jobId = await sets.startFormation(request.actor!, code, input);
          return reply.redirect(`/learning-sets/formation-jobs/${jobId}`, 303);
        },
      );
    },
  );

  // The engine runs in worker threads; this page shows its progress and, once it has finished,
  // sends the lead on to the draft. It refreshes itself with a Refresh header (no JavaScript
  // needed), which the lead can turn off (WCAG 2.2.1) and check by hand instead.
  app.get(
    '/learning-sets/formation-jobs/:id',
    { config: { access: LEAD_ROLES, scope: 'region' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      const job = await sets.getFormationJob(request.actor!, id);
      if (job.status === 'succeeded' && job.formationId) {
        reply.flash(
          'The sets are formed as a draft. Check them, move or swap members if needed, then publish.',
        );
        return reply.redirect(`/learning-sets/formations/${job.formationId}`, 303);
      }
      const refresh = refreshWhileRunning(request, reply, job.status === 'running');
      return reply.page(`${V}/formation-job.njk`, {
        pageTitle:
          job.status === 'running'
            ? 'Forming sets'
            : job.status === 'cancelled'
              ? 'Forming sets was cancelled'
              : 'The sets could not be formed',
        backHref: `/learning-sets/regions/${job.regionCode}`,
        job,
        intakeName: job.intakeName,
        ...refresh,
        budgetSeconds: Math.max(1, Math.ceil(job.progress.budgetMs / 1000)),
        // Early in a search the best grouping may still break a preference, which scores below 0.
        bestScore:
          job.progress.bestObjective !== null && job.progress.bestObjective > 0
            ? job.progress.bestObjective.toFixed(1)
            : null,
      });
    },
  );

  app.post(
    '/learning-sets/formation-jobs/:id/cancel',
    { config: { access: LEAD_ROLES, scope: 'region' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      await sets.cancelFormationJob(request.actor!, id);
      reply.flash('Forming sets is being cancelled: no sets will be saved.');
      return reply.redirect(`/learning-sets/formation-jobs/${id}`, 303);
    },
  );

  const formationPage = async (reply: FastifyReply, id: number, errors?: unknown, values?: unknown) => {
    const described = await sets.describeFormation(reply.request.actor!, id);
    const facilitators = await sets.listFacilitators(reply.request.actor!, described.formation.regionCode);
    const memberItems = [
      { value: '', text: 'Choose a member' },
      ...described.sets
        .flatMap((s) => s.members.map((m) => ({ value: String(m.userId), text: `${m.name} (${s.name})` })))
        .sort((a, b) => a.text.localeCompare(b.text)),
    ];
    return reply.page(`${V}/formation.njk`, {
      pageTitle: `${described.formation.status === 'draft' ? 'Draft sets' : 'Published sets'} for ${described.formation.intakeName}`,
      backHref: `/learning-sets/regions/${described.formation.regionCode}`,
      gridClass: 'nhsuk-grid-column-full',
      ...described,
      errors,
      values: values ?? {},
      memberItems,
      setItems: [
        { value: '', text: 'Choose a set' },
        ...described.sets.map((s) => ({ value: String(s.id), text: s.name })),
      ],
      facilitatorItems: facilitators.map((f) => ({
        value: String(f.userId),
        text: `${f.name} (capacity ${f.maxSets})`,
      })),
    });
  };

  app.get(
    '/learning-sets/formations/:id',
    { config: { access: LEAD_ROLES, scope: 'region' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      return formationPage(reply, id);
    },
  );

  const formationAction = (path: string, run: (id: number, body: unknown, actor: Actor) => Promise<string>) =>
    app.post(
      `/learning-sets/formations/:id/${path}`,
      { config: { access: LEAD_ROLES, scope: 'region' } },
      async (request, reply) => {
        const { id } = parsePathParams(idParam, request.params);
        return withFormErrors(
          reply,
          (errors) => formationPage(reply, id, errors, request.body),
          async () => {
            const message = await run(id, request.body, request.actor!);
            reply.flash(message);
            return reply.redirect(
              path === 'discard' ? '/learning-sets' : `/learning-sets/formations/${id}`,
              303,
            );
          },
        );
      },
    );

  formationAction('move', (id, body, actor) => sets.moveMember(actor, id, parseForm(moveSchema, body)));
  formationAction('swap', (id, body, actor) => sets.swapMembers(actor, id, parseForm(swapSchema, body)));
  formationAction('facilitator', async (id, body, actor) => {
    const { setId, ...rest } = (body ?? {}) as Record<string, unknown>;
    const input = parseForm(setFacilitatorSchema, rest);
    const setIdNumber = Number(setId);
    if (!Number.isInteger(setIdNumber) || setIdNumber <= 0)
      throw new ValidationError([{ field: 'setId', message: 'Choose a set' }]);
    return sets.changeFacilitator(actor, id, setIdNumber, input.facilitatorUserId);
  });
  formationAction('publish', async (id, _body, actor) => {
    const f = await sets.publishFormation(actor, id);
    return `The sets for ${f.intake_name} are published; members and facilitators have been emailed`;
  });
  formationAction('discard', async (id, _body, actor) => {
    const f = await sets.discardFormation(actor, id);
    return `The draft sets for ${f.intake_name} were discarded`;
  });

  // A set: members, facilitator, sessions, actions, health
  const setPage = async (reply: FastifyReply, id: number, errors?: unknown, values?: unknown) => {
    const data = await sets.getSet(reply.request.actor!, id);
    return reply.page(`${V}/set.njk`, {
      pageTitle: data.set.name,
      backHref: '/learning-sets',
      ...data,
      errors,
      values: values ?? { durationMinutes: 180 },
      actionStatusLabels: ACTION_STATUS_LABELS,
      now: new Date(),
    });
  };

  app.get(
    '/learning-sets/sets/:id',
    { config: { access: SET_ROLES, scope: 'set' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      return setPage(reply, id);
    },
  );

  app.post(
    '/learning-sets/sets/:id/sessions',
    { config: { access: STAFF_ROLES, scope: 'set' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      return withFormErrors(
        reply,
        (errors) => setPage(reply, id, errors, request.body),
        async () => {
          const input = parseForm(sessionSchema, request.body);
          const sessionId = await sets.scheduleSession(request.actor!, id, input);
          reply.flash('The session is scheduled; it appears in members’ calendar feeds');
          return reply.redirect(`/learning-sets/sessions/${sessionId}`, 303);
        },
      );
    },
  );

  // A session: attendance, presenters, actions, review, notes, return
  const sessionPage = async (reply: FastifyReply, id: number, errors?: unknown, values?: unknown) => {
    const data = await sets.getSession(reply.request.actor!, id);
    return reply.page(`${V}/session.njk`, {
      pageTitle: `Session of ${data.set.name}`,
      backHref: `/learning-sets/sets/${data.set.id}`,
      gridClass: 'nhsuk-grid-column-full',
      ...data,
      errors,
      values: values ?? {},
      // After a refused attendance form, show what was sent rather than what is recorded.
      attendancePosted: Object.keys(values ?? {}).some((k) => /^(status|presented)-/.test(k)),
      attendanceStatuses: ATTENDANCE_STATUSES.map((s) => ({ value: s, text: ATTENDANCE_LABELS[s] })),
      reviewStatuses: ACTION_STATUSES.map((s) => ({ value: s, text: ACTION_STATUS_LABELS[s] })),
      actionStatusLabels: ACTION_STATUS_LABELS,
      attendanceLabels: ATTENDANCE_LABELS,
      ownerItems: [
        { value: '', text: 'Choose a member' },
        ...data.members.map((m) => ({ value: String(m.userId), text: m.name })),
      ],
    });
  };

  app.get(
    '/learning-sets/sessions/:id',
    { config: { access: SET_ROLES, scope: 'set' } },
    async (request, reply) => {
      const { id } = parsePathParams(idParam, request.params);
      return sessionPage(reply, id);
    },
  );

  const sessionAction = (
    path: string,
    run: (id: number, body: Record<string, unknown>, actor: Actor) => Promise<string>,
  ) =>
    app.post(
      `/learning-sets/sessions/:id/${path}`,
      { config: { access: STAFF_ROLES, scope: 'set' } },
      async (request, reply) => {
        const { id } = parsePathParams(idParam, request.params);
        const body = (request.body ?? {}) as Record<string, unknown>;
        return withFormErrors(
          reply,
          (errors) => sessionPage(reply, id, errors, body),
          async () => {
            reply.flash(await run(id, body, request.actor!));
            return reply.redirect(`/learning-sets/sessions/${id}`, 303);
          },
        );
      },
    );

  sessionAction('attendance', async (id, body, actor) => {
    const session = await sets.getSession(actor, id);
    const entries = session.members.map((m) => {
      const status = body[`status-${m.userId}`];
      if (typeof status !== 'string' || !(ATTENDANCE_STATUSES as readonly string[]).includes(status))
        throw new ValidationError([
          { field: `status-${m.userId}`, message: `Choose whether ${m.name} was present` },
        ]);
      return {
        userId: m.userId,
        status: status as (typeof ATTENDANCE_STATUSES)[number],
        presented: body[`presented-${m.userId}`] === 'yes',
      };
    });
    await sets.recordAttendance(actor, id, { entries });
    return 'Attendance and presenters are recorded';
  });
  sessionAction('actions', async (id, body, actor) => {
    await sets.addAction(actor, id, parseForm(actionSchema, body));
    return 'The action is recorded';
  });
  sessionAction('notes', async (id, body, actor) => {
    await sets.saveNotes(actor, id, parseForm(noteSchema, body).body ?? '');
    return 'Your notes are saved';
  });
  sessionAction('return', async (id, body, actor) => {
    await sets.submitReturn(actor, id, parseForm(returnSchema, body).themes);
    return 'The session return is sent to the region';
  });
  sessionAction('review', async (id, body, actor) => {
    const { actionId, ...rest } = body;
    const n = Number(actionId);
    if (!Number.isInteger(n) || n <= 0)
      throw new ValidationError([{ field: 'actionId', message: 'Choose an action' }]);
    await sets.reviewAction(actor, n, parseForm(reviewSchema, { ...rest, sessionId: String(id) }));
    return 'The action is reviewed';
  });

  // Calendar feed
  app.get('/learning-sets/calendar', { config: { access: SET_ROLES } }, async (request, reply) => {
    const feed = await sets.calendarStatus(request.actor!);
    return reply.page(`${V}/calendar.njk`, {
      pageTitle: 'Your calendar feed',
      backHref: '/learning-sets',
      feed,
    });
  });
  app.post('/learning-sets/calendar', { config: { access: SET_ROLES } }, async (request, reply) => {
    const url = await sets.createCalendarFeed(request.actor!);
    const feed = await sets.calendarStatus(request.actor!);
    return reply.page(`${V}/calendar.njk`, {
      pageTitle: 'Your calendar feed',
      backHref: '/learning-sets',
      feed,
      url,
    });
  });
  app.post('/learning-sets/calendar/revoke', { config: { access: SET_ROLES } }, async (request, reply) => {
    await sets.revokeCalendarFeed(request.actor!);
    reply.flash('Your calendar feed address no longer works');
    return reply.redirect('/learning-sets/calendar', 303);
  });

  // The feed itself: the secret in the address is the credential (calendar apps send no cookies).
  app.get('/calendar/:file', { config: { access: 'public', scope: 'token' } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const token = /^(.+)\.ics$/.exec(file)?.[1];
    const calendar = token ? await sets.calendarFor(token) : null;
    if (!calendar) throw new NotFoundError('This calendar feed address is not valid or has been revoked');
    reply.header('cache-control', 'private, no-store');
    reply.type('text/calendar; charset=utf-8');
    return renderCalendar(calendar, opts.baseUrl);
  });
}
