import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { addDays, londonDateAfter } from '../../platform/dates.ts';
import { insertDraftCallFromQuestion } from './policy.calls.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.ts';
import { enqueueEmails } from '../../platform/outbox.ts';
import { type Actor, hasRole, isNational } from '../../platform/permissions.ts';
import { isPolicyTeam, requirePolicyTeam } from './policy.access.ts';
import * as repo from './policy.questions.repository.ts';
import type { AnswerInput, QuestionInput, QuestionTab } from './policy.questions.schemas.ts';
import type { PolicySafety } from './policy.safety.ts';
import { requireNamedRole } from './policy.staff.ts';

export const QUESTIONS_PAGE_SIZE = 20;
/** A draft call made from a question opens two weeks on, for four weeks; its response is due as any call's. */
const CALL_OPENS_IN_DAYS = 14;
const CALL_OPEN_DAYS = 28;

const DAY_MS = 86_400_000;
const daysSince = (at: Date, now: number) => Math.max(0, Math.floor((now - at.getTime()) / DAY_MS));
const FORMER_MEMBER = 'A former member';

type Row = {
  id: number;
  title: string;
  visibility: 'network' | 'private';
  status?: 'open' | 'answered' | 'withdrawn';
  supports: number;
  created_at: Date;
  user_id: number | null;
  asker_name?: string | null;
  answered_role?: string | null;
  answered_at?: Date | null;
};

function summarise(r: Row, status: 'open' | 'answered' | 'withdrawn', now: number) {
  return {
    id: r.id,
    title: r.title,
    visibility: r.visibility,
    status,
    supports: r.supports,
    askedBy: r.user_id === null ? FORMER_MEMBER : (r.asker_name ?? 'You'),
    askedAt: r.created_at,
    daysWaiting: status === 'open' ? daysSince(r.created_at, now) : null,
    answeredRole: r.answered_role ?? null,
    answeredAt: r.answered_at ?? null,
  };
}
export type QuestionSummary = ReturnType<typeof summarise>;

function requireAsker(actor: Actor | null | undefined): Actor {
  if (!actor) throw new UnauthenticatedError();
  if (!hasRole(actor, 'member') && !isPolicyTeam(actor)) throw new ForbiddenError();
  return actor;
}

/**
 * Questions members put to policy makers: to the whole network (every member may read and support
 * them) or privately to the policy team (the asker and the team only). Policy makers answer under
 * their named role; waiting questions age visibly, oldest first; answered ones are found by
 * full-text search. The asker may withdraw an open question; a policy maker may turn one into a
 * draft call. A question flagged as a patient-safety concern goes down the fast lane.
 */
export function createQuestions(deps: { db: DB; baseUrl: string; safety: PolicySafety }) {
  const { db, baseUrl, safety } = deps;
  const link = (id: number) => `${baseUrl}/policy/questions/${id}`;

  async function listQuestions(actor: Actor, opts: { tab: QuestionTab; q: string | null; page: number }) {
    requireAsker(actor);
    const viewer = { userId: actor.userId, team: isPolicyTeam(actor) };
    const page = { limit: QUESTIONS_PAGE_SIZE, offset: (opts.page - 1) * QUESTIONS_PAGE_SIZE };
    const now = Date.now();
    let questions: QuestionSummary[];
    let total: number;
    if (opts.tab === 'waiting') {
      const r = await repo.listWaiting(db, viewer, page);
      questions = r.rows.map((row) => summarise(row, 'open', now));
      total = r.total;
    } else if (opts.tab === 'answered') {
      const r = await repo.listAnswered(db, viewer, opts.q, page);
      questions = r.rows.map((row) => summarise(row, 'answered', now));
      total = r.total;
    } else {
      const r = await repo.listMine(db, actor.userId, page);
      questions = r.rows.map((row) => summarise(row, row.status, now));
      total = r.total;
    }
    return {
      tab: opts.tab,
      q: opts.tab === 'answered' ? opts.q : null,
      questions,
      total,
      page: opts.page,
      pageSize: QUESTIONS_PAGE_SIZE,
    };
  }

  /** True when the actor may read the question: see the `question` scope. */
  function canRead(actor: Actor, q: { user_id: number | null; visibility: string; status: string }): boolean {
    if (isPolicyTeam(actor)) return true;
    if (q.user_id === actor.userId) return true;
    return q.visibility === 'network' && q.status !== 'withdrawn';
  }

  async function loadReadable(x: Executor, actor: Actor, id: number) {
    requireAsker(actor);
    const q = await repo.findQuestion(x, id);
    if (!q || !canRead(actor, q)) throw new NotFoundError('There is no such question');
    return q;
  }

  async function getQuestion(actor: Actor, id: number) {
    const q = await loadReadable(db, actor, id);
    const mine = q.user_id === actor.userId;
    const supportedByMe = await repo.hasSupported(db, id, actor.userId);
    const team = isPolicyTeam(actor);
    return {
      ...summarise(q, q.status, Date.now()),
      askedBy: q.user_id === null ? FORMER_MEMBER : mine ? 'You' : (q.asker_name ?? FORMER_MEMBER),
      body: q.body,
      safetyConcern: q.safety_concern,
      answer: q.answer,
      callId: q.call_id,
      mine,
      supportedByMe,
      canSupport:
        hasRole(actor, 'member') &&
        !mine &&
        !supportedByMe &&
        q.status === 'open' &&
        q.visibility === 'network',
      canAnswer: team && q.status === 'open',
      canWithdraw: mine && q.status === 'open',
      canMakeCall:
        (hasRole(actor, 'policy-maker') || isNational(actor)) &&
        q.status !== 'withdrawn' &&
        q.call_id === null,
    };
  }

  async function askQuestion(actor: Actor, input: QuestionInput): Promise<number> {
    if (!hasRole(actor, 'member'))
      throw new ForbiddenError('Only members of the network can ask questions to policy makers');
    return db.transaction().execute(async (trx) => {
      const { id } = await repo.insertQuestion(trx, {
        user_id: actor.userId,
        visibility: input.visibility,
        title: input.title,
        body: input.body,
        safety_concern: input.safetyConcern,
      });
      await recordAudit(trx, actor, {
        action: 'policy.question.ask',
        entityType: 'policy_question',
        entityId: id,
        summary: `Asked ${input.visibility === 'network' ? 'the network' : 'the policy team privately'}: ${input.title}${input.safetyConcern ? ' (flagged as a patient-safety concern)' : ''}`,
      });
      if (input.safetyConcern)
        await safety.raiseSafetyConcern(trx, {
          questionId: id,
          raisedBy: actor.userId,
          summary: input.title,
          actor,
        });
      return id;
    });
  }

  /** The question, locked for a change, when the actor may read it; 404 otherwise. */
  async function lockReadable(trx: Executor, actor: Actor, id: number) {
    const q = await repo.lockQuestion(trx, id);
    if (!q || !canRead(actor, q)) throw new NotFoundError('There is no such question');
    return q;
  }

  async function supportQuestion(actor: Actor, id: number): Promise<void> {
    requireAsker(actor);
    if (!hasRole(actor, 'member')) throw new ForbiddenError('Only members of the network support questions');
    await db.transaction().execute(async (trx) => {
      const q = await lockReadable(trx, actor, id);
      if (q.visibility !== 'network')
        throw new ConflictError('A private question to the policy team cannot be supported');
      if (q.user_id === actor.userId)
        throw new ConflictError('You asked this question, so you cannot support it');
      if (q.status !== 'open')
        throw new ConflictError(
          q.status === 'answered'
            ? 'This question has already been answered'
            : 'This question has been withdrawn',
        );
      if (!(await repo.addSupport(trx, id, actor.userId)))
        throw new ConflictError('You already support this question: each person can support it once');
      await recordAudit(trx, actor, {
        action: 'policy.question.support',
        entityType: 'policy_question',
        entityId: id,
        summary: `Supported the question: ${q.title}`,
      });
    });
  }

  async function answerQuestion(actor: Actor, id: number, input: AnswerInput): Promise<void> {
    requirePolicyTeam(actor);
    await db.transaction().execute(async (trx) => {
      const q = await lockReadable(trx, actor, id);
      if (q.status === 'answered') throw new ConflictError('This question has already been answered');
      if (q.status === 'withdrawn') throw new ConflictError('The member has withdrawn this question');
      const role = await requireNamedRole(trx, actor);
      await repo.answerQuestion(trx, id, {
        answer: input.answer,
        answered_by: actor.userId,
        answered_role: role,
      });
      const asker = q.user_id === null ? undefined : await repo.findUserContact(trx, q.user_id);
      const supporters = q.visibility === 'network' ? await repo.listSupporterContacts(trx, id) : [];
      const body = (intro: string) => [
        intro,
        `${role} answered:`,
        input.answer,
        { text: 'Read the question and its answer:', link: link(id) },
      ];
      await enqueueEmails(trx, [
        ...(asker && asker.disabled_at === null
          ? [
              letter({
                to: asker.email,
                name: asker.name,
                subject: 'Your question to policy makers has been answered',
                kind: 'policy-question-answered',
                body: body(`Your question "${q.title}" has been answered.`),
              }),
            ]
          : []),
        ...supporters
          .filter((s) => s.id !== q.user_id)
          .map((s) =>
            letter({
              to: s.email,
              name: s.name,
              subject: 'A question you support has been answered',
              kind: 'policy-question-answered',
              body: body(`The question "${q.title}", which you support, has been answered.`),
            }),
          ),
      ]);
      await recordAudit(trx, actor, {
        action: 'policy.question.answer',
        entityType: 'policy_question',
        entityId: id,
        summary: `Answered as ${role}: ${q.title}`,
      });
    });
  }

  async function withdrawQuestion(actor: Actor, id: number): Promise<void> {
    requireAsker(actor);
    await db.transaction().execute(async (trx) => {
      const q = await lockReadable(trx, actor, id);
      if (q.user_id !== actor.userId)
        throw new ForbiddenError('Only the person who asked can withdraw a question');
      if (q.status !== 'open')
        throw new ConflictError(
          q.status === 'answered'
            ? 'An answered question cannot be withdrawn'
            : 'This question is already withdrawn',
        );
      await repo.withdrawQuestion(trx, id);
      await recordAudit(trx, actor, {
        action: 'policy.question.withdraw',
        entityType: 'policy_question',
        entityId: id,
        summary: `Withdrew the question: ${q.title}`,
      });
    });
  }

  /** Turns the question into a draft call owned by the actor; returns the call's id. */
  async function questionToCall(actor: Actor, id: number): Promise<number> {
    requirePolicyTeam(actor);
    return db.transaction().execute(async (trx) => {
      const q = await lockReadable(trx, actor, id);
      if (q.status === 'withdrawn') throw new ConflictError('The member has withdrawn this question');
      if (q.call_id !== null) throw new ConflictError('This question has already been turned into a call');
      const opensOn = londonDateAfter(CALL_OPENS_IN_DAYS);
      const closesOn = addDays(opensOn, CALL_OPEN_DAYS);
      const callId = await insertDraftCallFromQuestion(trx, {
        title: q.title,
        summary: q.body,
        opensOn,
        closesOn,
        ownerUserId: actor.userId,
        sourceQuestionId: id,
      });
      await repo.linkQuestionToCall(trx, id, callId);
      await recordAudit(trx, actor, {
        action: 'policy.question.to-call',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Drafted call ${callId} from question ${id}: ${q.title}`,
      });
      return callId;
    });
  }

  return {
    listQuestions,
    getQuestion,
    askQuestion,
    supportQuestion,
    answerQuestion,
    withdrawQuestion,
    questionToCall,
  };
}
export type PolicyQuestions = ReturnType<typeof createQuestions>;
