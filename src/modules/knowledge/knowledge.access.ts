import type { DB, Executor } from '../../db/database.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.ts';
import { type Actor, hasRole, isNational, type Role } from '../../platform/permissions.ts';
import { listGroupsOf } from '../learning-sets/index.ts';
import { findPolicyFacts } from '../members/index.ts';
import * as repo from './knowledge.repository.ts';
import type { KnowledgeItemRow } from './knowledge.table.ts';

/** Everyone signed in with a network role reads the library (applicants do not). */
export const READER_ROLES = [
  'member',
  'mentor',
  'facilitator',
  'regional-lead',
  'policy-maker',
  'partner',
  'national',
] as const satisfies readonly Role[];
/** Everyone but applicants and partners (read only) contributes items, adoptions and posts. */
export const CONTRIBUTOR_ROLES = [
  'member',
  'mentor',
  'facilitator',
  'regional-lead',
  'policy-maker',
  'national',
] as const satisfies readonly Role[];

/**
 * What decides which items a person may read: the regions they belong to (their member profile's
 * region and the regions of their regional roles; 'all' for the national team) and the published
 * learning sets they are in or facilitate.
 */
export type Reader = {
  userId: number;
  national: boolean;
  regions: 'all' | string[];
  groupIds: number[];
  /** Regions in which they moderate discussion (regional leads; 'all' for national). */
  moderates: 'all' | string[];
};

export function requireReader(actor: Actor | null | undefined): Actor {
  if (!actor) throw new UnauthenticatedError();
  if (!READER_ROLES.some((r) => hasRole(actor, r))) throw new ForbiddenError();
  return actor;
}

export function requireContributor(actor: Actor | null | undefined): Actor {
  if (!actor) throw new UnauthenticatedError();
  if (!CONTRIBUTOR_ROLES.some((r) => hasRole(actor, r))) {
    throw new ForbiddenError('Your role can read the library but not add to it');
  }
  return actor;
}

type Visible = Pick<KnowledgeItemRow, 'status' | 'visibility' | 'region_code' | 'owner_user_id'>;

/** True when the reader may see the item: see the `item` scope. */
export function canReadItem(reader: Reader, item: Visible, groupIds: readonly number[]): boolean {
  if (reader.national || item.owner_user_id === reader.userId) return true;
  if (item.status !== 'published') return false;
  if (item.visibility === 'public' || item.visibility === 'network') return true;
  if (item.visibility === 'region') {
    return (
      reader.regions === 'all' || (item.region_code !== null && reader.regions.includes(item.region_code))
    );
  }
  return groupIds.some((g) => reader.groupIds.includes(g));
}

/** The item's owner and the national team edit it, publish it and manage its share links. */
export function canManageItem(actor: Actor, item: Pick<KnowledgeItemRow, 'owner_user_id'>): boolean {
  return isNational(actor) || (item.owner_user_id !== null && item.owner_user_id === actor.userId);
}

/** The national team moderates everywhere; a regional lead moderates items of their region. */
export function canModerate(reader: Reader, item: Pick<KnowledgeItemRow, 'region_code'>): boolean {
  if (reader.moderates === 'all') return true;
  return item.region_code !== null && reader.moderates.includes(item.region_code);
}

/**
 * Who may reach an item, shared by every part of the library. An item the person may not read is a
 * 404, so a region-only or group item's existence is not revealed outside its readers.
 */
export function createKnowledgeAccess(deps: { db: DB }) {
  const { db } = deps;

  async function readerFor(actor: Actor, x: Executor = db): Promise<Reader> {
    requireReader(actor);
    const national = isNational(actor);
    const staffRegions = actor.roles
      .filter((g) => g.role === 'facilitator' || g.role === 'regional-lead')
      .map((g) => g.regionCode);
    const leadRegions = actor.roles.filter((g) => g.role === 'regional-lead').map((g) => g.regionCode);
    const facts = await findPolicyFacts(x, actor.userId);
    const regions = new Set<string>();
    if (facts) regions.add(facts.regionCode);
    for (const r of staffRegions) if (r) regions.add(r);
    const groups = await listGroupsOf(x, actor.userId);
    return {
      userId: actor.userId,
      national,
      regions: national || staffRegions.includes(null) ? 'all' : [...regions],
      groupIds: groups.map((g) => g.id),
      moderates: national || leadRegions.includes(null) ? 'all' : (leadRegions as string[]),
    };
  }

  /** The item, for someone who may read it; 404 otherwise. */
  async function loadItemFor(actor: Actor, itemId: number, x: Executor = db) {
    const reader = await readerFor(actor, x);
    const item = await repo.findItem(x, itemId);
    if (!item) throw new NotFoundError('There is no such item in the library');
    const groupIds = item.visibility === 'groups' ? await repo.listItemGroupIds(x, itemId) : [];
    if (!canReadItem(reader, item, groupIds)) throw new NotFoundError('There is no such item in the library');
    return {
      item,
      reader,
      groupIds,
      manage: canManageItem(actor, item),
      moderate: canModerate(reader, item),
    };
  }

  /** The item, for its owner or the national team; 403 for other readers, 404 for the rest. */
  async function loadItemToManage(actor: Actor, itemId: number, x: Executor = db) {
    const found = await loadItemFor(actor, itemId, x);
    if (!found.manage) throw new ForbiddenError('Only the item’s owner or the national team can do that');
    return found;
  }

  return { readerFor, loadItemFor, loadItemToManage };
}
export type KnowledgeAccess = ReturnType<typeof createKnowledgeAccess>;
