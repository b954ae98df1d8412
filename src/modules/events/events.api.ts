import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UnauthenticatedError } from '../../platform/errors.ts';
import { apiErrorSchema, idParam } from '../../platform/schemas.ts';
import type { EventsService } from './events.service.ts';
import {
  agendaInput,
  decisionInput,
  eventInput,
  eventListQuery,
  eventOut,
  eventSummaryOut,
  REGISTRATION_STATUSES,
  registrationOut,
  registrationParams,
  statusInput,
} from './events.schemas.ts';

const tags = ['events'];
const errors = {
  400: apiErrorSchema,
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
};
const organisers = ['regional-lead'] as const;
const registrationStatusOut = z.object({ status: z.enum(REGISTRATION_STATUSES) });

/** The JSON API of events and registrations, under /api/v1/events. */
export async function eventsApi(app: FastifyInstance, opts: { events: EventsService }) {
  const { events } = opts;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const actorOf = (request: { actor: import('../../platform/permissions.ts').Actor | null }) => {
    if (!request.actor) throw new UnauthenticatedError();
    return request.actor;
  };

  api.get(
    '/api/v1/events',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'Upcoming events the caller may see (public events when signed out), soonest first, by region, format and national or regional, paginated',
        querystring: eventListQuery,
        response: {
          200: z.object({
            events: z.array(eventSummaryOut),
            total: z.number(),
            page: z.number(),
            pageSize: z.number(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const list = await events.listEvents(request.actor, request.query);
      return { events: list.events, total: list.total, page: list.page, pageSize: list.pageSize };
    },
  );

  api.post(
    '/api/v1/events',
    {
      config: { access: organisers },
      schema: {
        tags,
        summary:
          'Create a draft event (UK wall-clock dates and times; national events by the national team, regional ones by the region’s leads)',
        body: eventInput,
        response: { 201: eventOut, ...errors },
      },
    },
    async (request, reply) => {
      const id = await events.createEvent(request.actor!, request.body);
      reply.status(201);
      return events.getEvent(request.actor, id);
    },
  );

  api.get(
    '/api/v1/events/:id',
    {
      config: { access: 'public', scope: 'event' },
      schema: {
        tags,
        summary: 'An event with its agenda, places and the caller’s own registration',
        params: idParam,
        response: { 200: eventOut, ...errors },
      },
    },
    async (request) => events.getEvent(request.actor, request.params.id),
  );

  api.put(
    '/api/v1/events/:id',
    {
      config: { access: organisers, scope: 'region' },
      schema: {
        tags,
        summary:
          'Change an event (its organisers only; the capacity cannot go below the places already taken; more places go to the waitlist at once)',
        params: idParam,
        body: eventInput,
        response: { 200: eventOut, ...errors },
      },
    },
    async (request) => {
      await events.updateEvent(request.actor!, request.params.id, request.body);
      return events.getEvent(request.actor, request.params.id);
    },
  );

  api.post(
    '/api/v1/events/:id/status',
    {
      config: { access: organisers, scope: 'region' },
      schema: {
        tags,
        summary: 'Publish or cancel an event (cancelling tells everyone registered or waiting)',
        params: idParam,
        body: statusInput,
        response: { 200: eventOut, ...errors },
      },
    },
    async (request) => {
      await events.changeStatus(request.actor!, request.params.id, request.body);
      return events.getEvent(request.actor, request.params.id);
    },
  );

  api.put(
    '/api/v1/events/:id/agenda',
    {
      config: { access: organisers, scope: 'region' },
      schema: {
        tags,
        summary: 'Set the whole agenda of an event (time, title, speakers)',
        params: idParam,
        body: agendaInput,
        response: { 200: eventOut, ...errors },
      },
    },
    async (request) => {
      await events.replaceAgenda(request.actor!, request.params.id, request.body.items);
      return events.getEvent(request.actor, request.params.id);
    },
  );

  api.get(
    '/api/v1/events/:id/registrations',
    {
      config: { access: organisers, scope: 'region' },
      schema: {
        tags,
        summary: 'Every registration of an event, the waitlist in order (organisers only)',
        params: idParam,
        response: {
          200: z.object({
            places: z.object({ taken: z.number(), waitlisted: z.number(), reserved: z.number() }),
            registrations: z.array(registrationOut),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const r = await events.listRegistrations(request.actor!, request.params.id);
      return { places: r.places, registrations: r.registrations };
    },
  );

  api.post(
    '/api/v1/events/:id/registrations/:registrationId',
    {
      config: { access: organisers, scope: 'region' },
      schema: {
        tags,
        summary:
          'An organiser’s decision on a registration: approve or refuse a place, record attendance or a no-show',
        params: registrationParams,
        body: decisionInput,
        response: { 200: registrationStatusOut, ...errors },
      },
    },
    async (request) => ({
      status: await events.decide(
        request.actor!,
        request.params.id,
        request.params.registrationId,
        request.body,
      ),
    }),
  );

  api.post(
    '/api/v1/events/:id/registration',
    {
      config: { access: 'signed-in', scope: 'event' },
      schema: {
        tags,
        summary:
          'Register the caller: registered, awaiting approval, or waitlisted when full (refused twice, outside the window or the audience)',
        params: idParam,
        body: z.strictObject({}).optional(),
        response: { 201: registrationStatusOut, ...errors },
      },
    },
    async (request, reply) => {
      const status = await events.register(actorOf(request), request.params.id);
      reply.status(201);
      return { status };
    },
  );

  api.delete(
    '/api/v1/events/:id/registration',
    {
      config: { access: 'signed-in', scope: 'event' },
      schema: {
        tags,
        summary: 'Cancel the caller’s place or leave the waitlist (a place until the cancellation cut-off)',
        params: idParam,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await events.cancelRegistration(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.post(
    '/api/v1/events/:id/registration/offer',
    {
      config: { access: 'signed-in', scope: 'event' },
      schema: {
        tags,
        summary: 'Accept or decline a place offered from the waitlist before the offer runs out',
        params: idParam,
        body: z.strictObject({ answer: z.enum(['accept', 'decline']) }),
        response: { 200: registrationStatusOut, ...errors },
      },
    },
    async (request) => ({
      status:
        request.body.answer === 'accept'
          ? await events.acceptOffer(actorOf(request), request.params.id)
          : await events.declineOffer(actorOf(request), request.params.id),
    }),
  );
}
