import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import type { AnonymousActor } from '../../platform/permissions.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import { endorsementReminderLetter } from './recruitment.emails.ts';
import * as repo from './recruitment.repository.ts';

/** Sponsor endorsement: the sponsor's single-use link, their answer, and reminders to the silent. */

export const ENDORSEMENT = { ttlDays: 28, remindEveryDays: 3, maxReminders: 3 };

/** The sponsor's single-use link to the endorsement form. */
export const endorseLink = (baseUrl: string, token: string) => `${baseUrl}/endorse/${token}`;

export function createEndorsement(deps: { db: DB; config: { baseUrl: string } }) {
  const { db, config } = deps;

  async function findEndorsement(token: string) {
    const e = await repo.findEndorsementByToken(db, hashToken(token));
    if (
      !e ||
      e.status !== 'pending' ||
      e.expires_at.getTime() <= Date.now() ||
      e.application_status === 'withdrawn'
    ) {
      throw new NotFoundError(
        'This endorsement link has expired or has already been used. If you still need to respond, contact the regional team.',
      );
    }
    return {
      reference: e.reference,
      applicantName: `${e.given_name} ${e.family_name}`,
      jobTitle: e.job_title,
      employer: e.employer_name,
      roleSummary: e.role_summary,
      motivation: e.motivation,
      leadershipExperience: e.leadership_experience,
      sponsorName: e.sponsor_name,
    };
  }

  async function respondToEndorsement(
    token: string,
    input: { endorse: 'yes' | 'no'; comment?: string },
    actor: AnonymousActor,
  ) {
    await db.transaction().execute(async (trx) => {
      const e = await repo.lockEndorsementByToken(trx, hashToken(token));
      if (
        !e ||
        e.status !== 'pending' ||
        e.expires_at.getTime() <= Date.now() ||
        e.application_status === 'withdrawn'
      ) {
        throw new NotFoundError(
          'This endorsement link has expired or has already been used. If you still need to respond, contact the regional team.',
        );
      }
      const status = input.endorse === 'yes' ? 'endorsed' : 'not-endorsed';
      await repo.recordEndorsement(trx, e.application_id, { status, comment: input.comment ?? null });
      await recordAudit(
        trx,
        { ...actor, label: `${e.sponsor_name} <${e.sponsor_email}> (sponsor)` },
        {
          action: status === 'endorsed' ? 'endorsement.endorse' : 'endorsement.decline',
          entityType: 'application',
          entityId: e.application_id,
          summary: `Sponsor ${status === 'endorsed' ? 'endorsed' : 'did not endorse'} application ${e.reference}`,
        },
      );
    });
  }

  /** Emails a fresh single-use link to each sponsor who has not answered; safe to run from several processes. */
  async function sendSponsorReminders(now = new Date()): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const due = await repo.claimDueReminders(
        trx,
        now,
        ENDORSEMENT.remindEveryDays,
        ENDORSEMENT.maxReminders,
        200,
      );
      for (const d of due) {
        const token = createToken();
        await repo.markReminded(trx, d.application_id, hashToken(token), now);
        const name = `${d.given_name} ${d.family_name}`;
        await enqueueEmail(
          trx,
          endorsementReminderLetter({
            to: d.sponsor_email,
            sponsorName: d.sponsor_name,
            applicantName: name,
            reference: d.reference,
            endorseLink: endorseLink(config.baseUrl, token),
          }),
        );
        await recordAudit(trx, 'system', {
          action: 'endorsement.remind',
          entityType: 'application',
          entityId: d.application_id,
          summary: `Reminder ${d.reminders_sent + 1} sent to the sponsor of ${d.reference}`,
        });
      }
      return due.length;
    });
  }

  return { findEndorsement, respondToEndorsement, sendSponsorReminders };
}
