import type { ColumnType, Generated, Selectable } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type EventScope = 'national' | 'regional';
export type EventFormat = 'in-person' | 'online' | 'hybrid';
export type EventStatus = 'draft' | 'published' | 'cancelled';
export type EventAudience = 'members' | 'region' | 'invitees' | 'public';
export type RegistrationStatus =
  'registered' | 'awaiting-approval' | 'waitlisted' | 'offered' | 'cancelled' | 'attended' | 'no-show';

export interface EventsTable {
  id: Generated<number>;
  scope: EventScope;
  region_code: string | null;
  format: EventFormat;
  status: Generated<EventStatus>;
  title: string;
  summary: string;
  description: string | null;
  venue_name: string | null;
  venue_address: string | null;
  accessibility_notes: string | null;
  online_url: string | null;
  starts_at: Timestamp;
  ends_at: Timestamp;
  capacity: number;
  reserved_places: Generated<number>;
  registration_opens_at: NullableTimestamp;
  registration_closes_at: NullableTimestamp;
  cancellation_cutoff_hours: Generated<number>;
  offer_hours: Generated<number>;
  needs_approval: Generated<boolean>;
  audience: EventAudience;
  audience_region_code: string | null;
  organiser_notes: string | null;
  cancel_reason: string | null;
  sequence: Generated<number>;
  created_by: number | null;
  published_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type EventRow = Selectable<EventsTable>;

export interface EventAgendaItemsTable {
  id: Generated<number>;
  event_id: number;
  position: number;
  starts_at_time: string;
  title: string;
  speakers: string | null;
}
export type AgendaItemRow = Selectable<EventAgendaItemsTable>;

export interface EventInviteesTable {
  event_id: number;
  user_id: number;
}

export interface EventRegistrationsTable {
  id: Generated<number>;
  event_id: number;
  user_id: number;
  status: RegistrationStatus;
  reserved: Generated<boolean>;
  waitlisted_at: NullableTimestamp;
  offered_at: NullableTimestamp;
  offer_expires_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  cancel_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type RegistrationRow = Selectable<EventRegistrationsTable>;

export interface EventsTables {
  events: EventsTable;
  event_agenda_items: EventAgendaItemsTable;
  event_invitees: EventInviteesTable;
  event_registrations: EventRegistrationsTable;
}
