import type { Executor } from '../../db/database.ts';

// The SQL of the patient-safety fast lane.

export async function insertConcern(
  x: Executor,
  values: {
    response_id: number | null;
    question_id: number | null;
    raised_by: number;
    summary: string;
    lead_user_id: number | null;
  },
) {
  return x.insertInto('policy_safety_concerns').values(values).returning(['id']).executeTakeFirstOrThrow();
}

export async function findUserContact(x: Executor, userId: number) {
  return x.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', userId).executeTakeFirst();
}

const concernColumns = [
  'c.id',
  'c.response_id',
  'c.question_id',
  'c.raised_by',
  'c.summary',
  'c.lead_user_id',
  'c.raised_at',
  'c.acknowledged_by',
  'c.acknowledged_at',
  'c.acknowledgement',
] as const;

/** Unacknowledged concerns, oldest (so overdue) first; bounded. */
export async function listOpenConcerns(x: Executor, limit: number) {
  return x
    .selectFrom('policy_safety_concerns as c')
    .leftJoin('users as r', 'r.id', 'c.raised_by')
    .select([...concernColumns, 'r.name as raised_by_name'])
    .where('c.acknowledged_at', 'is', null)
    .orderBy('c.raised_at')
    .orderBy('c.id')
    .limit(limit)
    .execute();
}

export async function countOpenConcerns(x: Executor) {
  const r = await x
    .selectFrom('policy_safety_concerns')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('acknowledged_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Unacknowledged concerns counted up to `cap + 1` (over the partial index of open ones): for a home card. */
export async function countOpenConcernsUpTo(x: Executor, cap: number) {
  const rows = await x
    .selectFrom('policy_safety_concerns')
    .select('id')
    .where('acknowledged_at', 'is', null)
    .limit(cap + 1)
    .execute();
  return rows.length;
}

/** Acknowledged concerns, most recently acknowledged first, a page at a time. */
export async function listAcknowledgedConcerns(x: Executor, opts: { limit: number; offset: number }) {
  const [rows, total] = await Promise.all([
    x
      .selectFrom('policy_safety_concerns as c')
      .leftJoin('users as r', 'r.id', 'c.raised_by')
      .leftJoin('users as a', 'a.id', 'c.acknowledged_by')
      .select([...concernColumns, 'r.name as raised_by_name', 'a.name as acknowledged_by_name'])
      .where('c.acknowledged_at', 'is not', null)
      .orderBy('c.acknowledged_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(opts.limit)
      .offset(opts.offset)
      .execute(),
    x
      .selectFrom('policy_safety_concerns')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('acknowledged_at', 'is not', null)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function findConcern(x: Executor, id: number) {
  return x
    .selectFrom('policy_safety_concerns as c')
    .leftJoin('users as r', 'r.id', 'c.raised_by')
    .leftJoin('users as a', 'a.id', 'c.acknowledged_by')
    .leftJoin('users as l', 'l.id', 'c.lead_user_id')
    .select([
      ...concernColumns,
      'r.name as raised_by_name',
      'r.email as raised_by_email',
      'a.name as acknowledged_by_name',
      'l.name as lead_name',
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
}

/** Locks the concern's row for the acknowledgement, so two leads cannot both acknowledge it. */
export async function lockConcern(x: Executor, id: number) {
  return x
    .selectFrom('policy_safety_concerns')
    .select(['id', 'acknowledged_at', 'raised_by'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function acknowledgeConcern(
  x: Executor,
  id: number,
  values: { acknowledged_by: number; acknowledgement: string },
) {
  await x
    .updateTable('policy_safety_concerns')
    .set({ ...values, acknowledged_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function findQuestionSource(x: Executor, questionId: number) {
  return x
    .selectFrom('policy_questions')
    .select(['id', 'title', 'body', 'visibility', 'created_at'])
    .where('id', '=', questionId)
    .executeTakeFirst();
}

/** The response's call and its answers, in the call's question order. */
export async function findResponseSource(x: Executor, responseId: number) {
  const response = await x
    .selectFrom('policy_responses as r')
    .innerJoin('policy_calls as c', 'c.id', 'r.call_id')
    .select(['r.id', 'r.call_id', 'c.title as call_title', 'r.status', 'r.submitted_at'])
    .where('r.id', '=', responseId)
    .executeTakeFirst();
  if (!response) return undefined;
  const answers = await x
    .selectFrom('policy_answers as a')
    .innerJoin('policy_call_questions as q', 'q.id', 'a.question_id')
    .select(['q.prompt', 'q.kind', 'a.text_value', 'a.choice_values', 'a.scale_value'])
    .where('a.response_id', '=', responseId)
    .orderBy('q.position')
    .orderBy('q.id')
    .execute();
  return { ...response, answers };
}

/** True when the person is a named safety lead. */
export async function isSafetyLead(x: Executor, userId: number) {
  const r = await x
    .selectFrom('policy_staff')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('safety_lead', '=', true)
    .executeTakeFirst();
  return r !== undefined;
}
