import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { PolicyAccess } from './policy.access.ts';
import { loadOutcomeViews, type OutcomeView } from './policy.outcomes.ts';
import * as repo from './policy.outcomes.repository.ts';

export const CONTRIBUTIONS_PAGE_SIZE = 10;
export const CHALLENGES_PAGE_SIZE = 25;

export type ContributionView = {
  responseId: number;
  callId: number;
  callTitle: string;
  callStatus: string;
  submittedAt: Date | null;
  confidential: boolean;
  onBehalfOf: string | null;
  publishedResponse: string | null;
  publishedAt: Date | null;
  /** The themes the response is counted under, each with what was decided for it. */
  themes: { themeId: number; name: string; question: string; outcomes: OutcomeView[] }[];
  /** Outcomes recorded for a whole question the response answered. */
  questionOutcomes: OutcomeView[];
  challenge: {
    body: string;
    createdAt: Date;
    answer: string | null;
    answeredAt: Date | null;
  } | null;
  /** True when "this misses my point" may still be said (once a response, after the call closed). */
  mayChallenge: boolean;
};

/**
 * Closing the loop for each person: a contributor's submitted responses, under which themes each
 * was counted and what was decided for each; "this misses my point", once a response, which the
 * call's team must answer (the member is emailed the answer).
 */
export function createContributions(deps: { db: DB; access: PolicyAccess; baseUrl: string }) {
  const { db, access, baseUrl } = deps;

  async function myContributions(actor: Actor, page: number) {
    const [{ n }, rows] = await Promise.all([
      repo.countOwnResponses(db, actor.userId),
      repo.listOwnResponses(db, actor.userId, page, CONTRIBUTIONS_PAGE_SIZE),
    ]);
    const callIds = [...new Set(rows.map((r) => r.call_id))];
    const responseIds = rows.map((r) => r.id);
    const [outcomes, answered, ...counted] = await Promise.all([
      loadOutcomeViews(db, callIds),
      repo.listAnsweredQuestions(db, responseIds),
      ...callIds.map((c) =>
        repo.listCountedThemes(
          db,
          c,
          rows.filter((r) => r.call_id === c).map((r) => r.id),
        ),
      ),
    ]);
    const themes = counted.flat();
    const items: ContributionView[] = rows.map((r) => {
      const mine = themes.filter((t) => t.response_id === r.id);
      const answeredIds = new Set(answered.filter((a) => a.response_id === r.id).map((a) => a.question_id));
      const callOutcomes = outcomes.filter((o) => o.callId === r.call_id);
      return {
        responseId: r.id,
        callId: r.call_id,
        callTitle: r.call_title,
        callStatus: r.call_status,
        submittedAt: r.submitted_at,
        confidential: r.confidential,
        onBehalfOf: r.on_behalf_of,
        publishedResponse: r.published_response,
        publishedAt: r.published_at,
        themes: mine.map((t) => ({
          themeId: t.theme_id,
          name: t.theme_name,
          question: t.prompt,
          outcomes: callOutcomes.filter((o) => o.themeId === t.theme_id),
        })),
        questionOutcomes: callOutcomes.filter((o) => o.questionId !== null && answeredIds.has(o.questionId)),
        challenge: r.challenge_id
          ? {
              body: r.challenge_body!,
              createdAt: r.challenged_at!,
              answer: r.challenge_answer,
              answeredAt: r.challenge_answered_at,
            }
          : null,
        mayChallenge: !r.challenge_id && r.call_status !== 'open',
      };
    });
    return { items, total: Number(n), page, pageSize: CONTRIBUTIONS_PAGE_SIZE };
  }

  /** The member's own submitted response to a closed call, to say it misses their point; 404 for anyone else's. */
  async function responseToChallenge(actor: Actor, responseId: number) {
    const r = await repo.findOwnResponse(db, responseId);
    if (!r || r.user_id !== actor.userId || r.status !== 'submitted')
      throw new NotFoundError('There is no such response of yours');
    return {
      responseId: r.id,
      callId: r.call_id,
      callTitle: r.call_title,
      callStatus: r.call_status,
      challenged: r.challenge_id !== null,
    };
  }

  async function challenge(actor: Actor, responseId: number, body: string): Promise<void> {
    await responseToChallenge(actor, responseId);
    await db.transaction().execute(async (trx) => {
      const r = (await repo.findOwnResponse(trx, responseId))!;
      if (r.call_status === 'open')
        throw new ConflictError(
          'You can say a decision misses your point once the call has closed and your response has been considered',
        );
      const inserted = await repo.insertChallenge(trx, responseId, body);
      if (!inserted)
        throw new ConflictError(
          'You have already said this misses your point for this response: the team will answer it, and you will see the answer on this page',
        );
      await recordAudit(trx, actor, {
        action: 'policy.challenge.create',
        entityType: 'policy_response_challenge',
        entityId: inserted.id,
        summary: `Said the outcome of the call “${r.call_title}” misses their point (response ${responseId})`,
        details: { callId: r.call_id, responseId },
      });
    });
  }

  async function challengesOf(actor: Actor, callId: number, page: number) {
    const { call } = await access.loadCallToManage(actor, callId);
    const [counts, rows] = await Promise.all([
      repo.countChallenges(db, callId),
      repo.listChallenges(db, callId, page, CHALLENGES_PAGE_SIZE),
    ]);
    return {
      call: { id: call.id, title: call.title, status: call.status },
      total: Number(counts.n),
      unanswered: Number(counts.unanswered),
      page,
      pageSize: CHALLENGES_PAGE_SIZE,
      challenges: rows.map(presentChallenge),
    };
  }

  async function challengeToAnswer(actor: Actor, callId: number, challengeId: number) {
    const { call } = await access.loadCallToManage(actor, callId);
    const row = await repo.findChallenge(db, callId, challengeId);
    if (!row) throw new NotFoundError('There is no such challenge to this call');
    return { call: { id: call.id, title: call.title }, challenge: presentChallenge(row) };
  }

  async function answerChallenge(actor: Actor, callId: number, challengeId: number, answer: string) {
    const { call } = await access.loadCallToManage(actor, callId);
    await db.transaction().execute(async (trx) => {
      const row = await repo.findChallenge(trx, callId, challengeId);
      if (!row) throw new NotFoundError('There is no such challenge to this call');
      const done = await repo.answerChallenge(trx, challengeId, answer, actor.userId);
      if (!done) throw new ConflictError('This has already been answered');
      await enqueueEmail(
        trx,
        letter({
          to: row.member_email,
          name: row.member_name,
          subject: `An answer to your point: ${call.title}`,
          kind: 'policy.challenge-answered',
          body: [
            `You said the outcome of the call for input “${call.title}” misses your point. The team has answered:`,
            answer,
            { text: 'See the answer with your responses:', link: `${baseUrl}/policy/contributions` },
          ],
        }),
      );
      await recordAudit(trx, actor, {
        action: 'policy.challenge.answer',
        entityType: 'policy_response_challenge',
        entityId: challengeId,
        summary: `Answered ${row.member_name}’s point on the call “${call.title}”`,
        details: { callId, responseId: row.response_id, answer },
      });
    });
  }

  return {
    myContributions,
    responseToChallenge,
    challenge,
    challengesOf,
    challengeToAnswer,
    answerChallenge,
  };
}
export type PolicyContributions = ReturnType<typeof createContributions>;

function presentChallenge(row: NonNullable<Awaited<ReturnType<typeof repo.findChallenge>>>) {
  return {
    id: row.id,
    responseId: row.response_id,
    memberName: row.member_name,
    body: row.body,
    createdAt: row.created_at,
    answer: row.answer,
    answeredAt: row.answered_at,
    answeredBy: row.answered_by_name,
  };
}
