import type { DB, Executor } from '../../db/database.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { type Actor, hasRole, isNational, requireRole } from '../../platform/permissions.ts';
import * as repo from './learning-sets.repository.ts';

/**
 * Who may reach a set, a session or a formation (internal: the sections are given it, and the
 * service exposes only isStaffOf).
 */
export function createAccess(deps: { db: DB }) {
  const { db } = deps;

  /** Regional lead of the region (or national): forms sets and manages facilitators. */
  function requireLead(actor: Actor, regionCode: string) {
    requireRole(actor, ['regional-lead'], regionCode);
  }

  function isStaffOf(actor: Actor, regionCode: string) {
    return (
      isNational(actor) ||
      hasRole(actor, 'regional-lead', regionCode) ||
      hasRole(actor, 'facilitator', regionCode)
    );
  }

  type SetRow = NonNullable<Awaited<ReturnType<typeof repo.findSet>>>;

  /**
   * Who may see a set: its members and facilitator once published; the region's lead and
   * facilitators and the national team always. Anyone else gets 404, so a set's existence is not
   * revealed to other regions or sets.
   */
  async function loadSetFor(actor: Actor, setId: number, executor: Executor = db) {
    const found = await repo.findSetWithMemberIds(executor, setId);
    if (!found) throw new NotFoundError('There is no such action learning set');
    return checkSetAccess(actor, found.set, found.memberIds);
  }

  function checkSetAccess(actor: Actor, set: SetRow, memberIds: number[]) {
    const staff = isStaffOf(actor, set.region_code);
    const member = memberIds.includes(actor.userId);
    if (!staff) {
      if (set.formation_status !== 'published')
        throw new NotFoundError('There is no such action learning set');
      if (!member && set.facilitator_user_id !== actor.userId)
        throw new NotFoundError('There is no such action learning set');
    }
    return { set, memberIds, staff, member, canManage: canManageSet(actor, set) };
  }

  /** The set's facilitator, the region's lead, or the national team run sessions and record them. */
  function canManageSet(actor: Actor, set: SetRow) {
    return (
      isNational(actor) ||
      hasRole(actor, 'regional-lead', set.region_code) ||
      (hasRole(actor, 'facilitator', set.region_code) && set.facilitator_user_id === actor.userId)
    );
  }

  function requireManage(actor: Actor, set: SetRow) {
    if (!canManageSet(actor, set))
      throw new ForbiddenError('Only the set’s facilitator or the regional lead can do that');
    if (set.formation_status !== 'published')
      throw new ConflictError('Publish the sets before scheduling sessions');
  }

  /** A session and its set, as loadSetFor checks access (a set the actor may not see: 404). */
  async function loadSession(actor: Actor, sessionId: number, executor: Executor = db) {
    const found = await repo.findSessionWithSet(executor, sessionId);
    if (!found) throw new NotFoundError('There is no such session');
    return { session: found.session, ...checkSetAccess(actor, found.set, found.memberIds) };
  }

  /** A formation, for the region's lead and the national team only (anyone else: 404). */
  async function loadFormation(actor: Actor, id: number, executor: Executor = db) {
    const formation = await repo.findFormation(executor, id);
    if (!formation) throw new NotFoundError('There is no such set formation');
    if (!isNational(actor) && !hasRole(actor, 'regional-lead', formation.region_code))
      throw new NotFoundError('There is no such set formation');
    return formation;
  }

  return { requireLead, isStaffOf, loadSetFor, checkSetAccess, requireManage, loadSession, loadFormation };
}
export type Access = ReturnType<typeof createAccess>;
