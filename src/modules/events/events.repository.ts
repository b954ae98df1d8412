import { type Insertable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type {
  EventAgendaItemsTable,
  EventRegistrationsTable,
  EventsTable,
  RegistrationStatus,
} from './events.table.ts';

// The SQL of events: the event, its agenda and invitees, and its registrations.

/** States that hold one of the members' places (an offer holds it while the person decides). */
export const SEAT_STATUSES: RegistrationStatus[] = [
  'registered',
  'awaiting-approval',
  'offered',
  'attended',
  'no-show',
];

export function findEvent(x: Executor, id: number) {
  return x.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The event row locked for the rest of the transaction: every change of places goes through it. */
export function lockEvent(x: Executor, id: number) {
  return x.selectFrom('events').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertEvent(x: Executor, values: Insertable<EventsTable>): Promise<number> {
  return (await x.insertInto('events').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

/** Changes the event and raises its sequence (its calendar entries' SEQUENCE). */
export async function updateEvent(x: Executor, id: number, values: Updateable<EventsTable>) {
  await x
    .updateTable('events')
    .set({ ...values, sequence: sql<number>`sequence + 1`, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

export function listRegions(x: Executor) {
  return x.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute();
}

export async function findRegionName(x: Executor, code: string | null) {
  if (!code) return null;
  const r = await x.selectFrom('network_regions').select('name').where('code', '=', code).executeTakeFirst();
  return r?.name ?? null;
}

export type Visibility = {
  userId: number | null;
  national: boolean;
  /** Regions whose members' events they see (their profile's region and staff regions). */
  regions: string[];
  /** Whether they hold a network role (members' events are theirs). */
  networkRole: boolean;
  /** Regions they organise events in (draft events of these are listed for them). */
  organises: 'all' | string[];
};

/** Upcoming (not yet ended) events the person may see, soonest first, paginated. */
export async function listUpcomingEvents(
  x: Executor,
  v: Visibility,
  f: {
    region?: string;
    format?: string;
    scope?: string;
    limit: number;
    offset: number;
    includeDrafts: boolean;
  },
) {
  let q = x
    .selectFrom('events as e')
    .leftJoin('network_regions as r', 'r.code', 'e.region_code')
    .where('e.ends_at', '>', sql<Date>`now()`);
  q = q.where((eb) => {
    const seen = [eb('e.audience', '=', 'public')];
    if (v.networkRole) seen.push(eb('e.audience', '=', 'members'));
    if (v.regions.length)
      seen.push(eb.and([eb('e.audience', '=', 'region'), eb('e.audience_region_code', 'in', v.regions)]));
    if (v.userId !== null) {
      const uid = v.userId;
      seen.push(
        eb.and([
          eb('e.audience', '=', 'invitees'),
          eb.exists(
            eb
              .selectFrom('event_invitees as i')
              .select('i.event_id')
              .whereRef('i.event_id', '=', 'e.id')
              .where('i.user_id', '=', uid),
          ),
        ]),
      );
    }
    const published = eb.and([eb('e.status', 'in', ['published', 'cancelled']), eb.or(seen)]);
    if (v.national) return f.includeDrafts ? eb.lit(true) : eb('e.status', 'in', ['published', 'cancelled']);
    if (f.includeDrafts && v.organises !== 'all' && v.organises.length)
      return eb.or([published, eb('e.region_code', 'in', v.organises)]);
    return published;
  });
  if (f.region) q = q.where('e.region_code', '=', f.region);
  if (f.format) q = q.where('e.format', '=', f.format as never);
  if (f.scope) q = q.where('e.scope', '=', f.scope as never);
  const [rows, count] = await Promise.all([
    q
      .select([
        'e.id',
        'e.scope',
        'e.region_code',
        'r.name as region_name',
        'e.format',
        'e.status',
        'e.title',
        'e.summary',
        'e.starts_at',
        'e.ends_at',
        'e.venue_name',
        'e.capacity',
      ])
      .orderBy('e.starts_at')
      .orderBy('e.id')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

// ---- agenda ----
export function listAgenda(x: Executor, eventId: number) {
  return x
    .selectFrom('event_agenda_items')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('starts_at_time')
    .orderBy('position')
    .execute();
}

export async function countAgenda(x: Executor, eventId: number) {
  const r = await x
    .selectFrom('event_agenda_items')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('event_id', '=', eventId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertAgendaItem(x: Executor, v: Omit<Insertable<EventAgendaItemsTable>, 'position'>) {
  const next = await x
    .selectFrom('event_agenda_items')
    .select(sql<number>`coalesce(max(position), 0) + 1`.as('p'))
    .where('event_id', '=', v.event_id)
    .executeTakeFirstOrThrow();
  await x
    .insertInto('event_agenda_items')
    .values({ ...v, position: Number(next.p) })
    .execute();
}

export function deleteAgendaItem(x: Executor, eventId: number, itemId: number) {
  return x
    .deleteFrom('event_agenda_items')
    .where('event_id', '=', eventId)
    .where('id', '=', itemId)
    .returning('title')
    .executeTakeFirst();
}

export async function deleteAgenda(x: Executor, eventId: number) {
  await x.deleteFrom('event_agenda_items').where('event_id', '=', eventId).execute();
}

// ---- invitees ----
export function findUsersByEmails(x: Executor, emails: string[]) {
  if (!emails.length) return Promise.resolve([]);
  return x
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('email', 'in', emails)
    .where('disabled_at', 'is', null)
    .execute();
}

export function listInvitees(x: Executor, eventId: number) {
  return x
    .selectFrom('event_invitees as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['u.id', 'u.email', 'u.name'])
    .where('i.event_id', '=', eventId)
    .orderBy('u.email')
    .execute();
}

export async function isInvited(x: Executor, eventId: number, userId: number) {
  const r = await x
    .selectFrom('event_invitees')
    .select('user_id')
    .where('event_id', '=', eventId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return !!r;
}

export async function replaceInvitees(x: Executor, eventId: number, userIds: number[]) {
  await x.deleteFrom('event_invitees').where('event_id', '=', eventId).execute();
  if (userIds.length)
    await x
      .insertInto('event_invitees')
      .values(userIds.map((user_id) => ({ event_id: eventId, user_id })))
      .execute();
}

// ---- registrations ----
export function findRegistration(x: Executor, eventId: number, userId: number) {
  return x
    .selectFrom('event_registrations')
    .selectAll()
    .where('event_id', '=', eventId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export function findRegistrationById(x: Executor, eventId: number, registrationId: number) {
  return x
    .selectFrom('event_registrations as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .selectAll('g')
    .select(['u.name', 'u.email'])
    .where('g.event_id', '=', eventId)
    .where('g.id', '=', registrationId)
    .executeTakeFirst();
}

/** Members' places taken (speakers' and hosts' reserved places are not counted). */
export async function countPlaces(x: Executor, eventId: number) {
  const r = await x
    .selectFrom('event_registrations')
    .select([
      sql<string>`count(*) filter (where status in ('registered', 'awaiting-approval', 'offered', 'attended', 'no-show') and not reserved)`.as(
        'taken',
      ),
      sql<string>`count(*) filter (where status = 'waitlisted')`.as('waitlisted'),
      sql<string>`count(*) filter (where reserved and status <> 'cancelled')`.as('reserved'),
    ])
    .where('event_id', '=', eventId)
    .executeTakeFirstOrThrow();
  return { taken: Number(r.taken), waitlisted: Number(r.waitlisted), reserved: Number(r.reserved) };
}

/** Places taken and waitlisted for several events at once (a list's figures). */
export async function countPlacesFor(x: Executor, eventIds: number[]) {
  if (!eventIds.length) return new Map<number, { taken: number; waitlisted: number }>();
  const rows = await x
    .selectFrom('event_registrations')
    .select([
      'event_id',
      sql<string>`count(*) filter (where status in ('registered', 'awaiting-approval', 'offered', 'attended', 'no-show') and not reserved)`.as(
        'taken',
      ),
      sql<string>`count(*) filter (where status = 'waitlisted')`.as('waitlisted'),
    ])
    .where('event_id', 'in', eventIds)
    .groupBy('event_id')
    .execute();
  return new Map(rows.map((r) => [r.event_id, { taken: Number(r.taken), waitlisted: Number(r.waitlisted) }]));
}

export function listMyStatuses(x: Executor, userId: number, eventIds: number[]) {
  if (!eventIds.length) return Promise.resolve([]);
  return x
    .selectFrom('event_registrations')
    .select(['event_id', 'status'])
    .where('user_id', '=', userId)
    .where('event_id', 'in', eventIds)
    .execute();
}

/** The first person on the waitlist (in the order they joined it), locked. */
export function nextWaitlisted(x: Executor, eventId: number) {
  return x
    .selectFrom('event_registrations as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['g.id', 'g.user_id', 'u.name', 'u.email'])
    .where('g.event_id', '=', eventId)
    .where('g.status', '=', 'waitlisted')
    .orderBy('g.waitlisted_at')
    .orderBy('g.id')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/** Where the registration stands on the waitlist (1 is next), or null when it is not on it. */
export async function waitlistPosition(x: Executor, eventId: number, registrationId: number) {
  const r = await sql<{ n: string | null }>`
    select (select count(*) from event_registrations o
            where o.event_id = g.event_id and o.status = 'waitlisted'
              and (o.waitlisted_at, o.id) <= (g.waitlisted_at, g.id)) as n
    from event_registrations g
    where g.id = ${registrationId} and g.event_id = ${eventId} and g.status = 'waitlisted'`.execute(x);
  return r.rows[0]?.n == null ? null : Number(r.rows[0].n);
}

export async function insertRegistration(x: Executor, values: Insertable<EventRegistrationsTable>) {
  return (await x.insertInto('event_registrations').values(values).returning('id').executeTakeFirstOrThrow())
    .id;
}

export async function updateRegistration(
  x: Executor,
  id: number,
  values: Updateable<EventRegistrationsTable>,
) {
  await x
    .updateTable('event_registrations')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** Every registration of the event, waitlist in order, with the person's name. */
export function listRegistrations(x: Executor, eventId: number) {
  return x
    .selectFrom('event_registrations as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .selectAll('g')
    .select(['u.name', 'u.email'])
    .where('g.event_id', '=', eventId)
    .orderBy(sql`case g.status when 'waitlisted' then 1 when 'cancelled' then 2 else 0 end`)
    .orderBy('g.waitlisted_at')
    .orderBy('g.created_at')
    .orderBy('g.id')
    .limit(5000)
    .execute();
}

/** Everyone still holding or waiting for a place, to tell them the event is cancelled. */
export function listLiveRegistrations(x: Executor, eventId: number) {
  return x
    .selectFrom('event_registrations as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['g.id', 'g.status', 'u.name', 'u.email'])
    .where('g.event_id', '=', eventId)
    .where('g.status', 'in', ['registered', 'awaiting-approval', 'waitlisted', 'offered'])
    .execute();
}

/** Events with an offer that has run out, oldest first. */
export async function listEventsWithExpiredOffers(x: Executor, limit: number) {
  const rows = await x
    .selectFrom('event_registrations')
    .select('event_id')
    .distinct()
    .where('status', '=', 'offered')
    .where('offer_expires_at', '<=', sql<Date>`now()`)
    .limit(limit)
    .execute();
  return rows.map((r) => r.event_id);
}

export function listExpiredOffers(x: Executor, eventId: number) {
  return x
    .selectFrom('event_registrations as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['g.id', 'g.user_id', 'u.name', 'u.email'])
    .where('g.event_id', '=', eventId)
    .where('g.status', '=', 'offered')
    .where('g.offer_expires_at', '<=', sql<Date>`now()`)
    .orderBy('g.id')
    .forUpdate()
    .execute();
}

/** The person's registrations for events that have not ended, soonest first. */
export function listMyUpcoming(x: Executor, userId: number, limit: number) {
  return x
    .selectFrom('event_registrations as g')
    .innerJoin('events as e', 'e.id', 'g.event_id')
    .select(['e.id', 'e.title', 'e.starts_at', 'e.ends_at', 'e.status as event_status', 'g.status'])
    .where('g.user_id', '=', userId)
    .where('g.status', '<>', 'cancelled')
    .where('e.ends_at', '>', sql<Date>`now()`)
    .orderBy('e.starts_at')
    .limit(limit)
    .execute();
}
