import * as repo from './audit.data-rights.repository.ts';
import { type DataRightsContributor, type DataSubject, erasedLabel } from './data-rights.ts';

function patternFor(subject: DataSubject): string | null {
  return repo.wordsPattern([...subject.emails, ...subject.names, ...subject.registrationNumbers]);
}

/** Entity types whose audit summaries the person may read in full (records about them alone). */
const OWN_ENTITY_TYPES = new Set(['user', 'member', 'application', 'erasure_request']);

/** The audit log: what the person did, and what was done to their records. */
export const auditDataRights: DataRightsContributor = {
  module: 'audit',
  title: 'Audit entries about you',
  personalColumns: { audit_log: ['actor_label', 'summary', 'details', 'ip'] },
  async exportFor(db, subject) {
    const rows = await repo.listAuditAbout(db, subject.userId, subject.entities);
    return [
      {
        key: 'auditTrail',
        title: 'What you did and what was done to your records',
        records: rows.map((r) => {
          const own = r.actor_user_id === subject.userId;
          return {
            at: r.at,
            action: r.action,
            by: own ? 'You' : r.actor_user_id === null ? 'The system or a visitor' : 'A member of staff',
            // Summaries about shared records (a feedback round, a mentoring match) can name others.
            summary: own || OWN_ENTITY_TYPES.has(r.entity_type) ? r.summary : null,
          };
        }),
      },
    ];
  },
  async erase(trx, subject) {
    await repo.scrubAudit(
      trx,
      subject.userId,
      subject.entities,
      erasedLabel(subject.userId),
      patternFor(subject),
    );
  },
};

/** The outbox: emails sent to the person, and emails to others that name them. */
export const outboxDataRights: DataRightsContributor = {
  module: 'emails',
  title: 'Emails sent to you',
  personalColumns: { outbox: ['to_address', 'subject', 'body_text', 'last_error'] },
  async exportFor(db, subject) {
    return [{ key: 'emails', title: 'Emails', records: await repo.listEmailsTo(db, subject.emails) }];
  },
  async erase(trx, subject) {
    await repo.scrubOutbox(trx, subject.emails, patternFor(subject));
  },
};

/**
 * Long calculations (set formation, matching runs): who started one, and a failure message that can
 * name a facilitator whose capacity changed meanwhile.
 */
export const engineJobsDataRights: DataRightsContributor = {
  module: 'calculations',
  title: 'Calculations you started',
  personalColumns: { engine_jobs: ['error'] },
  async exportFor(db, subject) {
    const rows = await repo.listEngineJobsStartedBy(db, subject.userId);
    return [
      {
        key: 'jobs',
        title: 'Set formations and matching runs you started',
        records: rows.map((r) => ({
          kind: r.kind,
          status: r.status,
          startedAt: r.started_at,
          finishedAt: r.finished_at,
        })),
      },
    ];
  },
  async erase(trx, subject) {
    await repo.scrubEngineJobs(trx, subject.userId, patternFor(subject));
  },
};
