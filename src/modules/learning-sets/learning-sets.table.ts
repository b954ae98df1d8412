import type { ColumnType, Generated } from 'kysely';
import type { DateString } from '../../db/platform.tables.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type FormationStatus = 'draft' | 'published';
export type AttendanceStatus = 'present' | 'apologies' | 'absent';
export type ActionStatus = 'open' | 'done' | 'partly' | 'not-done' | 'carried-over';

/** What the lead chose when forming: attribute weights and the rules, by user id. */
export type FormationSettings = {
  attributes: { key: string; weight: number }[];
  keepApart: [number, number][];
  keepTogether: [number, number][];
  seed: number;
  timeLimitMs: number;
};

/** The cohort as it was when the sets were formed: scores are recomputed from this snapshot. */
export type FormationPerson = {
  userId: number;
  name: string;
  attributes: Record<string, string | number | null>;
};

export interface LsFacilitatorsTable {
  user_id: number;
  region_code: string;
  organisation_id: number;
  is_lead: Generated<boolean>;
  max_sets: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface LsFormationsTable {
  id: Generated<number>;
  region_code: string;
  intake_id: number;
  status: Generated<FormationStatus>;
  min_size: number;
  max_size: number;
  equal_sizes: boolean;
  separate_organisations: boolean;
  settings: Json<FormationSettings>;
  people: Json<FormationPerson[]>;
  objective: number;
  unmet_preferences: Generated<number>;
  created_by: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  published_by: number | null;
  published_at: NullableTimestamp;
}

export interface LsSetsTable {
  id: Generated<number>;
  formation_id: number;
  region_code: string;
  name: string;
  position: number;
  facilitator_user_id: number | null;
  min_size: number;
  max_size: number;
  created_at: Generated<Date>;
}

export interface LsSetMembersTable {
  formation_id: number;
  set_id: number;
  user_id: number;
  person_index: number;
}

export interface LsSessionsTable {
  id: Generated<number>;
  set_id: number;
  starts_at: Timestamp;
  ends_at: Timestamp;
  location: string | null;
  online_url: string | null;
  created_by: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface LsAttendanceTable {
  session_id: number;
  user_id: number;
  status: AttendanceStatus;
  presented: boolean;
  recorded_by: number;
  recorded_at: Generated<Date>;
}

export interface LsActionsTable {
  id: Generated<number>;
  set_id: number;
  session_id: number;
  owner_user_id: number;
  description: string;
  due_on: DateString;
  status: Generated<ActionStatus>;
  reviewed_session_id: number | null;
  review_note: string | null;
  created_by: number;
  created_at: Generated<Date>;
  reviewed_at: NullableTimestamp;
}

export interface LsFacilitatorNotesTable {
  session_id: number;
  author_user_id: number;
  body: string;
  updated_at: Generated<Date>;
}

export interface LsSessionReturnsTable {
  session_id: number;
  set_id: number;
  region_code: string;
  session_date: DateString;
  members_count: number;
  present_count: number;
  apologies_count: number;
  absent_count: number;
  actions_reviewed: number;
  actions_done: number;
  themes: string;
  submitted_by: number;
  submitted_at: Generated<Date>;
}

export interface LsCalendarFeedsTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  token_prefix: string;
  created_at: Generated<Date>;
  revoked_at: NullableTimestamp;
}

/** Table types of the learning-sets module; gathered into the Database type in src/db/database.ts. */
/** Session returns added up per set, kept by triggers (migration 0801). */
export interface LsSetReturnTotalsTable {
  set_id: number;
  region_code: string;
  returns: number;
  members: number;
  present: number;
  apologies: number;
  absent: number;
  reviewed: number;
  done: number;
}

/** Session returns added up per region, kept by the same triggers (migration 0803). */
export interface LsRegionReturnTotalsTable {
  region_code: string;
  sets: number;
  returns: number;
  members: number;
  present: number;
  apologies: number;
  absent: number;
  reviewed: number;
  done: number;
}

export interface LearningSetsTables {
  ls_facilitators: LsFacilitatorsTable;
  ls_formations: LsFormationsTable;
  ls_sets: LsSetsTable;
  ls_set_members: LsSetMembersTable;
  ls_sessions: LsSessionsTable;
  ls_attendance: LsAttendanceTable;
  ls_actions: LsActionsTable;
  ls_facilitator_notes: LsFacilitatorNotesTable;
  ls_session_returns: LsSessionReturnsTable;
  ls_set_return_totals: LsSetReturnTotalsTable;
  ls_region_return_totals: LsRegionReturnTotalsTable;
  ls_calendar_feeds: LsCalendarFeedsTable;
}
