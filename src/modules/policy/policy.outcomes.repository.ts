import { type Insertable, sql, type Updateable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { PolicyMilestonesTable, PolicyOutcomesTable } from './policy.table.ts';

// The SQL of outcomes ("you said, we did"), their milestones, a call's published response, and who
// a decision touches: the contributors whose response is counted under its theme or answered its
// question.

/**
 * Every theme of the call with the live theme it now counts under: a merged theme follows
 * merged_into_id (possibly several steps) to the theme that took it in.
 */
export function liveThemes(x: Executor, callId: number) {
  return x.withRecursive('live(theme_id, live_id)', (db) =>
    db
      .selectFrom('policy_themes')
      .select(['id as theme_id', 'id as live_id'])
      .where('call_id', '=', callId)
      .where('merged_into_id', 'is', null)
      .unionAll((u) =>
        u
          .selectFrom('policy_themes as t')
          .innerJoin('live as l', 'l.theme_id', 't.merged_into_id')
          .select(['t.id as theme_id', 'l.live_id']),
      ),
  );
}

/** The call's live themes (not merged away) with how many responses each counts, question by question. */
export function listLiveThemes(x: Executor, callId: number) {
  return liveThemes(x, callId)
    .selectFrom('policy_themes as t')
    .innerJoin('policy_call_questions as q', 'q.id', 't.question_id')
    .where('t.call_id', '=', callId)
    .where('t.merged_into_id', 'is', null)
    .select((eb) => [
      't.id',
      't.name',
      't.description',
      't.question_id',
      'q.prompt as question_prompt',
      'q.position as question_position',
      eb
        .selectFrom('policy_theme_assignments as a')
        .innerJoin('live as l', 'l.theme_id', 'a.theme_id')
        .innerJoin('policy_responses as r', 'r.id', 'a.response_id')
        .whereRef('l.live_id', '=', 't.id')
        .where('a.removed_at', 'is', null)
        .where('r.status', '=', 'submitted')
        .select(sql<string>`count(distinct a.response_id)`.as('n'))
        .as('responses'),
    ])
    .orderBy('q.position')
    .orderBy('t.name')
    .limit(500)
    .execute();
}

export function listQuestions(x: Executor, callId: number) {
  return x
    .selectFrom('policy_call_questions')
    .select(['id', 'position', 'prompt', 'kind'])
    .where('call_id', '=', callId)
    .orderBy('position')
    .execute();
}

/** Outcomes with what each is about: its theme's name and the prompt of its (or its theme's) question. */
function outcomesWithSubject(x: Executor) {
  return x
    .selectFrom('policy_outcomes as o')
    .leftJoin('policy_themes as t', 't.id', 'o.theme_id')
    .leftJoin('policy_call_questions as q', (j) =>
      j.on((eb) => eb('q.id', '=', eb.fn.coalesce('o.question_id', 't.question_id'))),
    )
    .select([
      'o.id',
      'o.call_id',
      'o.theme_id',
      'o.question_id',
      'o.decision',
      'o.summary',
      'o.reason',
      'o.owner_role',
      'o.decided_on',
      'o.updated_at',
      't.name as theme_name',
      'q.prompt as question_prompt',
      'q.position as question_position',
    ]);
}

/** The calls' outcomes, each with what it is about, in the order they were recorded. */
export function listOutcomes(x: Executor, callIds: number[]) {
  if (!callIds.length) return Promise.resolve([]);
  return outcomesWithSubject(x)
    .where('o.call_id', 'in', callIds)
    .orderBy('o.call_id')
    .orderBy('o.id')
    .limit(2000)
    .execute();
}
export type OutcomeRow = Awaited<ReturnType<typeof listOutcomes>>[number];

/** One outcome of the call with what it is about, or nothing when it is not the call's. */
export function findOutcome(x: Executor, callId: number, outcomeId: number) {
  return outcomesWithSubject(x)
    .where('o.id', '=', outcomeId)
    .where('o.call_id', '=', callId)
    .executeTakeFirst();
}

export function listMilestones(x: Executor, outcomeIds: number[]) {
  if (!outcomeIds.length) return Promise.resolve([]);
  return x
    .selectFrom('policy_milestones')
    .select(['id', 'outcome_id', 'title', 'due_on', 'status', 'progress', 'note', 'updated_at'])
    .where('outcome_id', 'in', outcomeIds)
    .orderBy('outcome_id')
    .orderBy('id')
    .limit(5000)
    .execute();
}
export type MilestoneRow = Awaited<ReturnType<typeof listMilestones>>[number];

/** A milestone with the outcome and call it belongs to, or nothing when it is not the call's. */
export function findMilestone(x: Executor, callId: number, milestoneId: number) {
  return x
    .selectFrom('policy_milestones as m')
    .innerJoin('policy_outcomes as o', 'o.id', 'm.outcome_id')
    .where('m.id', '=', milestoneId)
    .where('o.call_id', '=', callId)
    .select(['m.id', 'm.outcome_id', 'm.title', 'm.due_on', 'm.status', 'm.progress', 'm.note'])
    .executeTakeFirst();
}

/** A live (not merged) theme of the call, for an outcome to be about. */
export function findLiveTheme(x: Executor, callId: number, themeId: number) {
  return x
    .selectFrom('policy_themes')
    .select(['id', 'name', 'question_id'])
    .where('id', '=', themeId)
    .where('call_id', '=', callId)
    .where('merged_into_id', 'is', null)
    .executeTakeFirst();
}

export function findQuestion(x: Executor, callId: number, questionId: number) {
  return x
    .selectFrom('policy_call_questions')
    .select(['id', 'prompt'])
    .where('id', '=', questionId)
    .where('call_id', '=', callId)
    .executeTakeFirst();
}

export function insertOutcome(x: Executor, values: Insertable<PolicyOutcomesTable>) {
  return x.insertInto('policy_outcomes').values(values).returning(['id']).executeTakeFirstOrThrow();
}

export function updateOutcome(x: Executor, id: number, values: Updateable<PolicyOutcomesTable>) {
  return x
    .updateTable('policy_outcomes')
    .set({ ...values, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export function insertMilestone(x: Executor, values: Insertable<PolicyMilestonesTable>) {
  return x.insertInto('policy_milestones').values(values).returning(['id']).executeTakeFirstOrThrow();
}

export function updateMilestone(x: Executor, id: number, values: Updateable<PolicyMilestonesTable>) {
  return x
    .updateTable('policy_milestones')
    .set({ ...values, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Takes the call's row lock, so two writers of its published response or outcomes go one at a time. */
export function lockCall(x: Executor, callId: number) {
  return x
    .selectFrom('policy_calls')
    .select(['id', 'status', 'title', 'published_response', 'published_at'])
    .where('id', '=', callId)
    .forUpdate()
    .executeTakeFirst();
}

export function writePublishedResponse(x: Executor, callId: number, text: string, firstTime: boolean) {
  return x
    .updateTable('policy_calls')
    .set({
      published_response: text,
      ...(firstTime ? { published_at: sql<Date>`now()` } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', callId)
    .execute();
}

/**
 * The contributors an outcome touches: the authors of submitted responses counted under its theme
 * (through a live assignment, to that theme or one merged into it) or that answered its question.
 * One row a person.
 */
export function listTouchedContributors(
  x: Executor,
  callId: number,
  target: { themeId: number | null; questionId: number | null },
) {
  return liveThemes(x, callId)
    .selectFrom('policy_responses as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .where('r.call_id', '=', callId)
    .where('r.status', '=', 'submitted')
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(target.themeId !== null
          ? [
              eb.exists(
                eb
                  .selectFrom('policy_theme_assignments as a')
                  .innerJoin('live as l', 'l.theme_id', 'a.theme_id')
                  .whereRef('a.response_id', '=', 'r.id')
                  .where('a.removed_at', 'is', null)
                  .where('l.live_id', '=', target.themeId)
                  .select(sql`1`.as('one')),
              ),
            ]
          : []),
        ...(target.questionId !== null
          ? [
              eb.exists(
                eb
                  .selectFrom('policy_answers as an')
                  .whereRef('an.response_id', '=', 'r.id')
                  .where('an.question_id', '=', target.questionId)
                  .where((w) =>
                    w.or([
                      w(sql`coalesce(length(trim(an.text_value)), 0)`, '>', 0),
                      w(sql`cardinality(an.choice_values)`, '>', 0),
                      w('an.scale_value', 'is not', null),
                    ]),
                  )
                  .select(sql`1`.as('one')),
              ),
            ]
          : []),
      ]),
    )
    .select(['u.id as user_id', 'u.name', 'u.email'])
    .orderBy('u.id')
    .execute();
}

// ---- closing the loop: a member's own responses, how they were counted, their challenges ----

export function countOwnResponses(x: Executor, userId: number) {
  return x
    .selectFrom('policy_responses as r')
    .innerJoin('policy_calls as c', 'c.id', 'r.call_id')
    .where('r.user_id', '=', userId)
    .where('r.status', '=', 'submitted')
    .where('c.status', 'in', ['open', 'closed', 'concluded'])
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
}

export function listOwnResponses(x: Executor, userId: number, page: number, pageSize: number) {
  return x
    .selectFrom('policy_responses as r')
    .innerJoin('policy_calls as c', 'c.id', 'r.call_id')
    .leftJoin('organisations as o', 'o.id', 'r.on_behalf_of_organisation_id')
    .leftJoin('policy_response_challenges as ch', 'ch.response_id', 'r.id')
    .where('r.user_id', '=', userId)
    .where('r.status', '=', 'submitted')
    .where('c.status', 'in', ['open', 'closed', 'concluded'])
    .select([
      'r.id',
      'r.call_id',
      'r.confidential',
      'r.submitted_at',
      'o.name as on_behalf_of',
      'c.title as call_title',
      'c.status as call_status',
      'c.closes_on',
      'c.response_due_on',
      'c.published_response',
      'c.published_at',
      'ch.id as challenge_id',
      'ch.body as challenge_body',
      'ch.created_at as challenged_at',
      'ch.answer as challenge_answer',
      'ch.answered_at as challenge_answered_at',
    ])
    .orderBy('r.submitted_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
}

/** The live themes each of these responses is counted under (a merged theme gives the theme that took it in). */
export async function listCountedThemes(x: Executor, callId: number, responseIds: number[]) {
  if (!responseIds.length) return [];
  return liveThemes(x, callId)
    .selectFrom('policy_theme_assignments as a')
    .innerJoin('live as l', 'l.theme_id', 'a.theme_id')
    .innerJoin('policy_themes as t', 't.id', 'l.live_id')
    .innerJoin('policy_call_questions as q', 'q.id', 't.question_id')
    .where('a.response_id', 'in', responseIds)
    .where('a.removed_at', 'is', null)
    .select(['a.response_id', 't.id as theme_id', 't.name as theme_name', 'q.id as question_id', 'q.prompt'])
    .distinct()
    .orderBy('a.response_id')
    .orderBy('t.id')
    .execute();
}

/** The questions each of these responses answered (not left empty). */
export function listAnsweredQuestions(x: Executor, responseIds: number[]) {
  if (!responseIds.length) return Promise.resolve([]);
  return x
    .selectFrom('policy_answers as an')
    .where('an.response_id', 'in', responseIds)
    .where((w) =>
      w.or([
        w(sql`coalesce(length(trim(an.text_value)), 0)`, '>', 0),
        w(sql`cardinality(an.choice_values)`, '>', 0),
        w('an.scale_value', 'is not', null),
      ]),
    )
    .select(['an.response_id', 'an.question_id'])
    .execute();
}

export function findOwnResponse(x: Executor, responseId: number) {
  return x
    .selectFrom('policy_responses as r')
    .innerJoin('policy_calls as c', 'c.id', 'r.call_id')
    .leftJoin('policy_response_challenges as ch', 'ch.response_id', 'r.id')
    .where('r.id', '=', responseId)
    .select([
      'r.id',
      'r.user_id',
      'r.status',
      'r.call_id',
      'c.title as call_title',
      'c.status as call_status',
      'c.owner_user_id',
      'ch.id as challenge_id',
    ])
    .executeTakeFirst();
}

export function insertChallenge(x: Executor, responseId: number, body: string) {
  return x
    .insertInto('policy_response_challenges')
    .values({ response_id: responseId, body })
    .onConflict((oc) => oc.column('response_id').doNothing())
    .returning(['id'])
    .executeTakeFirst();
}

export function countChallenges(x: Executor, callId: number) {
  return x
    .selectFrom('policy_response_challenges as ch')
    .innerJoin('policy_responses as r', 'r.id', 'ch.response_id')
    .where('r.call_id', '=', callId)
    .select((eb) => [
      eb.fn.countAll<string>().as('n'),
      eb.fn.count<string>('ch.id').filterWhere('ch.answered_at', 'is', null).as('unanswered'),
    ])
    .executeTakeFirstOrThrow();
}

/** The call's challenges, unanswered first (oldest first), then answered (latest first). */
export function listChallenges(x: Executor, callId: number, page: number, pageSize: number) {
  return challengesOf(x, callId)
    .orderBy(sql`ch.answered_at is null`, 'desc')
    .orderBy(sql`case when ch.answered_at is null then ch.created_at end`, 'asc')
    .orderBy('ch.answered_at', 'desc')
    .orderBy('ch.id')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
}

function challengesOf(x: Executor, callId: number) {
  return x
    .selectFrom('policy_response_challenges as ch')
    .innerJoin('policy_responses as r', 'r.id', 'ch.response_id')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .leftJoin('users as a', 'a.id', 'ch.answered_by')
    .where('r.call_id', '=', callId)
    .select([
      'ch.id',
      'ch.response_id',
      'ch.body',
      'ch.created_at',
      'ch.answer',
      'ch.answered_at',
      'a.name as answered_by_name',
      'u.id as user_id',
      'u.name as member_name',
      'u.email as member_email',
    ]);
}

export function findChallenge(x: Executor, callId: number, challengeId: number) {
  return challengesOf(x, callId).where('ch.id', '=', challengeId).executeTakeFirst();
}

export function answerChallenge(x: Executor, challengeId: number, answer: string, userId: number) {
  return x
    .updateTable('policy_response_challenges')
    .set({ answer, answered_by: userId, answered_at: sql`now()` })
    .where('id', '=', challengeId)
    .where('answered_at', 'is', null)
    .returning(['id'])
    .executeTakeFirst();
}
