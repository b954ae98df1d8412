import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDate } from '../../platform/dates.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { type Actor, isNational } from '../../platform/permissions.ts';
import type { Access } from './learning-sets.access.ts';
import * as repo from './learning-sets.repository.ts';
import { fail } from './learning-sets.shared.ts';

/** The facilitator's return after a session (counts and themes for the dashboards). */
export function createReturns(deps: { db: DB; access: Pick<Access, 'loadSession'> }) {
  const { db } = deps;
  const { loadSession } = deps.access;

  async function submitReturn(actor: Actor, sessionId: number, themes: string) {
    return db.transaction().execute(async (trx) => {
      const { session, set, memberIds: members } = await loadSession(actor, sessionId, trx);
      if (set.facilitator_user_id !== actor.userId && !isNational(actor))
        throw new ForbiddenError('The set’s facilitator makes the session return');
      const attendance = await repo.listAttendance(trx, sessionId);
      if (attendance.length === 0) fail('themes', 'Record the attendance before making the return');
      const actions = await repo.listActionsOfSet(trx, set.id);
      const reviewed = actions.filter((a) => a.reviewed_session_id === sessionId);
      await repo.saveReturn(trx, {
        sessionId,
        setId: set.id,
        regionCode: set.region_code,
        sessionDate: londonDate(session.starts_at),
        membersCount: members.length,
        present: attendance.filter((a) => a.status === 'present').length,
        apologies: attendance.filter((a) => a.status === 'apologies').length,
        absent: attendance.filter((a) => a.status === 'absent').length,
        actionsReviewed: reviewed.length,
        actionsDone: reviewed.filter((a) => a.status === 'done').length,
        themes,
        by: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'learning-sets.return.submit',
        entityType: 'set-session',
        entityId: sessionId,
        summary: `Made the session return for ${set.name} to ${set.region_code}`,
      });
    });
  }

  return { submitReturn };
}

/** A published rate rests on at least this many attendances or actions, else it is withheld. */
export const MIN_RATE_BASE = 5;
const rate = (part: number, whole: number) => (whole >= MIN_RATE_BASE ? part / whole : null);

/**
 * Session returns of a region (or all regions) for the regional and national dashboards:
 * attendance and actions totals and recent themes. No personal detail: counts and themes only,
 * and no rate resting on fewer than five attendances or actions (one set's first session with two
 * people there would otherwise say who came).
 */
export async function summariseSessionReturns(db: Executor, regionCode: string | 'all') {
  const { totals, byRegion, recent } = await repo.summariseReturns(db, regionCode);
  const members = Number(totals.members);
  const reviewed = Number(totals.reviewed);
  return {
    returns: Number(totals.returns),
    sets: Number(totals.sets),
    present: Number(totals.present),
    apologies: Number(totals.apologies),
    absent: Number(totals.absent),
    attendanceRate: rate(Number(totals.present), members),
    actionsReviewed: reviewed,
    actionsDone: Number(totals.done),
    actionCompletionRate: rate(Number(totals.done), reviewed),
    byRegion: byRegion.map((r) => ({
      regionCode: r.region_code,
      returns: Number(r.returns),
      attendanceRate: rate(Number(r.present), Number(r.members)),
    })),
    recentThemes: recent.map((r) => ({
      regionCode: r.region_code,
      sessionDate: r.session_date,
      themes: r.themes,
    })),
  };
}
export type SessionReturnsSummary = Awaited<ReturnType<typeof summariseSessionReturns>>;
