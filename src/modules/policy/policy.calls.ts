import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { addDays, daysBetween, londonDate, longDate } from '../../platform/dates.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { PROFESSIONS } from '../../platform/registration.ts';
import { findPolicyFacts, listPolicyReferenceLists } from '../members/index.ts';
import { isPolicyTeam, type PolicyAccess, requirePolicyTeam } from './policy.access.ts';
import * as repo from './policy.calls.repository.ts';
import {
  CALL_STATUS_LABELS,
  type CallInput,
  type DocumentInput,
  LIMITS,
  type QuestionInput,
  type ResponseDueInput,
  type StatusChangeInput,
} from './policy.schemas.ts';
import type { CallStatus, PolicyCallQuestionRow, PolicyCallRow } from './policy.table.ts';

/** Twelve weeks after the call closes: when the published response is due unless a reason says otherwise. */
export const RESPONSE_DUE_WEEKS = 12;

/** The moves a person may make; the scheduled task also opens and closes calls on their dates. */
const TRANSITIONS: Record<CallStatus, CallStatus[]> = {
  draft: ['scheduled'],
  scheduled: ['draft', 'open'],
  open: ['closed'],
  closed: ['concluded'],
  concluded: [],
};
/** A call's structure (questions, audience, dates) changes only before it opens. */
const EDITABLE: CallStatus[] = ['draft', 'scheduled'];

const PLURAL_PROFESSIONS: Record<string, string> = Object.fromEntries(
  PROFESSIONS.map((p) => [p.key, p.key === 'midwife' ? 'midwives' : `${p.label.toLowerCase()}s`]),
);

export function defaultResponseDue(closesOn: string): string {
  return addDays(closesOn, RESPONSE_DUE_WEEKS * 7);
}

/**
 * Drafts a call from a member's question inside the caller's transaction (the questions section
 * turns a question into a call through this: the calls section is the one writer of calls). The
 * call takes the question's title and text, the channel's response-due rule and its first dated
 * state; its questions, audience and documents are added afterwards like any draft's.
 */
export async function insertDraftCallFromQuestion(
  trx: Executor,
  v: {
    title: string;
    summary: string;
    opensOn: string;
    closesOn: string;
    ownerUserId: number;
    sourceQuestionId: number;
  },
): Promise<number> {
  const id = await repo.insertCall(trx, {
    kind: 'consultation',
    title: v.title,
    summary: v.summary,
    background: null,
    status: 'draft',
    opens_on: v.opensOn,
    closes_on: v.closesOn,
    response_due_on: defaultResponseDue(v.closesOn),
    response_due_reason: null,
    audience_intake_id: null,
    owner_user_id: v.ownerUserId,
    source_question_id: v.sourceQuestionId,
  });
  await repo.insertStatusChange(trx, {
    callId: id,
    from: null,
    to: 'draft',
    by: v.ownerUserId,
    note: `Drafted from question ${v.sourceQuestionId}`,
  });
  return id;
}

export type QuestionView = {
  id: number;
  position: number;
  kind: PolicyCallQuestionRow['kind'];
  prompt: string;
  help: string | null;
  required: boolean;
  maxLength: number | null;
  options: string[];
  scaleMin: number | null;
  scaleMax: number | null;
  scaleMinLabel: string | null;
  scaleMaxLabel: string | null;
};

export function presentQuestion(q: PolicyCallQuestionRow): QuestionView {
  return {
    id: q.id,
    position: q.position,
    kind: q.kind,
    prompt: q.prompt,
    help: q.help,
    required: q.required,
    maxLength: q.max_length,
    options: q.options,
    scaleMin: q.scale_min,
    scaleMax: q.scale_max,
    scaleMinLabel: q.scale_min_label,
    scaleMaxLabel: q.scale_max_label,
  };
}

export type CallSummary = {
  id: number;
  kind: PolicyCallRow['kind'];
  title: string;
  summary: string;
  status: CallStatus;
  statusLabel: string;
  opensOn: string;
  closesOn: string;
  responseDueOn: string;
  daysLeft: number | null;
  isPublic: boolean;
  myResponse: 'draft' | 'submitted' | null;
};

export function presentCallSummary(
  c: PolicyCallRow,
  myResponse: 'draft' | 'submitted' | null = null,
  today = londonDate(),
): CallSummary {
  return {
    id: c.id,
    kind: c.kind,
    title: c.title,
    summary: c.summary,
    status: c.status,
    statusLabel: CALL_STATUS_LABELS[c.status],
    opensOn: c.opens_on,
    closesOn: c.closes_on,
    responseDueOn: c.response_due_on,
    daysLeft: c.status === 'open' ? Math.max(0, daysBetween(today, c.closes_on)) : null,
    isPublic: c.is_public,
    myResponse,
  };
}

/**
 * Calls for input: a policy maker (or the national team) drafts a call with its questions,
 * documents, audience and dates, schedules it, and it opens and closes on its dates; the owner
 * concludes it once its published response exists. Every change of state is dated in the call's
 * timeline and audited.
 */
export function createCalls(deps: { db: DB; access: PolicyAccess }) {
  const { db, access } = deps;

  async function referenceLists() {
    const lists = await listPolicyReferenceLists(db);
    return { ...lists, professions: PROFESSIONS.map((p) => ({ key: p.key, label: p.label })) };
  }

  async function describeAudience(x: Executor, c: PolicyCallRow): Promise<string> {
    const parts: string[] = [];
    if (c.audience_regions.length)
      parts.push(
        `in ${(await repo.findRegions(x, c.audience_regions))
          .map((r) => r.name)
          .sort()
          .join(', ')}`,
      );
    if (c.audience_professions.length)
      parts.push(`who are ${c.audience_professions.map((p) => PLURAL_PROFESSIONS[p] ?? p).join(' or ')}`);
    if (c.audience_specialty_ids.length)
      parts.push(
        `in ${(await repo.findSpecialties(x, c.audience_specialty_ids))
          .map((s) => s.name.toLowerCase())
          .sort()
          .join(', ')}`,
      );
    if (c.audience_intake_id !== null) {
      const intake = await repo.findIntake(x, c.audience_intake_id);
      if (intake) parts.push(`of the ${intake.name} cohort (${intake.region_code})`);
    }
    return parts.length ? `Members ${parts.join(', ')}` : 'All members';
  }

  /** The whole call as its page and the API show it to this person. */
  async function getCall(actor: Actor, callId: number) {
    const { call, manage, team } = await access.loadCallFor(actor, callId);
    const [questions, documents, changes, mine, owner, audience] = await Promise.all([
      repo.listQuestions(db, callId),
      repo.listDocuments(db, callId),
      repo.listStatusChanges(db, callId),
      repo.findResponseStatusOf(db, callId, actor.userId),
      repo.findUserName(db, call.owner_user_id),
      describeAudience(db, call),
    ]);
    return {
      ...presentCallSummary(call, mine?.status ?? null),
      background: call.background,
      responseDueReason: call.response_due_reason,
      publishedResponse: call.published_response,
      owner: owner?.name ?? null,
      ownerUserId: call.owner_user_id,
      audience: {
        regions: call.audience_regions,
        professions: call.audience_professions,
        specialtyIds: call.audience_specialty_ids,
        intakeId: call.audience_intake_id,
        description: audience,
      },
      questions: questions.map(presentQuestion),
      documents: documents.map((d) => ({ id: d.id, position: d.position, title: d.title, url: d.url })),
      timeline: team
        ? changes.map((c) => ({
            fromStatus: c.from_status,
            toStatus: c.to_status,
            changedBy: c.changed_by_name ?? 'the system',
            changedAt: c.changed_at.toISOString(),
            note: c.note,
          }))
        : // Members see when the call moved on, not who moved it.
          changes
            .filter((c) => ['open', 'closed', 'concluded'].includes(c.to_status))
            .map((c) => ({
              fromStatus: c.from_status,
              toStatus: c.to_status,
              changedBy: 'the policy team',
              changedAt: c.changed_at.toISOString(),
              note: null,
            })),
      myResponseId: mine?.id ?? null,
      canManage: manage,
      isTeam: team,
      editable: manage && EDITABLE.includes(call.status),
      nextStates: manage ? TRANSITIONS[call.status] : [],
    };
  }

  /** Every call for the policy team, newest first, paginated; members use their own page. */
  async function listCalls(actor: Actor, opts: { status?: CallStatus; page: number; pageSize?: number }) {
    requirePolicyTeam(actor);
    const pageSize = opts.pageSize ?? 25;
    const { rows, total } = await repo.listCallsForTeam(db, {
      status: opts.status,
      limit: pageSize,
      offset: (opts.page - 1) * pageSize,
    });
    const today = londonDate();
    return {
      calls: rows.map((c) => ({
        ...presentCallSummary(c, null, today),
        mine: c.owner_user_id === actor.userId,
      })),
      total,
      page: opts.page,
      pageSize,
    };
  }

  /** A member's calls: open ones aimed at them (days left), closed ones they answered, their drafts. */
  async function memberCalls(actor: Actor) {
    const today = londonDate();
    const facts = await findPolicyFacts(db, actor.userId);
    const open = facts ? await repo.listOpenCallsFor(db, actor.userId, facts, 50) : [];
    const mine = await repo.listCallsRespondedBy(db, actor.userId, 100);
    return {
      open: open.map((c) => presentCallSummary(c, c.response_status ?? null, today)),
      drafts: mine
        .filter((c) => c.response_status === 'draft' && c.status === 'open')
        .map((c) => presentCallSummary(c, 'draft', today)),
      answered: mine
        .filter(
          (c) => c.response_status === 'submitted' && (c.status === 'closed' || c.status === 'concluded'),
        )
        .map((c) => ({ ...presentCallSummary(c, 'submitted', today), responseId: c.response_id })),
    };
  }

  /** The rules no schema can check: the audience names real regions, specialties and a cohort; the due date has its reason. */
  async function checkCallInput(
    x: Executor,
    input: CallInput,
  ): Promise<{ responseDueOn: string; responseDueReason: string | null }> {
    const errors: { field: string; message: string }[] = [];
    if (input.audienceRegions.length) {
      const found = await repo.findRegions(x, input.audienceRegions);
      if (found.length !== new Set(input.audienceRegions).size)
        errors.push({ field: 'audienceRegions', message: 'Choose regions from the list' });
    }
    if (input.audienceSpecialtyIds.length) {
      const found = await repo.findSpecialties(x, input.audienceSpecialtyIds);
      if (found.length !== new Set(input.audienceSpecialtyIds).size)
        errors.push({ field: 'audienceSpecialtyIds', message: 'Choose specialties from the list' });
    }
    if (input.audienceIntakeId !== null && !(await repo.findIntake(x, input.audienceIntakeId)))
      errors.push({ field: 'audienceIntakeId', message: 'Choose a cohort from the list' });
    const byDefault = defaultResponseDue(input.closesOn);
    const due = input.responseDueOn ?? byDefault;
    if (due !== byDefault && !input.responseDueReason)
      errors.push({
        field: 'responseDueReason',
        message: `Give the reason the response is due on ${longDate(due)} rather than 12 weeks after the call closes (${longDate(byDefault)})`,
      });
    if (errors.length) throw new ValidationError(errors);
    return { responseDueOn: due, responseDueReason: due === byDefault ? null : input.responseDueReason };
  }

  function callValues(input: CallInput) {
    return {
      kind: input.kind,
      title: input.title,
      summary: input.summary,
      background: input.background,
      is_public: input.isPublic,
      opens_on: input.opensOn,
      closes_on: input.closesOn,
      audience_regions: [...new Set(input.audienceRegions)],
      audience_professions: [...new Set(input.audienceProfessions)],
      audience_specialty_ids: [...new Set(input.audienceSpecialtyIds)],
      audience_intake_id: input.audienceIntakeId,
    };
  }

  async function createCall(actor: Actor, input: CallInput): Promise<number> {
    requirePolicyTeam(actor);
    return db.transaction().execute(async (trx) => {
      const due = await checkCallInput(trx, input);
      const id = await repo.insertCall(trx, {
        ...callValues(input),
        response_due_on: due.responseDueOn,
        response_due_reason: due.responseDueReason,
        owner_user_id: actor.userId,
      });
      await repo.insertStatusChange(trx, {
        callId: id,
        from: null,
        to: 'draft',
        by: actor.userId,
        note: 'Drafted',
      });
      await recordAudit(trx, actor, {
        action: 'policy.call.create',
        entityType: 'policy_call',
        entityId: id,
        summary: `Drafted the call for input “${input.title}” (opens ${longDate(input.opensOn)}, closes ${longDate(input.closesOn)}, response due ${longDate(due.responseDueOn)})`,
        details: { responseDueReason: due.responseDueReason },
      });
      return id;
    });
  }

  /** The call locked for a change of its structure: its manager only, and only before it opens. */
  async function lockEditable(trx: Executor, actor: Actor, callId: number): Promise<PolicyCallRow> {
    const { call } = await access.loadCallToManage(actor, callId, trx);
    const locked = (await repo.lockCall(trx, call.id))!;
    if (!EDITABLE.includes(locked.status))
      throw new ConflictError(
        `This call is ${CALL_STATUS_LABELS[locked.status].toLowerCase()}: its questions, audience and dates can be changed only while it is a draft or scheduled`,
      );
    return locked;
  }

  async function updateCall(actor: Actor, callId: number, input: CallInput): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const before = await lockEditable(trx, actor, callId);
      const due = await checkCallInput(trx, input);
      await repo.updateCall(trx, callId, {
        ...callValues(input),
        response_due_on: due.responseDueOn,
        response_due_reason: due.responseDueReason,
      });
      await recordAudit(trx, actor, {
        action: 'policy.call.update',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Changed the call for input “${input.title}” (opens ${longDate(input.opensOn)}, closes ${longDate(input.closesOn)}, response due ${longDate(due.responseDueOn)})`,
        details: {
          before: {
            title: before.title,
            opensOn: before.opens_on,
            closesOn: before.closes_on,
            responseDueOn: before.response_due_on,
          },
          responseDueReason: due.responseDueReason,
        },
      });
    });
  }

  /** A new response-due date, at any time before the call concludes, always with its reason. */
  async function changeResponseDue(actor: Actor, callId: number, input: ResponseDueInput): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const { call } = await access.loadCallToManage(actor, callId, trx);
      const locked = (await repo.lockCall(trx, call.id))!;
      if (locked.status === 'concluded')
        throw new ConflictError('This call has concluded: its response has been published');
      if (input.responseDueOn < locked.closes_on)
        throw new ValidationError([
          {
            field: 'responseDueOn',
            message: `The response-due date must be on or after the day the call closes (${longDate(locked.closes_on)})`,
          },
        ]);
      await repo.updateCall(trx, callId, {
        response_due_on: input.responseDueOn,
        response_due_reason: input.reason,
      });
      await recordAudit(trx, actor, {
        action: 'policy.call.response-due',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Moved the response-due date of “${locked.title}” from ${longDate(locked.response_due_on)} to ${longDate(input.responseDueOn)}: ${input.reason}`,
        details: { from: locked.response_due_on, to: input.responseDueOn, reason: input.reason },
      });
    });
  }

  async function changeStatus(actor: Actor, callId: number, input: StatusChangeInput): Promise<CallStatus> {
    return db.transaction().execute(async (trx) => {
      const { call } = await access.loadCallToManage(actor, callId, trx);
      const c = (await repo.lockCall(trx, call.id))!;
      const label = (s: CallStatus) => CALL_STATUS_LABELS[s].toLowerCase();
      if (!TRANSITIONS[c.status].includes(input.to))
        throw new ConflictError(
          c.status === input.to
            ? `This call is already ${label(c.status)}`
            : `A ${label(c.status)} call cannot be moved to ${label(input.to)}` +
                (TRANSITIONS[c.status].length
                  ? `: it can move only to ${TRANSITIONS[c.status].map(label).join(' or ')}`
                  : ''),
        );
      const today = londonDate();
      if (input.to === 'scheduled' || input.to === 'open') {
        if ((await repo.countQuestions(trx, callId)) === 0)
          throw new ConflictError('Add at least one question before the call is scheduled or opened');
        if (c.closes_on < today)
          throw new ConflictError(
            `This call closes on ${longDate(c.closes_on)}, which has passed: change its closing date first`,
          );
      }
      if (input.to === 'open' && c.opens_on > today)
        throw new ConflictError(
          `This call opens by itself on ${longDate(c.opens_on)}; to open it now, change its opening date to today`,
        );
      if (input.to === 'concluded' && !c.published_response)
        throw new ConflictError(
          'A call concludes only once its published response exists: publish the response to what members said first',
        );
      // Closed before its closing date: it closed today, and the ledger's "days since it closed"
      // and the response-due count start from today, not from the date once planned.
      const early = input.to === 'closed' && c.closes_on > today;
      await repo.moveCallStatus(trx, callId, c.status, input.to, early ? today : undefined);
      const note = early
        ? [`Closed early (it was to close on ${longDate(c.closes_on)})`, input.note]
            .filter(Boolean)
            .join(': ')
        : input.note;
      await repo.insertStatusChange(trx, {
        callId,
        from: c.status,
        to: input.to,
        by: actor.userId,
        note,
      });
      await recordAudit(trx, actor, {
        action: 'policy.call.status',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Moved the call for input “${c.title}” from ${label(c.status)} to ${label(input.to)}${note ? `: ${note}` : ''}`,
        details: { from: c.status, to: input.to, note, ...(early ? { plannedClosesOn: c.closes_on } : {}) },
      });
      return input.to;
    });
  }

  function questionValues(q: QuestionInput) {
    const choices = ['single', 'multiple', 'ranking'].includes(q.kind);
    return {
      kind: q.kind,
      prompt: q.prompt,
      help: q.help,
      required: q.required,
      max_length: q.kind === 'text' ? q.maxLength : null,
      options: choices ? q.options : [],
      scale_min: q.kind === 'scale' ? q.scaleMin : null,
      scale_max: q.kind === 'scale' ? q.scaleMax : null,
      scale_min_label: q.kind === 'scale' ? q.scaleMinLabel : null,
      scale_max_label: q.kind === 'scale' ? q.scaleMaxLabel : null,
    };
  }

  async function addQuestion(actor: Actor, callId: number, q: QuestionInput): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const c = await lockEditable(trx, actor, callId);
      if ((await repo.countQuestions(trx, callId)) >= LIMITS.questions)
        throw new ConflictError(`A call has at most ${LIMITS.questions} questions`);
      const position = await repo.nextQuestionPosition(trx, callId);
      const id = await repo.insertQuestion(trx, { call_id: callId, position, ...questionValues(q) });
      await recordAudit(trx, actor, {
        action: 'policy.call.question.add',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Added question ${position} to “${c.title}”: ${q.prompt}`,
      });
      return id;
    });
  }

  async function removeQuestion(actor: Actor, callId: number, questionId: number): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const c = await lockEditable(trx, actor, callId);
      const gone = await repo.deleteQuestion(trx, callId, questionId);
      if (!gone) throw new NotFoundError('This call has no such question');
      await recordAudit(trx, actor, {
        action: 'policy.call.question.remove',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Removed the question “${gone.prompt}” from “${c.title}”`,
      });
    });
  }

  /** The API's way: the whole ordered list of questions at once. */
  async function replaceQuestions(actor: Actor, callId: number, questions: QuestionInput[]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const c = await lockEditable(trx, actor, callId);
      await repo.deleteAllQuestions(trx, callId);
      for (const [i, q] of questions.entries())
        await repo.insertQuestion(trx, { call_id: callId, position: i + 1, ...questionValues(q) });
      await recordAudit(trx, actor, {
        action: 'policy.call.questions',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Set the ${questions.length} questions of “${c.title}”`,
      });
    });
  }

  async function addDocument(actor: Actor, callId: number, d: DocumentInput): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const c = await lockEditable(trx, actor, callId);
      const position = await repo.nextDocumentPosition(trx, callId);
      if (position > LIMITS.documents)
        throw new ConflictError(`A call has at most ${LIMITS.documents} documents`);
      await repo.insertDocument(trx, { callId, position, title: d.title, url: d.url });
      await recordAudit(trx, actor, {
        action: 'policy.call.document.add',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Added the background document “${d.title}” to “${c.title}”`,
      });
    });
  }

  async function removeDocument(actor: Actor, callId: number, documentId: number): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const c = await lockEditable(trx, actor, callId);
      const gone = await repo.deleteDocument(trx, callId, documentId);
      if (!gone) throw new NotFoundError('This call has no such document');
      await recordAudit(trx, actor, {
        action: 'policy.call.document.remove',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Removed the background document “${gone.title}” from “${c.title}”`,
      });
    });
  }

  async function replaceDocuments(actor: Actor, callId: number, documents: DocumentInput[]): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const c = await lockEditable(trx, actor, callId);
      await repo.deleteAllDocuments(trx, callId);
      for (const [i, d] of documents.entries())
        await repo.insertDocument(trx, { callId, position: i + 1, title: d.title, url: d.url });
      await recordAudit(trx, actor, {
        action: 'policy.call.documents',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Set the ${documents.length} background documents of “${c.title}”`,
      });
    });
  }

  return {
    referenceLists,
    getCall,
    listCalls,
    memberCalls,
    createCall,
    updateCall,
    changeResponseDue,
    changeStatus,
    addQuestion,
    removeQuestion,
    replaceQuestions,
    addDocument,
    removeDocument,
    replaceDocuments,
    isPolicyTeam,
  };
}
export type PolicyCalls = ReturnType<typeof createCalls>;
