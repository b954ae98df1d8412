import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDateAfter, longDate } from '../../platform/dates.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import type { Actor, AnonymousActor } from '../../platform/permissions.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import { news, type StatusNews, statusLetter } from './recruitment.emails.ts';
import * as repo from './recruitment.repository.ts';
import type { ApplicationStatus } from './recruitment.table.ts';

export type Who = Actor | AnonymousActor | 'system';

/**
 * The places and their waitlist, as the decisions, the offers' lapse and the quota share them:
 * reply-by dates, the applicant's status link and emails, moving on and off the waitlist, and
 * offering free places to its top (one rule, wherever places free up).
 */
export function createPlaces(deps: { db: DB; config: { baseUrl: string; offerReplyDays?: number } }) {
  const { config } = deps;
  const replyDays = config.offerReplyDays ?? 14;
  /** The offer's reply-by date and the sentence the offer email gives it. */
  const replyBy = (now: Date) => {
    const on = londonDateAfter(replyDays, now);
    return { on, sentence: `Please reply by ${longDate(on)}: after that day the offer lapses.` };
  };
  const statusLink = (token: string) => `${config.baseUrl}/application/${token}`;

  async function issueStatusLink(trx: Executor, id: number): Promise<string> {
    const token = createToken();
    await repo.updateApplication(trx, id, { status_token_hash: hashToken(token) });
    return token;
  }

  async function leaveStatus(
    trx: Executor,
    a: { status: ApplicationStatus; intake_id: number; waitlist_rank: number | null },
  ) {
    if (a.status === 'waitlisted' && a.waitlist_rank !== null)
      await repo.closeWaitlistGap(trx, a.intake_id, a.waitlist_rank);
  }

  async function putOnWaitlist(
    trx: Executor,
    a: { id: number; intake_id: number },
    rank?: number,
  ): Promise<number> {
    const max = await repo.maxWaitlistRank(trx, a.intake_id);
    const at = rank === undefined || rank > max ? max + 1 : rank;
    if (at <= max) await repo.shiftWaitlistDown(trx, a.intake_id, at);
    await repo.updateApplication(trx, a.id, {
      status: 'waitlisted',
      waitlist_rank: at,
      decided_at: new Date(),
      offered_at: null,
      offer_expires_on: null,
    });
    return at;
  }

  /** Tells the applicant the news in a status letter, with a fresh link to their status page. */
  async function notify(trx: Executor, id: number, what: StatusNews) {
    const a = (await repo.findApplication(trx, id))!;
    const token = await issueStatusLink(trx, id);
    await enqueueEmail(trx, statusLetter(a, what, statusLink(token)));
  }

  /** Offers every free place to the top of the waitlist, when the region offers automatically; returns how many. */
  async function fillFreePlaces(trx: Executor, regionCode: string, actor: Who, at?: Date): Promise<number> {
    const region = (await repo.lockRegion(trx, regionCode))!;
    if (!region.auto_offer_waitlist) return 0;
    const intake = await repo.findCurrentIntake(trx, regionCode);
    if (!intake) return 0;
    for (let offered = 0; ; offered++) {
      const taken = await repo.countPlacesTaken(trx, intake.id);
      if (taken >= region.recruitment_target) return offered;
      const top = await repo.topOfWaitlist(trx, intake.id);
      if (!top) return offered;
      await repo.closeWaitlistGap(trx, intake.id, top.waitlist_rank ?? 0);
      const now = at ?? new Date();
      const reply = replyBy(now);
      await repo.updateApplication(trx, top.id, {
        status: 'offered',
        waitlist_rank: null,
        offered_at: now,
        offer_expires_on: reply.on,
        decided_at: now,
      });
      const a = (await repo.findApplication(trx, top.id))!;
      await recordAudit(trx, actor, {
        action: 'application.offer',
        entityType: 'application',
        entityId: top.id,
        summary: `A place freed in ${region.name}: offered to ${a.reference}, top of the waitlist`,
        details: { from: 'waitlisted', automatic: true },
      });
      await notify(trx, top.id, news.offeredFromWaitlist(region.name, reply.sentence));
    }
  }

  return { replyBy, statusLink, issueStatusLink, notify, leaveStatus, putOnWaitlist, fillFreePlaces };
}
export type Places = ReturnType<typeof createPlaces>;
