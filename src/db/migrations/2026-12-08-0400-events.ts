import { type Kysely, sql } from 'kysely';

// Events (issue 19): national and regional network events, their agenda, named invitees and
// registrations with explicit states (registered, awaiting approval, waitlisted, offered from the
// waitlist, cancelled, attended, no-show). Places are counted under a lock on the event row.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table events (
    id serial primary key,
    scope text not null check (scope in ('national', 'regional')),
    region_code text references network_regions (code),
    format text not null check (format in ('in-person', 'online', 'hybrid')),
    status text not null default 'draft' check (status in ('draft', 'published', 'cancelled')),
    title text not null,
    summary text not null,
    description text,
    venue_name text,
    venue_address text,
    accessibility_notes text,
    online_url text,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    -- Members' places; reserved places (speakers and hosts) come on top and are not counted here.
    capacity integer not null check (capacity >= 0),
    reserved_places integer not null default 0 check (reserved_places >= 0),
    registration_opens_at timestamptz,
    registration_closes_at timestamptz,
    -- Members may cancel until this many hours before the start.
    cancellation_cutoff_hours integer not null default 24 check (cancellation_cutoff_hours >= 0),
    -- A place offered from the waitlist is held this many hours for an answer.
    offer_hours integer not null default 48 check (offer_hours > 0),
    needs_approval boolean not null default false,
    audience text not null check (audience in ('members', 'region', 'invitees', 'public')),
    audience_region_code text references network_regions (code),
    organiser_notes text,
    cancel_reason text,
    -- Raised on every change: calendar files carry it as their SEQUENCE.
    sequence integer not null default 0,
    created_by integer references users (id) on delete set null,
    published_at timestamptz,
    cancelled_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (ends_at > starts_at),
    check (scope <> 'regional' or region_code is not null),
    check (audience <> 'region' or audience_region_code is not null)
  )`.execute(db);
  await sql`create index events_upcoming on events (status, starts_at, id)`.execute(db);
  await sql`create index events_region on events (region_code, starts_at)`.execute(db);

  await sql`create table event_agenda_items (
    id serial primary key,
    event_id integer not null references events (id) on delete cascade,
    position integer not null,
    starts_at_time text not null,
    title text not null,
    speakers text,
    unique (event_id, position)
  )`.execute(db);

  await sql`create table event_invitees (
    event_id integer not null references events (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    primary key (event_id, user_id)
  )`.execute(db);
  await sql`create index event_invitees_user on event_invitees (user_id)`.execute(db);

  await sql`create table event_registrations (
    id serial primary key,
    event_id integer not null references events (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    status text not null check (status in
      ('registered', 'awaiting-approval', 'waitlisted', 'offered', 'cancelled', 'attended', 'no-show')),
    -- A speaker's or host's place, from the reserved places.
    reserved boolean not null default false,
    waitlisted_at timestamptz,
    offered_at timestamptz,
    offer_expires_at timestamptz,
    cancelled_at timestamptz,
    -- Why it ended: cancelled by the member, declined, offer expired, refused, event cancelled.
    cancel_reason text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (event_id, user_id)
  )`.execute(db);
  await sql`create index event_registrations_event on event_registrations (event_id, status, waitlisted_at, id)`.execute(
    db,
  );
  await sql`create index event_registrations_user on event_registrations (user_id, event_id)`.execute(db);
  await sql`create index event_registrations_offers on event_registrations (offer_expires_at)
    where status = 'offered'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists event_registrations`.execute(db);
  await sql`drop table if exists event_invitees`.execute(db);
  await sql`drop table if exists event_agenda_items`.execute(db);
  await sql`drop table if exists events`.execute(db);
}
