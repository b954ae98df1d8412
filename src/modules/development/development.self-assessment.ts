import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import * as totals from './development.profile-totals.ts';
import * as repo from './development.repository.ts';
import { type SelfAssessmentInput, selfAssessmentInput } from './development.schemas.ts';
import { type Clock, parseWith, round2 } from './development.shared.ts';
import { checkRatings, type Versions } from './development.versions.ts';

/**
 * Self-assessment: the form's starting point (the member's framework and last ratings), saving one,
 * the member's list, and one with the change since the one before.
 */
export function createSelfAssessment(deps: { db: DB; versions: Versions; clock: Clock }) {
  const { db } = deps;
  const { loadVersion, currentVersionFor } = deps.versions;
  const { today } = deps.clock;

  /** Saves a self-assessment; every required element rated on the version's scale, or nothing is saved. */
  async function saveSelfAssessment(actor: Actor, raw: SelfAssessmentInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(selfAssessmentInput, raw);
    return db.transaction().execute(async (trx) => {
      const current = await currentVersionFor(trx, actor.userId);
      const version = await loadVersion(trx, input.versionId);
      if (version.frameworkId !== current.frameworkId) {
        throw new ValidationError([
          {
            field: 'versionId',
            message: 'Assess yourself against the framework your region or cohort uses',
          },
        ]);
      }
      const errors = checkRatings(version, input.ratings, { requireAll: true });
      if (errors.length) throw new ValidationError(errors);
      const row = await repo.insertSelfAssessment(
        trx,
        { userId: actor.userId, versionId: version.id, regionCode: current.regionCode },
        input.ratings,
      );
      await totals.refreshMemberProfile(trx, actor.userId, version.id, today(), ['self']);
      await recordAudit(trx, actor, {
        action: 'development.self-assessment.create',
        entityType: 'dev_self_assessment',
        entityId: row.id,
        summary: `Recorded a self-assessment against ${version.frameworkName} (${input.ratings.length} competencies)`,
      });
      return { id: row.id };
    });
  }

  async function listSelfAssessments(actor: Actor, page: number, pageSize: number) {
    requireRole(actor, ['member']);
    const { rows, total } = await repo.selectSelfAssessmentsOf(
      db,
      actor.userId,
      pageSize,
      (page - 1) * pageSize,
    );
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        versionId: r.version_id,
        framework: `${r.framework_name} (version ${r.version_number})`,
        meanRating: r.mean_rating === null ? null : round2(Number(r.mean_rating)),
      })),
    };
  }

  /** One of the member's own self-assessments, with the change since the one before (same framework). */
  async function getSelfAssessment(actor: Actor, id: number) {
    requireRole(actor, ['member']);
    const a = await repo.selectSelfAssessment(db, id);
    if (!a || a.user_id !== actor.userId) throw new NotFoundError('There is no such self-assessment');
    const version = await loadVersion(db, a.version_id);
    const previous = await repo.selectPreviousSelfAssessment(db, {
      userId: actor.userId,
      frameworkId: version.frameworkId,
      before: { createdAt: a.created_at, id: a.id },
    });
    const [ratings, previousRatings] = await Promise.all([
      repo.selectSelfRatings(db, a.id),
      previous ? repo.selectSelfRatings(db, previous.id) : Promise.resolve([]),
    ]);
    // Versions may differ: match elements by name within their domain.
    const prior = new Map(previousRatings.map((r) => [`${r.domain}|${r.element}`.toLowerCase(), r.rating]));
    const labels = new Map(version.scale.map((s) => [s.value, s.label]));
    return {
      id: a.id,
      createdAt: a.created_at,
      versionId: a.version_id,
      version,
      previous: previous ? { id: previous.id, createdAt: previous.created_at } : null,
      ratings: ratings.map((r) => {
        const before = prior.get(`${r.domain}|${r.element}`.toLowerCase()) ?? null;
        return {
          elementId: r.element_id,
          element: r.element,
          domain: r.domain,
          rating: r.rating,
          label: labels.get(r.rating) ?? String(r.rating),
          evidence: r.evidence,
          previousRating: before,
          change: before === null ? null : r.rating - before,
        };
      }),
    };
  }

  /** The form's starting point: the member's framework and their last ratings on it, as hints. */
  async function prepareSelfAssessment(actor: Actor) {
    requireRole(actor, ['member']);
    const current = await currentVersionFor(db, actor.userId);
    const version = await loadVersion(db, current.versionId);
    const previous = await repo.selectPreviousSelfAssessment(db, {
      userId: actor.userId,
      frameworkId: current.frameworkId,
      before: null,
    });
    const previousRatings = previous ? await repo.selectSelfRatings(db, previous.id) : [];
    const labels = new Map(version.scale.map((s) => [s.value, s.label]));
    const lastTime: Record<number, string> = {};
    for (const d of version.domains)
      for (const e of d.elements) {
        const r = previousRatings.find(
          (p) =>
            p.element.toLowerCase() === e.name.toLowerCase() &&
            p.domain.toLowerCase() === d.name.toLowerCase(),
        );
        if (r) lastTime[e.id] = `${labels.get(r.rating) ?? r.rating} (${r.rating})`;
      }
    return {
      version,
      previous: previous ? { id: previous.id, createdAt: previous.created_at } : null,
      lastTime,
    };
  }

  return { prepareSelfAssessment, saveSelfAssessment, listSelfAssessments, getSelfAssessment };
}
