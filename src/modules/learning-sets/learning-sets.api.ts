import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema, idParam, regionCodeField } from '../../platform/schemas.ts';
import { SET_ROLES } from './learning-sets.pages.ts';
import {
  actionOut,
  actionSchema,
  attendanceOut,
  formationSchema,
  attendanceSchema,
  healthOut,
  memberOut,
  reviewSchema,
  sessionOut,
  sessionSchema,
  setSummaryOut,
} from './learning-sets.schemas.ts';
import type { LearningSetsService } from './learning-sets.service.ts';

const STAFF = ['facilitator', 'regional-lead'] as const;
const errors = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
};

type SessionRow = {
  id: number;
  set_id: number;
  starts_at: Date;
  ends_at: Date;
  location: string | null;
  online_url: string | null;
};
const presentSession = (s: SessionRow) => ({
  id: s.id,
  setId: s.set_id,
  startsAt: s.starts_at.toISOString(),
  endsAt: s.ends_at.toISOString(),
  location: s.location,
  onlineUrl: s.online_url,
});

type ActionRow = {
  id: number;
  session_id: number;
  owner_user_id: number;
  owner_name: string;
  description: string;
  due_on: string;
  status: 'open' | 'done' | 'partly' | 'not-done' | 'carried-over';
  reviewed_session_id: number | null;
  review_note: string | null;
};
const presentAction = (a: ActionRow) => ({
  id: a.id,
  sessionId: a.session_id,
  ownerId: a.owner_user_id,
  owner: a.owner_name,
  description: a.description,
  dueOn: a.due_on,
  status: a.status,
  reviewedAtSessionId: a.reviewed_session_id,
  reviewNote: a.review_note,
});

const formationJobOut = z.object({
  id: z.number(),
  url: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  regionCode: z.string(),
  intakeId: z.number().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  cancelRequested: z.boolean(),
  progress: z.object({
    percent: z.number(),
    elapsedMs: z.number(),
    budgetMs: z.number(),
    bestObjective: z.number().nullable(),
    searches: z.number(),
  }),
  formationId: z.number().nullable(),
  formationUrl: z.string().nullable(),
  error: z.string().nullable(),
});

type FormationJob = Awaited<ReturnType<LearningSetsService['getFormationJob']>>;
const jobUrl = (id: number) => `/api/v1/learning-sets/formation-jobs/${id}`;
const presentFormationJob = (j: FormationJob) => ({
  id: j.id,
  url: jobUrl(j.id),
  status: j.status,
  regionCode: j.regionCode,
  intakeId: j.intakeId,
  startedAt: j.startedAt.toISOString(),
  finishedAt: j.finishedAt?.toISOString() ?? null,
  cancelRequested: j.cancelRequested,
  progress: j.progress,
  formationId: j.formationId,
  formationUrl: j.formationId ? `/learning-sets/formations/${j.formationId}` : null,
  error: j.error,
});

/** JSON API for sets, sessions, attendance and actions, under /api/v1; same rules as the pages. */
export async function learningSetsApi(base: FastifyInstance, opts: { sets: LearningSetsService }) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const { sets } = opts;

  app.post(
    '/api/v1/learning-sets/regions/:code/formations',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['learning-sets'],
        summary:
          'Start forming a cohort’s sets (the engine runs in the background): 202 with the job to follow; the draft appears when it succeeds',
        params: z.object({ code: regionCodeField }),
        body: formationSchema,
        response: { 202: formationJobOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await sets.startFormation(request.actor!, request.params.code, request.body);
      const job = await sets.getFormationJob(request.actor!, id);
      return reply.status(202).header('location', jobUrl(id)).send(presentFormationJob(job));
    },
  );

  app.get(
    '/api/v1/learning-sets/formation-jobs/:id',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['learning-sets'],
        summary: 'A set formation job: its status, progress, and the draft formation once it has succeeded',
        params: idParam,
        response: { 200: formationJobOut, ...errors },
      },
    },
    async (request) => presentFormationJob(await sets.getFormationJob(request.actor!, request.params.id)),
  );

  app.post(
    '/api/v1/learning-sets/formation-jobs/:id/cancel',
    {
      config: { access: ['regional-lead'], scope: 'region' },
      schema: {
        tags: ['learning-sets'],
        summary: 'Cancel a running set formation job (nothing is saved); 409 once it has finished',
        params: idParam,
        response: { 202: formationJobOut, ...errors },
      },
    },
    async (request, reply) => {
      await sets.cancelFormationJob(request.actor!, request.params.id);
      return reply
        .status(202)
        .send(presentFormationJob(await sets.getFormationJob(request.actor!, request.params.id)));
    },
  );

  app.get(
    '/api/v1/learning-sets',
    {
      config: { access: SET_ROLES },
      schema: {
        tags: ['learning-sets'],
        summary: 'The published action learning sets you belong to or facilitate',
        response: { 200: z.object({ sets: z.array(setSummaryOut) }), ...errors },
      },
    },
    async (request) => ({
      sets: (await sets.listMySets(request.actor!)).map((s) => ({
        id: s.id,
        name: s.name,
        regionCode: s.region_code,
        cohort: s.intake_name,
        facilitator: s.facilitator_name,
      })),
    }),
  );

  app.get(
    '/api/v1/learning-sets/:id',
    {
      config: { access: SET_ROLES, scope: 'set' },
      schema: {
        tags: ['learning-sets'],
        summary: 'A set: members (as their privacy allows), facilitator, sessions and health',
        params: idParam,
        response: {
          200: setSummaryOut.extend({
            members: z.array(memberOut),
            sessions: z.array(sessionOut),
            health: healthOut,
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const d = await sets.getSet(request.actor!, request.params.id);
      return {
        id: d.set.id,
        name: d.set.name,
        regionCode: d.set.region_code,
        cohort: d.set.intake_name,
        facilitator: d.set.facilitator_name,
        members: d.members.map((m) => ({
          id: m.userId,
          name: m.name,
          profession: m.professionLabel,
          jobTitle: m.jobTitle,
          organisation: m.organisationName,
          contact: m.contact,
        })),
        sessions: d.sessions.map(presentSession),
        health: {
          attendance: d.health.attendance.map((a) => ({
            ...a,
            startsAt: new Date(a.startsAt).toISOString(),
          })),
          actions: d.health.actions,
        },
      };
    },
  );

  app.get(
    '/api/v1/learning-sets/:id/actions',
    {
      config: { access: SET_ROLES, scope: 'set' },
      schema: {
        tags: ['learning-sets'],
        summary: 'Actions committed in a set and their review status (set members and staff only)',
        params: idParam,
        response: { 200: z.object({ actions: z.array(actionOut) }), ...errors },
      },
    },
    async (request) => ({
      actions: (await sets.listActions(request.actor!, request.params.id)).map(presentAction),
    }),
  );

  app.post(
    '/api/v1/learning-sets/:id/sessions',
    {
      config: { access: [...STAFF], scope: 'set' },
      schema: {
        tags: ['learning-sets'],
        summary: 'Schedule a session (UK local date and time; a place, an online link or both)',
        params: idParam,
        body: sessionSchema,
        response: { 201: z.object({ id: z.number() }), ...errors },
      },
    },
    async (request, reply) => {
      const id = await sets.scheduleSession(request.actor!, request.params.id, request.body);
      return reply.status(201).send({ id });
    },
  );

  app.get(
    '/api/v1/learning-sets/sessions/:id',
    {
      config: { access: SET_ROLES, scope: 'set' },
      schema: {
        tags: ['learning-sets'],
        summary: 'A session with its attendance and the actions agreed at it',
        params: idParam,
        response: {
          200: sessionOut.extend({ attendance: z.array(attendanceOut), actions: z.array(actionOut) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const d = await sets.getSession(request.actor!, request.params.id);
      return {
        ...presentSession(d.session),
        attendance: d.members,
        actions: d.committed.map(presentAction),
      };
    },
  );

  app.put(
    '/api/v1/learning-sets/sessions/:id/attendance',
    {
      config: { access: [...STAFF], scope: 'set' },
      schema: {
        tags: ['learning-sets'],
        summary: 'Record who attended and who presented (replaces the session’s record)',
        params: idParam,
        body: attendanceSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await sets.recordAttendance(request.actor!, request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/learning-sets/sessions/:id/actions',
    {
      config: { access: [...STAFF], scope: 'set' },
      schema: {
        tags: ['learning-sets'],
        summary: 'Record an action a member commits to at this session',
        params: idParam,
        body: actionSchema,
        response: { 201: z.object({ id: z.number() }), ...errors },
      },
    },
    async (request, reply) => {
      const id = await sets.addAction(request.actor!, request.params.id, request.body);
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/v1/learning-sets/actions/:id/review',
    {
      config: { access: [...STAFF], scope: 'set' },
      schema: {
        tags: ['learning-sets'],
        summary: 'Review an action at a later session: done, partly, not done or carried over',
        params: idParam,
        body: reviewSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await sets.reviewAction(request.actor!, request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );
}
