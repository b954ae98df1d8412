import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { longDate } from '../../platform/dates.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { enqueueEmails } from '../../platform/outbox.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { PolicyAccess } from './policy.access.ts';
import * as repo from './policy.outcomes.repository.ts';
import {
  DECISION_LABELS,
  MILESTONE_LABELS,
  type MilestoneInput,
  type OutcomeChange,
  type OutcomeInput,
} from './policy.outcomes.schemas.ts';
import type { MilestoneStatus, OutcomeDecision } from './policy.table.ts';

export type MilestoneView = {
  id: number;
  title: string;
  dueOn: string | null;
  status: MilestoneStatus;
  statusLabel: string;
  progress: number;
  note: string | null;
};

export type OutcomeView = {
  id: number;
  callId: number;
  themeId: number | null;
  themeName: string | null;
  questionId: number | null;
  question: string | null;
  /** What the outcome is about, in words: the theme (and its question) or the question. */
  about: string;
  decision: OutcomeDecision;
  decisionLabel: string;
  summary: string;
  reason: string | null;
  ownerRole: string;
  decidedOn: string;
  milestones: MilestoneView[];
};

/** What an outcome is about, in words: "Theme: Night staffing (the question)" or "Question: …". */
function outcomeSubject(r: Pick<repo.OutcomeRow, 'theme_name' | 'question_prompt'>): string {
  return r.theme_name
    ? `Theme: ${r.theme_name}${r.question_prompt ? ` (${r.question_prompt})` : ''}`
    : `Question: ${r.question_prompt ?? ''}`;
}

/** Outcomes (with their milestones) of these calls, in the order they were recorded. */
export async function loadOutcomeViews(x: Executor, callIds: number[]): Promise<OutcomeView[]> {
  const rows = await repo.listOutcomes(x, callIds);
  return presentOutcomes(x, rows);
}

/** One outcome of the call with its milestones, or nothing when it is not the call's. */
async function loadOutcomeView(
  x: Executor,
  callId: number,
  outcomeId: number,
): Promise<OutcomeView | undefined> {
  const row = await repo.findOutcome(x, callId, outcomeId);
  return row ? (await presentOutcomes(x, [row]))[0] : undefined;
}

async function presentOutcomes(x: Executor, rows: repo.OutcomeRow[]): Promise<OutcomeView[]> {
  const milestones = await repo.listMilestones(
    x,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    callId: r.call_id,
    themeId: r.theme_id,
    themeName: r.theme_name,
    questionId: r.theme_id ? null : r.question_id,
    question: r.question_prompt,
    about: outcomeSubject(r),
    decision: r.decision,
    decisionLabel: DECISION_LABELS[r.decision],
    summary: r.summary,
    reason: r.reason,
    ownerRole: r.owner_role,
    decidedOn: r.decided_on,
    milestones: milestones.filter((m) => m.outcome_id === r.id).map(presentMilestone),
  }));
}

function presentMilestone(m: repo.MilestoneRow): MilestoneView {
  return {
    id: m.id,
    title: m.title,
    dueOn: m.due_on,
    status: m.status,
    statusLabel: MILESTONE_LABELS[m.status],
    progress: m.progress,
    note: m.note,
  };
}

/** States in which a call's outcomes may be recorded: once it has closed and the analysis has begun. */
const DECIDING_STATES = ['closed', 'concluded'];

/**
 * Outcomes ("you said, we did"): per theme or per question of a call, what was decided (adopted,
 * adapted, not adopted with the reason, deferred), by which role and when, and the milestones that
 * follow; and the call's published response. The call's owner and the national team write them;
 * every change is audited and told, once each, to the contributors it touches.
 */
export function createOutcomes(deps: { db: DB; access: PolicyAccess; baseUrl: string }) {
  const { db, access, baseUrl } = deps;

  /** Everything the owner's outcomes page shows: the outcomes, the themes and questions to decide on. */
  async function outcomesToManage(actor: Actor, callId: number) {
    const { call } = await access.loadCallToManage(actor, callId);
    const [outcomes, themes, questions] = await Promise.all([
      loadOutcomeViews(db, [callId]),
      repo.listLiveThemes(db, callId),
      repo.listQuestions(db, callId),
    ]);
    return {
      call: {
        id: call.id,
        title: call.title,
        status: call.status,
        closesOn: call.closes_on,
        responseDueOn: call.response_due_on,
        publishedResponse: call.published_response,
        publishedAt: call.published_at,
      },
      deciding: DECIDING_STATES.includes(call.status),
      outcomes,
      themes: themes.map((t) => ({
        id: t.id,
        name: t.name,
        questionId: t.question_id,
        question: t.question_prompt,
        responses: Number(t.responses ?? 0),
      })),
      questions: questions.map((q) => ({ id: q.id, position: q.position, prompt: q.prompt })),
    };
  }

  /** The call's published response and outcomes, for anyone who may reach the call. */
  async function outcomesOf(actor: Actor, callId: number) {
    const { call } = await access.loadCallFor(actor, callId);
    return {
      callId: call.id,
      title: call.title,
      status: call.status,
      publishedResponse: call.published_response,
      publishedAt: call.published_at ? call.published_at.toISOString() : null,
      outcomes: await loadOutcomeViews(db, [callId]),
    };
  }

  async function outcomeToManage(actor: Actor, callId: number, outcomeId: number) {
    const { call } = await access.loadCallToManage(actor, callId);
    const outcome = await loadOutcomeView(db, callId, outcomeId);
    if (!outcome) throw new NotFoundError('There is no such outcome of this call');
    return { call: { id: call.id, title: call.title, status: call.status }, outcome };
  }

  async function milestoneToManage(actor: Actor, callId: number, milestoneId: number) {
    const { call } = await access.loadCallToManage(actor, callId);
    const m = await repo.findMilestone(db, callId, milestoneId);
    if (!m) throw new NotFoundError('There is no such milestone of this call');
    const outcome = (await loadOutcomeView(db, callId, m.outcome_id))!;
    const milestone = outcome.milestones.find((x) => x.id === milestoneId)!;
    return { call: { id: call.id, title: call.title, status: call.status }, outcome, milestone };
  }

  function requireDeciding(status: string) {
    if (!DECIDING_STATES.includes(status))
      throw new ConflictError(
        'Outcomes are recorded once the call has closed: close it first, then record what was decided',
      );
  }

  /** Tells each contributor the outcome touches, once, what changed; inside the writing transaction. */
  async function notifyContributors(
    trx: Executor,
    call: { id: number; title: string },
    target: { themeId: number | null; questionId: number | null },
    change: { about: string; decisionLabel: string; line: string },
  ): Promise<number> {
    const people = await repo.listTouchedContributors(trx, call.id, target);
    await enqueueEmails(
      trx,
      people.map((p) =>
        letter({
          to: p.email,
          name: p.name,
          subject: `What was decided: ${call.title}`,
          kind: 'policy.outcome-changed',
          body: [
            `You responded to the call for input “${call.title}”. Something that touches your response has changed.`,
            `${change.about}. Decision: ${change.decisionLabel}.`,
            change.line,
            {
              text: 'See how your response was counted and what was decided for each theme:',
              link: `${baseUrl}/policy/contributions`,
            },
          ],
        }),
      ),
    );
    return people.length;
  }

  async function resolveTarget(trx: Executor, callId: number, target: string) {
    const [kind, raw] = target.split('-') as ['theme' | 'question', string];
    const id = Number(raw);
    if (kind === 'theme') {
      const theme = await repo.findLiveTheme(trx, callId, id);
      if (!theme)
        throw new ValidationError([{ field: 'target', message: 'Choose one of this call’s themes' }]);
      return { themeId: theme.id, questionId: null, about: `Theme: ${theme.name}` };
    }
    const question = await repo.findQuestion(trx, callId, id);
    if (!question)
      throw new ValidationError([{ field: 'target', message: 'Choose one of this call’s questions' }]);
    return { themeId: null, questionId: question.id, about: `Question: ${question.prompt}` };
  }

  async function addOutcome(actor: Actor, callId: number, input: OutcomeInput): Promise<number> {
    await access.loadCallToManage(actor, callId);
    return db.transaction().execute(async (trx) => {
      const call = await repo.lockCall(trx, callId);
      if (!call) throw new NotFoundError('There is no such call for input');
      requireDeciding(call.status);
      const target = await resolveTarget(trx, callId, input.target);
      const { id } = await repo.insertOutcome(trx, {
        call_id: callId,
        theme_id: target.themeId,
        question_id: target.questionId,
        decision: input.decision,
        summary: input.summary,
        reason: input.decision === 'not-adopted' ? input.reason : null,
        owner_role: input.ownerRole,
        decided_on: input.decidedOn,
        created_by: actor.userId,
      });
      const told = await notifyContributors(trx, call, target, {
        about: target.about,
        decisionLabel: DECISION_LABELS[input.decision],
        line: `${input.summary} (owner: ${input.ownerRole}; decided on ${longDate(input.decidedOn)})`,
      });
      await recordAudit(trx, actor, {
        action: 'policy.outcome.create',
        entityType: 'policy_outcome',
        entityId: id,
        summary: `Recorded the outcome “${DECISION_LABELS[input.decision]}” for ${target.about} of the call “${call.title}”; ${told} contributors told`,
        details: { callId, ...target, decision: input.decision, reason: input.reason, told },
      });
      return id;
    });
  }

  async function changeOutcome(
    actor: Actor,
    callId: number,
    outcomeId: number,
    input: OutcomeChange,
  ): Promise<void> {
    await access.loadCallToManage(actor, callId);
    await db.transaction().execute(async (trx) => {
      const call = await repo.lockCall(trx, callId);
      if (!call) throw new NotFoundError('There is no such call for input');
      const before = await repo.findOutcome(trx, callId, outcomeId);
      if (!before) throw new NotFoundError('There is no such outcome of this call');
      requireDeciding(call.status);
      const reason = input.decision === 'not-adopted' ? input.reason : null;
      // Saving the form unchanged changes nothing, so nobody is told of it.
      if (
        before.decision === input.decision &&
        before.summary === input.summary &&
        before.reason === reason &&
        before.owner_role === input.ownerRole &&
        before.decided_on === input.decidedOn
      )
        return;
      const about = outcomeSubject(before);
      await repo.updateOutcome(trx, outcomeId, {
        decision: input.decision,
        summary: input.summary,
        reason: input.decision === 'not-adopted' ? input.reason : null,
        owner_role: input.ownerRole,
        decided_on: input.decidedOn,
      });
      const changedDecision = before.decision !== input.decision;
      const told = await notifyContributors(
        trx,
        call,
        { themeId: before.theme_id, questionId: before.question_id },
        {
          about,
          decisionLabel: DECISION_LABELS[input.decision],
          line: changedDecision
            ? `The decision changed from ${DECISION_LABELS[before.decision]} to ${DECISION_LABELS[input.decision]}: ${input.summary}`
            : `The outcome was updated: ${input.summary} (owner: ${input.ownerRole})`,
        },
      );
      await recordAudit(trx, actor, {
        action: 'policy.outcome.update',
        entityType: 'policy_outcome',
        entityId: outcomeId,
        summary: `Changed the outcome for ${about} of the call “${call.title}” (${DECISION_LABELS[before.decision]} to ${DECISION_LABELS[input.decision]}); ${told} contributors told`,
        details: {
          callId,
          before: {
            decision: before.decision,
            summary: before.summary,
            reason: before.reason,
            ownerRole: before.owner_role,
            decidedOn: before.decided_on,
          },
          after: input,
          told,
        },
      });
    });
  }

  async function addMilestone(
    actor: Actor,
    callId: number,
    outcomeId: number,
    input: MilestoneInput,
  ): Promise<number> {
    await access.loadCallToManage(actor, callId);
    return db.transaction().execute(async (trx) => {
      const call = await repo.lockCall(trx, callId);
      if (!call) throw new NotFoundError('There is no such call for input');
      const outcome = await repo.findOutcome(trx, callId, outcomeId);
      if (!outcome) throw new NotFoundError('There is no such outcome of this call');
      const about = outcomeSubject(outcome);
      const { id } = await repo.insertMilestone(trx, {
        outcome_id: outcomeId,
        title: input.title,
        due_on: input.dueOn,
        status: input.status,
        progress: input.progress,
        note: input.note,
        updated_by: actor.userId,
      });
      const told = await notifyContributors(
        trx,
        call,
        { themeId: outcome.theme_id, questionId: outcome.question_id },
        {
          about,
          decisionLabel: DECISION_LABELS[outcome.decision],
          line: `A new milestone: ${input.title} (${MILESTONE_LABELS[input.status]}, ${input.progress}% done${input.dueOn ? `, due ${longDate(input.dueOn)}` : ''}).`,
        },
      );
      await recordAudit(trx, actor, {
        action: 'policy.milestone.create',
        entityType: 'policy_milestone',
        entityId: id,
        summary: `Added the milestone “${input.title}” to the outcome for ${about} of the call “${call.title}”; ${told} contributors told`,
        details: { callId, outcomeId, ...input, told },
      });
      return id;
    });
  }

  async function changeMilestone(
    actor: Actor,
    callId: number,
    milestoneId: number,
    input: MilestoneInput,
  ): Promise<void> {
    await access.loadCallToManage(actor, callId);
    await db.transaction().execute(async (trx) => {
      const call = await repo.lockCall(trx, callId);
      if (!call) throw new NotFoundError('There is no such call for input');
      const before = await repo.findMilestone(trx, callId, milestoneId);
      if (!before) throw new NotFoundError('There is no such milestone of this call');
      if (
        before.title === input.title &&
        before.due_on === input.dueOn &&
        before.status === input.status &&
        before.progress === input.progress &&
        before.note === input.note
      )
        return;
      const outcome = (await repo.findOutcome(trx, callId, before.outcome_id))!;
      const about = outcomeSubject(outcome);
      await repo.updateMilestone(trx, milestoneId, {
        title: input.title,
        due_on: input.dueOn,
        status: input.status,
        progress: input.progress,
        note: input.note,
        updated_by: actor.userId,
      });
      const told = await notifyContributors(
        trx,
        call,
        { themeId: outcome.theme_id, questionId: outcome.question_id },
        {
          about,
          decisionLabel: DECISION_LABELS[outcome.decision],
          line: `The milestone “${input.title}” is now ${MILESTONE_LABELS[input.status].toLowerCase()}, ${input.progress}% done${input.note ? `: ${input.note}` : '.'}`,
        },
      );
      await recordAudit(trx, actor, {
        action: 'policy.milestone.update',
        entityType: 'policy_milestone',
        entityId: milestoneId,
        summary: `Changed the milestone “${before.title}” of the call “${call.title}” (${MILESTONE_LABELS[before.status]} ${before.progress}% to ${MILESTONE_LABELS[input.status]} ${input.progress}%); ${told} contributors told`,
        details: {
          callId,
          outcomeId: outcome.id,
          before: {
            title: before.title,
            dueOn: before.due_on,
            status: before.status,
            progress: before.progress,
            note: before.note,
          },
          after: input,
          told,
        },
      });
    });
  }

  /**
   * Writes the call's published response: the owner publishes it once the call has closed (the call
   * concludes only when it exists; concluding is the calls part's). Once the call has concluded the
   * published text stands.
   */
  async function publishResponse(actor: Actor, callId: number, text: string): Promise<{ first: boolean }> {
    await access.loadCallToManage(actor, callId);
    return db.transaction().execute(async (trx) => {
      const call = await repo.lockCall(trx, callId);
      if (!call) throw new NotFoundError('There is no such call for input');
      if (call.status !== 'closed')
        throw new ConflictError(
          call.status === 'concluded'
            ? 'The call has concluded: its published response stands as published'
            : 'The response is published once the call has closed',
        );
      const first = call.published_at === null;
      await repo.writePublishedResponse(trx, callId, text, first);
      await recordAudit(trx, actor, {
        action: first ? 'policy.response.publish' : 'policy.response.revise',
        entityType: 'policy_call',
        entityId: callId,
        summary: `${first ? 'Published' : 'Revised'} the published response of the call “${call.title}”`,
        details: { before: call.published_response, after: text },
      });
      return { first };
    });
  }

  return {
    outcomesToManage,
    outcomesOf,
    outcomeToManage,
    milestoneToManage,
    addOutcome,
    changeOutcome,
    addMilestone,
    changeMilestone,
    publishResponse,
  };
}
export type PolicyOutcomes = ReturnType<typeof createOutcomes>;
