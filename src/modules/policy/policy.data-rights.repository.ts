import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

// The SQL of the policy module's data-rights contributor: rows about one person only.

export async function listResponsesOf(x: Executor, userId: number) {
  return x
    .selectFrom('policy_responses as r')
    .innerJoin('policy_calls as c', 'c.id', 'r.call_id')
    .leftJoin('organisations as o', 'o.id', 'r.on_behalf_of_organisation_id')
    .select([
      'r.id',
      'r.call_id',
      'c.title as call_title',
      'r.status',
      'o.name as on_behalf_of',
      'r.confidential',
      'r.safety_concern',
      'r.safety_summary',
      'r.region_code',
      'r.profession',
      'r.setting',
      'r.submitted_at',
      'r.created_at',
      'r.updated_at',
    ])
    .where('r.user_id', '=', userId)
    .orderBy('r.created_at')
    .orderBy('r.id')
    .execute();
}

export async function listAnswersOf(x: Executor, responseIds: number[]) {
  if (!responseIds.length) return [];
  return x
    .selectFrom('policy_answers as a')
    .innerJoin('policy_call_questions as q', 'q.id', 'a.question_id')
    .select(['a.response_id', 'q.prompt', 'a.text_value', 'a.choice_values', 'a.scale_value'])
    .where('a.response_id', 'in', responseIds)
    .orderBy('a.response_id')
    .orderBy('q.position')
    .execute();
}

export async function listChallengesOf(x: Executor, responseIds: number[]) {
  if (!responseIds.length) return [];
  return x
    .selectFrom('policy_response_challenges')
    .select(['response_id', 'body', 'created_at', 'answer', 'answered_at'])
    .where('response_id', 'in', responseIds)
    .orderBy('id')
    .execute();
}

export async function listQuestionsOf(x: Executor, userId: number) {
  return x
    .selectFrom('policy_questions')
    .select([
      'id',
      'visibility',
      'title',
      'body',
      'safety_concern',
      'status',
      'answer',
      'answered_role',
      'answered_at',
      'call_id',
      'supports',
      'created_at',
    ])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function listSupportsOf(x: Executor, userId: number) {
  return x
    .selectFrom('policy_question_supports as s')
    .innerJoin('policy_questions as q', 'q.id', 's.question_id')
    .select(['s.question_id', 'q.title', 's.created_at'])
    .where('s.user_id', '=', userId)
    .orderBy('s.created_at')
    .execute();
}

export async function listConcernsRaisedBy(x: Executor, userId: number) {
  return x
    .selectFrom('policy_safety_concerns')
    .select([
      'id',
      'response_id',
      'question_id',
      'summary',
      'raised_at',
      'acknowledged_at',
      'acknowledgement',
    ])
    .where('raised_by', '=', userId)
    .orderBy('raised_at')
    .orderBy('id')
    .execute();
}

export async function findStaffRecord(x: Executor, userId: number) {
  return x
    .selectFrom('policy_staff')
    .select(['role_title', 'safety_lead', 'updated_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Their supports go, and each question's count with them. */
export async function deleteSupportsOf(x: Executor, userId: number) {
  const removed = await x
    .deleteFrom('policy_question_supports')
    .where('user_id', '=', userId)
    .returning(['question_id'])
    .execute();
  if (removed.length)
    await x
      .updateTable('policy_questions')
      .set((eb) => ({ supports: sql<number>`greatest(${eb.ref('supports')} - 1, 0)` }))
      .where(
        'id',
        'in',
        removed.map((r) => r.question_id),
      )
      .execute();
}

export async function deleteConcernsRaisedBy(x: Executor, userId: number) {
  await x.deleteFrom('policy_safety_concerns').where('raised_by', '=', userId).execute();
}

/**
 * Their responses: drafts go (with their answers); submitted ones keep the row, the groups it was
 * counted in, its themes and the choices and scale values given (figures counted in the published
 * analysis), but not their words: text answers, excerpts quoted from them, the history's copies,
 * the organisation named and any "this misses my point".
 */
export async function eraseResponsesOf(x: Executor, userId: number) {
  await x
    .deleteFrom('policy_responses')
    .where('user_id', '=', userId)
    .where('status', '=', 'draft')
    .execute();
  const mine = x.selectFrom('policy_responses').select('id').where('user_id', '=', userId);
  await x.deleteFrom('policy_response_challenges').where('response_id', 'in', mine).execute();
  await x.updateTable('policy_answers').set({ text_value: null }).where('response_id', 'in', mine).execute();
  const assignments = x.selectFrom('policy_theme_assignments').select('id').where('response_id', 'in', mine);
  await x
    .updateTable('policy_assignment_history')
    .set({ details: '{}' })
    .where('assignment_id', 'in', assignments)
    .execute();
  await x
    .updateTable('policy_theme_assignments')
    .set({ excerpt: null })
    .where('response_id', 'in', mine)
    .execute();
  await x
    .updateTable('policy_responses')
    .set({ on_behalf_of_organisation_id: null, safety_summary: null, updated_at: new Date() })
    .where('user_id', '=', userId)
    .execute();
}

/**
 * Their questions: an answered question to the network, or one a call was made from, is the
 * network's shared record (others supported it, an answer or a call rests on it) and stays without
 * who asked; every other question (open, withdrawn, private) goes with its supports.
 */
export async function eraseQuestionsOf(x: Executor, userId: number) {
  await sql`delete from policy_questions q where q.user_id = ${userId}
    and not ((q.status = 'answered' and q.visibility = 'network') or q.call_id is not null
      or exists (select 1 from policy_calls c where c.source_question_id = q.id))`.execute(x);
  await x
    .updateTable('policy_questions')
    .set({ user_id: null, updated_at: new Date() })
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteStaffRecord(x: Executor, userId: number) {
  await x.deleteFrom('policy_staff').where('user_id', '=', userId).execute();
}
