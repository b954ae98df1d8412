import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { addDays, londonDate } from '../../platform/dates.ts';
import { letterText } from '../../platform/emails.ts';
import {
  AppError,
  ConflictError,
  type FieldError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import { type Actor, type AnonymousActor, requireRole } from '../../platform/permissions.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import * as totals from './development.profile-totals.ts';
import * as repo from './development.repository.ts';
import {
  type FeedbackInput,
  feedbackInput,
  RATER_GROUP_LABELS,
  type RaterInput,
  raterInput,
  type RoundInput,
  roundInput,
} from './development.schemas.ts';
import { type Clock, parseWith } from './development.shared.ts';
import { checkRatings, type Versions } from './development.versions.ts';

/** A rater group's scores are shown on their own only with at least this many responses. */
export const MIN_GROUP_RESPONSES = 3;
const MAX_ROUND_DAYS = 366;

/** Whether a round still takes answers and invitations (today's date in London). */
export function isOpen(r: { closed_at: Date | null; closes_on: string }, today: string) {
  return r.closed_at === null && r.closes_on >= today;
}
/**
 * When a round actually closed: closed by hand before its planned date is "closed early" on that
 * day; closed by date (by the scheduled task, or not yet marked) is its planned closing date.
 */
export function closingOf(r: { closed_at: Date | null; closes_on: string }, today: string) {
  if (r.closed_at === null) return { closedOn: r.closes_on < today ? r.closes_on : null, closedEarly: false };
  const on = londonDate(r.closed_at);
  if (on < r.closes_on) return { closedOn: on, closedEarly: true };
  // Closed on its last day, or by the task after the end of that day: it closed as planned.
  return { closedOn: r.closes_on, closedEarly: false };
}

/** The member's own round; anyone else's is not found. */
export async function ownRound(
  x: Executor,
  actor: Actor,
  roundId: number,
  opts: { forUpdate?: boolean } = {},
) {
  const round = await repo.selectRound(x, roundId, opts);
  if (!round || round.user_id !== actor.userId) throw new NotFoundError('There is no such feedback round');
  return round;
}

/** The email inviting a rater, or reminding them, with their new single-use link. */
export function invitationText(
  baseUrl: string,
  p: {
    raterName: string;
    memberName: string;
    title: string;
    closesOn: string;
    token: string;
    reminder: boolean;
  },
) {
  return letterText({
    name: p.raterName,
    body: [
      p.reminder
        ? `This is a reminder: ${p.memberName} would value your feedback for "${p.title}". Earlier links no longer work; use this one.`
        : `${p.memberName} has asked for your feedback on their leadership, as part of the Clinical Leaders Network ("${p.title}").`,
      {
        text: `Give your feedback here (no account needed; the link works once, until ${p.closesOn}):`,
        link: `${baseUrl}/feedback/${p.token}`,
      },
      `Your answers are anonymous. Scores are shown by group only when at least ${MIN_GROUP_RESPONSES} people in a group answer; ` +
        'otherwise they are combined with others. Comments are shown without names.',
    ],
  });
}

/**
 * 360-degree feedback rounds: starting one, the member's rounds, inviting raters, closing a round,
 * and the rater's side (opening the single-use link, answering once). The report is in
 * development.feedback-report.ts, the reminders in development.feedback-reminders.ts.
 */
export function createFeedbackRounds(deps: { db: DB; baseUrl: string; versions: Versions; clock: Clock }) {
  const { db, baseUrl } = deps;
  const { loadVersion, currentVersionFor } = deps.versions;
  const { today } = deps.clock;

  async function createRound(actor: Actor, raw: RoundInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(roundInput, raw);
    const t = today();
    if (input.closesOn <= t)
      throw new ValidationError([{ field: 'closesOn', message: 'The closing date must be in the future' }]);
    if (input.closesOn > addDays(t, MAX_ROUND_DAYS))
      throw new ValidationError([{ field: 'closesOn', message: 'The closing date must be within a year' }]);
    return db.transaction().execute(async (trx) => {
      const current = await currentVersionFor(trx, actor.userId);
      const round = await repo.insertRound(trx, {
        userId: actor.userId,
        versionId: current.versionId,
        regionCode: current.regionCode,
        title: input.title,
        closesOn: input.closesOn,
      });
      await recordAudit(trx, actor, {
        action: 'development.feedback.create',
        entityType: 'dev_feedback_round',
        entityId: round.id,
        summary: `Started 360-degree feedback "${input.title}", closing ${input.closesOn}`,
      });
      return { id: round.id };
    });
  }

  async function listRounds(actor: Actor, page: number, pageSize: number) {
    requireRole(actor, ['member']);
    const { rows, total } = await repo.selectRoundsOf(db, actor.userId, pageSize, (page - 1) * pageSize);
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        title: r.title,
        closesOn: r.closes_on,
        open: isOpen(r, today()),
        invited: Number(r.invited),
        responses: Number(r.responses),
      })),
    };
  }

  async function getRound(actor: Actor, roundId: number) {
    requireRole(actor, ['member']);
    const round = await ownRound(db, actor, roundId);
    const raters = await repo.selectRaters(db, roundId);
    const responses = raters.filter((r) => r.responded_at !== null).length;
    return {
      id: round.id,
      title: round.title,
      closesOn: round.closes_on,
      open: isOpen(round, today()),
      ...closingOf(round, today()),
      versionId: round.version_id,
      responses,
      raters: raters.map((r) => ({
        id: r.id,
        name: r.name,
        email: r.email,
        group: r.rater_group,
        groupLabel: RATER_GROUP_LABELS[r.rater_group],
        responded: r.responded_at !== null,
        remindersSent: r.reminders_sent,
      })),
    };
  }

  /** Invites raters by email, each with a single-use link; all or none are invited. */
  async function inviteRaters(actor: Actor, roundId: number, rawRaters: (RaterInput | unknown)[]) {
    requireRole(actor, ['member']);
    const raters = rawRaters.map((r, i) => {
      try {
        return parseWith(raterInput, r);
      } catch (err) {
        if (err instanceof ValidationError && rawRaters.length > 1)
          throw new ValidationError(err.errors.map((e) => ({ ...e, field: `raters.${i}.${e.field}` })));
        throw err;
      }
    });
    const errors: FieldError[] = [];
    const own = actor.email.toLowerCase();
    const emails = new Set<string>();
    raters.forEach((r, i) => {
      const field = raters.length > 1 ? `raters.${i}.email` : 'email';
      if (r.email === own) errors.push({ field, message: 'You cannot invite yourself as a rater' });
      if (emails.has(r.email)) errors.push({ field, message: `${r.email} is listed twice` });
      emails.add(r.email);
    });
    if (errors.length) throw new ValidationError(errors);
    return db.transaction().execute(async (trx) => {
      const round = await ownRound(trx, actor, roundId, { forUpdate: true });
      if (!isOpen(round, today()))
        throw new ConflictError('This feedback round has closed: no more raters can be invited');
      for (const [i, r] of raters.entries()) {
        if (await repo.selectRaterByEmail(trx, roundId, r.email)) {
          throw new ValidationError([
            {
              field: raters.length > 1 ? `raters.${i}.email` : 'email',
              message: `${r.email} has already been invited`,
            },
          ]);
        }
        const token = createToken();
        const rater = await repo.insertRater(trx, {
          roundId,
          name: r.name,
          email: r.email,
          group: r.group,
          tokenHash: hashToken(token),
        });
        await enqueueEmail(trx, {
          to: r.email,
          kind: 'development.feedback.invite',
          subject: `${actor.name} asks for your feedback`,
          text: invitationText(baseUrl, {
            raterName: r.name,
            memberName: actor.name,
            title: round.title,
            closesOn: round.closes_on,
            token,
            reminder: false,
          }),
        });
        await recordAudit(trx, actor, {
          action: 'development.feedback.rater.invite',
          entityType: 'dev_feedback_round',
          entityId: roundId,
          summary: `Invited ${r.email} (${RATER_GROUP_LABELS[r.group]}) to give 360-degree feedback`,
          details: { raterId: rater.id },
        });
      }
      return { invited: raters.length };
    });
  }

  async function closeRound(actor: Actor, roundId: number) {
    requireRole(actor, ['member']);
    await db.transaction().execute(async (trx) => {
      const round = await ownRound(trx, actor, roundId, { forUpdate: true });
      if (round.closed_at) return;
      await repo.closeRound(trx, roundId);
      await totals.refreshMemberProfile(trx, round.user_id, round.version_id, today(), ['raters']);
      await recordAudit(trx, actor, {
        action: 'development.feedback.close',
        entityType: 'dev_feedback_round',
        entityId: roundId,
        summary: `Closed 360-degree feedback "${round.title}"`,
      });
    });
  }

  /** What a rater's link shows; a used, unknown or closed link gets a clear refusal. */
  async function openRaterLink(token: string) {
    const rater = await repo.selectRaterByTokenHash(db, hashToken(token));
    if (!rater) throw new RaterLinkError('not-found');
    if (rater.responded_at) throw new RaterLinkError('used');
    if (rater.closed_at !== null || rater.closes_on < today()) throw new RaterLinkError('closed');
    const version = await loadVersion(db, rater.version_id);
    return {
      memberName: rater.member_name,
      title: rater.title,
      closesOn: rater.closes_on,
      group: rater.rater_group,
      groupLabel: RATER_GROUP_LABELS[rater.rater_group],
      version,
    };
  }

  /** Saves a rater's answers once: the response keeps the rater's group but not who they are. */
  async function submitFeedback(token: string, raw: FeedbackInput | unknown, who: AnonymousActor) {
    const input = parseWith(feedbackInput, raw);
    return db.transaction().execute(async (trx) => {
      const rater = await repo.selectRaterByTokenHash(trx, hashToken(token), { forUpdate: true });
      if (!rater) throw new RaterLinkError('not-found');
      if (rater.responded_at) throw new RaterLinkError('used');
      if (rater.closed_at !== null || rater.closes_on < today()) throw new RaterLinkError('closed');
      const version = await loadVersion(trx, rater.version_id);
      const errors = checkRatings(version, input.ratings, { requireAll: false });
      if (!input.ratings.length && !input.strengths && !input.development)
        errors.push({ field: 'form', message: 'Rate at least one competency or leave a comment' });
      if (errors.length) throw new ValidationError(errors);
      await repo.insertResponse(trx, {
        roundId: rater.round_id,
        group: rater.rater_group,
        strengths: input.strengths,
        development: input.development,
        ratings: input.ratings,
      });
      await repo.markRaterResponded(trx, rater.id);
      await recordAudit(trx, who, {
        action: 'development.feedback.respond',
        entityType: 'dev_feedback_round',
        entityId: rater.round_id,
        summary: `A rater (${RATER_GROUP_LABELS[rater.rater_group]}) gave 360-degree feedback`,
      });
      return { memberName: rater.member_name };
    });
  }

  return { createRound, listRounds, getRound, inviteRaters, closeRound, openRaterLink, submitFeedback };
}

/** A rater link that cannot be used: unknown (404), already used or its round closed (410). */
export class RaterLinkError extends AppError {
  override readonly status: number;
  override readonly code: string;
  constructor(readonly reason: 'not-found' | 'used' | 'closed') {
    super(
      reason === 'used'
        ? 'This feedback link has already been used. Each link works once, so your answers are saved and cannot be changed.'
        : reason === 'closed'
          ? 'Feedback for this request has closed, so this link no longer works.'
          : 'This feedback link is not valid. Check you copied the whole link from the email; if you were sent a reminder, use the newest link.',
    );
    this.status = reason === 'not-found' ? 404 : 410;
    this.code = reason === 'not-found' ? 'not_found' : reason === 'used' ? 'link_used' : 'link_closed';
  }
}
