import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import {
  addToSubject,
  type AfterErasure,
  type DataDownload,
  type DataRightsContributor,
  describeSubject,
  eraseSubject,
  erasedLabel,
  exportSubject,
} from '../../platform/data-rights.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import * as repo from './members.data-rights.repository.ts';
import * as membersRepo from './members.repository.ts';

/** Members: the profile, photo, projects, employment history and erasure requests. */
export const membersDataRights: DataRightsContributor = {
  module: 'members',
  title: 'Your member profile',
  personalColumns: {
    member_profiles: [
      'name',
      'registration_number',
      'job_title',
      'interests',
      'expertise',
      'leadership_roles',
      'biography',
      'contact_email',
      'contact_phone',
      'search_network',
      'search_region',
      'search_staff',
    ],
    member_projects: ['title', 'summary'],
    member_photos: ['data'],
    employment_history: ['job_title'],
    erasure_requests: ['reason', 'decision_note'],
  },
  async describe(db, subject) {
    const p = await repo.findProfileIdentity(db, subject.userId);
    if (p)
      addToSubject(subject, {
        names: [p.name],
        emails: [p.contact_email],
        registrationNumbers: [p.registration_number],
      });
    for (const r of await repo.listErasureRequests(db, subject.userId))
      addToSubject(subject, { entities: [{ type: 'erasure_request', id: r.id }] });
  },
  async exportFor(db, subject) {
    const [profile, photo, projects, employment, erasure] = await Promise.all([
      repo.findProfileForExport(db, subject.userId),
      repo.findPhoto(db, subject.userId),
      repo.listProjects(db, subject.userId),
      repo.listEmployment(db, subject.userId),
      repo.listErasureRequests(db, subject.userId),
    ]);
    return [
      { key: 'profile', title: 'Profile', records: profile ? [profile] : [] },
      {
        key: 'photo',
        title: 'Photo',
        records: photo
          ? [
              {
                contentType: photo.content_type,
                updatedAt: photo.updated_at,
                base64: photo.data.toString('base64'),
              },
            ]
          : [],
      },
      { key: 'projects', title: 'Projects', records: projects },
      { key: 'employmentHistory', title: 'Employment history', records: employment },
      {
        key: 'erasureRequests',
        title: 'Requests to erase your data',
        records: erasure.map(({ id: _id, ...r }) => r),
      },
    ];
  },
  async erase(trx, subject) {
    await repo.deleteMemberRecords(trx, subject.userId);
    await repo.anonymiseProfile(trx, subject.userId, erasedLabel(subject.userId));
  },
};

/**
 * The person's download and the national team's erasure decision, composed from every module's
 * contributor (the registry in src/data-rights.ts, passed in by the app). `runAfterErasure` does
 * what the contributors left for after the erasure's commit (the app deletes stored files).
 */
export function createDataRightsService(deps: {
  db: DB;
  contributors: readonly DataRightsContributor[];
  runAfterErasure?: (after: AfterErasure) => Promise<void>;
}) {
  const { db, contributors } = deps;

  /** Everything held about the member, every module's part (UK GDPR right of access). Audited. */
  async function downloadOwnData(actor: Actor): Promise<{ generatedAt: Date; parts: DataDownload }> {
    return db.transaction().execute(async (trx) => {
      const subject = await describeSubject(trx, contributors, actor.userId);
      const parts = await exportSubject(trx, contributors, subject);
      await recordAudit(trx, actor, {
        action: 'member.data.download',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} downloaded the data held about them`,
      });
      return { generatedAt: new Date(), parts };
    });
  }

  async function pendingRequest(trx: Executor, actor: Actor, requestId: number) {
    requireRole(actor, ['national']);
    const request = await membersRepo.findErasureRequest(trx, requestId);
    if (!request) throw new NotFoundError('Erasure request not found');
    if (request.status !== 'pending') throw new ConflictError('This request has already been decided');
    if (request.user_id === actor.userId)
      throw new ForbiddenError('Another member of the national team must decide your own request');
    return request;
  }

  /** What an approval would erase: each module's sections with how many records, for the confirm page. */
  async function previewErasure(actor: Actor, requestId: number) {
    const request = await pendingRequest(db, actor, requestId);
    const subject = await describeSubject(db, contributors, request.user_id);
    const parts = await exportSubject(db, contributors, subject);
    const account = await repo.findAccountName(db, request.user_id);
    return {
      request: { id: request.id, reason: request.reason, requestedAt: request.requested_at },
      person: { name: account?.name ?? erasedLabel(request.user_id), email: account?.email ?? '' },
      parts: parts.map((p) => ({
        title: p.title,
        sections: p.sections
          .filter((s) => s.records.length)
          .map((s) => ({ title: s.title, count: s.records.length })),
      })),
    };
  }

  /**
   * Decides an erasure request. On approval every module's contributor erases or anonymises the
   * person's data, in one transaction with the decision and its audit entry: the account row and
   * the profile stay (anonymised) so counts by region, intake and profession stay right.
   */
  async function decideErasure(
    actor: Actor,
    requestId: number,
    decision: 'approve' | 'reject',
    note: string | null,
  ) {
    const after = await db.transaction().execute(async (trx): Promise<AfterErasure | null> => {
      const request = await pendingRequest(trx, actor, requestId);
      if (decision === 'reject') {
        await membersRepo.decideErasure(trx, requestId, {
          status: 'rejected',
          decidedBy: actor.userId,
          note,
        });
        await recordAudit(trx, actor, {
          action: 'member.erasure.reject',
          entityType: 'erasure_request',
          entityId: requestId,
          summary: `Rejected erasure request #${requestId} of member #${request.user_id}`,
          details: note ? { note } : undefined,
        });
        return null;
      }
      if (!note)
        throw new ValidationError([{ field: 'note', message: 'Enter a note on why the data is erased' }]);
      const subject = await describeSubject(trx, contributors, request.user_id);
      const followUps = await eraseSubject(trx, contributors, subject);
      await membersRepo.decideErasure(trx, requestId, { status: 'approved', decidedBy: actor.userId, note });
      await recordAudit(trx, actor, {
        action: 'member.erase',
        entityType: 'erasure_request',
        entityId: requestId,
        summary: `Erased the personal data of member #${request.user_id} (request #${requestId})`,
        details: { note, modules: contributors.map((c) => c.module) },
      });
      return followUps;
    });
    // Only now that the erasure has committed: a rollback cannot bring a deleted file back.
    if (after && deps.runAfterErasure) await deps.runAfterErasure(after);
  }

  return { downloadOwnData, previewErasure, decideErasure };
}
export type DataRightsService = ReturnType<typeof createDataRightsService>;
