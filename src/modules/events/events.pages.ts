import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../../platform/errors.ts';
import {
  checkQuery,
  paginationFor,
  parseForm,
  parsePathParams,
  pathId,
  queryString,
  withFormErrors,
} from '../../platform/forms.ts';
import { z } from 'zod';
import type { EventsService } from './events.service.ts';
import {
  agendaItemInput,
  decisionInput,
  EVENT_AUDIENCE_LABELS,
  EVENT_AUDIENCES,
  EVENT_FORMAT_LABELS,
  EVENT_FORMATS,
  EVENT_SCOPE_LABELS,
  EVENT_SCOPES,
  EVENT_STATUS_LABELS,
  eventInput,
  eventListQuery,
  registrationParams,
  removeInput,
  statusInput,
} from './events.schemas.ts';

const V = 'modules/events/views';
const organisers = { access: ['regional-lead'] as const };
type Extra = { values?: Record<string, unknown>; errors?: FieldError[] };
const offerInput = z.strictObject({
  answer: z.enum(['accept', 'decline'], { error: 'Choose accept or decline' }),
});

/** The network calendar, event pages, registration and the organisers' pages. */
export async function eventsPages(app: FastifyInstance, opts: { events: EventsService }) {
  const { events } = opts;
  app.navItems.push({ href: '/events', text: 'Events', roles: 'signed-in' });

  async function regionItems(selected: unknown, any: string | null) {
    const { regions } = await events.referenceLists();
    return [
      ...(any === null ? [] : [{ value: '', text: any }]),
      ...regions.map((r) => ({ value: r.code, text: r.name, selected: String(selected ?? '') === r.code })),
    ];
  }

  app.get('/events', { config: { access: 'public' } }, async (request, reply) => {
    const q = checkQuery(eventListQuery, request.query);
    const query = q.ok ? q.data : { page: 1 };
    const list = await events.listEvents(request.actor, query);
    return reply.page(`${V}/list.njk`, {
      pageTitle: 'Network events',
      gridClass: 'nhsuk-grid-column-full',
      list,
      errors: q.ok ? undefined : q.errors,
      query,
      regionItems: await regionItems('region' in query ? query.region : '', 'Any region'),
      formatItems: [
        { value: '', text: 'Any format' },
        ...EVENT_FORMATS.map((f) => ({
          value: f,
          text: EVENT_FORMAT_LABELS[f],
          selected: 'format' in query && query.format === f,
        })),
      ],
      scopeItems: [
        { value: '', text: 'National and regional' },
        ...EVENT_SCOPES.map((s) => ({
          value: s,
          text: EVENT_SCOPE_LABELS[s],
          selected: 'scope' in query && query.scope === s,
        })),
      ],
      formatLabels: EVENT_FORMAT_LABELS,
      statusLabels: EVENT_STATUS_LABELS,
      pagination: paginationFor(
        list.page,
        list.pageSize,
        list.total,
        (p) => `/events${queryString(query, p)}`,
      ),
    });
  });

  app.get('/events/organise', { config: organisers }, async (request, reply) => {
    events.requireOrganiser(request.actor!);
    const q = checkQuery(eventListQuery, request.query);
    const query = q.ok ? q.data : { page: 1 };
    const list = await events.listEvents(request.actor, { ...query, organising: true, pageSize: 50 });
    return reply.page(`${V}/organise.njk`, {
      pageTitle: 'Events you organise',
      gridClass: 'nhsuk-grid-column-full',
      list,
      errors: q.ok ? undefined : q.errors,
      formatLabels: EVENT_FORMAT_LABELS,
      statusLabels: EVENT_STATUS_LABELS,
      pagination: paginationFor(
        list.page,
        list.pageSize,
        list.total,
        (p) => `/events/organise${queryString(query, p)}`,
      ),
    });
  });

  async function formItems(values: Record<string, unknown>) {
    return {
      scopeItems: EVENT_SCOPES.map((s) => ({
        value: s,
        text: EVENT_SCOPE_LABELS[s],
        checked: values.scope === s,
      })),
      formatItems: EVENT_FORMATS.map((f) => ({
        value: f,
        text: EVENT_FORMAT_LABELS[f],
        checked: values.format === f,
      })),
      audienceItems: EVENT_AUDIENCES.map((a) => ({
        value: a,
        text: EVENT_AUDIENCE_LABELS[a],
        checked: values.audience === a,
      })),
      regionItems: await regionItems(values.regionCode, 'Choose a region'),
      audienceRegionItems: await regionItems(values.audienceRegionCode, 'The event’s region'),
    };
  }

  async function newEventPage(request: FastifyRequest, reply: FastifyReply, extra: Extra = {}) {
    events.requireOrganiser(request.actor!);
    const lead = request.actor!.roles.find((g) => g.role === 'regional-lead' && g.regionCode);
    const values = extra.values ?? {
      scope: 'regional',
      regionCode: lead?.regionCode ?? '',
      format: 'in-person',
      audience: 'region',
      reservedPlaces: '0',
      cancellationCutoffHours: '24',
      offerHours: '48',
      startTime: '10:00',
      endTime: '16:00',
    };
    return reply.page(`${V}/form.njk`, {
      pageTitle: 'Create an event',
      backHref: '/events/organise',
      action: '/events',
      submitText: 'Save draft event',
      values,
      errors: extra.errors,
      ...(await formItems(values)),
    });
  }

  app.get('/events/new', { config: organisers }, (request, reply) => newEventPage(request, reply));

  app.post('/events', { config: organisers }, (request, reply) =>
    withFormErrors(
      reply,
      (errors) => newEventPage(request, reply, { values: request.body as Record<string, unknown>, errors }),
      async () => {
        const input = parseForm(eventInput, request.body);
        const id = await events.createEvent(request.actor!, input);
        reply.flash(`Event “${input.title}” saved as a draft: add its agenda, then publish it`);
        return reply.redirect(`/events/${id}/manage`, 303);
      },
    ),
  );

  async function eventPage(request: FastifyRequest, reply: FastifyReply, id: number, extra: Extra = {}) {
    const event = await events.getEvent(request.actor, id);
    return reply.page(`${V}/event.njk`, {
      pageTitle: event.title,
      backHref: '/events',
      event,
      formatLabel: EVENT_FORMAT_LABELS[event.format],
      scopeLabel: EVENT_SCOPE_LABELS[event.scope],
      statusLabel: EVENT_STATUS_LABELS[event.status],
      errors: extra.errors,
    });
  }

  app.get('/events/:id', { config: { access: 'public', scope: 'event' } }, (request, reply) =>
    eventPage(request, reply, pathId(request.params)),
  );

  app.get(
    '/events/:id/calendar.ics',
    { config: { access: 'public', scope: 'event' } },
    async (request, reply) => {
      const ics = await events.eventCalendar(request.actor, pathId(request.params));
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'attachment; filename="event.ics"')
        .send(ics);
    },
  );

  const member = { access: 'signed-in' as const, scope: 'event' as const };
  app.post('/events/:id/register', { config: member }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => eventPage(request, reply, id, { errors }),
      async () => {
        parseForm(z.strictObject({}), request.body);
        const status = await events.register(request.actor!, id);
        reply.flash(
          status === 'registered'
            ? 'You have a place at this event'
            : status === 'waitlisted'
              ? 'The event is full: you are on the waitlist'
              : 'Your request for a place has gone to the organisers for approval',
        );
        return reply.redirect(`/events/${id}`, 303);
      },
    );
  });

  app.post('/events/:id/cancel-place', { config: member }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => eventPage(request, reply, id, { errors }),
      async () => {
        parseForm(z.strictObject({}), request.body);
        await events.cancelRegistration(request.actor!, id);
        reply.flash('Your place is cancelled');
        return reply.redirect(`/events/${id}`, 303);
      },
    );
  });

  app.post('/events/:id/offer', { config: member }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => eventPage(request, reply, id, { errors }),
      async () => {
        const input = parseForm(offerInput, request.body);
        const to =
          input.answer === 'accept'
            ? await events.acceptOffer(request.actor!, id)
            : await events.declineOffer(request.actor!, id);
        reply.flash(
          to === 'cancelled'
            ? 'You declined the place: it goes to the next person on the waitlist'
            : to === 'registered'
              ? 'You accepted the place: you are registered'
              : 'You accepted the place: the organisers will confirm it',
        );
        return reply.redirect(`/events/${id}`, 303);
      },
    );
  });

  // ---- organisers ----
  const organiser = { ...organisers, scope: 'region' as const };

  async function managePage(request: FastifyRequest, reply: FastifyReply, id: number, extra: Extra = {}) {
    const [event, regs] = await Promise.all([
      events.getEvent(request.actor, id),
      events.listRegistrations(request.actor!, id),
    ]);
    return reply.page(`${V}/manage.njk`, {
      pageTitle: `Organise: ${event.title}`,
      backHref: '/events/organise',
      gridClass: 'nhsuk-grid-column-full',
      event,
      regs,
      statusLabel: EVENT_STATUS_LABELS[event.status],
      values: extra.values ?? {},
      errors: extra.errors,
    });
  }

  app.get('/events/:id/manage', { config: organiser }, (request, reply) =>
    managePage(request, reply, pathId(request.params)),
  );

  async function editPage(request: FastifyRequest, reply: FastifyReply, id: number, extra: Extra = {}) {
    await events.listRegistrations(request.actor!, id); // organisers only: 404 for anyone else
    const e = await events.getEvent(request.actor, id);
    const values = extra.values ?? {
      scope: e.scope,
      regionCode: e.regionCode ?? '',
      format: e.format,
      title: e.title,
      summary: e.summary,
      description: e.description,
      venueName: e.venueName,
      venueAddress: e.venueAddress,
      accessibilityNotes: e.accessibilityNotes,
      onlineUrl: e.onlineUrl,
      startDate: e.startLocal.slice(0, 10),
      startTime: e.startLocal.slice(11),
      endDate: e.endLocal.slice(0, 10),
      endTime: e.endLocal.slice(11),
      capacity: String(e.capacity),
      reservedPlaces: String(e.reservedPlaces),
      registrationOpensOn: e.registrationOpensOn ?? '',
      registrationClosesOn: e.registrationClosesOn ?? '',
      cancellationCutoffHours: String(e.cancellationCutoffHours),
      offerHours: String(e.offerHours),
      needsApproval: e.needsApproval ? 'yes' : '',
      audience: e.audience,
      audienceRegionCode: e.audienceRegionCode ?? '',
      inviteeEmails: (e.inviteeEmails ?? []).join('\n'),
      organiserNotes: e.organiserNotes ?? '',
    };
    return reply.page(`${V}/form.njk`, {
      pageTitle: `Change ${e.title}`,
      backHref: `/events/${id}/manage`,
      action: `/events/${id}/edit`,
      submitText: 'Save changes',
      values,
      errors: extra.errors,
      ...(await formItems(values)),
    });
  }

  app.get('/events/:id/edit', { config: organiser }, (request, reply) =>
    editPage(request, reply, pathId(request.params)),
  );

  app.post('/events/:id/edit', { config: organiser }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => editPage(request, reply, id, { values: request.body as Record<string, unknown>, errors }),
      async () => {
        const input = parseForm(eventInput, request.body);
        await events.updateEvent(request.actor!, id, input);
        reply.flash('Event saved');
        return reply.redirect(`/events/${id}/manage`, 303);
      },
    );
  });

  app.post('/events/:id/status', { config: organiser }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => managePage(request, reply, id, { values: request.body as Record<string, unknown>, errors }),
      async () => {
        const input = parseForm(statusInput, request.body);
        const to = await events.changeStatus(request.actor!, id, input);
        reply.flash(
          to === 'published'
            ? 'The event is published'
            : 'The event is cancelled and everyone registered has been told',
        );
        return reply.redirect(`/events/${id}/manage`, 303);
      },
      { messageField: 'to' },
    );
  });

  app.post('/events/:id/agenda', { config: organiser }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => managePage(request, reply, id, { values: request.body as Record<string, unknown>, errors }),
      async () => {
        const input = parseForm(agendaItemInput, request.body);
        await events.addAgendaItem(request.actor!, id, input);
        reply.flash('Agenda item added');
        return reply.redirect(`/events/${id}/manage`, 303);
      },
      { messageField: 'title' },
    );
  });

  app.post('/events/:id/agenda/remove', { config: organiser }, async (request, reply) => {
    const id = pathId(request.params);
    return withFormErrors(
      reply,
      (errors) => managePage(request, reply, id, { errors }),
      async () => {
        const input = parseForm(removeInput, request.body);
        await events.removeAgendaItem(request.actor!, id, input.itemId);
        reply.flash('Agenda item removed');
        return reply.redirect(`/events/${id}/manage`, 303);
      },
    );
  });

  app.post('/events/:id/registrations/:registrationId', { config: organiser }, async (request, reply) => {
    const { id, registrationId } = parsePathParams(registrationParams, request.params);
    return withFormErrors(
      reply,
      (errors) => managePage(request, reply, id, { errors }),
      async () => {
        const input = parseForm(decisionInput, request.body);
        await events.decide(request.actor!, id, registrationId, input);
        reply.flash('Registration updated');
        return reply.redirect(`/events/${id}/manage`, 303);
      },
    );
  });
}
