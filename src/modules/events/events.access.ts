import type { DB, Executor } from '../../db/database.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { type Actor, isNational } from '../../platform/permissions.ts';
import { findPolicyFacts } from '../members/index.ts';
import * as repo from './events.repository.ts';
import type { EventRow } from './events.table.ts';

/**
 * Who may see and run an event. The national team runs every event; a regional lead runs the
 * events of their region. Anyone else sees a published event only when they are in its audience:
 * everyone for a public event, everyone with a network role for a members' event, the members and
 * staff of one region for a regional audience, the named invitees for an invitation-only one. An
 * event someone may not see is a 404, so its existence is not revealed (see the `event` scope).
 */
export function createEventsAccess(deps: { db: DB }) {
  const { db } = deps;

  async function visibilityFor(actor: Actor | null, x: Executor = db): Promise<repo.Visibility> {
    if (!actor) return { userId: null, national: false, regions: [], networkRole: false, organises: [] };
    const national = isNational(actor);
    const facts = await findPolicyFacts(x, actor.userId);
    const regions = new Set<string>();
    if (facts) regions.add(facts.regionCode);
    for (const g of actor.roles) if (g.role !== 'applicant' && g.regionCode) regions.add(g.regionCode);
    const leads = actor.roles.filter((g) => g.role === 'regional-lead').map((g) => g.regionCode);
    return {
      userId: actor.userId,
      national,
      regions: [...regions],
      networkRole: actor.roles.some((g) => g.role !== 'applicant'),
      organises: national || leads.includes(null) ? 'all' : (leads as string[]),
    };
  }

  function canManage(v: repo.Visibility, event: Pick<EventRow, 'scope' | 'region_code'>): boolean {
    if (v.national || v.organises === 'all') return v.national || event.scope === 'regional';
    return (
      event.scope === 'regional' && event.region_code !== null && v.organises.includes(event.region_code)
    );
  }

  async function inAudience(x: Executor, v: repo.Visibility, event: EventRow): Promise<boolean> {
    switch (event.audience) {
      case 'public':
        return true;
      case 'members':
        return v.networkRole;
      case 'region':
        return event.audience_region_code !== null && v.regions.includes(event.audience_region_code);
      case 'invitees':
        return v.userId !== null && (await repo.isInvited(x, event.id, v.userId));
    }
  }

  /** The event for someone who may see it (optionally locked for a change of places); 404 otherwise. */
  async function loadEventFor(
    actor: Actor | null,
    eventId: number,
    x: Executor = db,
    opts: { lock?: boolean } = {},
  ) {
    const v = await visibilityFor(actor, x);
    const event = opts.lock ? await repo.lockEvent(x, eventId) : await repo.findEvent(x, eventId);
    if (!event) throw new NotFoundError('There is no such event');
    const manage = canManage(v, event);
    const audience = await inAudience(x, v, event);
    if (!manage && (event.status === 'draft' || !audience)) throw new NotFoundError('There is no such event');
    return { event, visibility: v, manage, audience };
  }

  /** The event for its organisers; 404 for everyone else (the event's existence is not revealed). */
  async function loadEventToManage(
    actor: Actor,
    eventId: number,
    x: Executor = db,
    opts: { lock?: boolean } = {},
  ) {
    const found = await loadEventFor(actor, eventId, x, opts);
    if (!found.manage) throw new NotFoundError('There is no such event');
    return found;
  }

  return { visibilityFor, canManage, loadEventFor, loadEventToManage };
}
export type EventsAccess = ReturnType<typeof createEventsAccess>;
