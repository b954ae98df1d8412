import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { AdjustmentKind, ConflictKind, ScoreBreakdown, UnmatchedEntry } from './mentoring.table.ts';

// Offers ---------------------------------------------------------------------------------------

export const findOffer = (db: Executor, userId: number) =>
  db.selectFrom('mentoring_offers').selectAll().where('user_id', '=', userId).executeTakeFirst();

export async function upsertOffer(
  db: Executor,
  userId: number,
  v: { capacity: number; areas: string[]; format: string; menteeProfessions: string[]; notes: string | null },
) {
  const values = {
    capacity: v.capacity,
    areas: v.areas,
    format: v.format as 'either',
    mentee_professions: v.menteeProfessions,
    notes: v.notes,
  };
  await db
    .insertInto('mentoring_offers')
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
    .execute();
}

/** Offers with capacity above zero, with the number of active mentees each mentor has. */
export async function selectOpenOffers(db: Executor) {
  return db
    .selectFrom('mentoring_offers as o')
    .where('o.capacity', '>', 0)
    .select((eb) => [
      'o.user_id',
      'o.capacity',
      'o.areas',
      'o.format',
      'o.mentee_professions',
      eb
        .selectFrom('mentoring_relationships as r')
        .whereRef('r.mentor_user_id', '=', 'o.user_id')
        .where('r.status', '=', 'active')
        .select((e) => e.fn.countAll<number>().as('n'))
        .as('active'),
    ])
    .orderBy('o.user_id')
    .execute();
}

export async function countActiveMentees(db: Executor, mentorUserId: number): Promise<number> {
  const r = await db
    .selectFrom('mentoring_relationships')
    .where('mentor_user_id', '=', mentorUserId)
    .where('status', '=', 'active')
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Locks these requests for the rest of the transaction (in id order) and returns their state. */
export const lockRequests = (db: Executor, ids: number[]) =>
  ids.length === 0
    ? Promise.resolve([] as { id: number; user_id: number; status: string }[])
    : db
        .selectFrom('mentoring_requests')
        .select(['id', 'user_id', 'status'])
        .where('id', 'in', ids)
        .orderBy('id')
        .forUpdate()
        .execute();

/** Locks these mentors' offers (in user id order) and returns their capacity. */
export const lockOffers = (db: Executor, userIds: number[]) =>
  userIds.length === 0
    ? Promise.resolve([] as { user_id: number; capacity: number }[])
    : db
        .selectFrom('mentoring_offers')
        .select(['user_id', 'capacity'])
        .where('user_id', 'in', userIds)
        .orderBy('user_id')
        .forUpdate()
        .execute();

/** Active mentees per mentor, for these mentors. */
export async function countActiveMenteesOf(db: Executor, mentorUserIds: number[]) {
  if (mentorUserIds.length === 0) return new Map<number, number>();
  const rows = await db
    .selectFrom('mentoring_relationships')
    .where('mentor_user_id', 'in', mentorUserIds)
    .where('status', '=', 'active')
    .groupBy('mentor_user_id')
    .select(['mentor_user_id', (e) => e.fn.countAll<number>().as('n')])
    .execute();
  return new Map(rows.map((r) => [r.mentor_user_id, Number(r.n)]));
}

// Requests -------------------------------------------------------------------------------------

export const findOpenRequest = (db: Executor, userId: number) =>
  db
    .selectFrom('mentoring_requests')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', 'in', ['waiting', 'matched'])
    .executeTakeFirst();

export const findRequest = (db: Executor, id: number) =>
  db.selectFrom('mentoring_requests').selectAll().where('id', '=', id).executeTakeFirst();

type RequestFields = {
  goals: string;
  goalAreas: string[];
  format: string;
  mentorProfessions: string[];
  sameRegion: boolean;
  planGoals: number[];
};

export async function insertRequest(db: Executor, userId: number, v: RequestFields) {
  const row = await db
    .insertInto('mentoring_requests')
    .values({
      user_id: userId,
      goals: v.goals,
      goal_areas: v.goalAreas,
      format: v.format as 'either',
      mentor_professions: v.mentorProfessions,
      same_region: v.sameRegion,
      plan_goal_ids: v.planGoals,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateRequest(db: Executor, id: number, v: RequestFields) {
  await db
    .updateTable('mentoring_requests')
    .set({
      goals: v.goals,
      goal_areas: v.goalAreas,
      format: v.format as 'either',
      mentor_professions: v.mentorProfessions,
      same_region: v.sameRegion,
      plan_goal_ids: v.planGoals,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function setRequestStatus(
  db: Executor,
  id: number,
  status: 'waiting' | 'matched' | 'withdrawn' | 'closed',
  waitlistReason: string | null,
) {
  await db
    .updateTable('mentoring_requests')
    .set({ status, waitlist_reason: waitlistReason, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function setWaitlistReason(db: Executor, id: number, reason: string) {
  await db
    .updateTable('mentoring_requests')
    .set({ waitlist_reason: reason })
    .where('id', '=', id)
    .where('status', '=', 'waiting')
    .execute();
}

export const selectWaitingRequests = (db: Executor) =>
  db.selectFrom('mentoring_requests').selectAll().where('status', '=', 'waiting').orderBy('id').execute();

// Conflicts ------------------------------------------------------------------------------------

export const selectConflictsOf = (db: Executor, userId: number) =>
  db
    .selectFrom('mentoring_conflicts as c')
    .innerJoin('users as u', 'u.id', 'c.other_user_id')
    .where('c.user_id', '=', userId)
    .select(['c.id', 'c.kind', 'c.other_user_id', 'u.name', 'u.email'])
    .orderBy('c.id')
    .execute();

export async function insertConflict(db: Executor, userId: number, otherUserId: number, kind: ConflictKind) {
  await db
    .insertInto('mentoring_conflicts')
    .values({ user_id: userId, other_user_id: otherUserId, kind })
    .onConflict((oc) => oc.columns(['user_id', 'other_user_id']).doUpdateSet({ kind }))
    .execute();
}

export const deleteConflict = (db: Executor, userId: number, id: number) =>
  db
    .deleteFrom('mentoring_conflicts')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning(['other_user_id'])
    .executeTakeFirst();

/** Every declared conflict touching these people, as unordered pairs. */
export const selectConflictsAmong = (db: Executor, userIds: number[]) =>
  userIds.length === 0
    ? Promise.resolve([] as { user_id: number; other_user_id: number; kind: ConflictKind }[])
    : db
        .selectFrom('mentoring_conflicts')
        .select(['user_id', 'other_user_id', 'kind'])
        .where((eb) => eb.or([eb('user_id', 'in', userIds), eb('other_user_id', 'in', userIds)]))
        .execute();

/** Every relationship (current, declined or ended) between these people. */
export const selectRelationshipPairsAmong = (db: Executor, menteeIds: number[]) =>
  menteeIds.length === 0
    ? Promise.resolve([] as { mentee_user_id: number; mentor_user_id: number }[])
    : db
        .selectFrom('mentoring_relationships')
        .select(['mentee_user_id', 'mentor_user_id'])
        .where('mentee_user_id', 'in', menteeIds)
        .execute();

// Runs -----------------------------------------------------------------------------------------

export async function insertRun(db: Executor, regionCode: string | null, createdBy: number) {
  const r = await db
    .insertInto('mentoring_runs')
    .values({ region_code: regionCode, created_by: createdBy, unmatched: '[]' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** The scope's draft run (region, or the whole network when null), with who started it. */
export const findDraftRun = (db: Executor, regionCode: string | null) =>
  db
    .selectFrom('mentoring_runs as r')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .select(['r.id', 'r.created_at', 'u.name as created_by_name'])
    .where('r.status', '=', 'draft')
    .where((eb) =>
      regionCode === null ? eb('r.region_code', 'is', null) : eb('r.region_code', '=', regionCode),
    )
    .orderBy('r.id', 'desc')
    .executeTakeFirst();

/**
 * Serialises the creation of runs for one scope until the transaction ends (a transaction-level
 * advisory lock: the scope has no row of its own to lock, the whole network least of all).
 */
export async function lockRunScope(db: Executor, regionCode: string | null) {
  await sql`select pg_advisory_xact_lock(${RUN_SCOPE_LOCK}, hashtext(${regionCode ?? '*'}))`.execute(db);
}
/** The first key of mentoring's advisory locks (the second is the scope). */
const RUN_SCOPE_LOCK = 6401;

export const findRun = (db: Executor, id: number) =>
  db.selectFrom('mentoring_runs').selectAll().where('id', '=', id).executeTakeFirst();

export async function lockRun(db: Executor, id: number) {
  return db.selectFrom('mentoring_runs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function saveRunResult(
  db: Executor,
  runId: number,
  r: {
    mentees: number;
    matched: number;
    objective: number;
    unmatched: UnmatchedEntry[];
    pairs: {
      requestId: number;
      mentorUserId: number;
      score: number;
      breakdown: ScoreBreakdown;
      pinned: boolean;
    }[];
  },
) {
  await db.deleteFrom('mentoring_run_pairs').where('run_id', '=', runId).execute();
  if (r.pairs.length)
    await db
      .insertInto('mentoring_run_pairs')
      .values(
        r.pairs.map((p) => ({
          run_id: runId,
          request_id: p.requestId,
          mentor_user_id: p.mentorUserId,
          score: p.score,
          breakdown: JSON.stringify(p.breakdown),
          pinned: p.pinned,
        })),
      )
      .execute();
  await db
    .updateTable('mentoring_runs')
    .set({
      mentees: r.mentees,
      matched: r.matched,
      objective: r.objective,
      unmatched: JSON.stringify(r.unmatched),
      computed_at: sql`now()`,
    })
    .where('id', '=', runId)
    .execute();
}

export const selectRunPairs = (db: Executor, runId: number) =>
  db
    .selectFrom('mentoring_run_pairs as p')
    .innerJoin('mentoring_requests as q', 'q.id', 'p.request_id')
    .innerJoin('users as mentee', 'mentee.id', 'q.user_id')
    .innerJoin('users as mentor', 'mentor.id', 'p.mentor_user_id')
    .where('p.run_id', '=', runId)
    .select([
      'p.request_id',
      'p.mentor_user_id',
      'p.score',
      'p.breakdown',
      'p.pinned',
      'q.user_id as mentee_user_id',
      'q.goals',
      'mentee.name as mentee_name',
      'mentee.email as mentee_email',
      'mentor.name as mentor_name',
      'mentor.email as mentor_email',
    ])
    .orderBy('mentee.name')
    .orderBy('p.request_id')
    .execute();

export const selectAdjustments = (db: Executor, runId: number) =>
  db
    .selectFrom('mentoring_run_adjustments')
    .select(['request_id', 'mentor_user_id', 'kind'])
    .where('run_id', '=', runId)
    .orderBy('request_id')
    .execute();

export async function setAdjustment(
  db: Executor,
  runId: number,
  requestId: number,
  mentorUserId: number,
  kind: AdjustmentKind | 'clear',
) {
  if (kind === 'pin')
    // A mentee has at most one pin in a run: a new pin replaces the old one.
    await db
      .deleteFrom('mentoring_run_adjustments')
      .where('run_id', '=', runId)
      .where('request_id', '=', requestId)
      .where('kind', '=', 'pin')
      .execute();
  if (kind === 'clear') {
    await db
      .deleteFrom('mentoring_run_adjustments')
      .where('run_id', '=', runId)
      .where('request_id', '=', requestId)
      .where('mentor_user_id', '=', mentorUserId)
      .execute();
    return;
  }
  await db
    .insertInto('mentoring_run_adjustments')
    .values({ run_id: runId, request_id: requestId, mentor_user_id: mentorUserId, kind })
    .onConflict((oc) => oc.columns(['run_id', 'request_id', 'mentor_user_id']).doUpdateSet({ kind }))
    .execute();
}

export async function decideRun(db: Executor, runId: number, status: 'approved' | 'discarded', by: number) {
  await db
    .updateTable('mentoring_runs')
    .set({ status, decided_by: by, decided_at: sql`now()` })
    .where('id', '=', runId)
    .execute();
}

export async function selectRuns(db: Executor, regions: 'all' | string[], page: number, pageSize: number) {
  let q = db.selectFrom('mentoring_runs');
  if (regions !== 'all') q = q.where('region_code', 'in', regions.length ? regions : ['none']);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

// Relationships --------------------------------------------------------------------------------

export async function insertRelationship(
  db: Executor,
  v: {
    requestId: number;
    runId: number | null;
    menteeUserId: number;
    mentorUserId: number;
    regionCode: string;
    score: number | null;
    startedOn: string;
    reviewDueOn: string;
  },
) {
  const r = await db
    .insertInto('mentoring_relationships')
    .values({
      request_id: v.requestId,
      run_id: v.runId,
      mentee_user_id: v.menteeUserId,
      mentor_user_id: v.mentorUserId,
      region_code: v.regionCode,
      score: v.score,
      started_on: v.startedOn,
      review_due_on: v.reviewDueOn,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/** Locks a relationship row for the rest of the transaction. */
export async function lockRelationship(db: Executor, id: number) {
  await db.selectFrom('mentoring_relationships').select('id').where('id', '=', id).forUpdate().execute();
}

export const findRelationship = (db: Executor, id: number) =>
  db
    .selectFrom('mentoring_relationships as r')
    .innerJoin('users as mentee', 'mentee.id', 'r.mentee_user_id')
    .innerJoin('users as mentor', 'mentor.id', 'r.mentor_user_id')
    .selectAll('r')
    .select([
      'mentee.name as mentee_name',
      'mentee.email as mentee_email',
      'mentor.name as mentor_name',
      'mentor.email as mentor_email',
    ])
    .where('r.id', '=', id)
    .executeTakeFirst();

export const selectRelationshipsOf = (db: Executor, userId: number) =>
  db
    .selectFrom('mentoring_relationships as r')
    .innerJoin('users as mentee', 'mentee.id', 'r.mentee_user_id')
    .innerJoin('users as mentor', 'mentor.id', 'r.mentor_user_id')
    .where((eb) => eb.or([eb('r.mentee_user_id', '=', userId), eb('r.mentor_user_id', '=', userId)]))
    .selectAll('r')
    .select(['mentee.name as mentee_name', 'mentor.name as mentor_name'])
    .orderBy('r.id', 'desc')
    .limit(100)
    .execute();

export async function updateRelationship(
  db: Executor,
  id: number,
  set: Partial<{
    status: 'active' | 'declined' | 'ended';
    ground_rules: string;
    meeting_frequency: string;
    duration_months: number;
    agreed_at: Date;
    review_text: string;
    reviewed_at: Date;
    ended_at: Date;
    mentee_feedback: string;
    mentor_feedback: string;
    last_reminder_at: Date;
  }>,
) {
  await db.updateTable('mentoring_relationships').set(set).where('id', '=', id).execute();
}

/** Marks pairs as reminded now (at most one reminder per window). */
export async function markReminded(db: Executor, ids: number[], at: Date) {
  if (ids.length)
    await db
      .updateTable('mentoring_relationships')
      .set({ last_reminder_at: at })
      .where('id', 'in', ids)
      .execute();
}

export async function insertGoals(db: Executor, relationshipId: number, titles: string[]) {
  if (titles.length)
    await db
      .insertInto('mentoring_goals')
      .values(titles.map((title) => ({ relationship_id: relationshipId, title })))
      .execute();
}

export const selectGoals = (db: Executor, relationshipId: number) =>
  db
    .selectFrom('mentoring_goals')
    .select(['id', 'title', 'status'])
    .where('relationship_id', '=', relationshipId)
    .orderBy('id')
    .execute();

export const updateGoalStatus = (db: Executor, relationshipId: number, goalId: number, status: string) =>
  db
    .updateTable('mentoring_goals')
    .set({ status: status as 'achieved', updated_at: sql`now()` })
    .where('id', '=', goalId)
    .where('relationship_id', '=', relationshipId)
    .returning(['title'])
    .executeTakeFirst();

export async function insertMeeting(
  db: Executor,
  v: {
    relationshipId: number;
    metOn: string;
    format: 'online' | 'in-person';
    notes: string | null;
    loggedBy: number;
  },
) {
  const r = await db
    .insertInto('mentoring_meetings')
    .values({
      relationship_id: v.relationshipId,
      met_on: v.metOn,
      format: v.format,
      notes: v.notes,
      logged_by: v.loggedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export const selectMeetings = (db: Executor, relationshipId: number) =>
  db
    .selectFrom('mentoring_meetings as m')
    .leftJoin('users as u', 'u.id', 'm.logged_by')
    .where('m.relationship_id', '=', relationshipId)
    .select(['m.id', 'm.met_on', 'm.format', 'm.notes', 'u.name as logged_by_name'])
    .orderBy('m.met_on', 'desc')
    .orderBy('m.id', 'desc')
    .limit(200)
    .execute();

export async function countMeetings(db: Executor, relationshipId: number) {
  const r = await db
    .selectFrom('mentoring_meetings')
    .where('relationship_id', '=', relationshipId)
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Active relationships with meeting counts and last meeting date, for the health view. The notes
 * column is never selected here.
 */
export async function selectHealth(db: Executor, regions: 'all' | string[], page: number, pageSize: number) {
  let q = db.selectFrom('mentoring_relationships as r').where('r.status', '=', 'active');
  if (regions !== 'all') q = q.where('r.region_code', 'in', regions.length ? regions : ['none']);
  const [rows, count] = await Promise.all([
    q
      .innerJoin('users as mentee', 'mentee.id', 'r.mentee_user_id')
      .innerJoin('users as mentor', 'mentor.id', 'r.mentor_user_id')
      .select((eb) => [
        'r.id',
        'r.region_code',
        'r.started_on',
        'r.review_due_on',
        'r.reviewed_at',
        'r.agreed_at',
        'mentee.name as mentee_name',
        'mentor.name as mentor_name',
        eb
          .selectFrom('mentoring_meetings as m')
          .whereRef('m.relationship_id', '=', 'r.id')
          .select((e) => e.fn.countAll<number>().as('n'))
          .as('meetings'),
        eb
          .selectFrom('mentoring_meetings as m')
          .whereRef('m.relationship_id', '=', 'r.id')
          .select((e) => sql<string | null>`max(${e.ref('m.met_on')})::text`.as('d'))
          .as('last_met_on'),
      ])
      .orderBy('r.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Active relationships with no meeting (nor start) within the window and no reminder within it. */
export async function selectQuietRelationships(db: Executor, since: Date) {
  return db
    .selectFrom('mentoring_relationships as r')
    .innerJoin('users as mentee', 'mentee.id', 'r.mentee_user_id')
    .innerJoin('users as mentor', 'mentor.id', 'r.mentor_user_id')
    .where('r.status', '=', 'active')
    .where('r.started_on', '<', sql<string>`${since.toISOString().slice(0, 10)}::date`)
    .where((eb) => eb.or([eb('r.last_reminder_at', 'is', null), eb('r.last_reminder_at', '<', since)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('mentoring_meetings as m')
            .whereRef('m.relationship_id', '=', 'r.id')
            .where('m.met_on', '>=', sql<string>`${since.toISOString().slice(0, 10)}::date`)
            .select('m.id'),
        ),
      ),
    )
    .select([
      'r.id',
      'mentee.name as mentee_name',
      'mentee.email as mentee_email',
      'mentor.name as mentor_name',
      'mentor.email as mentor_email',
    ])
    .orderBy('r.id')
    .limit(500)
    .execute();
}

export const findUserByEmail = (db: Executor, email: string) =>
  db.selectFrom('users').select(['id', 'name']).where('email', '=', email.toLowerCase()).executeTakeFirst();

/** Whether this mentor mentors (or has an active relationship with) this member. */
export async function hasActiveRelationship(db: Executor, mentorUserId: number, menteeUserId: number) {
  const r = await db
    .selectFrom('mentoring_relationships')
    .select('id')
    .where('mentor_user_id', '=', mentorUserId)
    .where('mentee_user_id', '=', menteeUserId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return Boolean(r);
}
