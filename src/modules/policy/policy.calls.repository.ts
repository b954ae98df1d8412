import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { CallStatus, PolicyCallsTable, PolicyCallQuestionsTable } from './policy.table.ts';
import type { Insertable, Updateable } from 'kysely';

// The SQL of calls for input: the call, its questions, documents, dated states and notices.

export function lockCall(x: Executor, callId: number) {
  return x.selectFrom('policy_calls').selectAll().where('id', '=', callId).forUpdate().executeTakeFirst();
}

export async function insertCall(x: Executor, values: Insertable<PolicyCallsTable>): Promise<number> {
  return (await x.insertInto('policy_calls').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateCall(x: Executor, callId: number, values: Updateable<PolicyCallsTable>) {
  await x
    .updateTable('policy_calls')
    .set({ ...values, updated_at: sql<Date>`now()` })
    .where('id', '=', callId)
    .execute();
}

/** Moves the call on only if it is still in the expected state; false when someone got there first. */
export async function moveCallStatus(
  x: Executor,
  callId: number,
  from: CallStatus,
  to: CallStatus,
  closesOn?: string,
) {
  const row = await x
    .updateTable('policy_calls')
    .set({ status: to, updated_at: sql<Date>`now()`, ...(closesOn ? { closes_on: closesOn } : {}) })
    .where('id', '=', callId)
    .where('status', '=', from)
    .returning('id')
    .executeTakeFirst();
  return !!row;
}

export async function insertStatusChange(
  x: Executor,
  v: { callId: number; from: CallStatus | null; to: CallStatus; by: number | null; note: string | null },
) {
  await x
    .insertInto('policy_call_status_changes')
    .values({ call_id: v.callId, from_status: v.from, to_status: v.to, changed_by: v.by, note: v.note })
    .execute();
}

export function listStatusChanges(x: Executor, callId: number) {
  return x
    .selectFrom('policy_call_status_changes as c')
    .leftJoin('users as u', 'u.id', 'c.changed_by')
    .select([
      'c.from_status',
      'c.to_status',
      'c.changed_at',
      'c.note',
      'c.changed_by',
      'u.name as changed_by_name',
    ])
    .where('c.call_id', '=', callId)
    .orderBy('c.id')
    .limit(200)
    .execute();
}

export function listQuestions(x: Executor, callId: number) {
  return x
    .selectFrom('policy_call_questions')
    .selectAll()
    .where('call_id', '=', callId)
    .orderBy('position')
    .orderBy('id')
    .limit(100)
    .execute();
}

export async function countQuestions(x: Executor, callId: number): Promise<number> {
  const row = await x
    .selectFrom('policy_call_questions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('call_id', '=', callId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertQuestion(x: Executor, values: Insertable<PolicyCallQuestionsTable>) {
  return (
    await x.insertInto('policy_call_questions').values(values).returning('id').executeTakeFirstOrThrow()
  ).id;
}

export async function deleteQuestion(x: Executor, callId: number, questionId: number) {
  const row = await x
    .deleteFrom('policy_call_questions')
    .where('call_id', '=', callId)
    .where('id', '=', questionId)
    .returning(['id', 'prompt'])
    .executeTakeFirst();
  return row;
}

export async function deleteAllQuestions(x: Executor, callId: number) {
  await x.deleteFrom('policy_call_questions').where('call_id', '=', callId).execute();
}

export async function nextQuestionPosition(x: Executor, callId: number): Promise<number> {
  const row = await x
    .selectFrom('policy_call_questions')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('call_id', '=', callId)
    .executeTakeFirst();
  return Number(row?.p ?? 0) + 1;
}

export function listDocuments(x: Executor, callId: number) {
  return x
    .selectFrom('policy_call_documents')
    .selectAll()
    .where('call_id', '=', callId)
    .orderBy('position')
    .orderBy('id')
    .limit(100)
    .execute();
}

export async function insertDocument(
  x: Executor,
  v: { callId: number; position: number; title: string; url: string },
) {
  return (
    await x
      .insertInto('policy_call_documents')
      .values({ call_id: v.callId, position: v.position, title: v.title, url: v.url })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

export function deleteDocument(x: Executor, callId: number, documentId: number) {
  return x
    .deleteFrom('policy_call_documents')
    .where('call_id', '=', callId)
    .where('id', '=', documentId)
    .returning(['id', 'title'])
    .executeTakeFirst();
}

export async function deleteAllDocuments(x: Executor, callId: number) {
  await x.deleteFrom('policy_call_documents').where('call_id', '=', callId).execute();
}

export async function nextDocumentPosition(x: Executor, callId: number): Promise<number> {
  const row = await x
    .selectFrom('policy_call_documents')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('call_id', '=', callId)
    .executeTakeFirst();
  return Number(row?.p ?? 0) + 1;
}

/** Every call, newest first, for the policy team (optionally in one state). */
export async function listCallsForTeam(
  x: Executor,
  opts: { status?: CallStatus; limit: number; offset: number },
) {
  let q = x.selectFrom('policy_calls');
  if (opts.status) q = q.where('status', '=', opts.status);
  const [rows, total] = await Promise.all([
    q.selectAll().orderBy('id', 'desc').limit(opts.limit).offset(opts.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

type AudienceFacts = {
  regionCode: string;
  profession: string | null;
  specialtyId: number | null;
  intakeId: number | null;
};

/** Calls in these states whose audience takes in a member with these facts (empty dimensions mean everyone). */
function callsAimedAt(x: Executor, facts: AudienceFacts) {
  return x
    .selectFrom('policy_calls as c')
    .where(
      sql<boolean>`(cardinality(c.audience_regions) = 0 or ${facts.regionCode} = any(c.audience_regions))`,
    )
    .where(
      sql<boolean>`(cardinality(c.audience_professions) = 0 or ${facts.profession ?? ''} = any(c.audience_professions))`,
    )
    .where(
      sql<boolean>`(cardinality(c.audience_specialty_ids) = 0 or ${facts.specialtyId ?? -1}::integer = any(c.audience_specialty_ids))`,
    )
    .where((eb) =>
      eb.or([eb('c.audience_intake_id', 'is', null), eb('c.audience_intake_id', '=', facts.intakeId ?? -1)]),
    );
}

/** The open calls aimed at the member, closing soonest first, with the member's response if any. */
/**
 * Calls closed and not yet concluded (their analysis under way), of one owner or (null) of everyone,
 * counted up to `cap + 1`: for a home card.
 */
export async function countClosedCallsUpTo(x: Executor, ownerUserId: number | null, cap: number) {
  let q = x.selectFrom('policy_calls').select('id').where('status', '=', 'closed');
  if (ownerUserId !== null) q = q.where('owner_user_id', '=', ownerUserId);
  return (await q.limit(cap + 1).execute()).length;
}

export function listOpenCallsFor(x: Executor, userId: number, facts: AudienceFacts, limit: number) {
  return callsAimedAt(x, facts)
    .leftJoin('policy_responses as r', (j) => j.onRef('r.call_id', '=', 'c.id').on('r.user_id', '=', userId))
    .where('c.status', '=', 'open')
    .selectAll('c')
    .select(['r.status as response_status'])
    .orderBy('c.closes_on')
    .orderBy('c.id')
    .limit(limit)
    .execute();
}

/** Calls the member has a response to (a draft or submitted), newest first. */
export function listCallsRespondedBy(x: Executor, userId: number, limit: number) {
  return x
    .selectFrom('policy_responses as r')
    .innerJoin('policy_calls as c', 'c.id', 'r.call_id')
    .where('r.user_id', '=', userId)
    .selectAll('c')
    .select(['r.status as response_status', 'r.id as response_id', 'r.updated_at as response_updated_at'])
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute();
}

// ---- the scheduled task ----

export function listCallsDueToOpen(x: Executor, today: string, limit: number) {
  return x
    .selectFrom('policy_calls')
    .select(['id', 'title'])
    .where('status', '=', 'scheduled')
    .where('opens_on', '<=', today)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export function listCallsDueToClose(x: Executor, today: string, limit: number) {
  return x
    .selectFrom('policy_calls')
    .select(['id', 'title'])
    .where('status', '=', 'open')
    .where('closes_on', '<', today)
    .orderBy('closes_on')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Open calls still owed a notice of this kind (closing: those closing on or before `closingBy`). */
export function listCallsOwedNotice(
  x: Executor,
  kind: 'opened' | 'closing',
  closingBy: string,
  limit: number,
) {
  let q = x
    .selectFrom('policy_calls as c')
    .selectAll('c')
    .where('c.status', '=', 'open')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('policy_call_notices as n')
            .select('n.call_id')
            .whereRef('n.call_id', '=', 'c.id')
            .where('n.kind', '=', kind),
        ),
      ),
    );
  if (kind === 'closing') q = q.where('c.closes_on', '<=', closingBy);
  return q.orderBy('c.id').limit(limit).execute();
}

/** Claims the notice: true for the one process whose insert went in. */
export async function claimNotice(x: Executor, callId: number, kind: 'opened' | 'closing') {
  const row = await x
    .insertInto('policy_call_notices')
    .values({ call_id: callId, kind })
    .onConflict((oc) => oc.columns(['call_id', 'kind']).doNothing())
    .returning('call_id')
    .executeTakeFirst();
  return !!row;
}

export async function setNoticeRecipients(
  x: Executor,
  callId: number,
  kind: 'opened' | 'closing',
  n: number,
) {
  await x
    .updateTable('policy_call_notices')
    .set({ recipients: n })
    .where('call_id', '=', callId)
    .where('kind', '=', kind)
    .execute();
}

export function listNotices(x: Executor, callId: number) {
  return x
    .selectFrom('policy_call_notices')
    .selectAll()
    .where('call_id', '=', callId)
    .orderBy('sent_at')
    .execute();
}

export function findIntake(x: Executor, intakeId: number) {
  return x
    .selectFrom('intakes')
    .select(['id', 'name', 'region_code'])
    .where('id', '=', intakeId)
    .executeTakeFirst();
}

export function findSpecialties(x: Executor, ids: number[]) {
  if (!ids.length) return Promise.resolve([]);
  return x.selectFrom('specialties').select(['id', 'name']).where('id', 'in', ids).execute();
}

export function findRegions(x: Executor, codes: string[]) {
  if (!codes.length) return Promise.resolve([]);
  return x.selectFrom('network_regions').select(['code', 'name']).where('code', 'in', codes).execute();
}

export function findUserName(x: Executor, userId: number | null) {
  if (userId === null) return Promise.resolve(undefined);
  return x.selectFrom('users').select(['id', 'name']).where('id', '=', userId).executeTakeFirst();
}

export function findResponseStatusOf(x: Executor, callId: number, userId: number) {
  return x
    .selectFrom('policy_responses')
    .select(['id', 'status'])
    .where('call_id', '=', callId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}
