import { randomInt } from 'node:crypto';
import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDate, longDate } from '../../platform/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import { type Actor, type AnonymousActor, requireRole } from '../../platform/permissions.ts';
import {
  checkRegistrationNumber,
  normaliseRegistrationNumber,
  PROFESSIONS,
  registerForProfession,
  type Profession,
} from '../../platform/registration.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import { findCurrentMember } from '../members/index.ts';
import { joiningOf, joinNetworkInTransaction } from './recruitment.joining.ts';
import { createPlaces } from './recruitment.places.ts';
import { createQuotaFunctions } from './recruitment.quota.ts';
import {
  acknowledgementLetter,
  endorsementRequestLetter,
  endorsementReminderLetter,
  news,
  withdrawnByApplicantLetter,
} from './recruitment.emails.ts';
import * as repo from './recruitment.repository.ts';
import {
  type ApplicationSubmission,
  type DecisionAction,
  type DecisionInput,
  type ListQuery,
  statusLabels,
} from './recruitment.schemas.ts';
import type { ApplicationStatus } from './recruitment.table.ts';

export const PRIVACY_NOTICE_VERSION = '2026-11';
export const ENDORSEMENT = { ttlDays: 28, remindEveryDays: 3, maxReminders: 3 };
const DRAFT_TTL_DAYS = 7;
const PAGE_SIZE = 25;
const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** offerReplyDays: how long an applicant has to accept an offer (14 days unless configured). */
export type RecruitmentConfig = { baseUrl: string; offerReplyDays?: number };

/** Which decisions may follow which status. */
const ALLOWED: Record<DecisionAction, ApplicationStatus[]> = {
  shortlist: ['submitted', 'waitlisted'],
  offer: ['submitted', 'shortlisted', 'waitlisted'],
  decline: ['submitted', 'shortlisted', 'waitlisted', 'offered'],
  waitlist: ['submitted', 'shortlisted', 'waitlisted'],
  withdraw: ['submitted', 'shortlisted', 'waitlisted', 'offered'],
};

export function professionLabel(key: string): string {
  return PROFESSIONS.find((p) => p.key === key)?.label ?? key;
}

export function newReference(): string {
  let s = 'CLN-';
  for (let i = 0; i < 8; i++) s += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return s;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

const STILL_OPEN =
  'You can have one application at a time across the network: follow it with the link in your acknowledgement email, or withdraw it there before applying again.';

function duplicateError(
  field: 'email' | 'registrationNumber',
  email: string,
  register: string,
  number: string,
): ValidationError {
  return new ValidationError([
    {
      field,
      message:
        field === 'email'
          ? `An application with the email address ${email} has already been made and is still open. ${STILL_OPEN}`
          : `An application with the ${register} number ${number} has already been made and is still open. ${STILL_OPEN}`,
    },
  ]);
}

/**
 * One live application per person across the network, and none from a current member: by email
 * (case-insensitive) or registration number. Within one intake, even a decided application counts.
 * The partial unique indexes (migration 2026-12-07-0100) settle two simultaneous submissions.
 */
export async function checkOneLiveApplication(
  x: Executor,
  email: string,
  register: string,
  number: string,
  intakeId: number,
) {
  const member = await findCurrentMember(x, { email, registrationNumber: number });
  if (member) {
    throw new ValidationError([
      member.by === 'email'
        ? {
            field: 'email',
            message: `The email address ${email} belongs to a member of the Clinical Leaders Network. Members cannot apply again: sign in to see your membership.`,
          }
        : {
            field: 'registrationNumber',
            message: `A member of the Clinical Leaders Network already has the ${register} number ${number}. Members cannot apply again: sign in to see your membership.`,
          },
    ]);
  }
  const live = await repo.findLiveApplication(x, email, register, number);
  if (live)
    throw duplicateError(
      live.email.toLowerCase() === email.toLowerCase() ? 'email' : 'registrationNumber',
      email,
      register,
      number,
    );
  const dup = await repo.findDuplicate(x, intakeId, email, register, number);
  if (dup) {
    throw new ValidationError([
      dup.email === email
        ? {
            field: 'email',
            message: `An application with the email address ${email} has already been made to this year's intake. You can see its status with the link in your acknowledgement email.`,
          }
        : {
            field: 'registrationNumber',
            message: `An application with the ${register} number ${number} has already been made to this year's intake. You can see its status with the link in your acknowledgement email.`,
          },
    ]);
  }
}

export type DecisionOutcome = { id: number; reference: string; status: ApplicationStatus; message: string };

export function createRecruitmentService(deps: { db: DB; config: RecruitmentConfig }) {
  const { db, config } = deps;
  const places = createPlaces(deps);
  const { replyBy, statusLink, notify, leaveStatus, putOnWaitlist, fillFreePlaces } = places;
  const quota = createQuotaFunctions({ db, fillFreePlaces });
  const endorseLink = (token: string) => `${config.baseUrl}/endorse/${token}`;

  // ---------------------------------------------------------------- the public journey's drafts

  async function loadDraft(token: string | undefined): Promise<Record<string, unknown>> {
    if (!token) return {};
    const d = await repo.findDraft(db, hashToken(token));
    return d?.data ?? {};
  }

  /** Saves the answers so far; returns the (possibly new) draft token for the signed cookie. */
  async function saveDraft(token: string | undefined, data: Record<string, unknown>): Promise<string> {
    const t = token ?? createToken();
    await repo.saveDraft(db, hashToken(t), data, new Date(Date.now() + DRAFT_TTL_DAYS * 86_400_000));
    return t;
  }

  async function discardDraft(token: string) {
    await repo.deleteDraft(db, hashToken(token));
  }

  async function searchEmployers(q: string) {
    const term = q.trim().slice(0, 100);
    if (term.length < 2) return [];
    const rows = await repo.searchOpenTrusts(db, term, 30);
    return rows.map((r) => ({ odsCode: r.ods_code!, name: r.name, town: r.town, regionCode: r.sha_code }));
  }

  async function findEmployer(ods: string) {
    const t = await repo.findOpenTrustByOds(db, ods.trim().toUpperCase());
    return t ? { id: t.id, odsCode: t.ods_code!, name: t.name, town: t.town, regionCode: t.sha_code } : null;
  }

  const listRecruitingRegions = () => repo.listRecruitingRegions(db);

  // ---------------------------------------------------------------- submitting

  /** Checks what a schema cannot: the register's format, the employer, the region and the sponsor. */
  async function checkSubmission(x: Executor, input: ApplicationSubmission) {
    const register = registerForProfession(input.profession as Profession);
    const problem = checkRegistrationNumber(register, input.registrationNumber);
    const errors: { field: string; message: string }[] = [];
    if (problem) errors.push({ field: 'registrationNumber', message: problem });
    const employer = await repo.findOpenTrustByOds(x, input.employerOds);
    if (!employer) {
      errors.push({
        field: 'employerOds',
        message: `There is no open NHS trust with the ODS code ${input.employerOds}. Search for your employer by name`,
      });
    }
    const regionCode = input.regionCode ?? employer?.sha_code ?? null;
    const intake = regionCode ? await repo.findOpenIntake(x, regionCode) : undefined;
    if (employer && !intake) {
      errors.push({
        field: 'regionCode',
        message: regionCode
          ? `The region ${regionCode} is not recruiting at the moment. Choose another region`
          : 'Choose the region you work in',
      });
    }
    if (input.sponsorEmail === input.email) {
      errors.push({
        field: 'sponsorEmail',
        message: 'Your sponsor must be someone else: enter their email address',
      });
    }
    if (errors.length) throw new ValidationError(errors);
    return {
      register,
      number: normaliseRegistrationNumber(input.registrationNumber),
      employer: employer!,
      intake: intake!,
    };
  }

  async function insertSubmitted(
    trx: Executor,
    input: ApplicationSubmission,
    checked: Awaited<ReturnType<typeof checkSubmission>>,
    source: string,
  ) {
    await checkOneLiveApplication(trx, input.email, checked.register, checked.number, checked.intake.id);
    const statusToken = createToken();
    const endorseToken = createToken();
    const values = {
      intake_id: checked.intake.id,
      region_code: checked.intake.region_code,
      given_name: input.givenName,
      family_name: input.familyName,
      email: input.email,
      phone: input.phone ?? null,
      profession: input.profession,
      register: checked.register,
      registration_number: checked.number,
      employer_organisation_id: checked.employer.id,
      employer_ods_code: checked.employer.ods_code!,
      employer_name: checked.employer.name,
      job_title: input.jobTitle,
      role_summary: input.roleSummary,
      leadership_experience: input.leadershipExperience,
      motivation: input.motivation,
      sponsor_name: input.sponsorName,
      sponsor_email: input.sponsorEmail,
      consent_at: new Date(),
      privacy_notice_version: PRIVACY_NOTICE_VERSION,
      status_token_hash: hashToken(statusToken),
      source,
    };
    let row: { id: number; reference: string } | undefined;
    for (let attempt = 0; !row; attempt++) {
      try {
        row = await repo.insertApplication(trx, { ...values, reference: newReference() });
      } catch (err) {
        // Two submissions of the same person racing past the check meet a unique index.
        const constraint = String((err as { constraint?: string }).constraint);
        if (isUniqueViolation(err) && !/reference/.test(constraint))
          throw duplicateError(
            /registration/.test(constraint) ? 'registrationNumber' : 'email',
            input.email,
            checked.register,
            checked.number,
          );
        if (!isUniqueViolation(err) || attempt > 3) throw err;
      }
    }
    await repo.insertEndorsement(trx, {
      applicationId: row.id,
      tokenHash: hashToken(endorseToken),
      expiresAt: new Date(Date.now() + ENDORSEMENT.ttlDays * 86_400_000),
    });
    return { ...row, statusToken, endorseToken, regionCode: checked.intake.region_code };
  }

  /** Submits an application (public journey or API): one transaction, acknowledgement and sponsor emails. */
  async function submitApplication(input: ApplicationSubmission, actor: AnonymousActor, source = 'web') {
    return db.transaction().execute(async (trx) => {
      const checked = await checkSubmission(trx, input);
      const created = await insertSubmitted(trx, input, checked, source);
      const region = await repo.findRegion(trx, created.regionCode);
      const name = `${input.givenName} ${input.familyName}`;
      await recordAudit(trx, actor, {
        action: 'application.submit',
        entityType: 'application',
        entityId: created.id,
        summary: `Application ${created.reference} submitted by ${name} to ${region!.name}`,
        details: { reference: created.reference, region: created.regionCode, source },
      });
      await enqueueEmail(
        trx,
        acknowledgementLetter({
          to: input.email,
          name,
          reference: created.reference,
          regionName: region!.name,
          sponsorName: input.sponsorName,
          statusLink: statusLink(created.statusToken),
        }),
      );
      await enqueueEmail(
        trx,
        endorsementRequestLetter({
          to: input.sponsorEmail,
          sponsorName: input.sponsorName,
          applicantName: name,
          jobTitle: input.jobTitle,
          employerName: checked.employer.name,
          regionName: region!.name,
          ttlDays: ENDORSEMENT.ttlDays,
          endorseLink: endorseLink(created.endorseToken),
        }),
      );
      return {
        id: created.id,
        reference: created.reference,
        regionCode: created.regionCode,
        statusToken: created.statusToken,
      };
    });
  }

  // ---------------------------------------------------------------- the applicant's secure link

  async function findByStatusToken(token: string) {
    const a = await repo.findApplicationByStatusToken(db, hashToken(token));
    if (!a)
      throw new NotFoundError(
        'This link is not valid. Use the link in the most recent email about your application.',
      );
    return presentDetail(a);
  }

  async function withdrawByApplicant(token: string, actor: AnonymousActor) {
    return db.transaction().execute(async (trx) => {
      const found = await repo.findApplicationByStatusToken(trx, hashToken(token));
      if (!found)
        throw new NotFoundError(
          'This link is not valid. Use the link in the most recent email about your application.',
        );
      await repo.lockRegion(trx, found.region_code);
      const a = (await repo.lockApplication(trx, found.id))!;
      if (!ALLOWED.withdraw.includes(a.status)) {
        throw new ConflictError(
          `Your application cannot be withdrawn: it is ${statusLabels[a.status].toLowerCase()}.`,
        );
      }
      await leaveStatus(trx, a);
      await repo.updateApplication(trx, a.id, {
        status: 'withdrawn',
        withdrawn_at: new Date(),
        waitlist_rank: null,
        decision_reason: 'Withdrawn by the applicant',
      });
      await recordAudit(trx, actor, {
        action: 'application.withdraw',
        entityType: 'application',
        entityId: a.id,
        summary: `Application ${found.reference} withdrawn by the applicant`,
        details: { from: a.status },
      });
      await enqueueEmail(trx, withdrawnByApplicantLetter(found));
      if (a.status === 'offered') await fillFreePlaces(trx, found.region_code, 'system');
    });
  }

  /** Accepting an offer: the applicant becomes a member of the region's cohort and is invited to set a password. */
  async function acceptOffer(token: string, actor: AnonymousActor) {
    return db.transaction().execute(async (trx) => {
      const found = await repo.findApplicationByStatusToken(trx, hashToken(token));
      if (!found)
        throw new NotFoundError(
          'This link is not valid. Use the link in the most recent email about your application.',
        );
      return acceptInTransaction(trx, found.id, actor);
    });
  }

  /**
   * Accepts an offered place inside the caller's transaction: the account, the Member role and the
   * full member profile of the intake (one path with the CSV import and the demo seed), audited.
   * `welcome: false` (the demo seed) sends no email.
   */
  async function acceptInTransaction(
    trx: Executor,
    id: number,
    actor: AnonymousActor | 'system',
    opts: { welcome?: boolean } = {},
  ) {
    const a = await repo.lockApplication(trx, id);
    const found = await repo.findApplication(trx, id);
    if (!a || !found) throw new NotFoundError('Application not found');
    if (a.status !== 'offered') {
      throw new ConflictError(
        `There is no offer to accept: your application is ${statusLabels[a.status].toLowerCase()}.`,
      );
    }
    if (a.offer_expires_on && a.offer_expires_on < londonDate())
      throw new ConflictError(
        `This offer lapsed: it had to be accepted by ${longDate(a.offer_expires_on)}. Contact the regional team if you would still like to join.`,
      );
    const name = `${found.given_name} ${found.family_name}`;
    const intro =
      `Welcome to the Clinical Leaders Network in ${found.region_name}. You have accepted your place in the ` +
      `${found.intake_name} intake`;
    const joined = await joinNetworkInTransaction(trx, joiningOf(found), actor, {
      baseUrl: config.baseUrl,
      welcome:
        opts.welcome === false
          ? null
          : { invite: `${intro}, and an account has been created for you.`, signIn: `${intro}.` },
    });
    await repo.updateApplication(trx, id, {
      status: 'accepted',
      accepted_at: new Date(),
      user_id: joined.userId,
    });
    await recordAudit(trx, actor, {
      action: 'application.accept',
      entityType: 'application',
      entityId: id,
      summary: `${name} accepted the offer (${found.reference}) and joined ${found.region_name} as a member`,
      details: {
        userId: joined.userId,
        intakeId: found.intake_id,
        newAccount: joined.newAccount,
        newProfile: joined.profileCreated,
      },
    });
    return { userId: joined.userId, newAccount: joined.newAccount };
  }

  // ---------------------------------------------------------------- sponsor endorsement

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
            endorseLink: endorseLink(token),
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

  return {
    expireOffers,
    loadDraft,
    saveDraft,
    discardDraft,
    searchEmployers,
    findEmployer,
    listRecruitingRegions,
    submitApplication,
    checkSubmission: (input: ApplicationSubmission) => checkSubmission(db, input),
    insertSubmitted,
    findByStatusToken,
    withdrawByApplicant,
    acceptOffer,
    acceptInTransaction,
    findEndorsement,
    respondToEndorsement,
    sendSponsorReminders,
    getApplication,
    listApplications,
    ...quota,
    decide,
    decideInTransaction,
    decideMany,
    housekeeping: () => repo.deleteExpiredDrafts(db),
  };
}

export type RecruitmentService = ReturnType<typeof createRecruitmentService>;

export function presentDetail(a: repo.ApplicationRow) {
  return {
    id: a.id,
    reference: a.reference,
    regionCode: a.region_code,
    regionName: a.region_name,
    intakeId: a.intake_id,
    intakeName: a.intake_name,
    status: a.status,
    statusLabel: statusLabels[a.status],
    name: `${a.given_name} ${a.family_name}`,
    givenName: a.given_name,
    familyName: a.family_name,
    email: a.email,
    phone: a.phone,
    profession: a.profession,
    professionLabel: professionLabel(a.profession),
    register: a.register,
    registrationNumber: a.registration_number,
    employer: {
      odsCode: a.employer_ods_code,
      name: a.employer_name,
      organisationId: a.employer_organisation_id,
    },
    jobTitle: a.job_title,
    roleSummary: a.role_summary,
    leadershipExperience: a.leadership_experience,
    motivation: a.motivation,
    sponsor: { name: a.sponsor_name, email: a.sponsor_email },
    endorsement: a.endorsement_status,
    endorsementComment: a.endorsement_comment,
    endorsementRespondedAt: a.endorsement_responded_at,
    endorsementReminders: a.endorsement_reminders,
    waitlistRank: a.waitlist_rank,
    decisionReason: a.decision_reason,
    source: a.source,
    submittedAt: a.submitted_at,
    decidedAt: a.decided_at,
    offeredAt: a.offered_at,
    offerExpiresOn: a.offer_expires_on,
    acceptedAt: a.accepted_at,
    withdrawnAt: a.withdrawn_at,
    userId: a.user_id,
  };
}
export type ApplicationDetail = ReturnType<typeof presentDetail>;
