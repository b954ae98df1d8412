import type { DB, Executor } from '../../db/database.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.ts';
import { type Actor, hasRole, isNational } from '../../platform/permissions.ts';
import { findPolicyFacts, type PolicyFacts } from '../members/index.ts';
import * as repo from './policy.repository.ts';
import type { PolicyCallRow } from './policy.table.ts';

/** Policy makers and the national team: they run calls, answer questions and publish outcomes. */
export function isPolicyTeam(actor: Pick<Actor, 'roles'> | null | undefined): boolean {
  return isNational(actor) || hasRole(actor, 'policy-maker');
}

export function requirePolicyTeam(actor: Actor | null | undefined): Actor {
  if (!actor) throw new UnauthenticatedError();
  if (!isPolicyTeam(actor)) throw new ForbiddenError();
  return actor;
}

/** The call's owner and the national team manage it: edit, change its state, analyse, decide. */
export function canManageCall(actor: Actor, call: Pick<PolicyCallRow, 'owner_user_id'>): boolean {
  return isNational(actor) || (hasRole(actor, 'policy-maker') && call.owner_user_id === actor.userId);
}

/** True when the member's facts put them in the call's audience (empty dimensions mean everyone). */
export function inAudience(
  call: Pick<
    PolicyCallRow,
    'audience_regions' | 'audience_professions' | 'audience_specialty_ids' | 'audience_intake_id'
  >,
  facts: Pick<PolicyFacts, 'regionCode' | 'profession' | 'specialtyId' | 'intakeId'>,
): boolean {
  if (call.audience_regions.length > 0 && !call.audience_regions.includes(facts.regionCode)) return false;
  if (
    call.audience_professions.length > 0 &&
    (!facts.profession || !call.audience_professions.includes(facts.profession))
  )
    return false;
  if (
    call.audience_specialty_ids.length > 0 &&
    (facts.specialtyId === null || !call.audience_specialty_ids.includes(facts.specialtyId))
  )
    return false;
  if (call.audience_intake_id !== null && facts.intakeId !== call.audience_intake_id) return false;
  return true;
}

/** States in which a call is visible to the members it is aimed at. */
export const PUBLISHED_STATES = ['open', 'closed', 'concluded'] as const;

/**
 * Who may reach a call, shared by every part of the channel. The policy team sees every call; a
 * member sees a call once it has opened and only when they are in its audience; anyone else (or a
 * draft, for a member) gets 404, so a call's existence is not revealed outside its audience.
 */
export function createPolicyAccess(deps: { db: DB }) {
  const { db } = deps;

  async function loadCallFor(actor: Actor, callId: number, x: Executor = db) {
    const call = await repo.findCall(x, callId);
    if (!call) throw new NotFoundError('There is no such call for input');
    const team = isPolicyTeam(actor);
    const manage = canManageCall(actor, call);
    if (team) return { call, team, manage, facts: undefined };
    if (!(PUBLISHED_STATES as readonly string[]).includes(call.status))
      throw new NotFoundError('There is no such call for input');
    const facts = await findPolicyFacts(x, actor.userId);
    if (!facts || !inAudience(call, facts)) throw new NotFoundError('There is no such call for input');
    return { call, team, manage, facts };
  }

  /** The call, for someone who manages it (its owner or the national team); 403 for the rest of the team. */
  async function loadCallToManage(actor: Actor, callId: number, x: Executor = db) {
    const found = await loadCallFor(actor, callId, x);
    if (!found.manage) throw new ForbiddenError('Only the call’s owner or the national team can do that');
    return found;
  }

  return { loadCallFor, loadCallToManage, isPolicyTeam, canManageCall, inAudience };
}
export type PolicyAccess = ReturnType<typeof createPolicyAccess>;
