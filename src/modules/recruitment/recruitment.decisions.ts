import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDate, longDate } from '../../platform/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import { ALLOWED, presentDetail, professionLabel } from './recruitment.applications.ts';
import { news } from './recruitment.emails.ts';
import type { Places } from './recruitment.places.ts';
import * as repo from './recruitment.repository.ts';
import { type DecisionInput, type ListQuery, statusLabels } from './recruitment.schemas.ts';
import type { ApplicationStatus } from './recruitment.table.ts';

/**
 * Decisions, the regional team's side: the review list and one application in full, deciding one
 * or several applications (an offer beyond the quota waitlists instead), and the lapse of offers
 * not accepted in time.
 */

const PAGE_SIZE = 25;

export type DecisionOutcome = { id: number; reference: string; status: ApplicationStatus; message: string };

export function createDecisions(deps: { db: DB; places: Places }) {
  const { db } = deps;
  const { replyBy, notify, leaveStatus, putOnWaitlist, fillFreePlaces } = deps.places;

  // ---------------------------------------------------------------- review

  /** Reads one application in full, for a lead of its region (or the national team). */
  async function getApplication(actor: Actor, id: number) {
    const a = await repo.findApplication(db, id);
    if (!a) throw new NotFoundError('Application not found');
    try {
      requireRole(actor, ['regional-lead'], a.region_code);
    } catch {
      // Another region's application does not exist as far as this lead is concerned.
      throw new NotFoundError('Application not found');
    }
    return presentDetail(a);
  }

  async function listApplications(actor: Actor, regionCode: string, f: ListQuery) {
    requireRole(actor, ['regional-lead'], regionCode);
    const region = await repo.findRegion(db, regionCode);
    if (!region) throw new NotFoundError('Region not found');
    const { rows, total } = await repo.listApplications(db, regionCode, f, PAGE_SIZE);
    return {
      region,
      total,
      pageSize: PAGE_SIZE,
      rows: rows.map((r) => ({
        id: r.id,
        reference: r.reference,
        regionCode: r.region_code,
        status: r.status,
        statusLabel: statusLabels[r.status],
        name: `${r.given_name} ${r.family_name}`,
        email: r.email,
        profession: r.profession,
        professionLabel: professionLabel(r.profession),
        registrationNumber: r.registration_number,
        employer: { odsCode: r.employer_ods_code, name: r.employer_name },
        jobTitle: r.job_title,
        endorsement: r.endorsement_status,
        waitlistRank: r.waitlist_rank,
        submittedAt: r.submitted_at,
      })),
    };
  }

  /**
   * Lapses every offer not accepted by the end of its reply-by date (the hourly
   * recruitment.expire-offers task): the application is withdrawn with the reason, audited and the
   * applicant told, and each region's freed places go to its waitlist (when it offers
   * automatically). One transaction per region, behind the region's lock, as decisions are.
   */
  async function expireOffers(now = new Date()): Promise<number> {
    const today = londonDate(now);
    const due = await repo.findLapsedOffers(db, today);
    let lapsed = 0;
    for (const code of new Set(due.map((d) => d.region_code)))
      await db.transaction().execute(async (trx) => {
        await repo.lockRegion(trx, code);
        for (const { id } of due.filter((d) => d.region_code === code)) {
          const a = (await repo.lockApplication(trx, id))!;
          // Accepted or withdrawn since it was listed: nothing to lapse.
          if (a.status !== 'offered' || !a.offer_expires_on || a.offer_expires_on >= today) continue;
          const found = (await repo.findApplication(trx, id))!;
          const by = longDate(a.offer_expires_on);
          await repo.updateApplication(trx, id, {
            status: 'withdrawn',
            withdrawn_at: now,
            decision_reason: `The offer lapsed: it was not accepted by ${by}`,
          });
          await recordAudit(trx, 'system', {
            action: 'application.offer-lapse',
            entityType: 'application',
            entityId: id,
            summary: `The offer to ${found.reference} lapsed: not accepted by ${by}`,
            details: { from: 'offered', replyBy: a.offer_expires_on },
          });
          await notify(trx, id, news.offerLapsed(found.region_name, by));
          lapsed++;
        }
        await fillFreePlaces(trx, code, 'system', now);
      });
    return lapsed;
  }

  /**
   * Applies one decision inside the caller's transaction, behind the region's row lock. An offer
   * beyond the quota puts the applicant on the waitlist instead.
   */
  async function decideInTransaction(
    trx: Executor,
    actor: Actor | 'system',
    id: number,
    d: DecisionInput,
  ): Promise<DecisionOutcome> {
    const found = await repo.findApplication(trx, id);
    if (!found) throw new NotFoundError('Application not found');
    if (actor !== 'system') {
      try {
        requireRole(actor, ['regional-lead'], found.region_code);
      } catch {
        throw new NotFoundError('Application not found');
      }
    }
    const region = (await repo.lockRegion(trx, found.region_code))!;
    const a = (await repo.lockApplication(trx, id))!;
    if (!ALLOWED[d.decision].includes(a.status)) {
      throw new ConflictError(
        `${found.reference} is ${statusLabels[a.status].toLowerCase()}: it cannot be given the decision "${d.decision}".`,
      );
    }
    const name = `${found.given_name} ${found.family_name}`;
    let status: ApplicationStatus = a.status;
    let message = '';
    const now = new Date();
    const audit = (action: string, summary: string, details: Record<string, unknown> = {}) =>
      recordAudit(trx, actor, {
        action,
        entityType: 'application',
        entityId: id,
        summary,
        details: { from: a.status, ...details },
      });

    switch (d.decision) {
      case 'shortlist':
        await leaveStatus(trx, a);
        await repo.updateApplication(trx, id, {
          status: 'shortlisted',
          waitlist_rank: null,
          decided_at: now,
        });
        status = 'shortlisted';
        message = `${name} has been shortlisted`;
        await audit('application.shortlist', `Shortlisted ${found.reference} (${name})`);
        await notify(trx, id, news.shortlisted(region.name));
        break;
      case 'offer': {
        const intake = await repo.findCurrentIntake(trx, found.region_code);
        const taken = await repo.countPlacesTaken(trx, intake!.id);
        if (taken >= region.recruitment_target) {
          if (a.status === 'waitlisted') {
            throw new ConflictError(
              `All ${region.recruitment_target} places in ${region.name} are taken, so ${found.reference} stays on the waitlist at number ${a.waitlist_rank}.`,
            );
          }
          const rank = await putOnWaitlist(trx, a);
          status = 'waitlisted';
          message = `All ${region.recruitment_target} places are taken, so ${name} has been put on the waitlist at number ${rank}`;
          await audit(
            'application.waitlist',
            `Offer to ${found.reference} (${name}) exceeded the quota of ${region.recruitment_target}: waitlisted at ${rank}`,
            { rank, quotaFull: true },
          );
          await notify(trx, id, news.waitlistedQuotaFull(region.name, rank));
        } else {
          await leaveStatus(trx, a);
          const reply = replyBy(now);
          await repo.updateApplication(trx, id, {
            status: 'offered',
            waitlist_rank: null,
            offered_at: now,
            offer_expires_on: reply.on,
            decided_at: now,
          });
          status = 'offered';
          message = `${name} has been offered a place (${taken + 1} of ${region.recruitment_target})`;
          await audit(
            'application.offer',
            `Offered a place to ${found.reference} (${name}): ${taken + 1} of ${region.recruitment_target}`,
          );
          await notify(trx, id, news.offered(region.name, reply.sentence));
        }
        break;
      }
      case 'waitlist': {
        if (a.status === 'waitlisted') {
          // Moving within the waitlist: take it out, then put it back at the new position.
          await leaveStatus(trx, a);
          await repo.updateApplication(trx, id, { waitlist_rank: null, status: 'shortlisted' });
        }
        const rank = await putOnWaitlist(trx, a, d.rank);
        status = 'waitlisted';
        message = `${name} is number ${rank} on the waitlist`;
        await audit('application.waitlist', `Waitlisted ${found.reference} (${name}) at number ${rank}`, {
          rank,
        });
        await notify(trx, id, news.waitlisted(region.name, rank));
        break;
      }
      case 'decline':
      case 'withdraw': {
        await leaveStatus(trx, a);
        const to = d.decision === 'decline' ? 'declined' : 'withdrawn';
        await repo.updateApplication(trx, id, {
          status: to,
          waitlist_rank: null,
          decision_reason: d.reason ?? null,
          decided_at: now,
          ...(to === 'withdrawn' ? { withdrawn_at: now } : {}),
        });
        status = to;
        message =
          to === 'declined'
            ? `${name}'s application has been declined`
            : `${name}'s application has been withdrawn`;
        await audit(
          `application.${d.decision}`,
          `${to === 'declined' ? 'Declined' : 'Withdrew'} ${found.reference} (${name}): ${d.reason}`,
          { reason: d.reason },
        );
        await notify(
          trx,
          id,
          to === 'declined'
            ? news.declined(region.name, d.reason)
            : news.withdrawnByTeam(region.name, d.reason),
        );
        if (a.status === 'offered') await fillFreePlaces(trx, found.region_code, actor);
        break;
      }
    }
    return { id, reference: found.reference, status, message };
  }

  async function decide(actor: Actor, id: number, d: DecisionInput): Promise<DecisionOutcome> {
    return db.transaction().execute((trx) => decideInTransaction(trx, actor, id, d));
  }

  /** Several applications, one decision, one transaction: all are decided or none is. */
  async function decideMany(
    actor: Actor,
    regionCode: string,
    ids: number[],
    d: { decision: 'shortlist' | 'offer' | 'waitlist' | 'decline'; reason?: string },
  ): Promise<DecisionOutcome[]> {
    requireRole(actor, ['regional-lead'], regionCode);
    if (d.decision === 'decline' && !d.reason) {
      throw new ValidationError([
        { field: 'reason', message: 'Enter the reason for declining these applications' },
      ]);
    }
    return db.transaction().execute(async (trx) => {
      const out: DecisionOutcome[] = [];
      for (const id of [...new Set(ids)].sort((x, y) => x - y)) {
        const a = await repo.findApplication(trx, id);
        if (!a || a.region_code !== regionCode)
          throw new NotFoundError(`Application ${id} not found in this region`);
        out.push(
          await decideInTransaction(trx, actor, id, {
            decision: d.decision,
            reason: d.reason,
            rank: undefined,
          }),
        );
      }
      return out;
    });
  }

  return { getApplication, listApplications, expireOffers, decide, decideInTransaction, decideMany };
}
