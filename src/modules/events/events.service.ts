import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { addDays } from '../../platform/dates.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, type FieldError, ForbiddenError, ValidationError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import type { EventsAccess } from './events.access.ts';
import * as repo from './events.repository.ts';
import {
  type AgendaItemInput,
  type DecisionInput,
  EVENT_AUDIENCE_LABELS,
  type EventInput,
  type EventListQuery,
  LIMITS,
  REGISTRATION_STATUS_LABELS,
  type StatusInput,
} from './events.schemas.ts';
import type { EventRow, RegistrationRow, RegistrationStatus } from './events.table.ts';
import { renderEventCalendar } from './events.calendar.ts';
import { describeWhen, londonInstant, londonLocal } from './events.times.ts';

const HOUR = 3_600_000;
const SEAT: RegistrationStatus[] = repo.SEAT_STATUSES;
const emailPattern = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** When registration opens and closes: from the day given (midnight in the UK) to the end of the day given, or the start. */
export function registrationWindow(
  e: Pick<EventRow, 'registration_opens_at' | 'registration_closes_at' | 'starts_at'>,
) {
  const closes =
    e.registration_closes_at && e.registration_closes_at < e.starts_at
      ? e.registration_closes_at
      : e.starts_at;
  return { opens: e.registration_opens_at, closes };
}

/** The last moment a member may give up a place: the cut-off before the start. */
export function cancellationCutoff(e: Pick<EventRow, 'starts_at' | 'cancellation_cutoff_hours'>): Date {
  return new Date(e.starts_at.getTime() - e.cancellation_cutoff_hours * HOUR);
}

const when = (at: Date) => {
  const l = londonLocal(at);
  return `${l.date} at ${l.time}`;
};

/**
 * Events: organisers (the national team for any event, regional leads for their region's) create,
 * change, publish and cancel events with their agenda and audience; members register, and the
 * places are counted under a lock on the event row, so the capacity is never exceeded however many
 * register at once. A place given up goes, in order, to the first person on the waitlist as an
 * offer they accept or decline; an offer not answered in time runs out (a scheduled task) and goes
 * to the next.
 */
export function createEventsService(deps: { db: DB; access: EventsAccess; baseUrl: string }) {
  const { db, access, baseUrl } = deps;
  const eventUrl = (id: number) => `${baseUrl}/events/${id}`;

  async function referenceLists() {
    return { regions: await repo.listRegions(db) };
  }

  function presentSummary(
    e: Pick<
      EventRow,
      | 'id'
      | 'scope'
      | 'region_code'
      | 'format'
      | 'status'
      | 'title'
      | 'summary'
      | 'starts_at'
      | 'ends_at'
      | 'venue_name'
      | 'capacity'
    >,
    regionName: string | null,
    places: { taken: number; waitlisted: number },
    myStatus: RegistrationStatus | null,
  ) {
    return {
      id: e.id,
      scope: e.scope,
      regionCode: e.region_code,
      regionName,
      format: e.format,
      status: e.status,
      title: e.title,
      summary: e.summary,
      startsAt: e.starts_at.toISOString(),
      endsAt: e.ends_at.toISOString(),
      startLocal: londonLocal(e.starts_at).text,
      endLocal: londonLocal(e.ends_at).text,
      when: describeWhen(e.starts_at, e.ends_at),
      venueName: e.venue_name,
      capacity: e.capacity,
      placesLeft: Math.max(0, e.capacity - places.taken),
      waitlisted: places.waitlisted,
      myStatus,
    };
  }

  /** The network calendar: upcoming events the person may see, soonest first, filtered and paginated. */
  async function listEvents(
    actor: Actor | null,
    query: EventListQuery & { pageSize?: number; organising?: boolean },
  ) {
    const v = await access.visibilityFor(actor);
    const pageSize = query.pageSize ?? 20;
    const { rows, total } = await repo.listUpcomingEvents(db, v, {
      region: query.region,
      format: query.format,
      scope: query.scope,
      limit: pageSize,
      offset: (query.page - 1) * pageSize,
      includeDrafts: !!query.organising,
    });
    const ids = rows.map((r) => r.id);
    const [places, mine] = await Promise.all([
      repo.countPlacesFor(db, ids),
      actor ? repo.listMyStatuses(db, actor.userId, ids) : Promise.resolve([]),
    ]);
    const visible = query.organising ? rows.filter((r) => access.canManage(v, r)) : rows;
    return {
      events: visible.map((r) =>
        presentSummary(
          r,
          r.region_name,
          places.get(r.id) ?? { taken: 0, waitlisted: 0 },
          mine.find((m) => m.event_id === r.id)?.status ?? null,
        ),
      ),
      total,
      page: query.page,
      pageSize,
      canOrganise: v.national || v.organises === 'all' || v.organises.length > 0,
    };
  }

  async function myRegistrationView(x: Executor, event: EventRow, reg: RegistrationRow | undefined) {
    if (!reg) return null;
    return {
      id: reg.id,
      status: reg.status,
      statusLabel: REGISTRATION_STATUS_LABELS[reg.status],
      offerExpiresAt:
        reg.status === 'offered' && reg.offer_expires_at ? reg.offer_expires_at.toISOString() : null,
      offerExpiresText: reg.status === 'offered' && reg.offer_expires_at ? when(reg.offer_expires_at) : null,
      waitlistPosition: reg.status === 'waitlisted' ? await repo.waitlistPosition(x, event.id, reg.id) : null,
    };
  }

  /** The event as its page and the API show it to this person (organisers see their notes and invitees). */
  async function getEvent(actor: Actor | null, eventId: number) {
    const { event: e, manage, audience } = await access.loadEventFor(actor, eventId);
    const [regionName, agenda, places, reg, invitees] = await Promise.all([
      repo.findRegionName(db, e.region_code),
      repo.listAgenda(db, e.id),
      repo.countPlaces(db, e.id),
      actor ? repo.findRegistration(db, e.id, actor.userId) : Promise.resolve(undefined),
      manage ? repo.listInvitees(db, e.id) : Promise.resolve([]),
    ]);
    const my = await myRegistrationView(db, e, reg);
    const now = new Date();
    const window = registrationWindow(e);
    const holdsPlace =
      !!reg && ['registered', 'attended', 'no-show', 'awaiting-approval'].includes(reg.status);
    return {
      ...presentSummary(e, regionName, places, reg?.status ?? null),
      description: e.description,
      venueAddress: e.venue_address,
      accessibilityNotes: e.accessibility_notes,
      // The joining link is for the people with a place and the organisers.
      onlineUrl: manage || holdsPlace ? e.online_url : null,
      hasOnlineLink: !!e.online_url,
      reservedPlaces: e.reserved_places,
      reservedTaken: places.reserved,
      registrationOpensOn: e.registration_opens_at ? londonLocal(e.registration_opens_at).date : null,
      registrationClosesOn: e.registration_closes_at
        ? londonLocal(new Date(e.registration_closes_at.getTime() - 1)).date
        : null,
      registrationOpensText: window.opens ? when(window.opens) : null,
      registrationClosesText: when(window.closes),
      cancellationCutoffHours: e.cancellation_cutoff_hours,
      cancellationCutoffText: when(cancellationCutoff(e)),
      offerHours: e.offer_hours,
      needsApproval: e.needs_approval,
      audience: e.audience,
      audienceLabel: EVENT_AUDIENCE_LABELS[e.audience],
      audienceRegionCode: e.audience_region_code,
      cancelReason: e.cancel_reason,
      sequence: e.sequence,
      agenda: agenda.map((a) => ({
        id: a.id,
        position: a.position,
        time: a.starts_at_time,
        title: a.title,
        speakers: a.speakers,
      })),
      myRegistration: my,
      inAudience: audience,
      signedIn: !!actor,
      registrationOpen:
        e.status === 'published' && now < window.closes && (!window.opens || now >= window.opens),
      started: now >= e.starts_at,
      canCancelPlace:
        !!reg &&
        (reg.status === 'waitlisted' ||
          (['registered', 'awaiting-approval', 'offered'].includes(reg.status) &&
            now <= cancellationCutoff(e))),
      canManage: manage,
      ...(manage
        ? {
            organiserNotes: e.organiser_notes,
            inviteeEmails: invitees.map((i) => i.email),
          }
        : {}),
    };
  }

  function parseEmails(text: string | null): string[] {
    if (!text) return [];
    return [
      ...new Set(
        text
          .split(/[\s,;]+/)
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
  }

  /** The rules no schema can check; the row's values when they hold. */
  async function checkEventInput(x: Executor, actor: Actor, input: EventInput, existing?: EventRow) {
    const errors: FieldError[] = [];
    const v = await access.visibilityFor(actor, x);
    const regionCode = input.scope === 'regional' ? input.regionCode : null;
    const regions = await repo.listRegions(x);
    const known = (code: string | null) => code === null || regions.some((r) => r.code === code);
    if (!known(regionCode)) errors.push({ field: 'regionCode', message: 'Choose a region from the list' });
    if (input.scope === 'national' && !v.national)
      errors.push({ field: 'scope', message: 'Only the national team can hold a national event' });
    if (
      input.scope === 'regional' &&
      regionCode &&
      !access.canManage(v, { scope: 'regional', region_code: regionCode })
    )
      errors.push({ field: 'regionCode', message: 'You can hold events only in the regions you lead' });
    const audienceRegion = input.audience === 'region' ? (input.audienceRegionCode ?? regionCode) : null;
    if (!known(audienceRegion))
      errors.push({ field: 'audienceRegionCode', message: 'Choose a region from the list' });

    const startsAt = londonInstant(input.startDate, input.startTime);
    const endsAt = londonInstant(input.endDate, input.endTime);
    const skipped =
      'does not exist in the UK: the clocks go forward an hour at 1am on the last Sunday of March';
    if (!startsAt)
      errors.push({ field: 'startTime', message: `${input.startTime} on ${input.startDate} ${skipped}` });
    if (!endsAt)
      errors.push({ field: 'endTime', message: `${input.endTime} on ${input.endDate} ${skipped}` });
    if (startsAt && endsAt && endsAt <= startsAt)
      errors.push({ field: 'endDate', message: 'The event must end after it starts' });
    const startChanged = !existing || !startsAt || existing.starts_at.getTime() !== startsAt.getTime();
    if (startsAt && startChanged && startsAt <= new Date())
      errors.push({ field: 'startDate', message: 'The event must start in the future' });
    const opens = input.registrationOpensOn ? londonInstant(input.registrationOpensOn, '00:00') : null;
    const closes = input.registrationClosesOn
      ? londonInstant(addDays(input.registrationClosesOn, 1), '00:00')
      : null;
    if (
      input.registrationOpensOn &&
      input.registrationClosesOn &&
      input.registrationClosesOn < input.registrationOpensOn
    )
      errors.push({
        field: 'registrationClosesOn',
        message: 'Registration must close on or after the day it opens',
      });
    if (startsAt && input.registrationOpensOn && opens && opens >= startsAt)
      errors.push({
        field: 'registrationOpensOn',
        message: 'Registration must open before the event starts',
      });
    if (startsAt && input.registrationClosesOn && input.registrationClosesOn > input.startDate)
      errors.push({
        field: 'registrationClosesOn',
        message: 'Registration must close on or before the day the event starts',
      });

    const emails = parseEmails(input.inviteeEmails);
    let inviteeIds: number[] = [];
    if (emails.length > LIMITS.invitees)
      errors.push({ field: 'inviteeEmails', message: `Name at most ${LIMITS.invitees} invitees` });
    else if (emails.length) {
      const bad = emails.filter((e) => e.length > 254 || !emailPattern.test(e));
      if (bad.length)
        errors.push({
          field: 'inviteeEmails',
          message: `These are not email addresses: ${bad.slice(0, 5).join(', ').slice(0, 300)}`,
        });
      else {
        const users = await repo.findUsersByEmails(x, emails);
        const missing = emails.filter((e) => !users.some((u) => u.email === e));
        if (missing.length)
          errors.push({
            field: 'inviteeEmails',
            message: `No account has these addresses: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`,
          });
        inviteeIds = users.map((u) => u.id);
      }
    }
    if (existing) {
      const places = await repo.countPlaces(x, existing.id);
      if (input.capacity < places.taken)
        errors.push({
          field: 'capacity',
          message: `${places.taken} places are already taken: the event needs at least ${places.taken} places for members`,
        });
      if (input.reservedPlaces < places.reserved)
        errors.push({
          field: 'reservedPlaces',
          message: `${places.reserved} reserved places are already given to speakers and hosts`,
        });
    }
    if (errors.length) throw new ValidationError(errors);
    return {
      values: {
        scope: input.scope,
        region_code: regionCode,
        format: input.format,
        title: input.title,
        summary: input.summary,
        description: input.description,
        venue_name: input.format === 'online' ? null : input.venueName,
        venue_address: input.format === 'online' ? null : input.venueAddress,
        accessibility_notes: input.accessibilityNotes,
        online_url: input.format === 'in-person' ? null : input.onlineUrl,
        starts_at: startsAt!,
        ends_at: endsAt!,
        capacity: input.capacity,
        reserved_places: input.reservedPlaces,
        registration_opens_at: opens,
        registration_closes_at: closes,
        cancellation_cutoff_hours: input.cancellationCutoffHours,
        offer_hours: input.offerHours,
        needs_approval: input.needsApproval,
        audience: input.audience,
        audience_region_code: audienceRegion,
        organiser_notes: input.organiserNotes,
      },
      inviteeIds: input.audience === 'invitees' ? inviteeIds : inviteeIds,
    };
  }

  async function createEvent(actor: Actor, input: EventInput): Promise<number> {
    requireRole(actor, ['regional-lead']);
    return db.transaction().execute(async (trx) => {
      const { values, inviteeIds } = await checkEventInput(trx, actor, input);
      const id = await repo.insertEvent(trx, { ...values, created_by: actor.userId });
      await repo.replaceInvitees(trx, id, inviteeIds);
      await recordAudit(trx, actor, {
        action: 'events.event.create',
        entityType: 'event',
        entityId: id,
        summary: `Drafted the event “${input.title}” (${describeWhen(values.starts_at, values.ends_at)}, ${input.capacity} places)`,
        details: { invitees: inviteeIds.length },
      });
      return id;
    });
  }

  async function updateEvent(actor: Actor, eventId: number, input: EventInput): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const { event } = await access.loadEventToManage(actor, eventId, trx, { lock: true });
      if (event.status === 'cancelled')
        throw new ConflictError('This event has been cancelled: it can no longer be changed');
      const { values, inviteeIds } = await checkEventInput(trx, actor, input, event);
      await repo.updateEvent(trx, eventId, values);
      await repo.replaceInvitees(trx, eventId, inviteeIds);
      await recordAudit(trx, actor, {
        action: 'events.event.update',
        entityType: 'event',
        entityId: eventId,
        summary: `Changed the event “${input.title}” (${describeWhen(values.starts_at, values.ends_at)}, ${input.capacity} places)`,
        details: {
          before: {
            title: event.title,
            startsAt: event.starts_at.toISOString(),
            endsAt: event.ends_at.toISOString(),
            capacity: event.capacity,
          },
        },
      });
      // More places: the waitlist moves up at once.
      if (event.status === 'published' && input.capacity > event.capacity)
        await promoteWaitlist(trx, actor, { ...event, ...values });
    });
  }

  async function changeStatus(actor: Actor, eventId: number, input: StatusInput) {
    return db.transaction().execute(async (trx) => {
      const { event } = await access.loadEventToManage(actor, eventId, trx, { lock: true });
      if (event.status === input.to) throw new ConflictError(`This event is already ${input.to}`);
      if (event.status === 'cancelled') throw new ConflictError('This event has been cancelled');
      if (input.to === 'published') {
        if (event.starts_at <= new Date())
          throw new ConflictError('This event’s start has passed: change its dates before publishing it');
        await repo.updateEvent(trx, eventId, { status: 'published', published_at: new Date() });
      } else {
        await repo.updateEvent(trx, eventId, {
          status: 'cancelled',
          cancelled_at: new Date(),
          cancel_reason: input.reason,
        });
        // Everyone holding or waiting for a place is told.
        for (const r of await repo.listLiveRegistrations(trx, eventId))
          await enqueueEmail(
            trx,
            letter({
              to: r.email,
              name: r.name,
              subject: `Cancelled: ${event.title}`,
              kind: 'events.cancelled',
              body: [
                `${event.title} (${describeWhen(event.starts_at, event.ends_at)}) has been cancelled.`,
                input.reason ? `The organisers say: ${input.reason}` : null,
                { text: 'The event’s page:', link: eventUrl(eventId) },
              ],
            }),
          );
      }
      await recordAudit(trx, actor, {
        action: input.to === 'published' ? 'events.event.publish' : 'events.event.cancel',
        entityType: 'event',
        entityId: eventId,
        summary: `${input.to === 'published' ? 'Published' : 'Cancelled'} the event “${event.title}”${input.reason ? `: ${input.reason}` : ''}`,
      });
      return input.to;
    });
  }

  // ---- agenda ----
  async function lockToEdit(trx: Executor, actor: Actor, eventId: number) {
    const { event } = await access.loadEventToManage(actor, eventId, trx, { lock: true });
    if (event.status === 'cancelled')
      throw new ConflictError('This event has been cancelled: it can no longer be changed');
    return event;
  }

  async function addAgendaItem(actor: Actor, eventId: number, item: AgendaItemInput) {
    await db.transaction().execute(async (trx) => {
      const event = await lockToEdit(trx, actor, eventId);
      if ((await repo.countAgenda(trx, eventId)) >= LIMITS.agendaItems)
        throw new ConflictError(`An agenda has at most ${LIMITS.agendaItems} items`);
      await repo.insertAgendaItem(trx, {
        event_id: eventId,
        starts_at_time: item.time,
        title: item.title,
        speakers: item.speakers,
      });
      await repo.updateEvent(trx, eventId, {});
      await recordAudit(trx, actor, {
        action: 'events.agenda.add',
        entityType: 'event',
        entityId: eventId,
        summary: `Added “${item.title}” at ${item.time} to the agenda of “${event.title}”`,
      });
    });
  }

  async function removeAgendaItem(actor: Actor, eventId: number, itemId: number) {
    await db.transaction().execute(async (trx) => {
      const event = await lockToEdit(trx, actor, eventId);
      const gone = await repo.deleteAgendaItem(trx, eventId, itemId);
      if (!gone) throw new ConflictError('This agenda has no such item');
      await repo.updateEvent(trx, eventId, {});
      await recordAudit(trx, actor, {
        action: 'events.agenda.remove',
        entityType: 'event',
        entityId: eventId,
        summary: `Removed “${gone.title}” from the agenda of “${event.title}”`,
      });
    });
  }

  async function replaceAgenda(actor: Actor, eventId: number, items: AgendaItemInput[]) {
    await db.transaction().execute(async (trx) => {
      const event = await lockToEdit(trx, actor, eventId);
      await repo.deleteAgenda(trx, eventId);
      for (const item of items)
        await repo.insertAgendaItem(trx, {
          event_id: eventId,
          starts_at_time: item.time,
          title: item.title,
          speakers: item.speakers,
        });
      await repo.updateEvent(trx, eventId, {});
      await recordAudit(trx, actor, {
        action: 'events.agenda.replace',
        entityType: 'event',
        entityId: eventId,
        summary: `Set the ${items.length} agenda items of “${event.title}”`,
      });
    });
  }

  // ---- registrations ----

  /**
   * Offers free places to the waitlist, first come first served, inside the caller's transaction
   * (which holds the event's lock). Each person offered is emailed and has `offer_hours` to answer.
   */
  async function promoteWaitlist(trx: Executor, actor: Actor | 'system', event: EventRow) {
    if (event.status !== 'published' || event.starts_at <= new Date()) return;
    let { taken } = await repo.countPlaces(trx, event.id);
    while (taken < event.capacity) {
      const next = await repo.nextWaitlisted(trx, event.id);
      if (!next) break;
      const now = new Date();
      const held = new Date(Math.min(now.getTime() + event.offer_hours * HOUR, event.starts_at.getTime()));
      await repo.updateRegistration(trx, next.id, {
        status: 'offered',
        offered_at: now,
        offer_expires_at: held,
      });
      taken++;
      await enqueueEmail(
        trx,
        letter({
          to: next.email,
          name: next.name,
          subject: `A place is free: ${event.title}`,
          kind: 'events.offer',
          body: [
            `A place has come free at ${event.title} (${describeWhen(event.starts_at, event.ends_at)}) and you are next on the waitlist.`,
            `It is held for you until ${when(held)}. Accept or decline it on the event’s page; if you do not answer by then, it goes to the next person.`,
            { text: 'Accept or decline:', link: eventUrl(event.id) },
          ],
        }),
      );
      await recordAudit(trx, actor, {
        action: 'events.registration.offer',
        entityType: 'event_registration',
        entityId: next.id,
        summary: `Offered ${next.name} a place from the waitlist of “${event.title}” until ${when(held)}`,
        details: { eventId: event.id, userId: next.user_id },
      });
    }
  }

  /** The actor's registration, with the event locked: the one way places change. */
  async function lockForRegistration(trx: Executor, actor: Actor, eventId: number) {
    const found = await access.loadEventFor(actor, eventId, trx, { lock: true });
    const reg = await repo.findRegistration(trx, eventId, actor.userId);
    return { ...found, reg };
  }

  async function register(actor: Actor, eventId: number): Promise<RegistrationStatus> {
    return db.transaction().execute(async (trx) => {
      const { event, audience, reg } = await lockForRegistration(trx, actor, eventId);
      const now = new Date();
      if (event.status === 'draft') throw new ConflictError('This event is not published yet');
      if (event.status === 'cancelled') throw new ConflictError('This event has been cancelled');
      if (event.starts_at <= now) throw new ConflictError('This event has started: registration has closed');
      const window = registrationWindow(event);
      if (window.opens && now < window.opens)
        throw new ConflictError(`Registration opens on ${when(window.opens)}`);
      if (now >= window.closes) throw new ConflictError(`Registration closed on ${when(window.closes)}`);
      if (!audience)
        throw new ConflictError(
          `This event is for ${EVENT_AUDIENCE_LABELS[event.audience].toLowerCase()}: you are not in its audience, so you cannot register`,
        );
      if (reg && reg.status !== 'cancelled')
        throw new ConflictError(
          `You have already registered for this event: your place is “${REGISTRATION_STATUS_LABELS[reg.status].toLowerCase()}”`,
        );
      const places = await repo.countPlaces(trx, eventId);
      const full = places.taken >= event.capacity;
      const status: RegistrationStatus = full
        ? 'waitlisted'
        : event.needs_approval
          ? 'awaiting-approval'
          : 'registered';
      const values = {
        status,
        reserved: false,
        waitlisted_at: full ? now : null,
        offered_at: null,
        offer_expires_at: null,
        cancelled_at: null,
        cancel_reason: null,
      };
      let id: number;
      if (reg) {
        id = reg.id;
        await repo.updateRegistration(trx, reg.id, values);
      } else id = await repo.insertRegistration(trx, { event_id: eventId, user_id: actor.userId, ...values });
      await recordAudit(trx, actor, {
        action: 'events.registration.create',
        entityType: 'event_registration',
        entityId: id,
        summary: `${actor.name} registered for “${event.title}”: ${REGISTRATION_STATUS_LABELS[status].toLowerCase()}`,
        details: { eventId, status },
      });
      const what = {
        registered: 'You have a place.',
        'awaiting-approval':
          'The organisers approve places for this event: you will hear when they have decided.',
        waitlisted:
          'The event is full, so you are on the waitlist. If a place comes free, it is offered to the waitlist in order and we will email you.',
      }[status as 'registered' | 'awaiting-approval' | 'waitlisted'];
      await enqueueEmail(
        trx,
        letter({
          to: actor.email,
          name: actor.name,
          subject: `${REGISTRATION_STATUS_LABELS[status]}: ${event.title}`,
          kind: 'events.registration',
          body: [
            `You registered for ${event.title} (${describeWhen(event.starts_at, event.ends_at)}).`,
            what,
            { text: 'The event’s page:', link: eventUrl(eventId) },
          ],
        }),
      );
      return status;
    });
  }

  async function cancelRegistration(actor: Actor, eventId: number) {
    await db.transaction().execute(async (trx) => {
      const { event, reg } = await lockForRegistration(trx, actor, eventId);
      if (!reg || reg.status === 'cancelled')
        throw new ConflictError('You have no place at this event to cancel');
      if (reg.status === 'attended' || reg.status === 'no-show')
        throw new ConflictError('The event has taken place: your attendance is recorded');
      const now = new Date();
      if (event.starts_at <= now)
        throw new ConflictError('This event has started: places can no longer be cancelled');
      const heldSeat = SEAT.includes(reg.status);
      if (heldSeat && now > cancellationCutoff(event))
        throw new ConflictError(
          `Places can be cancelled until ${event.cancellation_cutoff_hours} hours before the start (${when(cancellationCutoff(event))}): please contact the organisers`,
        );
      await repo.updateRegistration(trx, reg.id, {
        status: 'cancelled',
        cancelled_at: now,
        cancel_reason: reg.status === 'offered' ? 'Declined the offered place' : 'Cancelled by the member',
        offer_expires_at: null,
      });
      await recordAudit(trx, actor, {
        action: 'events.registration.cancel',
        entityType: 'event_registration',
        entityId: reg.id,
        summary: `${actor.name} cancelled their ${REGISTRATION_STATUS_LABELS[reg.status].toLowerCase()} place at “${event.title}”`,
        details: { eventId, from: reg.status },
      });
      if (heldSeat && !reg.reserved) await promoteWaitlist(trx, actor, event);
    });
  }

  async function answerOffer(actor: Actor, eventId: number, accept: boolean): Promise<RegistrationStatus> {
    return db.transaction().execute(async (trx) => {
      const { event, reg } = await lockForRegistration(trx, actor, eventId);
      if (!reg || reg.status !== 'offered')
        throw new ConflictError('You have no offered place at this event');
      const now = new Date();
      if (reg.offer_expires_at && reg.offer_expires_at <= now)
        throw new ConflictError(`This offer ran out on ${when(reg.offer_expires_at)}`);
      if (event.status !== 'published' || event.starts_at <= now)
        throw new ConflictError('This event is no longer taking registrations');
      const to: RegistrationStatus = accept
        ? event.needs_approval
          ? 'awaiting-approval'
          : 'registered'
        : 'cancelled';
      await repo.updateRegistration(trx, reg.id, {
        status: to,
        offer_expires_at: null,
        ...(accept ? {} : { cancelled_at: now, cancel_reason: 'Declined the offered place' }),
      });
      await recordAudit(trx, actor, {
        action: accept ? 'events.registration.accept' : 'events.registration.decline',
        entityType: 'event_registration',
        entityId: reg.id,
        summary: `${actor.name} ${accept ? 'accepted' : 'declined'} the place offered at “${event.title}”`,
        details: { eventId },
      });
      if (!accept) await promoteWaitlist(trx, actor, event);
      return to;
    });
  }

  /** Organisers: every registration of the event, the waitlist in order. */
  async function listRegistrations(actor: Actor, eventId: number) {
    const { event } = await access.loadEventToManage(actor, eventId);
    const rows = await repo.listRegistrations(db, eventId);
    let position = 0;
    const places = await repo.countPlaces(db, eventId);
    return {
      event: {
        id: event.id,
        title: event.title,
        capacity: event.capacity,
        started: event.starts_at <= new Date(),
      },
      places,
      registrations: rows.map((r) => ({
        id: r.id,
        userId: r.user_id,
        name: r.name,
        email: r.email,
        status: r.status,
        statusLabel: REGISTRATION_STATUS_LABELS[r.status],
        reserved: r.reserved,
        waitlistPosition: r.status === 'waitlisted' ? ++position : null,
        offerExpiresAt:
          r.status === 'offered' && r.offer_expires_at ? r.offer_expires_at.toISOString() : null,
        offerExpiresText: r.status === 'offered' && r.offer_expires_at ? when(r.offer_expires_at) : null,
        createdAt: r.created_at.toISOString(),
      })),
    };
  }

  const DECISION_FROM: Record<DecisionInput['decision'], RegistrationStatus[]> = {
    approve: ['awaiting-approval'],
    refuse: ['awaiting-approval', 'registered', 'waitlisted', 'offered'],
    attended: ['registered', 'no-show', 'attended'],
    'no-show': ['registered', 'attended', 'no-show'],
  };

  async function decide(actor: Actor, eventId: number, registrationId: number, input: DecisionInput) {
    return db.transaction().execute(async (trx) => {
      const { event } = await access.loadEventToManage(actor, eventId, trx, { lock: true });
      const reg = await repo.findRegistrationById(trx, eventId, registrationId);
      if (!reg) throw new ConflictError('This event has no such registration');
      if (!DECISION_FROM[input.decision].includes(reg.status))
        throw new ConflictError(
          `${reg.name}’s place is “${REGISTRATION_STATUS_LABELS[reg.status].toLowerCase()}”: that cannot be changed that way`,
        );
      const now = new Date();
      if ((input.decision === 'attended' || input.decision === 'no-show') && event.starts_at > now)
        throw new ConflictError('Attendance can be recorded once the event has started');
      const to: RegistrationStatus =
        input.decision === 'approve'
          ? 'registered'
          : input.decision === 'refuse'
            ? 'cancelled'
            : input.decision;
      await repo.updateRegistration(trx, reg.id, {
        status: to,
        ...(to === 'cancelled'
          ? { cancelled_at: now, cancel_reason: 'Refused by the organisers', offer_expires_at: null }
          : {}),
      });
      await recordAudit(trx, actor, {
        action: `events.registration.${input.decision}`,
        entityType: 'event_registration',
        entityId: reg.id,
        summary: `${REGISTRATION_STATUS_LABELS[to]}: ${reg.name} at “${event.title}” (was ${REGISTRATION_STATUS_LABELS[reg.status].toLowerCase()})`,
        details: { eventId, userId: reg.user_id, from: reg.status, to },
      });
      if (input.decision === 'approve' || input.decision === 'refuse')
        await enqueueEmail(
          trx,
          letter({
            to: reg.email,
            name: reg.name,
            subject: `${input.decision === 'approve' ? 'Place confirmed' : 'Place not confirmed'}: ${event.title}`,
            kind: `events.${input.decision}`,
            body: [
              input.decision === 'approve'
                ? `The organisers have confirmed your place at ${event.title} (${describeWhen(event.starts_at, event.ends_at)}).`
                : `The organisers could not confirm your place at ${event.title}.`,
              { text: 'The event’s page:', link: eventUrl(eventId) },
            ],
          }),
        );
      if (to === 'cancelled' && SEAT.includes(reg.status)) await promoteWaitlist(trx, actor, event);
      return to;
    });
  }

  /** The scheduled task: offers not answered in time run out and go to the next person on the waitlist. */
  async function expireOffers(): Promise<number> {
    let expired = 0;
    for (const eventId of await repo.listEventsWithExpiredOffers(db, 100)) {
      expired += await db.transaction().execute(async (trx) => {
        const event = await repo.lockEvent(trx, eventId);
        if (!event) return 0;
        const offers = await repo.listExpiredOffers(trx, eventId);
        for (const o of offers) {
          await repo.updateRegistration(trx, o.id, {
            status: 'cancelled',
            cancelled_at: new Date(),
            cancel_reason: 'The offer ran out',
            offer_expires_at: null,
          });
          await enqueueEmail(
            trx,
            letter({
              to: o.email,
              name: o.name,
              subject: `Offer ran out: ${event.title}`,
              kind: 'events.offer-expired',
              body: [
                `The place offered to you at ${event.title} was not accepted in time, so it has gone to the next person on the waitlist.`,
                { text: 'The event’s page:', link: eventUrl(eventId) },
              ],
            }),
          );
          await recordAudit(trx, 'system', {
            action: 'events.registration.expire',
            entityType: 'event_registration',
            entityId: o.id,
            summary: `The place offered to ${o.name} at “${event.title}” ran out`,
            details: { eventId, userId: o.user_id },
          });
        }
        await promoteWaitlist(trx, 'system', event);
        return offers.length;
      });
    }
    return expired;
  }

  /** The event's calendar file, for the people who may see it (the joining link only with a place). */
  async function eventCalendar(actor: Actor | null, eventId: number): Promise<string> {
    const view = await getEvent(actor, eventId);
    const row = (await repo.findEvent(db, eventId))!;
    return renderEventCalendar({ ...view, updatedAt: row.updated_at }, baseUrl);
  }

  /** The person's coming events (their page's "Your events"). */
  async function myUpcoming(actor: Actor) {
    const rows = await repo.listMyUpcoming(db, actor.userId, 20);
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      when: describeWhen(r.starts_at, r.ends_at),
      status: r.status,
      statusLabel: REGISTRATION_STATUS_LABELS[r.status],
      eventCancelled: r.event_status === 'cancelled',
    }));
  }

  function requireOrganiser(actor: Actor) {
    try {
      return requireRole(actor, ['regional-lead']);
    } catch {
      throw new ForbiddenError('Only the national team and regional leads organise events');
    }
  }

  return {
    referenceLists,
    listEvents,
    getEvent,
    createEvent,
    updateEvent,
    changeStatus,
    addAgendaItem,
    removeAgendaItem,
    replaceAgenda,
    register,
    cancelRegistration,
    acceptOffer: (actor: Actor, eventId: number) => answerOffer(actor, eventId, true),
    declineOffer: (actor: Actor, eventId: number) => answerOffer(actor, eventId, false),
    listRegistrations,
    decide,
    expireOffers,
    myUpcoming,
    eventCalendar,
    requireOrganiser,
  };
}
export type EventsService = ReturnType<typeof createEventsService>;
