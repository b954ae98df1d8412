import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { longDate } from '../../platform/dates.ts';
import {
  ConflictError,
  type FieldError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { findPolicyFacts } from '../members/index.ts';
import {
  canManageCall,
  inAudience,
  isPolicyTeam,
  type PolicyAccess,
  requirePolicyTeam,
} from './policy.access.ts';
import { presentCallSummary, presentQuestion, type QuestionView } from './policy.calls.ts';
import * as callsRepo from './policy.calls.repository.ts';
import * as sharedRepo from './policy.repository.ts';
import * as repo from './policy.responses.repository.ts';
import type { AnswerValue, ResponseInput } from './policy.schemas.ts';
import type { PolicyCallQuestionRow, PolicyCallRow } from './policy.table.ts';

/** Called inside the submitting transaction when a response is sent flagged as a patient-safety concern. */
export type OnSafetyConcern = (
  trx: Executor,
  concern: { responseId: number; userId: number; summary: string },
) => Promise<void>;

export type AnswerView = { questionId: number; prompt: string; value: string | string[] | number | null };

type AnswerRow = {
  question_id: number;
  text_value: string | null;
  choice_values: string[];
  scale_value: number | null;
};

function answerValueOf(
  q: Pick<PolicyCallQuestionRow, 'kind'>,
  a: AnswerRow | undefined,
): AnswerView['value'] {
  if (!a) return null;
  if (q.kind === 'text') return a.text_value;
  if (q.kind === 'scale') return a.scale_value;
  if (q.kind === 'single') return a.choice_values[0] ?? null;
  return a.choice_values;
}

/**
 * Checks each answer against its question. Drafts may leave required questions blank; a response
 * sent must answer them. Returns the rows to store (blank answers are not stored).
 */
export function checkAnswers(
  questions: PolicyCallQuestionRow[],
  answers: Record<string, AnswerValue>,
  submitting: boolean,
): { rows: Omit<AnswerRow & { response_id: number }, 'response_id'>[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const rows: Omit<AnswerRow & { response_id: number }, 'response_id'>[] = [];
  const byId = new Map(questions.map((q) => [String(q.id), q]));
  for (const key of Object.keys(answers))
    if (!byId.has(key))
      errors.push({ field: 'form', message: 'An answer names a question this call does not have' });
  for (const [i, q] of questions.entries()) {
    const field = `q${q.id}`;
    const n = i + 1;
    const raw = answers[String(q.id)];
    const blank =
      raw === undefined ||
      raw === null ||
      (typeof raw === 'string' && raw.trim() === '') ||
      (Array.isArray(raw) && raw.length === 0);
    if (blank) {
      if (submitting && q.required) errors.push({ field, message: `Answer question ${n}: ${q.prompt}` });
      continue;
    }
    const fail = (message: string) => errors.push({ field, message: `Question ${n}: ${message}` });
    switch (q.kind) {
      case 'text': {
        if (typeof raw !== 'string') {
          fail('enter your answer as text');
          break;
        }
        const value = raw.trim();
        const max = q.max_length ?? 20_000;
        if (value.length > max)
          fail(`your answer must be ${max} characters or fewer (it is ${value.length})`);
        else rows.push({ question_id: q.id, text_value: value, choice_values: [], scale_value: null });
        break;
      }
      case 'single': {
        const value = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : raw;
        if (typeof value !== 'string' || !q.options.includes(value)) fail('choose one of the options');
        else rows.push({ question_id: q.id, text_value: null, choice_values: [value], scale_value: null });
        break;
      }
      case 'multiple': {
        const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : null;
        if (!values || values.some((v) => !q.options.includes(v)) || new Set(values).size !== values.length)
          fail('choose from the options, each once');
        else
          rows.push({
            question_id: q.id,
            text_value: null,
            // Kept in the options' order, whatever order they were ticked in.
            choice_values: q.options.filter((o) => values.includes(o)),
            scale_value: null,
          });
        break;
      }
      case 'scale': {
        const value = typeof raw === 'string' && /^-?\d{1,3}$/.test(raw.trim()) ? Number(raw) : raw;
        if (
          typeof value !== 'number' ||
          !Number.isInteger(value) ||
          value < q.scale_min! ||
          value > q.scale_max!
        )
          fail(`choose a point on the scale from ${q.scale_min} to ${q.scale_max}`);
        else rows.push({ question_id: q.id, text_value: null, choice_values: [], scale_value: value });
        break;
      }
      case 'ranking': {
        const values = Array.isArray(raw) ? raw : null;
        const permutation =
          !!values &&
          values.length === q.options.length &&
          new Set(values).size === values.length &&
          values.every((v) => q.options.includes(v));
        if (!permutation) fail(`put all ${q.options.length} options in order, each with a different place`);
        else rows.push({ question_id: q.id, text_value: null, choice_values: values, scale_value: null });
        break;
      }
    }
  }
  return { rows, errors };
}

/**
 * Members' responses to calls: one a member a call, as themselves or for their organisation, saved
 * as a draft and edited until the call closes; confidential ones are for the call's owner and the
 * national team only. The member's groups are kept on the response when it is first sent.
 */
export function createResponses(deps: { db: DB; access: PolicyAccess; onSafetyConcern: OnSafetyConcern }) {
  const { db, access } = deps;

  async function presentAnswers(x: Executor, responseId: number, questions: PolicyCallQuestionRow[]) {
    const answers = await repo.listAnswers(x, responseId);
    const byQuestion = new Map(answers.map((a) => [a.question_id, a]));
    return questions.map((q) => ({
      questionId: q.id,
      prompt: q.prompt,
      kind: q.kind,
      value: answerValueOf(q, byQuestion.get(q.id)),
    }));
  }

  /** The form a member fills in: the call, its questions, their response so far and who they may speak for. */
  async function getMyResponse(actor: Actor, callId: number) {
    const { call } = await access.loadCallFor(actor, callId);
    const facts = await findPolicyFacts(db, actor.userId);
    // The policy team reaches the call but does not answer it (unless also a member it is aimed at).
    const canRespond = !!facts && inAudience(call, facts);
    const questions = await callsRepo.listQuestions(db, callId);
    const response = canRespond ? await repo.findResponseOf(db, callId, actor.userId) : undefined;
    return {
      call: presentCallSummary(call, response?.status ?? null),
      questions: questions.map(presentQuestion) as QuestionView[],
      organisationName: facts?.organisationName ?? null,
      canRespond,
      canChange: canRespond && call.status === 'open',
      response: response
        ? {
            id: response.id,
            status: response.status,
            onBehalf: response.on_behalf_of_organisation_id ? ('organisation' as const) : ('self' as const),
            confidential: response.confidential,
            safetyConcern: response.safety_concern,
            safetySummary: response.safety_summary,
            submittedAt: response.submitted_at?.toISOString() ?? null,
            updatedAt: response.updated_at.toISOString(),
            answers: await presentAnswers(db, response.id, questions),
          }
        : null,
    };
  }

  /** Saves the member's draft or sends their response (and saves changes to a sent one) while the call is open. */
  async function saveMyResponse(
    actor: Actor,
    callId: number,
    input: ResponseInput,
  ): Promise<{ responseId: number; status: 'draft' | 'submitted'; firstSubmission: boolean }> {
    return db.transaction().execute(async (trx) => {
      const { call } = await access.loadCallFor(actor, callId, trx);
      const facts = await findPolicyFacts(trx, actor.userId);
      if (!facts || !inAudience(call, facts))
        throw new ForbiddenError('Only members this call is aimed at can respond to it');
      const locked = (await callsRepo.lockCall(trx, callId))!;
      if (locked.status !== 'open')
        throw new ConflictError(
          locked.status === 'scheduled' || locked.status === 'draft'
            ? 'This call is not open yet'
            : `This call closed on ${longDate(locked.closes_on)}: responses can no longer be sent or changed`,
        );
      const existing = await repo.lockResponseOf(trx, callId, actor.userId);
      const wasSubmitted = existing?.status === 'submitted';
      const submitting = input.intent === 'submit' || wasSubmitted;
      const questions = await callsRepo.listQuestions(trx, callId);
      const { rows, errors } = checkAnswers(questions, input.answers, submitting);
      if (input.onBehalf === 'organisation' && !facts.organisationId)
        errors.unshift({
          field: 'onBehalf',
          message:
            'Your profile names no employer, so you can respond only as yourself: add your employer to your profile first',
        });
      if (submitting && input.safetyConcern && !input.safetySummary)
        errors.push({
          field: 'safetySummary',
          message: 'Give a short summary of the patient-safety concern',
        });
      if (errors.length) throw new ValidationError(errors);

      const values = {
        on_behalf_of_organisation_id: input.onBehalf === 'organisation' ? facts.organisationId : null,
        confidential: input.confidential,
        safety_concern: input.safetyConcern,
        safety_summary: input.safetyConcern ? input.safetySummary : null,
        status: submitting ? ('submitted' as const) : ('draft' as const),
        // The member's groups when first sent, so later moves do not shift the call's counts.
        ...(submitting && !wasSubmitted
          ? {
              submitted_at: new Date(),
              region_code: facts.regionCode,
              profession: facts.profession,
              specialty_id: facts.specialtyId,
              setting: facts.setting,
            }
          : {}),
      };
      let responseId = existing?.id;
      if (!responseId) {
        const inserted = await repo.insertResponse(trx, {
          call_id: callId,
          user_id: actor.userId,
          ...values,
        });
        if (!inserted)
          throw new ConflictError('Your response was saved from another window a moment ago: open it again');
        responseId = inserted.id;
      } else {
        await repo.updateResponse(trx, responseId, values);
      }
      await repo.replaceAnswers(
        trx,
        responseId,
        rows.map((r) => ({ ...r, response_id: responseId })),
      );
      const firstSubmission = submitting && !wasSubmitted;
      const speaking = values.on_behalf_of_organisation_id ? ` on behalf of ${facts.organisationName}` : '';
      await recordAudit(trx, actor, {
        action: firstSubmission
          ? 'policy.response.submit'
          : wasSubmitted
            ? 'policy.response.update'
            : 'policy.response.draft',
        entityType: 'policy_response',
        entityId: responseId,
        summary: `${firstSubmission ? 'Sent' : wasSubmitted ? 'Changed the sent' : 'Saved a draft of the'} response${speaking} to “${locked.title}”${input.confidential ? ' (confidential to the policy team)' : ''}${input.safetyConcern ? ' flagged as a patient-safety concern' : ''}`,
        details: {
          callId,
          confidential: input.confidential,
          onBehalfOfOrganisationId: values.on_behalf_of_organisation_id,
          safetyConcern: input.safetyConcern,
          answers: rows.length,
        },
      });
      // The fast lane hears of a concern once: when it is first sent flagged.
      if (submitting && input.safetyConcern && !(wasSubmitted && existing?.safety_concern))
        await deps.onSafetyConcern(trx, { responseId, userId: actor.userId, summary: input.safetySummary! });
      return { responseId, status: values.status, firstSubmission };
    });
  }

  /** Who may read a response: its author, and the policy team (a confidential one: its call's owner and national only). */
  async function loadResponseFor(actor: Actor, responseId: number) {
    const r = await repo.findResponse(db, responseId);
    if (!r) throw new NotFoundError('There is no such response');
    const call = (await sharedRepo.findCall(db, r.call_id))!;
    if (r.user_id === actor.userId) return { r, call };
    if (!isPolicyTeam(actor) || r.status !== 'submitted')
      throw new NotFoundError('There is no such response');
    if (r.confidential && !canManageCall(actor, call))
      throw new ForbiddenError(
        'This response is confidential: only the call’s owner and the national team can read it',
      );
    return { r, call };
  }

  async function getResponse(actor: Actor, responseId: number) {
    const { r, call } = await loadResponseFor(actor, responseId);
    const questions = await callsRepo.listQuestions(db, call.id);
    return {
      id: r.id,
      callId: call.id,
      callTitle: call.title,
      callStatus: call.status,
      mine: r.user_id === actor.userId,
      status: r.status,
      respondent: r.respondent,
      onBehalfOf: r.organisation_name,
      confidential: r.confidential,
      safetyConcern: r.safety_concern,
      safetySummary: r.safety_summary,
      submittedAt: r.submitted_at?.toISOString() ?? null,
      updatedAt: r.updated_at.toISOString(),
      answers: await presentAnswers(db, r.id, questions),
    };
  }

  /** Sent responses to a call for the policy team, paginated; confidential ones only for its owner and national. */
  async function listResponses(actor: Actor, callId: number, page: number, pageSize = 25) {
    requirePolicyTeam(actor);
    const { call, manage } = await access.loadCallFor(actor, callId);
    const { rows, total } = await repo.listSubmittedResponses(db, callId, {
      includeConfidential: manage,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return {
      call: presentCallSummary(call as PolicyCallRow),
      confidentialHidden: !manage,
      total,
      page,
      pageSize,
      responses: rows.map((r) => ({
        id: r.id,
        respondent: r.respondent,
        onBehalfOf: r.organisation_name,
        confidential: r.confidential,
        safetyConcern: r.safety_concern,
        region: r.region_name,
        profession: r.profession,
        setting: r.setting,
        submittedAt: r.submitted_at?.toISOString() ?? null,
      })),
    };
  }

  return { getMyResponse, saveMyResponse, getResponse, listResponses };
}
export type PolicyResponses = ReturnType<typeof createResponses>;
