import type { DB } from '../../db/database.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { listMemberCards } from '../members/index.ts';
import type { Access } from './learning-sets.access.ts';
import * as repo from './learning-sets.repository.ts';

/** Published sets: a member's own, a region's, and one set with its members, sessions and health. */
export function createSets(deps: { db: DB; access: Pick<Access, 'isStaffOf' | 'loadSetFor'> }) {
  const { db } = deps;
  const { isStaffOf, loadSetFor } = deps.access;

  async function listMySets(actor: Actor) {
    return repo.listSetsOfUser(db, actor.userId);
  }

  async function listRegionSets(actor: Actor, regionCode: string, page: number, pageSize: number) {
    if (!isStaffOf(actor, regionCode)) throw new ForbiddenError();
    return repo.listPublishedSetsOfRegion(db, regionCode, pageSize, (page - 1) * pageSize);
  }

  /** Attendance per session (those with attendance recorded) and how the set's actions went. */
  function setHealth(
    sessions: Awaited<ReturnType<typeof repo.listSessions>>,
    actions: Awaited<ReturnType<typeof repo.listActionsOfSet>>,
  ) {
    const attendance = sessions.filter((s) => Number(s.attendance_recorded) > 0);
    const reviewed = actions.filter((a) => a.status !== 'open');
    const done = reviewed.filter((a) => a.status === 'done').length;
    const partly = reviewed.filter((a) => a.status === 'partly').length;
    return {
      attendance: attendance.map((a) => {
        const recorded = Number(a.attendance_recorded);
        const present = Number(a.attendance_present);
        return {
          sessionId: a.id,
          startsAt: a.starts_at,
          present,
          recorded,
          rate: recorded ? present / recorded : 0,
        };
      }),
      actions: {
        total: actions.length,
        reviewed: reviewed.length,
        done,
        partly,
        completionRate: reviewed.length ? done / reviewed.length : null,
      },
    };
  }

  async function getSet(actor: Actor, setId: number) {
    const access = await loadSetFor(actor, setId);
    const [cards, sessions, actions] = await Promise.all([
      listMemberCards(db, actor, access.memberIds),
      repo.listSessions(db, setId),
      repo.listActionsOfSet(db, setId),
    ]);
    return { ...access, members: cards, sessions, actions, health: setHealth(sessions, actions) };
  }

  async function listActions(actor: Actor, setId: number) {
    await loadSetFor(actor, setId);
    return repo.listActionsOfSet(db, setId);
  }

  return { listMySets, listRegionSets, getSet, listActions };
}
