import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { type Actor, hasRole, isNational, requireRole } from '../../platform/permissions.ts';
import { requirePolicyTeam } from './policy.access.ts';
import * as shared from './policy.repository.ts';
import * as repo from './policy.staff.repository.ts';
import type { OwnRoleInput, StaffInput } from './policy.staff.schemas.ts';

export const STAFF_PAGE_SIZE = 50;

export type StaffView = {
  userId: number;
  name: string;
  email: string;
  roleTitle: string | null;
  safetyLead: boolean;
  updatedAt: Date | null;
};

type StaffRow = {
  id: number;
  name: string;
  email: string;
  role_title: string | null;
  safety_lead: boolean | null;
  updated_at: Date | null;
};
const present = (r: StaffRow): StaffView => ({
  userId: r.id,
  name: r.name,
  email: r.email,
  roleTitle: r.role_title,
  safetyLead: r.safety_lead === true,
  updatedAt: r.updated_at,
});

/**
 * Policy staff: the named role each policy maker answers under ("Deputy Director, Urgent and
 * Emergency Care, DHSC") and who the named patient-safety leads are. The national team records
 * both; a policy maker may change their own role title. Every change is audited.
 */
export function createStaff(deps: { db: DB }) {
  const { db } = deps;

  async function listStaff(actor: Actor, page: number) {
    requirePolicyTeam(actor);
    const [{ rows, total }, leads] = await Promise.all([
      repo.listStaff(db, { limit: STAFF_PAGE_SIZE, offset: (page - 1) * STAFF_PAGE_SIZE }),
      repo.listSafetyLeads(db),
    ]);
    return {
      staff: rows.map(present),
      total,
      page,
      pageSize: STAFF_PAGE_SIZE,
      noSafetyLead: leads.length === 0,
    };
  }

  async function getStaff(actor: Actor, userId: number): Promise<StaffView> {
    requireRole(actor, ['national']);
    const row = await repo.findStaffCandidate(db, userId);
    if (!row) throw new NotFoundError('There is no such policy maker');
    return present(row);
  }

  /** The actor's own record (null when none is recorded yet). */
  async function getOwnStaff(actor: Actor): Promise<StaffView | null> {
    requirePolicyTeam(actor);
    const row = await repo.findStaffCandidate(db, actor.userId);
    return row && row.role_title !== null ? present(row) : null;
  }

  async function saveStaff(actor: Actor, userId: number, input: StaffInput): Promise<StaffView> {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const person = await repo.findStaffCandidate(trx, userId);
      if (!person) throw new NotFoundError('There is no such policy maker');
      await repo.upsertStaff(trx, {
        user_id: userId,
        role_title: input.roleTitle,
        safety_lead: input.safetyLead,
      });
      await recordAudit(trx, actor, {
        action: 'policy.staff.save',
        entityType: 'user',
        entityId: userId,
        summary:
          `Recorded ${person.name} as ${input.roleTitle}` +
          (input.safetyLead ? ', a named patient-safety lead' : ', not a patient-safety lead'),
        details: {
          before: { roleTitle: person.role_title, safetyLead: person.safety_lead === true },
          after: input,
        },
      });
    });
    return getStaff(actor, userId);
  }

  /** A policy maker (or national) changes the role they answer under; safety lead stays as the national team set it. */
  async function saveOwnRole(actor: Actor, input: OwnRoleInput): Promise<StaffView> {
    requirePolicyTeam(actor);
    if (!hasRole(actor, 'policy-maker') && !isNational(actor)) throw new ForbiddenError();
    await db.transaction().execute(async (trx) => {
      const person = await repo.findStaffCandidate(trx, actor.userId);
      if (!person) throw new ForbiddenError();
      await repo.upsertStaff(trx, {
        user_id: actor.userId,
        role_title: input.roleTitle,
        safety_lead: person.safety_lead === true,
      });
      await recordAudit(trx, actor, {
        action: 'policy.staff.role',
        entityType: 'user',
        entityId: actor.userId,
        summary: `Changed their named role to ${input.roleTitle}`,
        details: { before: person.role_title, after: input.roleTitle },
      });
    });
    const own = await getOwnStaff(actor);
    if (!own) throw new ConflictError('Your named role could not be saved');
    return own;
  }

  return { listStaff, getStaff, getOwnStaff, saveStaff, saveOwnRole };
}
export type PolicyStaff = ReturnType<typeof createStaff>;

/**
 * The role a member of the policy team answers under, read in the caller's transaction; refuses
 * with a message that says what to do when none is recorded.
 */
export async function requireNamedRole(x: Executor, actor: Actor): Promise<string> {
  const staff = await shared.findStaff(x, actor.userId);
  if (!staff)
    throw new ConflictError(
      'Record your named role on the policy staff page first: answers are given under it',
    );
  return staff.role_title;
}
