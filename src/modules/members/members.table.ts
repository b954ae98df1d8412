import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DateString } from '../../db/platform.tables.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** tsvector columns are written with SQL (to_tsvector) and never read back as values. */
type TsVector = ColumnType<string, never, never>;
/** text[] columns: read as arrays, written as arrays. */
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export type Visibility = 'network' | 'region' | 'staff';
export type MembershipStatus = 'active' | 'on-leave' | 'alumnus' | 'left';

export interface SpecialtiesTable {
  id: Generated<number>;
  profession: string;
  name: string;
  created_at: Generated<Date>;
}

export interface MemberProfilesTable {
  user_id: number;
  name: string;
  profession: string | null;
  registration_number: string | null;
  registration_verified_at: NullableTimestamp;
  registration_verified_by: number | null;
  specialty_id: number | null;
  organisation_id: number | null;
  job_title: string | null;
  region_code: string;
  intake_id: number | null;
  interests: TextArray;
  expertise: TextArray;
  leadership_roles: TextArray;
  biography: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  preferred_contact: Generated<string>;
  status: Generated<MembershipStatus>;
  status_since: DateString;
  joined_on: DateString;
  visibility_profile: Generated<Visibility>;
  visibility_contact: Generated<Visibility>;
  visibility_professional: Generated<Visibility>;
  visibility_interests: Generated<Visibility>;
  visibility_projects: Generated<Visibility>;
  visibility_biography: Generated<Visibility>;
  visibility_photo: Generated<Visibility>;
  has_photo: Generated<boolean>;
  search_network: TsVector;
  search_region: TsVector;
  search_staff: TsVector;
  erased_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type MemberProfileRow = Selectable<MemberProfilesTable>;

export interface MemberProjectsTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  summary: string;
  stage: string;
  created_at: Generated<Date>;
}

export interface MemberPhotosTable {
  user_id: number;
  content_type: string;
  data: Buffer;
  updated_at: Generated<Date>;
}

export interface EmploymentHistoryTable {
  id: Generated<number>;
  user_id: number;
  organisation_id: number;
  job_title: string | null;
  started_on: DateString;
  ended_on: DateString | null;
}

export interface ErasureRequestsTable {
  id: Generated<number>;
  user_id: number;
  reason: string | null;
  status: Generated<'pending' | 'approved' | 'rejected'>;
  requested_at: Generated<Date>;
  decided_by: number | null;
  decided_at: NullableTimestamp;
  decision_note: string | null;
}

/** Table types of the members module; gathered into the Database type in src/db/database.ts. */
export interface MembersTables {
  specialties: SpecialtiesTable;
  member_profiles: MemberProfilesTable;
  member_projects: MemberProjectsTable;
  member_photos: MemberPhotosTable;
  employment_history: EmploymentHistoryTable;
  erasure_requests: ErasureRequestsTable;
}
