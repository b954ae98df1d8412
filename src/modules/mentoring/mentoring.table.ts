import type { ColumnType, Generated } from 'kysely';
import type { DateString } from '../../db/platform.tables.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type MeetingFormat = 'online' | 'in-person' | 'either';
export type RequestStatus = 'waiting' | 'matched' | 'withdrawn' | 'closed';
export type RunStatus = 'draft' | 'approved' | 'discarded';
export type RelationshipStatus = 'active' | 'declined' | 'ended';
export type ConflictKind = 'line-management' | 'conflict';
export type AdjustmentKind = 'pin' | 'forbid';
export type GoalStatus = 'not-started' | 'in-progress' | 'achieved';

export type ScoreBreakdown = { label: string; points: number }[];
export type UnmatchedEntry = { requestId: number; reason: string };

export interface MentoringOffersTable {
  user_id: number;
  capacity: number;
  areas: TextArray;
  format: MeetingFormat;
  mentee_professions: TextArray;
  notes: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface MentoringRequestsTable {
  id: Generated<number>;
  user_id: number;
  status: Generated<RequestStatus>;
  goals: string;
  goal_areas: TextArray;
  format: MeetingFormat;
  mentor_professions: TextArray;
  same_region: boolean;
  /** Goals of the mentee's own development plan that this request is about. */
  plan_goal_ids: ColumnType<number[], number[] | undefined, number[]>;
  waitlist_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface MentoringConflictsTable {
  id: Generated<number>;
  user_id: number;
  other_user_id: number;
  kind: ConflictKind;
  created_at: Generated<Date>;
}

export interface MentoringRunsTable {
  id: Generated<number>;
  region_code: string | null;
  status: Generated<RunStatus>;
  matched: Generated<number>;
  mentees: Generated<number>;
  objective: Generated<number>;
  unmatched: Json<UnmatchedEntry[]>;
  created_by: number | null;
  created_at: Generated<Date>;
  computed_at: Generated<Date>;
  decided_by: number | null;
  decided_at: NullableTimestamp;
}

export interface MentoringRunPairsTable {
  run_id: number;
  request_id: number;
  mentor_user_id: number;
  score: number;
  breakdown: Json<ScoreBreakdown>;
  pinned: boolean;
}

export interface MentoringRunAdjustmentsTable {
  run_id: number;
  request_id: number;
  mentor_user_id: number;
  kind: AdjustmentKind;
}

export interface MentoringRelationshipsTable {
  id: Generated<number>;
  request_id: number;
  run_id: number | null;
  mentee_user_id: number;
  mentor_user_id: number;
  region_code: string;
  status: Generated<RelationshipStatus>;
  score: number | null;
  started_on: DateString;
  ground_rules: string | null;
  meeting_frequency: string | null;
  duration_months: number | null;
  agreed_at: NullableTimestamp;
  review_due_on: DateString;
  review_text: string | null;
  reviewed_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  mentee_feedback: string | null;
  mentor_feedback: string | null;
  last_reminder_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface MentoringGoalsTable {
  id: Generated<number>;
  relationship_id: number;
  title: string;
  status: Generated<GoalStatus>;
  updated_at: Generated<Date>;
}

export interface MentoringMeetingsTable {
  id: Generated<number>;
  relationship_id: number;
  met_on: DateString;
  format: 'online' | 'in-person';
  notes: string | null;
  logged_by: number | null;
  created_at: Generated<Date>;
}

/** Table types of the mentoring module; gathered into the Database type in src/db/database.ts. */
export interface MentoringTables {
  mentoring_offers: MentoringOffersTable;
  mentoring_requests: MentoringRequestsTable;
  mentoring_conflicts: MentoringConflictsTable;
  mentoring_runs: MentoringRunsTable;
  mentoring_run_pairs: MentoringRunPairsTable;
  mentoring_run_adjustments: MentoringRunAdjustmentsTable;
  mentoring_relationships: MentoringRelationshipsTable;
  mentoring_goals: MentoringGoalsTable;
  mentoring_meetings: MentoringMeetingsTable;
}
