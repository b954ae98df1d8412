import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Sentiment, SuggestionStatus } from './policy.table.ts';

// The SQL of the analysis: themes per question, assignments of responses to them with their
// history, live counts per theme and per group, and the suggested themes.

// ---- questions and answers ----

export function listQuestions(x: Executor, callId: number) {
  return x
    .selectFrom('policy_call_questions')
    .select(['id', 'call_id', 'position', 'kind', 'prompt'])
    .where('call_id', '=', callId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export function findQuestion(x: Executor, questionId: number) {
  return x
    .selectFrom('policy_call_questions')
    .select(['id', 'call_id', 'position', 'kind', 'prompt'])
    .where('id', '=', questionId)
    .executeTakeFirst();
}

/** A submitted response's answer to a question, with what the analysis needs of the response. */
export function findAnswer(x: Executor, responseId: number, questionId: number) {
  return x
    .selectFrom('policy_responses as r')
    .innerJoin('policy_answers as a', (j) =>
      j.onRef('a.response_id', '=', 'r.id').on('a.question_id', '=', questionId),
    )
    .select([
      'r.id',
      'r.call_id',
      'r.status',
      'r.confidential',
      'a.text_value',
      'a.choice_values',
      'a.scale_value',
    ])
    .where('r.id', '=', responseId)
    .executeTakeFirst();
}

const submittedAnswers = (x: Executor, questionId: number) =>
  x
    .selectFrom('policy_answers as a')
    .innerJoin('policy_responses as r', 'r.id', 'a.response_id')
    .where('a.question_id', '=', questionId)
    .where('r.status', '=', 'submitted');

export async function countAnswers(x: Executor, questionId: number) {
  const row = await submittedAnswers(x, questionId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of a question's answers, oldest response first. */
export function listAnswers(x: Executor, questionId: number, page: { limit: number; offset: number }) {
  return submittedAnswers(x, questionId)
    .leftJoin('users as u', 'u.id', 'r.user_id')
    .leftJoin('organisations as o', 'o.id', 'r.on_behalf_of_organisation_id')
    .select([
      'r.id as response_id',
      'r.confidential',
      'r.region_code',
      'r.profession',
      'r.setting',
      'u.name as respondent',
      'o.name as organisation',
      'a.text_value',
      'a.choice_values',
      'a.scale_value',
    ])
    .orderBy('r.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** The text answers to a question, for the suggestion engine (bounded). */
export function listTextAnswers(x: Executor, questionId: number, cap: number) {
  return submittedAnswers(x, questionId)
    .select(['r.id as response_id', 'a.text_value'])
    .where('a.text_value', 'is not', null)
    .where('a.text_value', '<>', '')
    .orderBy('r.id')
    .limit(cap)
    .execute();
}

// ---- themes ----

export function listThemes(x: Executor, questionIds: number[]) {
  if (!questionIds.length) return Promise.resolve([]);
  return x
    .selectFrom('policy_themes as t')
    .leftJoin('policy_themes as m', 'm.id', 't.merged_into_id')
    .select([
      't.id',
      't.call_id',
      't.question_id',
      't.name',
      't.description',
      't.merged_into_id',
      'm.name as merged_into_name',
      't.created_at',
    ])
    .select((eb) =>
      eb
        .selectFrom('policy_theme_assignments as a')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('a.theme_id', '=', 't.id')
        .where('a.removed_at', 'is', null)
        .as('responses'),
    )
    .where('t.question_id', 'in', questionIds)
    .orderBy('t.question_id')
    .orderBy('t.id')
    .execute();
}

/** Live responses per theme and group (region, profession, setting of the response at submission). */
export function listGroupCounts(x: Executor, questionIds: number[]) {
  if (!questionIds.length) return Promise.resolve([]);
  return x
    .selectFrom('policy_themes as t')
    .innerJoin('policy_theme_assignments as a', 'a.theme_id', 't.id')
    .innerJoin('policy_responses as r', 'r.id', 'a.response_id')
    .select(['t.id as theme_id', 'r.region_code', 'r.profession', 'r.setting'])
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('t.question_id', 'in', questionIds)
    .where('a.removed_at', 'is', null)
    .groupBy(['t.id', 'r.region_code', 'r.profession', 'r.setting'])
    .execute();
}

export function findTheme(x: Executor, id: number) {
  return x.selectFrom('policy_themes').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockTheme(x: Executor, id: number) {
  return x.selectFrom('policy_themes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The live theme of the question with this name (case-insensitive), if any. */
export function findLiveThemeByName(x: Executor, questionId: number, name: string) {
  return x
    .selectFrom('policy_themes')
    .select(['id', 'name'])
    .where('question_id', '=', questionId)
    .where('merged_into_id', 'is', null)
    .where(sql<string>`lower(name)`, '=', name.toLowerCase())
    .executeTakeFirst();
}

export async function insertTheme(
  x: Executor,
  row: { callId: number; questionId: number; name: string; description: string | null; createdBy: number },
) {
  const { id } = await x
    .insertInto('policy_themes')
    .values({
      call_id: row.callId,
      question_id: row.questionId,
      name: row.name,
      description: row.description,
      created_by: row.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function updateTheme(
  x: Executor,
  id: number,
  fields: { name: string; description: string | null },
) {
  await x
    .updateTable('policy_themes')
    .set({ ...fields, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function markMerged(x: Executor, id: number, intoId: number) {
  await x
    .updateTable('policy_themes')
    .set({ merged_into_id: intoId, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

// ---- assignments and their history ----

const assignmentColumns = [
  'a.id',
  'a.theme_id',
  'a.response_id',
  'a.question_id',
  'a.excerpt',
  'a.sentiment',
  'a.evidence_rich',
  'a.source',
  'a.assigned_at',
  'a.removed_at',
] as const;

export function findAssignment(x: Executor, id: number) {
  return x
    .selectFrom('policy_theme_assignments as a')
    .innerJoin('policy_themes as t', 't.id', 'a.theme_id')
    .select([...assignmentColumns, 't.call_id', 't.name as theme_name'])
    .where('a.id', '=', id)
    .executeTakeFirst();
}

export function lockAssignment(x: Executor, id: number) {
  return x
    .selectFrom('policy_theme_assignments as a')
    .select(assignmentColumns)
    .where('a.id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function findLiveAssignment(x: Executor, themeId: number, responseId: number) {
  return x
    .selectFrom('policy_theme_assignments')
    .select(['id'])
    .where('theme_id', '=', themeId)
    .where('response_id', '=', responseId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

export async function insertAssignment(
  x: Executor,
  row: {
    themeId: number;
    responseId: number;
    questionId: number;
    excerpt: string | null;
    sentiment: Sentiment | null;
    evidenceRich: boolean;
    source: 'person' | 'suggestion';
    assignedBy: number;
  },
) {
  const { id } = await x
    .insertInto('policy_theme_assignments')
    .values({
      theme_id: row.themeId,
      response_id: row.responseId,
      question_id: row.questionId,
      excerpt: row.excerpt,
      sentiment: row.sentiment,
      evidence_rich: row.evidenceRich,
      source: row.source,
      assigned_by: row.assignedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function updateAssignment(
  x: Executor,
  id: number,
  fields: { excerpt: string | null; sentiment: Sentiment | null; evidence_rich: boolean },
) {
  await x.updateTable('policy_theme_assignments').set(fields).where('id', '=', id).execute();
}

export async function removeAssignments(x: Executor, ids: number[], by: number) {
  if (!ids.length) return;
  await x
    .updateTable('policy_theme_assignments')
    .set({ removed_at: new Date(), removed_by: by })
    .where('id', 'in', ids)
    .where('removed_at', 'is', null)
    .execute();
}

export async function moveAssignments(x: Executor, ids: number[], toThemeId: number) {
  if (!ids.length) return;
  await x
    .updateTable('policy_theme_assignments')
    .set({ theme_id: toThemeId })
    .where('id', 'in', ids)
    .execute();
}

/** The live assignments of a theme (all of them: merges and splits move them in one statement). */
export function listLiveAssignmentIds(x: Executor, themeId: number) {
  return x
    .selectFrom('policy_theme_assignments')
    .select(['id', 'response_id'])
    .where('theme_id', '=', themeId)
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
}

export async function countLiveAssignments(x: Executor, themeId: number) {
  const row = await x
    .selectFrom('policy_theme_assignments')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('theme_id', '=', themeId)
    .where('removed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of a theme's live assignments with the answer and who assigned it. */
export function listThemeAssignments(x: Executor, themeId: number, page: { limit: number; offset: number }) {
  return x
    .selectFrom('policy_theme_assignments as a')
    .innerJoin('policy_responses as r', 'r.id', 'a.response_id')
    .leftJoin('policy_answers as ans', (j) =>
      j.onRef('ans.response_id', '=', 'a.response_id').onRef('ans.question_id', '=', 'a.question_id'),
    )
    .leftJoin('users as resp', 'resp.id', 'r.user_id')
    .leftJoin('users as by', 'by.id', 'a.assigned_by')
    .select([
      ...assignmentColumns,
      'r.confidential',
      'r.region_code',
      'r.profession',
      'r.setting',
      'resp.name as respondent',
      'by.name as assigned_by_name',
      'ans.text_value',
    ])
    .where('a.theme_id', '=', themeId)
    .where('a.removed_at', 'is', null)
    .orderBy('a.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** The live assignments, under any theme of the question, of the responses on a page of answers. */
export function listAssignmentsOfResponses(x: Executor, questionId: number, responseIds: number[]) {
  if (!responseIds.length) return Promise.resolve([]);
  return x
    .selectFrom('policy_theme_assignments as a')
    .innerJoin('policy_themes as t', 't.id', 'a.theme_id')
    .select([...assignmentColumns, 't.name as theme_name'])
    .where('a.response_id', 'in', responseIds)
    .where('a.question_id', '=', questionId)
    .where('a.removed_at', 'is', null)
    .orderBy('a.id')
    .execute();
}

export type HistoryRow = {
  assignmentId: number;
  themeId: number;
  action: string;
  details: Record<string, unknown>;
  changedBy: number;
};

export async function insertHistory(x: Executor, rows: HistoryRow[]) {
  if (!rows.length) return;
  await x
    .insertInto('policy_assignment_history')
    .values(
      rows.map((r) => ({
        assignment_id: r.assignmentId,
        theme_id: r.themeId,
        action: r.action,
        details: JSON.stringify(r.details),
        changed_by: r.changedBy,
      })),
    )
    .execute();
}

/** The newest history rows of a theme, newest first (bounded). */
export function listThemeHistory(x: Executor, themeId: number, limit: number) {
  return x
    .selectFrom('policy_assignment_history as h')
    .innerJoin('policy_theme_assignments as a', 'a.id', 'h.assignment_id')
    .leftJoin('users as u', 'u.id', 'h.changed_by')
    .select([
      'h.id',
      'h.assignment_id',
      'a.response_id',
      'h.action',
      'h.details',
      'h.changed_at',
      'u.name as changed_by_name',
    ])
    .where('h.theme_id', '=', themeId)
    .orderBy('h.id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * The live themes a response is counted under (merged themes excluded: their assignments moved
 * to the theme they were merged into), for the outcomes part ("how your response was counted").
 */
export function themesForResponse(x: Executor, responseId: number) {
  return x
    .selectFrom('policy_theme_assignments as a')
    .innerJoin('policy_themes as t', 't.id', 'a.theme_id')
    .select(['t.id as themeId', 't.name', 't.question_id as questionId'])
    .distinct()
    .where('a.response_id', '=', responseId)
    .where('a.removed_at', 'is', null)
    .where('t.merged_into_id', 'is', null)
    .orderBy('t.question_id')
    .orderBy('t.id')
    .execute();
}

// ---- suggestions ----

export async function replacePendingSuggestions(
  x: Executor,
  callId: number,
  questionId: number,
  rows: { label: string; keyphrases: string[]; responseIds: number[]; score: number }[],
) {
  await x
    .deleteFrom('policy_theme_suggestions')
    .where('question_id', '=', questionId)
    .where('status', '=', 'pending')
    .execute();
  if (!rows.length) return;
  await x
    .insertInto('policy_theme_suggestions')
    .values(
      rows.map((r) => ({
        call_id: callId,
        question_id: questionId,
        label: r.label,
        keyphrases: r.keyphrases,
        response_ids: r.responseIds,
        score: r.score,
      })),
    )
    .execute();
}

export function listSuggestions(x: Executor, questionIds: number[], status: SuggestionStatus, limit: number) {
  if (!questionIds.length) return Promise.resolve([]);
  return x
    .selectFrom('policy_theme_suggestions as s')
    .leftJoin('users as u', 'u.id', 's.decided_by')
    .leftJoin('policy_themes as t', 't.id', 's.theme_id')
    .select([
      's.id',
      's.call_id',
      's.question_id',
      's.label',
      's.keyphrases',
      's.response_ids',
      's.score',
      's.status',
      's.theme_id',
      't.name as theme_name',
      's.decided_at',
      'u.name as decided_by_name',
      's.created_at',
    ])
    .where('s.question_id', 'in', questionIds)
    .where('s.status', '=', status)
    .orderBy(status === 'pending' ? 's.id' : 's.decided_at', status === 'pending' ? 'asc' : 'desc')
    .limit(limit)
    .execute();
}

export function countSuggestions(x: Executor, questionIds: number[]) {
  if (!questionIds.length) return Promise.resolve([]);
  return x
    .selectFrom('policy_theme_suggestions')
    .select(['question_id', 'status'])
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('question_id', 'in', questionIds)
    .groupBy(['question_id', 'status'])
    .execute();
}

export function findSuggestion(x: Executor, id: number) {
  return x.selectFrom('policy_theme_suggestions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockSuggestion(x: Executor, id: number) {
  return x
    .selectFrom('policy_theme_suggestions')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function decideSuggestion(
  x: Executor,
  id: number,
  fields: { status: 'accepted' | 'rejected'; decidedBy: number; themeId: number | null },
) {
  await x
    .updateTable('policy_theme_suggestions')
    .set({
      status: fields.status,
      decided_by: fields.decidedBy,
      decided_at: new Date(),
      theme_id: fields.themeId,
    })
    .where('id', '=', id)
    .execute();
}

/** The responses among these that answered the question and are still submitted to the call. */
export function filterAnsweredResponses(
  x: Executor,
  callId: number,
  questionId: number,
  responseIds: number[],
) {
  if (!responseIds.length) return Promise.resolve([]);
  return submittedAnswers(x, questionId)
    .select(['r.id'])
    .where('r.call_id', '=', callId)
    .where('r.id', 'in', responseIds)
    .orderBy('r.id')
    .execute();
}

/** Serialises the changes to one question's themes (names unique among live themes). */
export function lockQuestion(x: Executor, questionId: number) {
  return x
    .selectFrom('policy_call_questions')
    .select(['id', 'call_id', 'position', 'kind', 'prompt'])
    .where('id', '=', questionId)
    .forUpdate()
    .executeTakeFirst();
}
