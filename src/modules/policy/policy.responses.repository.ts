import { sql } from 'kysely';
import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { PolicyAnswersTable, PolicyResponsesTable } from './policy.table.ts';

// The SQL of members' responses to calls and their answers.

export function lockResponseOf(x: Executor, callId: number, userId: number) {
  return x
    .selectFrom('policy_responses')
    .selectAll()
    .where('call_id', '=', callId)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

export function findResponseOf(x: Executor, callId: number, userId: number) {
  return x
    .selectFrom('policy_responses')
    .selectAll()
    .where('call_id', '=', callId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** A response with who wrote it and the organisation it speaks for. */
export function findResponse(x: Executor, responseId: number) {
  return x
    .selectFrom('policy_responses as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .leftJoin('organisations as o', 'o.id', 'r.on_behalf_of_organisation_id')
    .selectAll('r')
    .select(['u.name as respondent', 'o.name as organisation_name'])
    .where('r.id', '=', responseId)
    .executeTakeFirst();
}

/**
 * Inserts the member's response, or returns the one another request made a moment earlier (the
 * unique key holds one response a member a call).
 */
export async function insertResponse(x: Executor, values: Insertable<PolicyResponsesTable>) {
  return x
    .insertInto('policy_responses')
    .values(values)
    .onConflict((oc) => oc.columns(['call_id', 'user_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
}

export async function updateResponse(
  x: Executor,
  responseId: number,
  values: Updateable<PolicyResponsesTable>,
) {
  await x
    .updateTable('policy_responses')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', responseId)
    .execute();
}

export async function replaceAnswers(
  x: Executor,
  responseId: number,
  answers: Insertable<PolicyAnswersTable>[],
) {
  await x.deleteFrom('policy_answers').where('response_id', '=', responseId).execute();
  if (answers.length) await x.insertInto('policy_answers').values(answers).execute();
}

export function listAnswers(x: Executor, responseId: number) {
  return x
    .selectFrom('policy_answers')
    .selectAll()
    .where('response_id', '=', responseId)
    .limit(100)
    .execute();
}

/** Submitted responses to a call, oldest first; confidential ones only when asked for. */
export async function listSubmittedResponses(
  x: Executor,
  callId: number,
  opts: { includeConfidential: boolean; limit: number; offset: number },
) {
  let q = x
    .selectFrom('policy_responses as r')
    .where('r.call_id', '=', callId)
    .where('r.status', '=', 'submitted');
  if (!opts.includeConfidential) q = q.where('r.confidential', '=', false);
  const [rows, total] = await Promise.all([
    q
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .leftJoin('organisations as o', 'o.id', 'r.on_behalf_of_organisation_id')
      .leftJoin('network_regions as g', 'g.code', 'r.region_code')
      .select([
        'r.id',
        'r.confidential',
        'r.safety_concern',
        'r.profession',
        'r.setting',
        'r.submitted_at',
        'u.name as respondent',
        'o.name as organisation_name',
        'g.name as region_name',
      ])
      .orderBy('r.submitted_at')
      .orderBy('r.id')
      .limit(opts.limit)
      .offset(opts.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}
