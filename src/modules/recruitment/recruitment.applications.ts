import { randomInt } from 'node:crypto';
import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDate, longDate } from '../../platform/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import type { AnonymousActor } from '../../platform/permissions.ts';
import {
  checkRegistrationNumber,
  normaliseRegistrationNumber,
  PROFESSIONS,
  registerForProfession,
  type Profession,
} from '../../platform/registration.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import { findCurrentMember } from '../members/index.ts';
import {
  acknowledgementLetter,
  endorsementRequestLetter,
  withdrawnByApplicantLetter,
} from './recruitment.emails.ts';
import { ENDORSEMENT, endorseLink } from './recruitment.endorsement.ts';
import { joiningOf, joinNetworkInTransaction } from './recruitment.joining.ts';
import type { Places } from './recruitment.places.ts';
import * as repo from './recruitment.repository.ts';
import { type ApplicationSubmission, type DecisionAction, statusLabels } from './recruitment.schemas.ts';
import type { ApplicationStatus } from './recruitment.table.ts';

/**
 * Applications, the applicant's side: the public journey's drafts and employer search, submitting
 * (one live application per person across the network), the status link, withdrawing and
 * accepting an offer (joining the network).
 */

export const PRIVACY_NOTICE_VERSION = '2026-11';
const DRAFT_TTL_DAYS = 7;
const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** One region's intake as the public pages show it. Dates are 'YYYY-MM-DD'. */
export type PublicIntake = {
  regionCode: string;
  regionName: string;
  intakeName: string;
  places: number;
  opensOn: string;
  closesOn: string | null;
};

/** The way in: what the home and about pages say about applying (see `describeOpenIntakes`). */
export type OpenIntakes = {
  open: PublicIntake[];
  next: PublicIntake | null;
  sameClosingDate: { closesOn: string | null } | null;
  whoCanApply: typeof WHO_CAN_APPLY;
  applyHref: string;
};

const plural = (label: string) => (label.endsWith('fe') ? `${label.slice(0, -2)}ves` : `${label}s`);
const inWords = (items: readonly string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
const EMPLOYER_WORDS: Record<string, string> = {
  trust: 'an NHS trust',
  icb: 'an integrated care board',
  'gp-practice': 'a GP practice',
  pharmacy: 'a community pharmacy',
  'dental-practice': 'a dental practice',
};

/**
 * Who may apply, in words, from the rules the application checks: a profession with its register
 * (the profession question), an NHS employer of the kinds the employer search offers, a sponsor.
 */
export const WHO_CAN_APPLY = {
  professions: inWords(PROFESSIONS.map((p) => plural(p.label.toLowerCase()))),
  registers: [...new Set(PROFESSIONS.map((p) => p.register))].join(', ').replace(/, ([^,]+)$/, ' or $1'),
  employers: repo.EMPLOYER_KINDS.map((k) => EMPLOYER_WORDS[k] ?? k)
    .join(', ')
    .replace(/, ([^,]+)$/, ' or $1'),
} as const;

/** offerReplyDays: how long an applicant has to accept an offer (14 days unless configured). */
export type RecruitmentConfig = { baseUrl: string; offerReplyDays?: number };

/** Which decisions may follow which status (the applicant's withdrawal follows `withdraw`). */
export const ALLOWED: Record<DecisionAction, ApplicationStatus[]> = {
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

/** The kinds of organisation an applicant may name as employer, as a person reads them. */
export const EMPLOYER_KIND_LABELS = {
  trust: 'NHS trust',
  icb: 'Integrated care board',
  'gp-practice': 'GP practice',
  pharmacy: 'Community pharmacy',
  'dental-practice': 'Dental practice',
} as const;
export type EmployerKind = keyof typeof EMPLOYER_KIND_LABELS;

export function createApplications(deps: { db: DB; config: RecruitmentConfig; places: Places }) {
  const { db, config } = deps;
  const { statusLink, leaveStatus, fillFreePlaces } = deps.places;

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
    const rows = await repo.searchOpenEmployers(db, term, 30);
    return rows.map((r) => ({
      odsCode: r.ods_code!,
      name: r.name,
      town: r.town,
      kind: r.kind as EmployerKind,
      kindLabel: EMPLOYER_KIND_LABELS[r.kind as EmployerKind] ?? r.kind,
      regionCode: r.sha_code,
    }));
  }

  async function findEmployer(ods: string) {
    const t = await repo.findOpenEmployerByOds(db, ods.trim().toUpperCase());
    return t ? { id: t.id, odsCode: t.ods_code!, name: t.name, town: t.town, regionCode: t.sha_code } : null;
  }

  const listRecruitingRegions = () => repo.listRecruitingRegions(db);

  /** The regions an applicant may choose today: those with an intake taking applications. */
  async function listRegionsTakingApplications() {
    const { open } = await describeOpenIntakes();
    return open.map((i) => ({ code: i.regionCode, name: i.regionName }));
  }

  /**
   * What the public pages say about applying: the intakes taking applications today (region,
   * places, closing date), the next one to open when none is, and who may apply under the rules
   * the application itself checks (profession and register, employer, sponsor).
   */
  async function describeOpenIntakes(today = londonDate()): Promise<OpenIntakes> {
    const rows = await repo.listOpenAndUpcomingIntakes(db, today);
    const present = (r: (typeof rows)[number]) => ({
      regionCode: r.region_code,
      regionName: r.region_name,
      intakeName: r.name,
      places: r.recruitment_target,
      opensOn: r.opens_on,
      closesOn: r.closes_on,
    });
    const open = rows.filter((r) => r.opens_on <= today).map(present);
    const upcoming = rows.filter((r) => r.opens_on > today).map(present);
    const closing = [...new Set(open.map((i) => i.closesOn))];
    return {
      open: [...open].sort((a, b) => a.regionName.localeCompare(b.regionName)),
      next: upcoming[0] ?? null,
      // One closing date for every open intake (or none set): the pages can say "apply by" once.
      sameClosingDate: closing.length === 1 ? { closesOn: closing[0]! } : null,
      whoCanApply: WHO_CAN_APPLY,
      applyHref: '/apply',
    };
  }

  // ---------------------------------------------------------------- submitting

  /** Checks what a schema cannot: the register's format, the employer, the region and the sponsor. */
  async function checkSubmission(x: Executor, input: ApplicationSubmission) {
    const register = registerForProfession(input.profession as Profession);
    const problem = checkRegistrationNumber(register, input.registrationNumber);
    const errors: { field: string; message: string }[] = [];
    if (problem) errors.push({ field: 'registrationNumber', message: problem });
    const employer = await repo.findOpenEmployerByOds(x, input.employerOds);
    if (!employer) {
      errors.push({
        field: 'employerOds',
        message: `There is no open NHS trust with the ODS code ${input.employerOds}. Search for your employer by name`,
      });
    }
    const regionCode = input.regionCode ?? employer?.sha_code ?? null;
    const intake = regionCode ? await repo.findOpenIntake(x, regionCode, londonDate()) : undefined;
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
          endorseLink: endorseLink(config.baseUrl, created.endorseToken),
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

  return {
    loadDraft,
    saveDraft,
    discardDraft,
    searchEmployers,
    findEmployer,
    listRecruitingRegions,
    listRegionsTakingApplications,
    describeOpenIntakes,
    submitApplication,
    checkSubmission: (input: ApplicationSubmission) => checkSubmission(db, input),
    insertSubmitted,
    findByStatusToken,
    withdrawByApplicant,
    acceptOffer,
    acceptInTransaction,
    housekeeping: () => repo.deleteExpiredDrafts(db),
  };
}

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
