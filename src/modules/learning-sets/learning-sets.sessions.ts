import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { addDays, londonDate } from '../../platform/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { Access } from './learning-sets.access.ts';
import * as repo from './learning-sets.repository.ts';
import {
  ACTION_STATUS_LABELS,
  type ActionInput,
  type AttendanceInput,
  type ReviewInput,
  type SessionInput,
} from './learning-sets.schemas.ts';
import { fail } from './learning-sets.shared.ts';

/** Minutes east of UTC of Europe/London at that instant. */
const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
function londonOffsetMinutes(at: Date): number {
  const parts = londonParts.formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
  return Math.round((asUtc - Math.floor(at.getTime() / 60000) * 60000) / 60000);
}

/** A wall-clock date and time in the UK as an instant. */
export function londonTime(date: string, time: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = new Date(guess - londonOffsetMinutes(new Date(guess)) * 60000);
  return new Date(guess - londonOffsetMinutes(first) * 60000);
}

/** A set's sessions: scheduling, attendance, actions and their review, the facilitator's notes. */
export function createSessions(deps: {
  db: DB;
  access: Pick<Access, 'loadSetFor' | 'checkSetAccess' | 'requireManage' | 'loadSession'>;
}) {
  const { db } = deps;
  const { loadSetFor, checkSetAccess, requireManage, loadSession } = deps.access;

  async function scheduleSession(actor: Actor, setId: number, input: SessionInput) {
    return db.transaction().execute(async (trx) => {
      const { set } = await loadSetFor(actor, setId, trx);
      requireManage(actor, set);
      const startsAt = londonTime(input.date, input.startTime);
      const endsAt = new Date(startsAt.getTime() + input.durationMinutes * 60000);
      const id = await repo.insertSession(trx, {
        setId,
        startsAt,
        endsAt,
        location: input.location || null,
        onlineUrl: input.onlineUrl || null,
        by: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'learning-sets.session.schedule',
        entityType: 'set-session',
        entityId: id,
        summary: `Scheduled a session of ${set.name} on ${input.date} at ${input.startTime}`,
      });
      return id;
    });
  }

  async function getSession(actor: Actor, sessionId: number) {
    // Only the author ever sees a facilitator's notes (not the lead, not the national team): the
    // note read is the viewer's own.
    const found = await repo.findSessionForPage(db, sessionId, actor.userId);
    if (!found) throw new NotFoundError('There is no such session');
    const { session, returned, noteBody } = found;
    const access = checkSetAccess(actor, found.set, found.memberIds);
    const { set } = access;
    const [members, actions] = await Promise.all([
      repo.listSessionMembers(db, set.id, sessionId),
      repo.listActionsOfSet(db, set.id),
    ]);
    const isFacilitator = set.facilitator_user_id === actor.userId;
    const rotation = members
      .map((m) => ({
        userId: m.user_id,
        name: m.name,
        lastPresentedAt: (m.last_at as Date | null) ?? null,
        times: Number(m.times ?? 0),
      }))
      .sort(
        (a, b) =>
          a.times - b.times ||
          (a.lastPresentedAt?.getTime() ?? 0) - (b.lastPresentedAt?.getTime() ?? 0) ||
          a.name.localeCompare(b.name),
      );
    return {
      session,
      ...access,
      members: members.map((m) => ({
        userId: m.user_id,
        name: m.name,
        status: m.status ?? null,
        presented: m.presented ?? false,
      })),
      committed: actions.filter((a) => a.session_id === sessionId),
      toReview: actions.filter(
        (a) =>
          a.session_id !== sessionId &&
          new Date(a.session_starts_at).getTime() < new Date(session.starts_at).getTime() &&
          (a.status === 'open' || a.reviewed_session_id === sessionId),
      ),
      rotation,
      note: isFacilitator ? (noteBody ?? '') : null,
      isFacilitator,
      returned,
    };
  }

  async function recordAttendance(actor: Actor, sessionId: number, input: AttendanceInput) {
    return db.transaction().execute(async (trx) => {
      const { session, set, memberIds } = await loadSession(actor, sessionId, trx);
      requireManage(actor, set);
      const seen = new Set<number>();
      for (const e of input.entries) {
        if (!memberIds.includes(e.userId))
          fail('entries', 'Attendance can only be recorded for members of this set');
        if (seen.has(e.userId)) fail('entries', 'Each member can be recorded once');
        seen.add(e.userId);
        if (e.presented && e.status !== 'present')
          fail(`status-${e.userId}`, 'Only a member who was present can have presented');
      }
      if (session.starts_at.getTime() > Date.now())
        fail('entries', 'Attendance can be recorded once the session has started');
      await repo.replaceAttendance(trx, sessionId, input.entries, actor.userId);
      await recordAudit(trx, actor, {
        action: 'learning-sets.attendance.record',
        entityType: 'set-session',
        entityId: sessionId,
        summary: `Recorded attendance for a session of ${set.name}: ${input.entries.filter((e) => e.status === 'present').length} of ${memberIds.length} present`,
        details: { entries: input.entries },
      });
    });
  }

  async function addAction(actor: Actor, sessionId: number, input: ActionInput) {
    return db.transaction().execute(async (trx) => {
      const { session, set, memberIds } = await loadSession(actor, sessionId, trx);
      requireManage(actor, set);
      if (!memberIds.includes(input.ownerUserId)) fail('ownerUserId', 'Choose a member of this set');
      if (input.dueOn < londonDate(session.starts_at))
        fail('dueOn', 'The due date must be on or after the session');
      const id = await repo.insertAction(trx, {
        setId: set.id,
        sessionId,
        ownerUserId: input.ownerUserId,
        description: input.description,
        dueOn: input.dueOn,
        by: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'learning-sets.action.add',
        entityType: 'set-action',
        entityId: id,
        summary: `Recorded an action for user #${input.ownerUserId} in ${set.name}, due ${input.dueOn}`,
      });
      return id;
    });
  }

  async function reviewAction(actor: Actor, actionId: number, input: ReviewInput) {
    return db.transaction().execute(async (trx) => {
      // Locked: two reviews at once would both see it open and both carry it over.
      const action = await repo.lockAction(trx, actionId);
      if (!action) throw new NotFoundError('There is no such action');
      const { session, set } = await loadSession(actor, input.sessionId, trx);
      requireManage(actor, set);
      if (session.set_id !== action.set_id) fail('sessionId', 'Review an action at a session of its own set');
      const committedAt = await repo.findSession(trx, action.session_id);
      if (!committedAt || committedAt.starts_at.getTime() >= session.starts_at.getTime())
        fail('sessionId', 'An action is reviewed at a later session than the one where it was agreed');
      if (action.status !== 'open' && action.reviewed_session_id !== session.id)
        throw new ConflictError('This action was already reviewed at another session');
      await repo.reviewAction(trx, actionId, {
        status: input.status,
        sessionId: session.id,
        note: input.note || null,
      });
      let carried: number | null = null;
      if (input.status === 'carried-over' && action.status !== 'carried-over') {
        carried = await repo.insertAction(trx, {
          setId: set.id,
          sessionId: session.id,
          ownerUserId: action.owner_user_id,
          description: action.description,
          dueOn: input.newDueOn ?? addDays(londonDate(session.starts_at), 28),
          by: actor.userId,
        });
      }
      await recordAudit(trx, actor, {
        action: 'learning-sets.action.review',
        entityType: 'set-action',
        entityId: actionId,
        summary: `Reviewed an action of ${set.name}: ${ACTION_STATUS_LABELS[input.status]}`,
        details: { status: input.status, carriedOverAs: carried },
      });
    });
  }

  async function saveNotes(actor: Actor, sessionId: number, body: string) {
    return db.transaction().execute(async (trx) => {
      const { set } = await loadSession(actor, sessionId, trx);
      if (set.facilitator_user_id !== actor.userId)
        throw new ForbiddenError('Only the set’s facilitator keeps notes on its sessions');
      await repo.saveNote(trx, sessionId, actor.userId, body);
      await recordAudit(trx, actor, {
        action: 'learning-sets.notes.save',
        entityType: 'set-session',
        entityId: sessionId,
        summary: `Saved facilitator notes on a session of ${set.name}`,
      });
    });
  }

  return { scheduleSession, getSession, recordAttendance, addAction, reviewAction, saveNotes };
}
