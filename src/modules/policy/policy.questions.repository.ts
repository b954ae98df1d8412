import { type ExpressionBuilder, sql } from 'kysely';
import type { Database, Executor } from '../../db/database.ts';
import type { QuestionVisibility } from './policy.table.ts';

// The SQL of questions to policy makers: asking, supporting, answering, withdrawing, searching,
// and turning a question into a draft call.

/** The text a question is found by: its title, body and answer, English stemming. */
async function refreshSearch(x: Executor, id: number) {
  await sql`update policy_questions
    set search = to_tsvector('english', title || ' ' || body || ' ' || coalesce(answer, '') || ' ' || coalesce(answered_role, ''))
    where id = ${id}`.execute(x);
}

export async function insertQuestion(
  x: Executor,
  values: {
    user_id: number;
    visibility: QuestionVisibility;
    title: string;
    body: string;
    safety_concern: boolean;
  },
) {
  const row = await x
    .insertInto('policy_questions')
    .values(values)
    .returning(['id'])
    .executeTakeFirstOrThrow();
  await refreshSearch(x, row.id);
  return row;
}

const questionColumns = [
  'q.id',
  'q.user_id',
  'q.visibility',
  'q.title',
  'q.body',
  'q.safety_concern',
  'q.status',
  'q.answer',
  'q.answered_by',
  'q.answered_role',
  'q.answered_at',
  'q.call_id',
  'q.supports',
  'q.created_at',
  'q.updated_at',
] as const;

export async function findQuestion(x: Executor, id: number) {
  return x
    .selectFrom('policy_questions as q')
    .leftJoin('users as u', 'u.id', 'q.user_id')
    .select([...questionColumns, 'u.name as asker_name'])
    .where('q.id', '=', id)
    .executeTakeFirst();
}

export async function lockQuestion(x: Executor, id: number) {
  return x
    .selectFrom('policy_questions')
    .select(['id', 'user_id', 'visibility', 'status', 'title', 'body', 'call_id', 'safety_concern'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** Which questions a viewer may see: network ones, their own, and (for the policy team) all. */
function visibleTo(viewer: { userId: number; team: boolean }) {
  return (eb: ExpressionBuilder<Database, 'policy_questions'>) =>
    viewer.team
      ? eb.val(true)
      : eb.or([
          eb('policy_questions.visibility', '=', 'network'),
          eb('policy_questions.user_id', '=', viewer.userId),
        ]);
}

type Page = { limit: number; offset: number };

async function pageOf<T>(rows: Promise<T[]>, total: Promise<{ n: string }>) {
  const [r, t] = await Promise.all([rows, total]);
  return { rows: r, total: Number(t.n) };
}

/** Open questions the viewer may see, oldest first (the index on status, created_at, id). */
export async function listWaiting(x: Executor, viewer: { userId: number; team: boolean }, page: Page) {
  const base = x.selectFrom('policy_questions').where('status', '=', 'open').where(visibleTo(viewer));
  return pageOf(
    base
      .leftJoin('users as u', 'u.id', 'policy_questions.user_id')
      .select([
        'policy_questions.id',
        'policy_questions.title',
        'policy_questions.visibility',
        'policy_questions.supports',
        'policy_questions.safety_concern',
        'policy_questions.created_at',
        'policy_questions.user_id',
        'u.name as asker_name',
      ])
      .orderBy('policy_questions.created_at')
      .orderBy('policy_questions.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  );
}

/**
 * Answered questions the viewer may see: with words, those whose title, body or answer match
 * (websearch syntax, best match first, on the GIN index); without, the most recently answered first.
 */
export async function listAnswered(
  x: Executor,
  viewer: { userId: number; team: boolean },
  words: string | null,
  page: Page,
) {
  const query = words ? sql`websearch_to_tsquery('english', ${words})` : null;
  let base = x.selectFrom('policy_questions').where('status', '=', 'answered').where(visibleTo(viewer));
  if (query) base = base.where(sql<boolean>`search @@ ${query}`);
  let rows = base
    .leftJoin('users as u', 'u.id', 'policy_questions.user_id')
    .select([
      'policy_questions.id',
      'policy_questions.title',
      'policy_questions.visibility',
      'policy_questions.supports',
      'policy_questions.answered_role',
      'policy_questions.answered_at',
      'policy_questions.created_at',
      'policy_questions.user_id',
      'u.name as asker_name',
    ]);
  if (query) rows = rows.orderBy(sql`ts_rank(search, ${query})`, 'desc');
  return pageOf(
    rows
      .orderBy('policy_questions.answered_at', 'desc')
      .orderBy('policy_questions.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  );
}

/** The person's own questions, newest first. */
export async function listMine(x: Executor, userId: number, page: Page) {
  const base = x.selectFrom('policy_questions').where('user_id', '=', userId);
  return pageOf(
    base
      .select([
        'id',
        'title',
        'visibility',
        'status',
        'supports',
        'answered_role',
        'answered_at',
        'created_at',
        'user_id',
      ])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  );
}

export async function hasSupported(x: Executor, questionId: number, userId: number) {
  const r = await x
    .selectFrom('policy_question_supports')
    .select('user_id')
    .where('question_id', '=', questionId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r !== undefined;
}

/** Adds one support and counts it; false when the person already supports the question. */
export async function addSupport(x: Executor, questionId: number, userId: number): Promise<boolean> {
  const added = await x
    .insertInto('policy_question_supports')
    .values({ question_id: questionId, user_id: userId })
    .onConflict((oc) => oc.columns(['question_id', 'user_id']).doNothing())
    .returning(['user_id'])
    .executeTakeFirst();
  if (!added) return false;
  await x
    .updateTable('policy_questions')
    .set((eb) => ({ supports: eb('supports', '+', 1), updated_at: new Date() }))
    .where('id', '=', questionId)
    .execute();
  return true;
}

/** Who is told when the question is answered: its supporters whose accounts are in use. */
export async function listSupporterContacts(x: Executor, questionId: number) {
  return x
    .selectFrom('policy_question_supports as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.name', 'u.email'])
    .where('s.question_id', '=', questionId)
    .where('u.disabled_at', 'is', null)
    .orderBy('u.id')
    .execute();
}

export async function findUserContact(x: Executor, userId: number) {
  return x
    .selectFrom('users')
    .select(['id', 'name', 'email', 'disabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

export async function answerQuestion(
  x: Executor,
  id: number,
  values: { answer: string; answered_by: number; answered_role: string },
) {
  await x
    .updateTable('policy_questions')
    .set({ ...values, status: 'answered', answered_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
  await refreshSearch(x, id);
}

export async function withdrawQuestion(x: Executor, id: number) {
  await x
    .updateTable('policy_questions')
    .set({ status: 'withdrawn', updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** The question names the call drafted from it (the calls section writes the call). */
export async function linkQuestionToCall(x: Executor, questionId: number, callId: number) {
  await x
    .updateTable('policy_questions')
    .set({ call_id: callId, updated_at: new Date() })
    .where('id', '=', questionId)
    .execute();
}
