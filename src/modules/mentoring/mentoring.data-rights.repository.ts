import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

/** The SQL of the mentoring module's data-rights contributor: rows about one person only. */

export async function findOffer(x: Executor, userId: number) {
  return x
    .selectFrom('mentoring_offers')
    .select(['capacity', 'areas', 'format', 'mentee_professions', 'notes', 'created_at', 'updated_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function listRequests(x: Executor, userId: number) {
  return x
    .selectFrom('mentoring_requests')
    .select([
      'id',
      'status',
      'goals',
      'goal_areas',
      'format',
      'mentor_professions',
      'same_region',
      'waitlist_reason',
      'created_at',
      'updated_at',
    ])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Declarations the person made, with the other person's name (the person chose them). */
export async function listConflictsDeclaredBy(x: Executor, userId: number) {
  return x
    .selectFrom('mentoring_conflicts as c')
    .innerJoin('users as u', 'u.id', 'c.other_user_id')
    .select(['c.kind', 'c.created_at', 'u.name as other_name'])
    .where('c.user_id', '=', userId)
    .orderBy('c.id')
    .execute();
}

export async function countConflictsAbout(x: Executor, userId: number) {
  const r = await x
    .selectFrom('mentoring_conflicts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('other_user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listRelationships(x: Executor, userId: number) {
  return x
    .selectFrom('mentoring_relationships as r')
    .innerJoin('users as me', 'me.id', 'r.mentee_user_id')
    .innerJoin('users as mo', 'mo.id', 'r.mentor_user_id')
    .select([
      'r.id',
      'r.status',
      'r.mentee_user_id',
      'r.mentor_user_id',
      'me.name as mentee_name',
      'mo.name as mentor_name',
      'r.started_on',
      'r.ground_rules',
      'r.meeting_frequency',
      'r.duration_months',
      'r.agreed_at',
      'r.review_due_on',
      'r.review_text',
      'r.reviewed_at',
      'r.ended_at',
      'r.mentee_feedback',
      'r.mentor_feedback',
    ])
    .where((eb) => eb.or([eb('r.mentee_user_id', '=', userId), eb('r.mentor_user_id', '=', userId)]))
    .orderBy('r.started_on')
    .orderBy('r.id')
    .execute();
}

export async function listGoals(x: Executor, relationshipIds: number[]) {
  if (!relationshipIds.length) return [];
  return x
    .selectFrom('mentoring_goals')
    .select(['relationship_id', 'title', 'status', 'updated_at'])
    .where('relationship_id', 'in', relationshipIds)
    .orderBy('id')
    .execute();
}

export async function listMeetings(x: Executor, relationshipIds: number[]) {
  if (!relationshipIds.length) return [];
  return x
    .selectFrom('mentoring_meetings as m')
    .leftJoin('users as u', 'u.id', 'm.logged_by')
    .select([
      'm.relationship_id',
      'm.met_on',
      'm.format',
      'm.notes',
      'm.logged_by',
      'u.name as logged_by_name',
    ])
    .where('m.relationship_id', 'in', relationshipIds)
    .orderBy('m.met_on')
    .orderBy('m.id')
    .execute();
}

export async function deleteOfferAndConflicts(x: Executor, userId: number) {
  await x.deleteFrom('mentoring_offers').where('user_id', '=', userId).execute();
  await x
    .deleteFrom('mentoring_conflicts')
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('other_user_id', '=', userId)]))
    .execute();
}

/**
 * A draft matching run must not propose the person: their pairs and adjustments leave draft runs
 * (the run's matched count with them). Decided runs keep their pairs as history (ids and generic
 * score labels only).
 */
export async function removeFromDraftRuns(x: Executor, userId: number) {
  const mine = sql`(request_id in (select id from mentoring_requests where user_id = ${userId}) or mentor_user_id = ${userId})`;
  const drafts = sql`run_id in (select id from mentoring_runs where status = 'draft')`;
  const removed = await sql<{ run_id: number }>`delete from mentoring_run_pairs
    where ${drafts} and ${mine} returning run_id`.execute(x);
  await sql`delete from mentoring_run_adjustments where ${drafts} and ${mine}`.execute(x);
  // Every run's list of unmatched mentees loses the person's entries.
  await sql`update mentoring_runs set unmatched = coalesce((
      select jsonb_agg(e) from jsonb_array_elements(unmatched) e
      where (e->>'requestId')::int not in (select id from mentoring_requests where user_id = ${userId})
    ), '[]'::jsonb)
    where exists (select 1 from jsonb_array_elements(unmatched) e
      where (e->>'requestId')::int in (select id from mentoring_requests where user_id = ${userId}))`.execute(
    x,
  );
  const byRun = new Map<number, number>();
  for (const r of removed.rows) byRun.set(r.run_id, (byRun.get(r.run_id) ?? 0) + 1);
  for (const [runId, n] of byRun)
    await x
      .updateTable('mentoring_runs')
      .set((eb) => ({ matched: eb('matched', '-', n) }))
      .where('id', '=', runId)
      .execute();
}

/**
 * The person's relationships. Active ones end today. Their own words (their feedback, the meeting
 * notes of the pair, the agreement's ground rules and the review, written together) go; the other
 * person keeps their feedback and the dates of the meetings. A mentee's goals go with them.
 * A mentee whose mentor is erased goes back to the pool, as when a match is declined.
 */
export async function endRelationshipsOf(x: Executor, userId: number, waitlistReason: string) {
  const rels = await x
    .selectFrom('mentoring_relationships')
    .select(['id', 'status', 'request_id', 'mentee_user_id', 'mentor_user_id'])
    .where((eb) => eb.or([eb('mentee_user_id', '=', userId), eb('mentor_user_id', '=', userId)]))
    .execute();
  if (!rels.length) return;
  const ids = rels.map((r) => r.id);
  await x
    .updateTable('mentoring_meetings')
    .set({ notes: null })
    .where('relationship_id', 'in', ids)
    .execute();
  await x
    .updateTable('mentoring_meetings')
    .set({ logged_by: null })
    .where('relationship_id', 'in', ids)
    .where('logged_by', '=', userId)
    .execute();
  const asMentee = rels.filter((r) => r.mentee_user_id === userId).map((r) => r.id);
  if (asMentee.length)
    await x.deleteFrom('mentoring_goals').where('relationship_id', 'in', asMentee).execute();
  await sql`update mentoring_relationships set
      ground_rules = null, review_text = null,
      mentee_feedback = case when mentee_user_id = ${userId} then null else mentee_feedback end,
      mentor_feedback = case when mentor_user_id = ${userId} then null else mentor_feedback end,
      status = case when status = 'active' then 'ended' else status end,
      ended_at = case when status = 'active' then now() else ended_at end
    where id in (${sql.join(ids)})`.execute(x);
  const backToPool = rels
    .filter((r) => r.status === 'active' && r.mentor_user_id === userId)
    .map((r) => r.request_id);
  if (backToPool.length)
    await x
      .updateTable('mentoring_requests')
      .set({ status: 'waiting', waitlist_reason: waitlistReason, updated_at: new Date() })
      .where('id', 'in', backToPool)
      .where('status', '=', 'matched')
      .execute();
}

/**
 * The person's requests: those no relationship or run refers to are deleted; the others stay as
 * empty, closed rows so that the kept relationships and runs still point at a request.
 */
export async function eraseRequestsOf(x: Executor, userId: number) {
  await sql`delete from mentoring_requests q where q.user_id = ${userId}
    and not exists (select 1 from mentoring_relationships r where r.request_id = q.id)
    and not exists (select 1 from mentoring_run_pairs p where p.request_id = q.id)
    and not exists (select 1 from mentoring_run_adjustments a where a.request_id = q.id)`.execute(x);
  await sql`update mentoring_requests set goals = '', goal_areas = '{}', mentor_professions = '{}',
      plan_goal_ids = '{}', waitlist_reason = null,
      status = case when status in ('waiting', 'matched') then 'withdrawn' else status end,
      updated_at = now()
    where user_id = ${userId}`.execute(x);
}
