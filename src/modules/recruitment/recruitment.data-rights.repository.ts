import { type Expression, type SqlBool, sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

/** The SQL of the recruitment data-rights contributor: only rows about one person. */

export type ApplicantKeys = { userId: number; emails: string[]; registrationNumbers: string[] };

function applicationOf(k: ApplicantKeys): Expression<SqlBool> {
  const parts = [sql<SqlBool>`a.user_id = ${k.userId}`];
  if (k.emails.length)
    parts.push(sql<SqlBool>`lower(a.email) in (${sql.join(k.emails.map((e) => e.toLowerCase()))})`);
  if (k.registrationNumbers.length)
    parts.push(sql<SqlBool>`a.registration_number in (${sql.join(k.registrationNumbers)})`);
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/** The person's applications: linked to their account, or made with their email or registration number. */
export async function listApplicationsOf(x: Executor, k: ApplicantKeys) {
  return x
    .selectFrom('applications as a')
    .select([
      'a.id',
      'a.reference',
      'a.intake_id',
      'a.region_code',
      'a.status',
      'a.given_name',
      'a.family_name',
      'a.email',
      'a.phone',
      'a.profession',
      'a.register',
      'a.registration_number',
      'a.employer_ods_code',
      'a.employer_name',
      'a.job_title',
      'a.role_summary',
      'a.leadership_experience',
      'a.motivation',
      'a.sponsor_name',
      'a.sponsor_email',
      'a.consent_at',
      'a.privacy_notice_version',
      'a.waitlist_rank',
      'a.decision_reason',
      'a.source',
      'a.submitted_at',
      'a.decided_at',
      'a.offered_at',
      'a.offer_expires_on',
      'a.accepted_at',
      'a.withdrawn_at',
    ])
    .where(applicationOf(k))
    .orderBy('a.submitted_at')
    .execute();
}

export async function listEndorsementsOf(x: Executor, applicationIds: number[]) {
  if (!applicationIds.length) return [];
  return x
    .selectFrom('endorsements')
    .select(['application_id', 'status', 'responded_at', 'expires_at', 'reminders_sent'])
    .where('application_id', 'in', applicationIds)
    .execute();
}

/** Drafts are keyed by a cookie's hash only; the person's are those with one of their emails. */
export async function listDraftsOf(x: Executor, emails: string[]) {
  if (!emails.length) return [];
  return x
    .selectFrom('application_drafts')
    .select(['token_hash', 'data', 'updated_at', 'expires_at'])
    .where(sql<SqlBool>`lower(data->>'email') in (${sql.join(emails.map((e) => e.toLowerCase()))})`)
    .execute();
}

export async function listQuotaRequestsBy(x: Executor, userId: number) {
  return x
    .selectFrom('quota_requests')
    .select([
      'region_code',
      'current_quota',
      'requested_quota',
      'reason',
      'status',
      'created_at',
      'decided_at',
    ])
    .where('requested_by_user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

/**
 * Applications stay (status, region, intake, profession and dates) so the recruitment counts stay
 * right; everything that names the person or that they wrote goes, and the sponsor's link with it.
 */
export async function anonymiseApplications(x: Executor, ids: number[], label: string) {
  if (!ids.length) return;
  await x.deleteFrom('endorsements').where('application_id', 'in', ids).execute();
  await sql`update applications set given_name = 'Erased', family_name = ${label},
      email = 'erased-application-' || id || '@erased.invalid', phone = null,
      registration_number = 'ERASED-' || id, employer_name = 'Erased', job_title = '', role_summary = '',
      leadership_experience = '', motivation = '', sponsor_name = 'Erased',
      sponsor_email = 'erased-sponsor-' || id || '@erased.invalid', decision_reason = null,
      status_token_hash = null, updated_at = now()
    where id in (${sql.join(ids)})`.execute(x);
}

export async function deleteDrafts(x: Executor, tokenHashes: string[]) {
  if (tokenHashes.length)
    await x.deleteFrom('application_drafts').where('token_hash', 'in', tokenHashes).execute();
}

/** Quota requests are the region's decisions: they stay, without the person's name or words. */
export async function anonymiseQuotaRequests(
  x: Executor,
  userId: number,
  /** The labels the person's decisions were signed with (`Name <email>`). */
  decidedByLabels: string[],
  label: string,
) {
  await x
    .updateTable('quota_requests')
    .set({ requested_by_label: label, reason: 'Erased' })
    .where('requested_by_user_id', '=', userId)
    .execute();
  if (decidedByLabels.length)
    await x
      .updateTable('quota_requests')
      .set({ decided_by_label: label, decision_note: null })
      .where('decided_by_label', 'in', decidedByLabels)
      .execute();
}
