import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DateString } from '../../db/platform.tables.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** tsvector columns are written with SQL (to_tsvector) and never read back as values. */
type TsVector = ColumnType<string | null, never, never>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type IntArray = ColumnType<number[], number[] | undefined, number[]>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type CallKind = 'consultation' | 'evidence' | 'pulse';
export type CallStatus = 'draft' | 'scheduled' | 'open' | 'closed' | 'concluded';
export type QuestionKind = 'text' | 'single' | 'multiple' | 'scale' | 'ranking';
export type ResponseStatus = 'draft' | 'submitted';
export type GroupDimension = 'profession' | 'region' | 'specialty' | 'setting';
export type Sentiment = 'agree' | 'disagree' | 'mixed';
export type AssignmentSource = 'person' | 'suggestion';
export type SuggestionStatus = 'pending' | 'accepted' | 'rejected';
export type OutcomeDecision = 'adopted' | 'adapted' | 'not-adopted' | 'deferred';
export type MilestoneStatus = 'planned' | 'in-progress' | 'done' | 'dropped';
export type QuestionVisibility = 'network' | 'private';
export type PolicyQuestionStatus = 'open' | 'answered' | 'withdrawn';

export interface PolicyStaffTable {
  user_id: number;
  role_title: string;
  safety_lead: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface PolicyCallsTable {
  id: Generated<number>;
  kind: CallKind;
  title: string;
  summary: string;
  background: string | null;
  status: Generated<CallStatus>;
  opens_on: DateString;
  closes_on: DateString;
  response_due_on: DateString;
  response_due_reason: string | null;
  is_public: Generated<boolean>;
  /** Empty arrays mean everyone: the dimensions combine with AND, values within one with OR. */
  audience_regions: TextArray;
  audience_professions: TextArray;
  audience_specialty_ids: IntArray;
  audience_intake_id: number | null;
  owner_user_id: number | null;
  source_question_id: number | null;
  published_response: string | null;
  published_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type PolicyCallRow = Selectable<PolicyCallsTable>;

export interface PolicyCallStatusChangesTable {
  id: Generated<number>;
  call_id: number;
  from_status: CallStatus | null;
  to_status: CallStatus;
  changed_by: number | null;
  changed_at: Generated<Date>;
  note: string | null;
}

export interface PolicyCallDocumentsTable {
  id: Generated<number>;
  call_id: number;
  position: number;
  title: string;
  url: string;
}

export interface PolicyCallQuestionsTable {
  id: Generated<number>;
  call_id: number;
  position: number;
  kind: QuestionKind;
  prompt: string;
  help: string | null;
  required: Generated<boolean>;
  max_length: number | null;
  options: TextArray;
  scale_min: number | null;
  scale_max: number | null;
  scale_min_label: string | null;
  scale_max_label: string | null;
}
export type PolicyCallQuestionRow = Selectable<PolicyCallQuestionsTable>;

export interface PolicyCallNoticesTable {
  call_id: number;
  kind: 'opened' | 'closing';
  sent_at: Generated<Date>;
  recipients: Generated<number>;
}

export interface PolicyNudgesTable {
  id: Generated<number>;
  call_id: number;
  dimension: GroupDimension;
  value: string;
  message: string | null;
  recipients: Generated<number>;
  sent_by: number | null;
  sent_at: Generated<Date>;
}

export interface PolicyResponsesTable {
  id: Generated<number>;
  call_id: number;
  user_id: number;
  status: Generated<ResponseStatus>;
  on_behalf_of_organisation_id: number | null;
  confidential: Generated<boolean>;
  safety_concern: Generated<boolean>;
  /** The member's short summary of the patient-safety concern (kept with a draft until sent). */
  safety_summary: string | null;
  /** The member's groups at submission (region, profession, specialty, employer kind). */
  region_code: string | null;
  profession: string | null;
  specialty_id: number | null;
  setting: string | null;
  submitted_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type PolicyResponseRow = Selectable<PolicyResponsesTable>;

export interface PolicyAnswersTable {
  response_id: number;
  question_id: number;
  text_value: string | null;
  /** The chosen options (single, multiple) or the ranking, first first. */
  choice_values: TextArray;
  scale_value: number | null;
}

export interface PolicyThemesTable {
  id: Generated<number>;
  call_id: number;
  question_id: number;
  name: string;
  description: string | null;
  merged_into_id: number | null;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PolicyThemeAssignmentsTable {
  id: Generated<number>;
  theme_id: number;
  response_id: number;
  question_id: number;
  excerpt: string | null;
  sentiment: Sentiment | null;
  evidence_rich: Generated<boolean>;
  source: Generated<AssignmentSource>;
  assigned_by: number | null;
  assigned_at: Generated<Date>;
  removed_by: number | null;
  removed_at: NullableTimestamp;
}

export interface PolicyAssignmentHistoryTable {
  id: Generated<number>;
  assignment_id: number;
  /** The theme the row concerns (a move writes a row for each side); added by migration 0730. */
  theme_id: number | null;
  action: string;
  details: Json<Record<string, unknown>>;
  changed_by: number | null;
  changed_at: Generated<Date>;
}

export interface PolicyThemeSuggestionsTable {
  id: Generated<number>;
  call_id: number;
  question_id: number;
  label: string;
  keyphrases: TextArray;
  response_ids: IntArray;
  score: Generated<number>;
  status: Generated<SuggestionStatus>;
  theme_id: number | null;
  decided_by: number | null;
  decided_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface PolicyOutcomesTable {
  id: Generated<number>;
  call_id: number;
  theme_id: number | null;
  question_id: number | null;
  decision: OutcomeDecision;
  summary: string;
  reason: string | null;
  owner_role: string;
  decided_on: DateString;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PolicyMilestonesTable {
  id: Generated<number>;
  outcome_id: number;
  title: string;
  due_on: DateString | null;
  status: Generated<MilestoneStatus>;
  progress: Generated<number>;
  note: string | null;
  updated_by: number | null;
  updated_at: Generated<Date>;
}

export interface PolicyResponseChallengesTable {
  id: Generated<number>;
  response_id: number;
  body: string;
  created_at: Generated<Date>;
  answer: string | null;
  answered_by: number | null;
  answered_at: NullableTimestamp;
}

export interface PolicyQuestionsTable {
  id: Generated<number>;
  user_id: number | null;
  visibility: QuestionVisibility;
  title: string;
  body: string;
  safety_concern: Generated<boolean>;
  status: Generated<PolicyQuestionStatus>;
  answer: string | null;
  answered_by: number | null;
  answered_role: string | null;
  answered_at: NullableTimestamp;
  call_id: number | null;
  supports: Generated<number>;
  search: TsVector;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PolicyQuestionSupportsTable {
  question_id: number;
  user_id: number;
  created_at: Generated<Date>;
}

export interface PolicySafetyConcernsTable {
  id: Generated<number>;
  response_id: number | null;
  question_id: number | null;
  raised_by: number | null;
  summary: string;
  lead_user_id: number | null;
  raised_at: Generated<Date>;
  acknowledged_by: number | null;
  acknowledged_at: NullableTimestamp;
  acknowledgement: string | null;
}

/** Table types of the policy module; gathered into the Database type in src/db/database.ts. */
export interface PolicyTables {
  policy_staff: PolicyStaffTable;
  policy_calls: PolicyCallsTable;
  policy_call_status_changes: PolicyCallStatusChangesTable;
  policy_call_documents: PolicyCallDocumentsTable;
  policy_call_questions: PolicyCallQuestionsTable;
  policy_call_notices: PolicyCallNoticesTable;
  policy_nudges: PolicyNudgesTable;
  policy_responses: PolicyResponsesTable;
  policy_answers: PolicyAnswersTable;
  policy_themes: PolicyThemesTable;
  policy_theme_assignments: PolicyThemeAssignmentsTable;
  policy_assignment_history: PolicyAssignmentHistoryTable;
  policy_theme_suggestions: PolicyThemeSuggestionsTable;
  policy_outcomes: PolicyOutcomesTable;
  policy_milestones: PolicyMilestonesTable;
  policy_response_challenges: PolicyResponseChallengesTable;
  policy_questions: PolicyQuestionsTable;
  policy_question_supports: PolicyQuestionSupportsTable;
  policy_safety_concerns: PolicySafetyConcernsTable;
}
