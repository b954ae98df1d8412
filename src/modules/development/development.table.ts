import type { ColumnType, Generated } from 'kysely';
import type { DateString } from '../../db/platform.tables.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type RaterGroup = 'line-manager' | 'peer' | 'direct-report' | 'other';
export type GoalStatus = 'not-started' | 'in-progress' | 'achieved' | 'dropped';

export interface DevFrameworksTable {
  id: Generated<number>;
  key: string;
  name: string;
  publisher: string;
  created_at: Generated<Date>;
}

export interface DevFrameworkVersionsTable {
  id: Generated<number>;
  framework_id: number;
  version_number: number;
  edition: string;
  note: string | null;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface DevScalePointsTable {
  version_id: number;
  value: number;
  label: string;
  descriptor: string;
}

export interface DevDomainsTable {
  id: Generated<number>;
  version_id: number;
  position: number;
  name: string;
  optional: Generated<boolean>;
}

export interface DevElementsTable {
  id: Generated<number>;
  domain_id: number;
  version_id: number;
  position: number;
  name: string;
  description: string | null;
}

export interface DevFrameworkChoicesTable {
  scope: 'network' | 'region' | 'intake';
  scope_key: string;
  framework_id: number;
  updated_at: Generated<Date>;
}

export interface DevSelfAssessmentsTable {
  id: Generated<number>;
  user_id: number;
  version_id: number;
  region_code: string | null;
  created_at: Generated<Date>;
}

export interface DevSelfRatingsTable {
  assessment_id: number;
  element_id: number;
  rating: number;
  evidence: string | null;
}

export interface DevFeedbackRoundsTable {
  id: Generated<number>;
  user_id: number;
  version_id: number;
  region_code: string | null;
  title: string;
  closes_on: DateString;
  closed_at: NullableTimestamp;
  created_at: Generated<Date>;
  /** Set once a closed round has been added to the competency profile figures. */
  counted_in_profile: Generated<boolean>;
}

export interface DevRatersTable {
  id: Generated<number>;
  round_id: number;
  email: string;
  name: string;
  rater_group: RaterGroup;
  token_hash: string;
  invited_at: Generated<Date>;
  last_reminded_at: NullableTimestamp;
  reminders_sent: Generated<number>;
  responded_at: NullableTimestamp;
}

export interface DevFeedbackResponsesTable {
  id: Generated<number>;
  round_id: number;
  rater_group: RaterGroup;
  strengths_comment: string | null;
  development_comment: string | null;
}

export interface DevFeedbackRatingsTable {
  response_id: number;
  element_id: number;
  rating: number;
}

export interface DevPlansTable {
  id: Generated<number>;
  user_id: number;
  version_id: number;
  region_code: string | null;
  title: string;
  share_with_mentor: Generated<boolean>;
  share_with_facilitator: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DevPlanGoalsTable {
  id: Generated<number>;
  plan_id: number;
  element_id: number;
  title: string;
  actions: string | null;
  evidence: string | null;
  target_date: DateString | null;
  status: Generated<GoalStatus>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DevPlanReviewsTable {
  id: Generated<number>;
  plan_id: number;
  author_user_id: number | null;
  author_name: string;
  notes: string;
  created_at: Generated<Date>;
}

/** Table types of the development module; gathered into the Database type in src/db/database.ts. */
/** Competency profile figures kept on write (migration 0802, development.profile-totals.ts). */
export interface DevProfileMembersTable {
  version_id: number;
  kind: 'self' | 'raters';
  user_id: number;
  region_code: string;
  level: 'element' | 'domain';
  item_id: number;
  mean: number;
}
export interface DevProfileTotalsTable {
  version_id: number;
  kind: string;
  region_code: string;
  level: string;
  item_id: number;
  people: number;
  rows: number;
  total: number;
}
export interface DevProfilePeopleTable {
  version_id: number;
  kind: string;
  region_code: string;
  people: number;
}

export interface DevProfilePendingTable {
  version_id: number;
  kind: string;
  region_code: string;
  user_id: number;
}

export interface DevelopmentTables {
  dev_frameworks: DevFrameworksTable;
  dev_framework_versions: DevFrameworkVersionsTable;
  dev_scale_points: DevScalePointsTable;
  dev_domains: DevDomainsTable;
  dev_elements: DevElementsTable;
  dev_framework_choices: DevFrameworkChoicesTable;
  dev_self_assessments: DevSelfAssessmentsTable;
  dev_self_ratings: DevSelfRatingsTable;
  dev_feedback_rounds: DevFeedbackRoundsTable;
  dev_raters: DevRatersTable;
  dev_feedback_responses: DevFeedbackResponsesTable;
  dev_feedback_ratings: DevFeedbackRatingsTable;
  dev_plans: DevPlansTable;
  dev_plan_goals: DevPlanGoalsTable;
  dev_plan_reviews: DevPlanReviewsTable;
  dev_profile_members: DevProfileMembersTable;
  dev_profile_totals: DevProfileTotalsTable;
  dev_profile_people: DevProfilePeopleTable;
  dev_profile_published_totals: DevProfileTotalsTable;
  dev_profile_published_people: DevProfilePeopleTable;
  dev_profile_pending: DevProfilePendingTable;
}
