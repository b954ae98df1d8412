import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A calendar date kept as 'YYYY-MM-DD' (see the type parser in open.ts). */
export type DateString = ColumnType<string, string, string>;

export interface AppSettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string | null;
  disabled_at: NullableTimestamp;
  last_sign_in_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;

export interface RoleAssignmentsTable {
  id: Generated<number>;
  user_id: number;
  role: string;
  region_code: string | null;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  id_hash: string;
  user_id: number;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface PasswordResetTokensTable {
  token_hash: string;
  user_id: number;
  purpose: Generated<string>;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface SetupTokensTable {
  token_hash: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface SignInFailuresTable {
  id: Generated<number>;
  email: string;
  ip: string;
  at: Generated<Date>;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor_user_id: number | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  summary: string;
  details: ColumnType<unknown, string | null | undefined, string | null>;
  ip: string | null;
  request_id: string | null;
}

export interface OutboxTable {
  id: Generated<number>;
  created_at: Generated<Date>;
  to_address: string;
  subject: string;
  body_text: string;
  kind: string;
  status: Generated<'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  sent_at: NullableTimestamp;
}

export interface OrganisationsTable {
  id: Generated<number>;
  kind: string;
  ods_code: string | null;
  ons_code: string | null;
  name: string;
  parent_id: number | null;
  nhse_region_id: number | null;
  sha_code: string | null;
  postcode: string | null;
  town: string | null;
  valid_from: DateString | null;
  valid_to: DateString | null;
  successor_id: number | null;
  notes: string | null;
}

export interface RolloutPhasesTable {
  key: string;
  name: string;
  description: string;
  sort_order: number;
  first_event_target: DateString | null;
  go_live_target: DateString | null;
}

export interface NetworkRegionsTable {
  code: string;
  organisation_id: number;
  name: string;
  phase_key: string;
  recruitment_target: number;
  status: Generated<string>;
}

export interface NetworkPartnersTable {
  organisation_id: number;
  role: string;
  description: string;
}

export interface IntakesTable {
  id: Generated<number>;
  region_code: string;
  name: string;
  opens_on: DateString;
  closes_on: DateString | null;
  status: Generated<string>;
  created_at: Generated<Date>;
}

export interface ScheduledTasksTable {
  name: string;
  locked_until: NullableTimestamp;
  last_started_at: NullableTimestamp;
  last_finished_at: NullableTimestamp;
  last_error: string | null;
}

export interface EngineJobsTable {
  id: Generated<number>;
  kind: string;
  region_code: string | null;
  subject_key: string;
  subject_id: number | null;
  status: Generated<'running' | 'succeeded' | 'failed' | 'cancelled'>;
  progress: ColumnType<unknown, string | null | undefined, string | null>;
  started_by: number | null;
  started_at: Generated<Date>;
  heartbeat_at: Generated<Date>;
  finished_at: NullableTimestamp;
  cancel_requested_at: NullableTimestamp;
  result_id: number | null;
  error: string | null;
}

export interface PlatformTables {
  app_settings: AppSettingsTable;
  users: UsersTable;
  role_assignments: RoleAssignmentsTable;
  sessions: SessionsTable;
  password_reset_tokens: PasswordResetTokensTable;
  setup_tokens: SetupTokensTable;
  sign_in_failures: SignInFailuresTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  organisations: OrganisationsTable;
  rollout_phases: RolloutPhasesTable;
  network_regions: NetworkRegionsTable;
  network_partners: NetworkPartnersTable;
  intakes: IntakesTable;
  scheduled_tasks: ScheduledTasksTable;
  engine_jobs: EngineJobsTable;
}
