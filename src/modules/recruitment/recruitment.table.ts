import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export const APPLICATION_STATUSES = [
  'submitted',
  'shortlisted',
  'offered',
  'waitlisted',
  'declined',
  'withdrawn',
  'accepted',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export interface ApplicationDraftsTable {
  token_hash: string;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  updated_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface ApplicationsTable {
  id: Generated<number>;
  reference: string;
  intake_id: number;
  region_code: string;
  status: ColumnType<ApplicationStatus, ApplicationStatus | undefined, ApplicationStatus>;
  given_name: string;
  family_name: string;
  email: string;
  phone: string | null;
  profession: string;
  register: string;
  registration_number: string;
  employer_organisation_id: number;
  employer_ods_code: string;
  employer_name: string;
  job_title: string;
  role_summary: string;
  leadership_experience: string;
  motivation: string;
  sponsor_name: string;
  sponsor_email: string;
  consent_at: Timestamp;
  privacy_notice_version: string;
  waitlist_rank: number | null;
  decision_reason: string | null;
  source: Generated<string>;
  submitted_at: Generated<Date>;
  decided_at: NullableTimestamp;
  offered_at: NullableTimestamp;
  /** The last day to accept an offer (YYYY-MM-DD, London); the offer lapses after it. */
  offer_expires_on: ColumnType<string | null, string | null | undefined, string | null>;
  accepted_at: NullableTimestamp;
  withdrawn_at: NullableTimestamp;
  user_id: number | null;
  status_token_hash: string | null;
  updated_at: Generated<Date>;
  search_text: ColumnType<string, never, never>;
}

export interface EndorsementsTable {
  application_id: number;
  token_hash: string;
  status: ColumnType<
    'pending' | 'endorsed' | 'not-endorsed',
    'pending' | 'endorsed' | 'not-endorsed' | undefined,
    'pending' | 'endorsed' | 'not-endorsed'
  >;
  comment: string | null;
  responded_at: NullableTimestamp;
  expires_at: Timestamp;
  reminders_sent: Generated<number>;
  last_sent_at: Generated<Date>;
}

export interface QuotaRequestsTable {
  id: Generated<number>;
  region_code: string;
  requested_by_user_id: number | null;
  requested_by_label: string;
  current_quota: number;
  requested_quota: number;
  reason: string;
  status: ColumnType<
    'pending' | 'approved' | 'refused',
    'pending' | 'approved' | 'refused' | undefined,
    'pending' | 'approved' | 'refused'
  >;
  decided_by_label: string | null;
  decided_at: NullableTimestamp;
  decision_note: string | null;
  created_at: Generated<Date>;
}

/** Applications per intake, status and profession, kept by triggers (migration 0801). */
export interface ApplicationCountsTable {
  intake_id: number;
  region_code: string;
  status: ApplicationStatus;
  profession: string;
  n: number;
}

/** Table types of the recruitment module; gathered into the Database type in src/db/database.ts. */
export interface RecruitmentTables {
  application_drafts: ApplicationDraftsTable;
  applications: ApplicationsTable;
  application_counts: ApplicationCountsTable;
  endorsements: EndorsementsTable;
  quota_requests: QuotaRequestsTable;
}

/** The column the recruitment migration adds to the platform's network_regions table. */
declare module '../../db/platform.tables.ts' {
  interface NetworkRegionsTable {
    auto_offer_waitlist: Generated<boolean>;
  }
}
