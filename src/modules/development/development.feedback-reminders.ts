import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import { invitationText, isOpen, ownRound } from './development.feedback.ts';
import * as totals from './development.profile-totals.ts';
import * as repo from './development.repository.ts';
import type { Clock } from './development.shared.ts';

export const REMINDER_AFTER_DAYS = 3;
export const MAX_REMINDERS = 3;

/**
 * 360 reminders: the scheduled task that closes rounds past their date and reminds raters who have
 * not answered, and the member's "remind now".
 */
export function createFeedbackReminders(deps: { db: DB; baseUrl: string; clock: Clock }) {
  const { db, baseUrl } = deps;
  const { now, today } = deps.clock;

  /**
   * Closes rounds past their closing date and reminds raters who have not answered (a new link each
   * time, as only a hash of the old one is kept). Run periodically; safe to run from several processes.
   */
  async function sendReminders() {
    return db.transaction().execute((trx) => remindIn(trx, {}));
  }

  async function remindIn(trx: Executor, opts: { roundId?: number; actor?: Actor }) {
    const t = today();
    const before = new Date(now().getTime() - (opts.roundId ? 1 : REMINDER_AFTER_DAYS) * 86_400_000);
    const closed = opts.roundId ? [] : await repo.closeExpiredRounds(trx, t);
    for (const c of closed) {
      await recordAudit(trx, 'system', {
        action: 'development.feedback.close',
        entityType: 'dev_feedback_round',
        entityId: c.id,
        summary: 'Closed 360-degree feedback: its closing date passed',
      });
    }
    // Rounds closed by date (or missed) join the competency profile figures.
    if (!opts.roundId)
      for (const r of await totals.roundsToCount(trx, t, 500))
        await totals.refreshMemberProfile(trx, r.user_id, r.version_id, t, ['raters']);
    const due = await repo.selectRatersDueReminder(trx, {
      today: t,
      before,
      maxReminders: MAX_REMINDERS,
      limit: 500,
      roundId: opts.roundId,
    });
    for (const r of due) {
      const token = createToken();
      await repo.rotateRaterToken(trx, r.id, hashToken(token));
      await enqueueEmail(trx, {
        to: r.email,
        kind: 'development.feedback.reminder',
        subject: `Reminder: ${r.member_name} asks for your feedback by ${r.closes_on}`,
        text: invitationText(baseUrl, {
          raterName: r.name,
          memberName: r.member_name,
          title: r.title,
          closesOn: r.closes_on,
          token,
          reminder: true,
        }),
      });
    }
    if (due.length) {
      await recordAudit(trx, opts.actor ?? 'system', {
        action: 'development.feedback.remind',
        entityType: 'dev_feedback_round',
        entityId: opts.roundId ?? null,
        summary: `Sent ${due.length} reminder${due.length === 1 ? '' : 's'} to raters who have not answered`,
        details: { raterIds: due.map((r) => r.id) },
      });
    }
    return { closed: closed.length, reminded: due.length };
  }

  /**
   * The member asks for reminders now (at most once a day per rater). When no one can be reminded
   * it says why, as a ConflictError, rather than reporting success.
   */
  async function remindNow(actor: Actor, roundId: number) {
    requireRole(actor, ['member']);
    return db.transaction().execute(async (trx) => {
      // Checked in the transaction that rotates the links: the round is the member's and still open.
      const round = await ownRound(trx, actor, roundId, { forUpdate: true });
      if (!isOpen(round, today()))
        throw new ConflictError('This feedback round has closed, so no reminders can be sent');
      const result = await remindIn(trx, { roundId, actor });
      if (result.reminded === 0)
        throw new ConflictError(whyNoReminder(await repo.selectRaters(trx, roundId)));
      return result;
    });
  }

  function whyNoReminder(
    raters: {
      responded_at: Date | null;
      invited_at: Date;
      last_reminded_at: Date | null;
      reminders_sent: number;
    }[],
  ): string {
    const waiting = raters.filter((r) => r.responded_at === null);
    if (!raters.length) return 'No reminder was sent: you have not invited anyone yet.';
    if (!waiting.length) return 'No reminder was sent: everyone you invited has answered.';
    const dayAgo = now().getTime() - 86_400_000;
    const recent = waiting.filter(
      (r) => r.invited_at.getTime() > dayAgo || (r.last_reminded_at?.getTime() ?? 0) > dayAgo,
    );
    const spent = waiting.filter((r) => r.reminders_sent >= MAX_REMINDERS);
    const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);
    const parts: string[] = [];
    if (recent.length)
      parts.push(
        `${people(recent.length)} who ${recent.length === 1 ? 'has' : 'have'} not answered ${recent.length === 1 ? 'was' : 'were'} invited or reminded less than a day ago`,
      );
    if (spent.length)
      parts.push(`${people(spent.length)} already had ${MAX_REMINDERS} reminders, the most we send`);
    return `No reminder was sent: ${parts.join('; ')}. You can remind people once a day.`;
  }

  return { sendReminders, remindNow };
}
