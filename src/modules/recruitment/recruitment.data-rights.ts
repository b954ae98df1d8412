import { addToSubject, type DataRightsContributor, erasedLabel } from '../../platform/data-rights.ts';
import * as repo from './recruitment.data-rights.repository.ts';

function keysOf(subject: { userId: number; emails: string[]; registrationNumbers: string[] }) {
  return { userId: subject.userId, emails: subject.emails, registrationNumbers: subject.registrationNumbers };
}

/** Recruitment: the person's applications, their sponsors' endorsements, drafts and quota requests. */
export const recruitmentDataRights: DataRightsContributor = {
  module: 'recruitment',
  title: 'Recruitment',
  personalColumns: {
    applications: [
      'given_name',
      'family_name',
      'email',
      'phone',
      'registration_number',
      'employer_name',
      'job_title',
      'role_summary',
      'leadership_experience',
      'motivation',
      'sponsor_name',
      'sponsor_email',
      'decision_reason',
      'status_token_hash',
      'search_text',
    ],
    application_drafts: ['token_hash', 'data'],
    endorsements: ['token_hash', 'comment'],
    quota_requests: ['requested_by_label', 'reason', 'decided_by_label', 'decision_note'],
  },
  async describe(db, subject) {
    for (const a of await repo.listApplicationsOf(db, keysOf(subject)))
      addToSubject(subject, {
        names: [a.given_name, a.family_name, `${a.given_name} ${a.family_name}`],
        emails: [a.email],
        registrationNumbers: [a.registration_number],
        entities: [{ type: 'application', id: a.id }],
      });
  },
  async exportFor(db, subject) {
    const applications = await repo.listApplicationsOf(db, keysOf(subject));
    const [endorsements, drafts, quotaRequests] = await Promise.all([
      repo.listEndorsementsOf(
        db,
        applications.map((a) => a.id),
      ),
      repo.listDraftsOf(db, subject.emails),
      repo.listQuotaRequestsBy(db, subject.userId),
    ]);
    const refOf = new Map(applications.map((a) => [a.id, a.reference]));
    return [
      {
        key: 'applications',
        title: 'Applications to join',
        records: applications.map(({ id: _id, ...a }) => a),
      },
      {
        // The sponsor's comment is theirs, written to the review team: the person sees the outcome.
        key: 'endorsements',
        title: 'Sponsor endorsements',
        records: endorsements.map(({ application_id, ...e }) => ({
          application: refOf.get(application_id),
          ...e,
        })),
      },
      {
        key: 'applicationDrafts',
        title: 'Applications started and not sent',
        records: drafts.map((d) => ({ answers: d.data, updated_at: d.updated_at, expires_at: d.expires_at })),
      },
      { key: 'quotaRequests', title: 'Requests for more places you made', records: quotaRequests },
    ];
  },
  async erase(trx, subject) {
    const label = erasedLabel(subject.userId);
    const applications = await repo.listApplicationsOf(trx, keysOf(subject));
    await repo.anonymiseApplications(
      trx,
      applications.map((a) => a.id),
      label,
    );
    const drafts = await repo.listDraftsOf(trx, subject.emails);
    await repo.deleteDrafts(
      trx,
      drafts.map((d) => d.token_hash),
    );
    await repo.anonymiseQuotaRequests(
      trx,
      subject.userId,
      subject.names.flatMap((n) => subject.emails.map((e) => `${n} <${e}>`)),
      label,
    );
  },
};
