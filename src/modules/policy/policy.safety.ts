import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.ts';
import { enqueueEmails } from '../../platform/outbox.ts';
import { type Actor, isNational } from '../../platform/permissions.ts';
import * as repo from './policy.safety.repository.ts';
import type { AcknowledgeInput } from './policy.safety.schemas.ts';
import * as staffRepo from './policy.staff.repository.ts';

/** A concern unacknowledged this long is overdue. */
export const SAFETY_OVERDUE_HOURS = 48;
export const SAFETY_PAGE_SIZE = 25;
/** The open concerns a page shows at most (they are meant to be acknowledged within two days). */
const OPEN_LIMIT = 200;
const SUMMARY_MAX = 1000;

/** What the responses part (or a question) passes when something is flagged as a patient-safety concern. */
export type SafetyConcernInput = {
  responseId?: number | null;
  questionId?: number | null;
  /** The person who raised it; `userId` is the same, for `onSafetyConcern(trx, { responseId, userId, summary })`. */
  raisedBy?: number;
  userId?: number;
  /** A line saying what the concern is about (the call or question title); capped, not shown as HTML. */
  summary: string;
  /** The person acting, for the audit log; when absent the entry names the raiser by id. */
  actor?: Actor;
};

type ConcernRow = {
  id: number;
  response_id: number | null;
  question_id: number | null;
  summary: string;
  raised_at: Date;
  acknowledged_at: Date | null;
  acknowledgement: string | null;
  raised_by_name: string | null;
  acknowledged_by_name?: string | null;
};

const hoursSince = (at: Date, now: number) => Math.max(0, Math.floor((now - at.getTime()) / 3_600_000));

function present(r: ConcernRow, now = Date.now()) {
  const hoursWaiting = hoursSince(r.raised_at, now);
  return {
    id: r.id,
    source: (r.response_id !== null ? 'response' : 'question') as 'response' | 'question',
    responseId: r.response_id,
    questionId: r.question_id,
    summary: r.summary,
    raisedBy: r.raised_by_name ?? 'A person no longer in the network',
    raisedAt: r.raised_at,
    overdue: r.acknowledged_at === null && hoursWaiting >= SAFETY_OVERDUE_HOURS,
    hoursWaiting,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by_name ?? null,
    acknowledgement: r.acknowledgement,
  };
}
export type ConcernView = ReturnType<typeof present>;

function describeAnswer(a: {
  text_value: string | null;
  choice_values: string[];
  scale_value: number | null;
}): string {
  if (a.text_value !== null && a.text_value !== '') return a.text_value;
  if (a.choice_values.length) return a.choice_values.join('; ');
  if (a.scale_value !== null) return String(a.scale_value);
  return 'Not answered';
}

/**
 * The patient-safety fast lane: a concern flagged in a response or a question reaches every named
 * safety lead at once (email, and their safety page), or the national team when no lead is named;
 * the sender gets a receipt, and later the lead's acknowledgement. A concern unacknowledged for 48
 * hours shows as overdue, first.
 */
export function createSafety(deps: { db: DB; baseUrl: string }) {
  const { db, baseUrl } = deps;

  /**
   * Records a concern inside the caller's transaction and emails the safety leads and the sender.
   * Returns the concern's id. The caller has already checked that the person may write the
   * response or question it comes from.
   */
  async function raiseSafetyConcern(trx: Executor, input: SafetyConcernInput): Promise<number> {
    const raisedBy = input.raisedBy ?? input.userId;
    if (raisedBy === undefined) throw new Error('raiseSafetyConcern needs raisedBy (or userId)');
    const responseId = input.responseId ?? null;
    const questionId = input.questionId ?? null;
    if (responseId === null && questionId === null)
      throw new Error('raiseSafetyConcern needs a responseId or a questionId');
    const summary = input.summary.trim().slice(0, SUMMARY_MAX) || 'A patient-safety concern';
    const leads = await staffRepo.listSafetyLeads(trx);
    const recipients = leads.length ? leads : await staffRepo.listNationalTeam(trx);
    const sender = await repo.findUserContact(trx, raisedBy);
    const { id } = await repo.insertConcern(trx, {
      response_id: responseId,
      question_id: questionId,
      raised_by: raisedBy,
      summary,
      lead_user_id: leads[0]?.id ?? null,
    });
    const where = responseId !== null ? 'a response to a call for input' : 'a question to policy makers';
    const link = `${baseUrl}/policy/safety/${id}`;
    await enqueueEmails(trx, [
      ...recipients.map((r) =>
        letter({
          to: r.email,
          name: r.name,
          subject: 'A patient-safety concern has been raised',
          kind: 'policy-safety-concern',
          body: [
            `A member has flagged ${where} as a patient-safety concern: ${summary}`,
            leads.length
              ? 'You are a named patient-safety lead. Please read it and acknowledge it to the member within 48 hours.'
              : 'No patient-safety lead is named, so the national team receives it. Please read it and acknowledge it to the member within 48 hours.',
            { text: 'Read the concern:', link },
          ],
        }),
      ),
      ...(sender
        ? [
            letter({
              to: sender.email,
              name: sender.name,
              subject: 'We have your patient-safety concern',
              kind: 'policy-safety-receipt',
              body: [
                `We have your concern about ${where}: ${summary}`,
                'A patient-safety lead will acknowledge it. If a patient is at immediate risk, follow your organisation’s incident process as well.',
              ],
            }),
          ]
        : []),
    ]);
    await recordAudit(trx, input.actor ?? 'system', {
      action: 'policy.safety.raise',
      entityType: 'policy_safety_concern',
      entityId: id,
      summary:
        `Patient-safety concern raised on ${responseId !== null ? `response ${responseId}` : `question ${questionId}`}` +
        (input.actor ? '' : ` by user ${raisedBy}`) +
        `; sent to ${leads.length ? `${leads.length} safety lead(s)` : 'the national team (no safety lead named)'}`,
    });
    return id;
  }

  async function requireSafetyReader(actor: Actor | null | undefined): Promise<Actor> {
    if (!actor) throw new UnauthenticatedError();
    if (isNational(actor)) return actor;
    if (await repo.isSafetyLead(db, actor.userId)) return actor;
    throw new ForbiddenError('Only the named patient-safety leads and the national team see safety concerns');
  }

  /** True when the person sees the safety page (a lead or the national team): for their home page. */
  async function canReadSafety(actor: Actor): Promise<boolean> {
    return isNational(actor) || repo.isSafetyLead(db, actor.userId);
  }

  async function listConcerns(actor: Actor, page: number) {
    await requireSafetyReader(actor);
    const now = Date.now();
    const [open, openTotal, acknowledged] = await Promise.all([
      repo.listOpenConcerns(db, OPEN_LIMIT),
      repo.countOpenConcerns(db),
      repo.listAcknowledgedConcerns(db, { limit: SAFETY_PAGE_SIZE, offset: (page - 1) * SAFETY_PAGE_SIZE }),
    ]);
    return {
      // Oldest first, so the overdue ones lead.
      open: open.map((r) => present(r, now)),
      openTotal,
      acknowledged: acknowledged.rows.map((r) => present(r, now)),
      acknowledgedTotal: acknowledged.total,
      page,
      pageSize: SAFETY_PAGE_SIZE,
    };
  }

  async function getConcern(actor: Actor, id: number) {
    await requireSafetyReader(actor);
    const row = await repo.findConcern(db, id);
    if (!row) throw new NotFoundError('There is no such patient-safety concern');
    let sourceTitle = 'The source of this concern no longer exists';
    let sourceText: { prompt: string; answer: string }[] = [];
    if (row.question_id !== null) {
      const q = await repo.findQuestionSource(db, row.question_id);
      if (q) {
        sourceTitle = `Question: ${q.title}`;
        sourceText = [{ prompt: 'The question', answer: q.body }];
      }
    } else if (row.response_id !== null) {
      const r = await repo.findResponseSource(db, row.response_id);
      if (r) {
        sourceTitle = `Response to the call: ${r.call_title}`;
        sourceText = r.answers.map((a) => ({ prompt: a.prompt, answer: describeAnswer(a) }));
      }
    }
    return { ...present(row), lead: row.lead_name, sourceTitle, sourceText };
  }

  async function acknowledge(actor: Actor, id: number, input: AcknowledgeInput) {
    await requireSafetyReader(actor);
    await db.transaction().execute(async (trx) => {
      const locked = await repo.lockConcern(trx, id);
      if (!locked) throw new NotFoundError('There is no such patient-safety concern');
      if (locked.acknowledged_at !== null)
        throw new ConflictError('This concern has already been acknowledged');
      await repo.acknowledgeConcern(trx, id, { acknowledged_by: actor.userId, acknowledgement: input.note });
      const sender =
        locked.raised_by === null ? undefined : await repo.findUserContact(trx, locked.raised_by);
      if (sender)
        await enqueueEmails(trx, [
          letter({
            to: sender.email,
            name: sender.name,
            subject: 'Your patient-safety concern has been acknowledged',
            kind: 'policy-safety-acknowledged',
            body: [
              `${actor.name} has acknowledged the patient-safety concern you raised, with this note:`,
              input.note,
            ],
          }),
        ]);
      await recordAudit(trx, actor, {
        action: 'policy.safety.acknowledge',
        entityType: 'policy_safety_concern',
        entityId: id,
        summary: `Acknowledged patient-safety concern ${id}${sender ? ' and wrote to the sender' : ''}`,
      });
    });
    return getConcern(actor, id);
  }

  return { raiseSafetyConcern, canReadSafety, listConcerns, getConcern, acknowledge };
}
export type PolicySafety = ReturnType<typeof createSafety>;
