import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import * as repo from './development.repository.ts';
import {
  type GoalInput,
  goalInput,
  planInput,
  reviewInput,
  type SharingInput,
  sharingInput,
} from './development.schemas.ts';
import { parseWith } from './development.shared.ts';
import type { Versions } from './development.versions.ts';

/** What a plan's visibility depends on. */
export type PlanAccessFacts = {
  userId: number;
  regionCode: string | null;
  shareWithMentor: boolean;
  shareWithFacilitator: boolean;
};

/**
 * Development plans: the member's plans and goals, sharing a plan with their mentor or facilitator,
 * and their reviews of it.
 */
export function createPlans(deps: {
  db: DB;
  versions: Versions;
  /** From the mentoring module (see DevelopmentDeps): whether this mentor currently mentors this member. */
  isMentorOf: (x: Executor, mentorUserId: number, memberUserId: number) => Promise<boolean>;
}) {
  const { db } = deps;
  const { loadVersion, currentVersionFor } = deps.versions;

  /**
   * Who may see a plan: its owner; a mentor or facilitator only when the member shared it with them.
   * A facilitator must work in the member's region; a mentor must mentor them (the mentoring module
   * answers that, on the executor given: the transaction's when the check guards a write). The
   * national team gets no special view: a plan is personal.
   */
  async function canViewPlan(
    x: Executor,
    actor: Pick<Actor, 'userId' | 'roles'>,
    plan: PlanAccessFacts,
  ): Promise<boolean> {
    if (actor.userId === plan.userId) return true;
    if (plan.shareWithFacilitator && plan.regionCode) {
      if (actor.roles.some((g) => g.role === 'facilitator' && g.regionCode === plan.regionCode)) return true;
    }
    if (plan.shareWithMentor && actor.roles.some((g) => g.role === 'mentor'))
      return deps.isMentorOf(x, actor.userId, plan.userId);
    return false;
  }

  async function createPlan(actor: Actor, raw: unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(planInput, raw);
    return db.transaction().execute(async (trx) => {
      const current = await currentVersionFor(trx, actor.userId);
      const plan = await repo.insertPlan(trx, {
        userId: actor.userId,
        versionId: current.versionId,
        regionCode: current.regionCode,
        title: input.title,
      });
      await recordAudit(trx, actor, {
        action: 'development.plan.create',
        entityType: 'dev_plan',
        entityId: plan.id,
        summary: `Created the development plan "${input.title}"`,
      });
      return { id: plan.id };
    });
  }

  async function listPlans(actor: Actor, page: number, pageSize: number) {
    requireRole(actor, ['member']);
    const { rows, total } = await repo.selectPlansOf(db, actor.userId, pageSize, (page - 1) * pageSize);
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        title: r.title,
        goals: Number(r.goals),
        shareWithMentor: r.share_with_mentor,
        shareWithFacilitator: r.share_with_facilitator,
        updatedAt: r.updated_at,
      })),
    };
  }

  async function visiblePlan(x: Executor, actor: Actor, planId: number) {
    const plan = await repo.selectPlan(x, planId);
    // Someone who may not see a plan is told it does not exist, not that it is private.
    if (
      !plan ||
      !(await canViewPlan(x, actor, {
        userId: plan.user_id,
        regionCode: plan.region_code,
        shareWithMentor: plan.share_with_mentor,
        shareWithFacilitator: plan.share_with_facilitator,
      }))
    )
      throw new NotFoundError('There is no such development plan');
    return plan;
  }

  async function ownPlan(x: Executor, actor: Actor, planId: number) {
    const plan = await repo.selectPlan(x, planId);
    if (!plan || plan.user_id !== actor.userId) throw new NotFoundError('There is no such development plan');
    return plan;
  }

  async function getPlan(actor: Actor, planId: number) {
    const plan = await visiblePlan(db, actor, planId);
    const [goals, reviews] = await Promise.all([
      repo.selectGoals(db, planId),
      repo.selectReviews(db, planId),
    ]);
    return {
      id: plan.id,
      title: plan.title,
      versionId: plan.version_id,
      framework: `${plan.framework_name} (version ${plan.version_number})`,
      shareWithMentor: plan.share_with_mentor,
      shareWithFacilitator: plan.share_with_facilitator,
      isOwner: plan.user_id === actor.userId,
      owner: { id: plan.user_id, name: plan.owner_name },
      regionCode: plan.region_code,
      goals: goals.map((g) => ({
        id: g.id,
        elementId: g.element_id,
        element: g.element,
        domain: g.domain,
        title: g.title,
        actions: g.actions,
        evidence: g.evidence,
        targetDate: g.target_date,
        status: g.status,
      })),
      reviews: reviews.map((r) => ({
        id: r.id,
        author: r.author_name,
        notes: r.notes,
        createdAt: r.created_at,
      })),
    };
  }

  async function updateSharing(actor: Actor, planId: number, raw: SharingInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(sharingInput, raw);
    await db.transaction().execute(async (trx) => {
      const plan = await ownPlan(trx, actor, planId);
      await repo.updatePlanSharing(trx, planId, input);
      const said = (on: boolean) => (on ? 'shared with' : 'not shared with');
      await recordAudit(trx, actor, {
        action: 'development.plan.share',
        entityType: 'dev_plan',
        entityId: planId,
        summary: `Plan "${plan.title}" ${said(input.shareWithMentor)} mentor, ${said(input.shareWithFacilitator)} facilitator`,
        details: input,
      });
    });
  }

  async function checkGoalElement(x: Executor, plan: { version_id: number }, elementId: number) {
    if (!(await repo.selectElementInVersion(x, elementId, plan.version_id))) {
      const v = await loadVersion(x, plan.version_id);
      throw new ValidationError([
        {
          field: 'elementId',
          message: `Choose a competency from ${v.frameworkName} (version ${v.versionNumber}), the framework this plan uses`,
        },
      ]);
    }
  }

  async function addGoal(actor: Actor, planId: number, raw: GoalInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(goalInput, raw);
    return db.transaction().execute(async (trx) => {
      const plan = await ownPlan(trx, actor, planId);
      await checkGoalElement(trx, plan, input.elementId);
      const goal = await repo.insertGoal(trx, { planId, ...input });
      await repo.touchPlan(trx, planId);
      await recordAudit(trx, actor, {
        action: 'development.plan.goal.create',
        entityType: 'dev_plan',
        entityId: planId,
        summary: `Added the goal "${input.title}" to plan "${plan.title}"`,
        details: { goalId: goal.id },
      });
      return { id: goal.id };
    });
  }

  async function getGoal(actor: Actor, goalId: number) {
    requireRole(actor, ['member']);
    const goal = await repo.selectGoal(db, goalId);
    if (!goal) throw new NotFoundError('There is no such goal');
    const plan = await ownPlan(db, actor, goal.plan_id);
    return { goal, plan: { id: plan.id, title: plan.title, versionId: plan.version_id } };
  }

  async function updateGoal(actor: Actor, goalId: number, raw: GoalInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(goalInput, raw);
    return db.transaction().execute(async (trx) => {
      const goal = await repo.selectGoal(trx, goalId);
      if (!goal) throw new NotFoundError('There is no such goal');
      const plan = await ownPlan(trx, actor, goal.plan_id);
      await checkGoalElement(trx, plan, input.elementId);
      await repo.updateGoal(trx, goalId, input);
      await repo.touchPlan(trx, plan.id);
      await recordAudit(trx, actor, {
        action: 'development.plan.goal.update',
        entityType: 'dev_plan',
        entityId: plan.id,
        summary: `Updated the goal "${input.title}" (${input.status})`,
        details: { goalId },
      });
      return { planId: plan.id };
    });
  }

  async function addReview(actor: Actor, planId: number, raw: unknown) {
    const input = parseWith(reviewInput, raw);
    return db.transaction().execute(async (trx) => {
      const plan = await visiblePlan(trx, actor, planId);
      const review = await repo.insertReview(trx, {
        planId,
        authorUserId: actor.userId,
        authorName: actor.name,
        notes: input.notes,
      });
      await repo.touchPlan(trx, planId);
      await recordAudit(trx, actor, {
        action: 'development.plan.review',
        entityType: 'dev_plan',
        entityId: planId,
        summary: `Reviewed the development plan "${plan.title}"`,
        details: { reviewId: review.id },
      });
      return { id: review.id };
    });
  }

  /** Plans members have shared with this mentor or facilitator. */
  async function listSharedPlans(actor: Actor, page: number, pageSize: number) {
    requireRole(actor, ['mentor', 'facilitator']);
    const regionsOf = (role: 'mentor' | 'facilitator'): 'all' | string[] => {
      const grants = actor.roles.filter((g) => g.role === role);
      if (grants.some((g) => g.regionCode === null)) return 'all';
      return grants.map((g) => g.regionCode as string);
    };
    const { rows, total } = await repo.selectSharedPlans(db, {
      mentorRegions: regionsOf('mentor'),
      facilitatorRegions: regionsOf('facilitator'),
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    const visible = [];
    for (const r of rows) {
      const plan = await repo.selectPlan(db, r.id);
      if (
        plan &&
        (await canViewPlan(db, actor, {
          userId: plan.user_id,
          regionCode: plan.region_code,
          shareWithMentor: plan.share_with_mentor,
          shareWithFacilitator: plan.share_with_facilitator,
        }))
      )
        visible.push({
          id: r.id,
          title: r.title,
          owner: r.owner_name,
          regionCode: r.region_code,
          updatedAt: r.updated_at,
        });
    }
    return { total, rows: visible };
  }

  return {
    canViewPlan,
    createPlan,
    listPlans,
    getPlan,
    updateSharing,
    addGoal,
    getGoal,
    updateGoal,
    addReview,
    listSharedPlans,
  };
}
