import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

/** The SQL of the members' data-rights contributor: only rows about one person. */

export async function findProfileIdentity(x: Executor, userId: number) {
  return x
    .selectFrom('member_profiles')
    .select(['name', 'contact_email', 'registration_number'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function findProfileForExport(x: Executor, userId: number) {
  return x
    .selectFrom('member_profiles as p')
    .leftJoin('organisations as o', 'o.id', 'p.organisation_id')
    .leftJoin('specialties as s', 's.id', 'p.specialty_id')
    .select([
      'p.name',
      'p.profession',
      'p.registration_number',
      'p.registration_verified_at',
      's.name as specialty',
      'o.name as organisation',
      'o.ods_code as organisation_ods_code',
      'p.job_title',
      'p.region_code',
      'p.intake_id',
      'p.interests',
      'p.expertise',
      'p.leadership_roles',
      'p.biography',
      'p.contact_email',
      'p.contact_phone',
      'p.preferred_contact',
      'p.status',
      'p.status_since',
      'p.joined_on',
      'p.visibility_profile',
      'p.visibility_contact',
      'p.visibility_professional',
      'p.visibility_interests',
      'p.visibility_projects',
      'p.visibility_biography',
      'p.visibility_photo',
      'p.has_photo',
      'p.erased_at',
      'p.created_at',
      'p.updated_at',
    ])
    .where('p.user_id', '=', userId)
    .executeTakeFirst();
}

export async function findPhoto(x: Executor, userId: number) {
  return x
    .selectFrom('member_photos')
    .select(['content_type', 'data', 'updated_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function listProjects(x: Executor, userId: number) {
  return x
    .selectFrom('member_projects')
    .select(['title', 'summary', 'stage', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

export async function listEmployment(x: Executor, userId: number) {
  return x
    .selectFrom('employment_history as e')
    .innerJoin('organisations as o', 'o.id', 'e.organisation_id')
    .select(['o.name as organisation', 'o.ods_code', 'e.job_title', 'e.started_on', 'e.ended_on'])
    .where('e.user_id', '=', userId)
    .orderBy('e.started_on')
    .execute();
}

export async function listErasureRequests(x: Executor, userId: number) {
  return x
    .selectFrom('erasure_requests')
    .select(['id', 'reason', 'status', 'requested_at', 'decided_at', 'decision_note'])
    .where('user_id', '=', userId)
    .orderBy('requested_at')
    .execute();
}

export async function deleteMemberRecords(x: Executor, userId: number) {
  await x.deleteFrom('member_projects').where('user_id', '=', userId).execute();
  await x.deleteFrom('member_photos').where('user_id', '=', userId).execute();
  await x.deleteFrom('employment_history').where('user_id', '=', userId).execute();
  await x
    .updateTable('erasure_requests')
    .set({ reason: null, decision_note: null })
    .where('user_id', '=', userId)
    .execute();
}

/**
 * The profile row stays with its region, intake, profession and dates, so counts stay right; every
 * field that could name the person goes, and it leaves every search (status `left`, `erased_at`).
 */
export async function anonymiseProfile(x: Executor, userId: number, label: string) {
  await sql`update member_profiles set name = ${label}, registration_number = null, registration_verified_at = null,
      registration_verified_by = null, specialty_id = null, organisation_id = null, job_title = null,
      interests = '{}', expertise = '{}', leadership_roles = '{}', biography = null, contact_email = null,
      contact_phone = null, preferred_contact = 'none', status = 'left', status_since = current_date,
      has_photo = false, search_network = ''::tsvector, search_region = ''::tsvector, search_staff = ''::tsvector,
      visibility_profile = 'staff', erased_at = now(), updated_at = now()
    where user_id = ${userId}`.execute(x);
}

export async function findAccountName(x: Executor, userId: number) {
  return x.selectFrom('users').select(['name', 'email']).where('id', '=', userId).executeTakeFirst();
}
