import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { addDays, daysBetween, londonDate, longDate } from '../../platform/dates.ts';
import { letter } from '../../platform/emails.ts';
import { enqueueEmails } from '../../platform/outbox.ts';
import { listPolicyAudienceBatch } from '../members/index.ts';
import * as repo from './policy.calls.repository.ts';
import { audienceOf } from './policy.participation.ts';
import type { PolicyCallRow } from './policy.table.ts';

/** Days before a call closes that its audience is reminded. */
export const CLOSING_REMINDER_DAYS = 3;
const BATCH = 1000;
const CALLS_PER_RUN = 50;

/**
 * The calls' clock: opens scheduled calls whose opening day has come and closes open calls past
 * their closing day (dates in England), recorded as done by the system; then tells each open
 * call's audience that it has opened, and three days before it closes, once each. Any number of
 * app processes may run it: a state moves only from the state it was read in, and a notice is
 * claimed (insert ... on conflict do nothing) in the same transaction as its emails.
 */
export function createNotices(deps: { db: DB; baseUrl: string }) {
  const { db, baseUrl } = deps;

  async function move(
    callId: number,
    title: string,
    from: 'scheduled' | 'open',
    to: 'open' | 'closed',
    note: string,
  ) {
    return db.transaction().execute(async (trx) => {
      if (!(await repo.moveCallStatus(trx, callId, from, to))) return false;
      await repo.insertStatusChange(trx, { callId, from, to, by: null, note });
      await recordAudit(trx, 'system', {
        action: 'policy.call.status',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Moved the call for input “${title}” from ${from} to ${to}: ${note.toLowerCase()}`,
        details: { from, to, note },
      });
      return true;
    });
  }

  async function tell(
    call: PolicyCallRow,
    kind: 'opened' | 'closing',
    today: string,
  ): Promise<number | null> {
    return db.transaction().execute(async (trx) => {
      if (!(await repo.claimNotice(trx, call.id, kind))) return null;
      // A call too short for a reminder distinct from its opening notice gets none.
      if (kind === 'closing' && daysBetween(call.opens_on, call.closes_on) <= CLOSING_REMINDER_DAYS) return 0;
      const left = Math.max(0, daysBetween(today, call.closes_on));
      let after = 0;
      let recipients = 0;
      for (;;) {
        const batch = await listPolicyAudienceBatch(trx, audienceOf(call), {
          afterUserId: after,
          limit: BATCH,
          ...(kind === 'closing' ? { excludeRespondedTo: call.id } : {}),
        });
        if (!batch.length) break;
        await enqueueEmails(
          trx,
          batch.map((m) =>
            letter({
              to: m.email,
              name: m.name,
              kind: `policy.call.${kind}`,
              subject:
                kind === 'opened'
                  ? `A call for your input has opened: ${call.title}`
                  : `${left === 0 ? 'Last day' : `${left} day${left === 1 ? '' : 's'} left`} to respond: ${call.title}`,
              body: [
                kind === 'opened'
                  ? `The policy team would like your view: ${call.summary}`
                  : `The call “${call.title}” closes on ${longDate(call.closes_on)}, and we have not yet had your response.`,
                `Responses close at the end of ${longDate(call.closes_on)}.`,
                {
                  text: kind === 'opened' ? 'Read the call and respond:' : 'Respond now:',
                  link: `${baseUrl}/policy/calls/${call.id}`,
                },
              ],
            }),
          ),
        );
        recipients += batch.length;
        after = batch[batch.length - 1]!.userId;
      }
      await repo.setNoticeRecipients(trx, call.id, kind, recipients);
      return recipients;
    });
  }

  /** One run of the clock; returns what it did (the tests call it with a chosen instant). */
  async function runCallClock(now: Date = new Date()) {
    const today = londonDate(now);
    let opened = 0;
    let closed = 0;
    let noticesSent = 0;
    for (const c of await repo.listCallsDueToOpen(db, today, CALLS_PER_RUN))
      if (await move(c.id, c.title, 'scheduled', 'open', 'Opened on its opening date')) opened++;
    for (const c of await repo.listCallsDueToClose(db, today, CALLS_PER_RUN))
      if (await move(c.id, c.title, 'open', 'closed', 'Closed after its closing date')) closed++;
    for (const c of await repo.listCallsOwedNotice(db, 'opened', today, CALLS_PER_RUN))
      if ((await tell(c, 'opened', today)) !== null) noticesSent++;
    const closingBy = addDays(today, CLOSING_REMINDER_DAYS);
    for (const c of await repo.listCallsOwedNotice(db, 'closing', closingBy, CALLS_PER_RUN))
      if ((await tell(c, 'closing', today)) !== null) noticesSent++;
    return { opened, closed, noticesSent };
  }

  return { runCallClock };
}
export type PolicyNotices = ReturnType<typeof createNotices>;
