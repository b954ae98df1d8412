import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type {
  ActionStatus,
  AttendanceStatus,
  FormationPerson,
  FormationSettings,
} from './learning-sets.table.ts';

// All SQL of the learning-sets module.

export async function findRegion(db: Executor, code: string) {
  return db
    .selectFrom('network_regions')
    .select(['code', 'name'])
    .where('code', '=', code)
    .executeTakeFirst();
}

export async function listRegions(db: Executor) {
  return db.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute();
}

export async function listIntakes(db: Executor, regionCode: string) {
  return db
    .selectFrom('intakes as i')
    .where('i.region_code', '=', regionCode)
    .select([
      'i.id',
      'i.name',
      'i.status',
      (eb) =>
        eb
          .selectFrom('member_profiles as p')
          .whereRef('p.intake_id', '=', 'i.id')
          .where('p.status', '=', 'active')
          .where('p.erased_at', 'is', null)
          .select((e) => e.fn.countAll<number>().as('n'))
          .as('active_members'),
    ])
    .orderBy('i.opens_on', 'desc')
    .execute();
}

export async function findIntake(db: Executor, id: number) {
  return db
    .selectFrom('intakes')
    .select(['id', 'name', 'region_code'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findSupplier(db: Executor) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('kind', '=', 'supplier')
    .orderBy('id')
    .executeTakeFirst();
}

// Facilitators

export async function listFacilitators(db: Executor, regionCode: string) {
  return db
    .selectFrom('ls_facilitators as f')
    .innerJoin('users as u', 'u.id', 'f.user_id')
    .innerJoin('organisations as o', 'o.id', 'f.organisation_id')
    .where('f.region_code', '=', regionCode)
    .select([
      'f.user_id',
      'u.name',
      'u.email',
      'u.disabled_at',
      'f.is_lead',
      'f.max_sets',
      'o.name as organisation_name',
      (eb) =>
        eb
          .selectFrom('ls_sets as s')
          .innerJoin('ls_formations as fm', 'fm.id', 's.formation_id')
          .whereRef('s.facilitator_user_id', '=', 'f.user_id')
          .where('fm.status', '=', 'published')
          .select((e) => e.fn.countAll<number>().as('n'))
          .as('published_sets'),
    ])
    .orderBy('f.is_lead', 'desc')
    .orderBy('u.name')
    .execute();
}

export async function findFacilitator(db: Executor, userId: number) {
  return db.selectFrom('ls_facilitators').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function findUserByEmail(db: Executor, email: string) {
  return db.selectFrom('users').select(['id', 'name', 'email']).where('email', '=', email).executeTakeFirst();
}

export async function findUser(db: Executor, id: number) {
  return db.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', id).executeTakeFirst();
}

export async function holdsRole(db: Executor, userId: number, role: string, regionCode: string) {
  const row = await db
    .selectFrom('role_assignments')
    .select('id')
    .where('user_id', '=', userId)
    .where('role', '=', role)
    .where('region_code', '=', regionCode)
    .executeTakeFirst();
  return Boolean(row);
}

export async function upsertFacilitator(
  db: Executor,
  f: { userId: number; regionCode: string; organisationId: number; isLead: boolean; maxSets: number },
) {
  if (f.isLead) {
    await db
      .updateTable('ls_facilitators')
      .set({ is_lead: false, updated_at: new Date() })
      .where('region_code', '=', f.regionCode)
      .where('is_lead', '=', true)
      .where('user_id', '!=', f.userId)
      .execute();
  }
  await db
    .insertInto('ls_facilitators')
    .values({
      user_id: f.userId,
      region_code: f.regionCode,
      organisation_id: f.organisationId,
      is_lead: f.isLead,
      max_sets: f.maxSets,
    })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        region_code: f.regionCode,
        organisation_id: f.organisationId,
        is_lead: f.isLead,
        max_sets: f.maxSets,
        updated_at: new Date(),
      }),
    )
    .execute();
}

// Formations and sets

export async function insertFormation(
  db: Executor,
  f: {
    regionCode: string;
    intakeId: number;
    minSize: number;
    maxSize: number;
    equalSizes: boolean;
    separateOrganisations: boolean;
    settings: FormationSettings;
    people: FormationPerson[];
    objective: number;
    unmetPreferences: number;
    createdBy: number;
  },
) {
  const row = await db
    .insertInto('ls_formations')
    .values({
      region_code: f.regionCode,
      intake_id: f.intakeId,
      min_size: f.minSize,
      max_size: f.maxSize,
      equal_sizes: f.equalSizes,
      separate_organisations: f.separateOrganisations,
      settings: JSON.stringify(f.settings),
      people: JSON.stringify(f.people),
      objective: f.objective,
      unmet_preferences: f.unmetPreferences,
      created_by: f.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertSet(
  db: Executor,
  s: {
    formationId: number;
    regionCode: string;
    name: string;
    position: number;
    facilitatorUserId: number | null;
    minSize: number;
    maxSize: number;
  },
) {
  const row = await db
    .insertInto('ls_sets')
    .values({
      formation_id: s.formationId,
      region_code: s.regionCode,
      name: s.name,
      position: s.position,
      facilitator_user_id: s.facilitatorUserId,
      min_size: s.minSize,
      max_size: s.maxSize,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertSetMembers(
  db: Executor,
  rows: { formationId: number; setId: number; userId: number; personIndex: number }[],
) {
  if (rows.length === 0) return;
  await db
    .insertInto('ls_set_members')
    .values(
      rows.map((r) => ({
        formation_id: r.formationId,
        set_id: r.setId,
        user_id: r.userId,
        person_index: r.personIndex,
      })),
    )
    .execute();
}

export async function findFormation(db: Executor, id: number) {
  return db
    .selectFrom('ls_formations as f')
    .innerJoin('intakes as i', 'i.id', 'f.intake_id')
    .innerJoin('network_regions as r', 'r.code', 'f.region_code')
    .selectAll('f')
    .select(['i.name as intake_name', 'r.name as region_name'])
    .where('f.id', '=', id)
    .executeTakeFirst();
}

/** Locks the formation row for the rest of the transaction, so two hand edits do not interleave. */
export async function lockFormation(db: Executor, id: number) {
  await sql`select id from ls_formations where id = ${id} for update`.execute(db);
}

/**
 * Locks a cohort (its intake row) for the rest of the transaction: forming and publishing sets for
 * one cohort take this lock first, so two of them never interleave. `for no key update` leaves
 * inserts that merely reference the intake (a new member's profile) unblocked.
 */
export async function lockIntake(db: Executor, intakeId: number) {
  return db
    .selectFrom('intakes')
    .select(['id', 'name', 'region_code'])
    .where('id', '=', intakeId)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

/**
 * Locks a region's facilitator rows (in user id order, so two lockers never deadlock): their
 * capacity is checked against published sets when sets are formed and when they are published.
 */
export async function lockFacilitators(db: Executor, regionCode: string) {
  await db
    .selectFrom('ls_facilitators')
    .select('user_id')
    .where('region_code', '=', regionCode)
    .orderBy('user_id')
    .forUpdate()
    .execute();
}

/** The cohort's draft formation (the newest, if old data holds several), with who formed it. */
export async function findDraftFormationForIntake(db: Executor, intakeId: number) {
  return db
    .selectFrom('ls_formations as f')
    .innerJoin('users as u', 'u.id', 'f.created_by')
    .select(['f.id', 'f.created_at', 'u.name as created_by_name'])
    .where('f.intake_id', '=', intakeId)
    .where('f.status', '=', 'draft')
    .orderBy('f.id', 'desc')
    .executeTakeFirst();
}

export async function listFormations(db: Executor, regionCode: string) {
  return db
    .selectFrom('ls_formations as f')
    .innerJoin('intakes as i', 'i.id', 'f.intake_id')
    .innerJoin('users as u', 'u.id', 'f.created_by')
    .where('f.region_code', '=', regionCode)
    .select([
      'f.id',
      'f.status',
      'f.created_at',
      'f.published_at',
      'f.objective',
      'i.name as intake_name',
      'u.name as created_by_name',
      (eb) =>
        eb
          .selectFrom('ls_sets as s')
          .whereRef('s.formation_id', '=', 'f.id')
          .select((e) => e.fn.countAll<number>().as('n'))
          .as('set_count'),
    ])
    .orderBy('f.created_at', 'desc')
    .limit(50)
    .execute();
}

export async function listFormationSets(db: Executor, formationId: number) {
  return db
    .selectFrom('ls_sets as s')
    .leftJoin('users as u', 'u.id', 's.facilitator_user_id')
    .where('s.formation_id', '=', formationId)
    .selectAll('s')
    .select(['u.name as facilitator_name', 'u.email as facilitator_email'])
    .orderBy('s.position')
    .execute();
}

export async function listFormationMembers(db: Executor, formationId: number) {
  return db
    .selectFrom('ls_set_members')
    .selectAll()
    .where('formation_id', '=', formationId)
    .orderBy('person_index')
    .execute();
}

export async function moveMember(db: Executor, formationId: number, userId: number, setId: number) {
  await db
    .updateTable('ls_set_members')
    .set({ set_id: setId })
    .where('formation_id', '=', formationId)
    .where('user_id', '=', userId)
    .execute();
}

export async function updateFormationScore(db: Executor, id: number, objective: number, unmet: number) {
  await db
    .updateTable('ls_formations')
    .set({ objective, unmet_preferences: unmet, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function publishFormation(db: Executor, id: number, userId: number) {
  await db
    .updateTable('ls_formations')
    .set({ status: 'published', published_by: userId, published_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function findPublishedFormationForIntake(db: Executor, intakeId: number) {
  return db
    .selectFrom('ls_formations')
    .select('id')
    .where('intake_id', '=', intakeId)
    .where('status', '=', 'published')
    .executeTakeFirst();
}

export async function deleteFormation(db: Executor, id: number) {
  await db.deleteFrom('ls_formations').where('id', '=', id).execute();
}

export async function setFacilitatorOfSet(db: Executor, setId: number, userId: number) {
  await db.updateTable('ls_sets').set({ facilitator_user_id: userId }).where('id', '=', setId).execute();
}

/** Sets with their formation's state, intake, region and facilitator (the columns findSet reads). */
function setsWithContext(db: Executor) {
  return db
    .selectFrom('ls_sets as s')
    .innerJoin('ls_formations as f', 'f.id', 's.formation_id')
    .innerJoin('intakes as i', 'i.id', 'f.intake_id')
    .innerJoin('network_regions as r', 'r.code', 's.region_code')
    .leftJoin('users as u', 'u.id', 's.facilitator_user_id')
    .selectAll('s')
    .select([
      'f.status as formation_status',
      'i.name as intake_name',
      'r.name as region_name',
      'u.name as facilitator_name',
      'u.email as facilitator_email',
    ]);
}

/** A set with its formation's state and region; sets of draft formations are not visible to members. */
export async function findSet(db: Executor, id: number) {
  return setsWithContext(db).where('s.id', '=', id).executeTakeFirst();
}

/** The set as findSet reads it, with its members' ids in the same query (access checks need both). */
export async function findSetWithMemberIds(db: Executor, id: number) {
  const row = await setsWithContext(db)
    .select(
      sql<number[]>`array(select m.user_id from ls_set_members m where m.set_id = s.id)`.as('member_ids'),
    )
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { member_ids: memberIds, ...set } = row;
  return { set, memberIds };
}

/**
 * A session with its set (as findSetWithMemberIds reads it) in one query: every session page and
 * session action checks access through the set.
 */
function sessionsWithSet(db: Executor, sessionId: number) {
  return setsWithContext(db)
    .innerJoin('ls_sessions as se', 'se.set_id', 's.id')
    .select([
      'se.id as session_id',
      'se.starts_at as session_starts_at',
      'se.ends_at as session_ends_at',
      'se.location as session_location',
      'se.online_url as session_online_url',
      'se.created_by as session_created_by',
      'se.created_at as session_created_at',
      'se.updated_at as session_updated_at',
      sql<number[]>`array(select m.user_id from ls_set_members m where m.set_id = s.id)`.as('member_ids'),
    ])
    .where('se.id', '=', sessionId);
}

type SessionWithSetRow = NonNullable<
  Awaited<ReturnType<ReturnType<typeof sessionsWithSet>['executeTakeFirst']>>
>;

function splitSessionRow(row: SessionWithSetRow) {
  const {
    session_id,
    session_starts_at,
    session_ends_at,
    session_location,
    session_online_url,
    session_created_by,
    session_created_at,
    session_updated_at,
    member_ids,
    ...set
  } = row;
  const session = {
    id: session_id,
    set_id: set.id,
    starts_at: session_starts_at,
    ends_at: session_ends_at,
    location: session_location,
    online_url: session_online_url,
    created_by: session_created_by,
    created_at: session_created_at,
    updated_at: session_updated_at,
  };
  return { session, set, memberIds: member_ids };
}

/** The session, its set and the set's member ids (what every access check needs). */
export async function findSessionWithSet(db: Executor, sessionId: number) {
  const row = await sessionsWithSet(db, sessionId).executeTakeFirst();
  return row ? splitSessionRow(row) : undefined;
}

/**
 * What the session page reads besides its lists, in the same query: the session, its set and
 * member ids, the session's return, and the viewer's own facilitator note (only ever the viewer's).
 */
export async function findSessionForPage(db: Executor, sessionId: number, viewerId: number) {
  const row = await sessionsWithSet(db, sessionId)
    .leftJoin('ls_session_returns as rt', 'rt.session_id', 'se.id')
    .leftJoin('ls_facilitator_notes as n', (j) =>
      j.onRef('n.session_id', '=', 'se.id').on('n.author_user_id', '=', viewerId),
    )
    .select([
      'rt.members_count as return_members_count',
      'rt.present_count as return_present_count',
      'rt.themes as return_themes',
      'rt.submitted_at as return_submitted_at',
      'n.body as note_body',
    ])
    .executeTakeFirst();
  if (!row) return undefined;
  const {
    return_members_count,
    return_present_count,
    return_themes,
    return_submitted_at,
    note_body,
    ...rest
  } = row;
  return {
    ...splitSessionRow(rest),
    returned:
      return_submitted_at === null
        ? null
        : {
            members_count: return_members_count!,
            present_count: return_present_count!,
            themes: return_themes!,
            submitted_at: return_submitted_at,
          },
    noteBody: note_body,
  };
}

/**
 * The set's members by name, with their attendance at one session and how often and when they
 * last presented in the set (for the rotation).
 */
export async function listSessionMembers(db: Executor, setId: number, sessionId: number) {
  return db
    .selectFrom('ls_set_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .leftJoin('ls_attendance as a', (j) =>
      j.onRef('a.user_id', '=', 'm.user_id').on('a.session_id', '=', sessionId),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('ls_attendance as pa')
          .innerJoin('ls_sessions as ps', 'ps.id', 'pa.session_id')
          .whereRef('ps.set_id', '=', 'm.set_id')
          .whereRef('pa.user_id', '=', 'm.user_id')
          .where('pa.presented', '=', true)
          .select([(e) => e.fn.max('ps.starts_at').as('last_at'), (e) => e.fn.countAll<string>().as('times')])
          .as('lp'),
      (j) => j.onTrue(),
    )
    .where('m.set_id', '=', setId)
    .select(['m.user_id', 'u.name', 'a.status', 'a.presented', 'lp.last_at', 'lp.times'])
    .orderBy('u.name')
    .execute();
}

export async function listSetMembersWithNames(db: Executor, setId: number) {
  return db
    .selectFrom('ls_set_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .where('m.set_id', '=', setId)
    .select(['m.user_id', 'u.name', 'u.email'])
    .orderBy('u.name')
    .execute();
}

/** The set (aliased `s`) is facilitated by the user or has them as a member. */
function involvesUser(userId: number) {
  // Written as one id list from two indexes (ls_sets_facilitator, ls_set_members_user), looked up
  // by primary key: an `or` of the two conditions made PostgreSQL scan every set in the network.
  return sql<boolean>`s.id = any(array(select m.set_id from ls_set_members m where m.user_id = ${userId}
    union all select f.id from ls_sets f where f.facilitator_user_id = ${userId}))`;
}

/** Published sets the user belongs to or facilitates. */
export async function listSetsOfUser(db: Executor, userId: number) {
  return db
    .selectFrom('ls_sets as s')
    .innerJoin('ls_formations as f', 'f.id', 's.formation_id')
    .innerJoin('network_regions as r', 'r.code', 's.region_code')
    .innerJoin('intakes as i', 'i.id', 'f.intake_id')
    .leftJoin('users as u', 'u.id', 's.facilitator_user_id')
    .where('f.status', '=', 'published')
    .where(involvesUser(userId))
    .select([
      's.id',
      's.name',
      's.region_code',
      'r.name as region_name',
      'i.name as intake_name',
      's.facilitator_user_id',
      'u.name as facilitator_name',
    ])
    .orderBy('s.id')
    .execute();
}

export async function listPublishedSetsOfRegion(
  db: Executor,
  regionCode: string,
  limit: number,
  offset: number,
) {
  const base = db
    .selectFrom('ls_sets as s')
    .innerJoin('ls_formations as f', 'f.id', 's.formation_id')
    .where('s.region_code', '=', regionCode)
    .where('f.status', '=', 'published');
  const [rows, count] = await Promise.all([
    base
      .innerJoin('intakes as i', 'i.id', 'f.intake_id')
      .leftJoin('users as u', 'u.id', 's.facilitator_user_id')
      .select([
        's.id',
        's.name',
        's.region_code',
        'i.name as intake_name',
        'u.name as facilitator_name',
        (eb) =>
          eb
            .selectFrom('ls_set_members as m')
            .whereRef('m.set_id', '=', 's.id')
            .select((e) => e.fn.countAll<number>().as('n'))
            .as('member_count'),
      ])
      .orderBy('s.id')
      .limit(limit)
      .offset(offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

// Sessions

export async function insertSession(
  db: Executor,
  s: {
    setId: number;
    startsAt: Date;
    endsAt: Date;
    location: string | null;
    onlineUrl: string | null;
    by: number;
  },
) {
  const row = await db
    .insertInto('ls_sessions')
    .values({
      set_id: s.setId,
      starts_at: s.startsAt,
      ends_at: s.endsAt,
      location: s.location,
      online_url: s.onlineUrl,
      created_by: s.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listSessions(db: Executor, setId: number) {
  return db
    .selectFrom('ls_sessions as s')
    .leftJoin('ls_session_returns as r', 'r.session_id', 's.id')
    .where('s.set_id', '=', setId)
    .selectAll('s')
    .select([
      'r.submitted_at as return_submitted_at',
      sql<string>`(select count(*) from ls_attendance a where a.session_id = s.id)`.as('attendance_recorded'),
      sql<string>`(select count(*) from ls_attendance a where a.session_id = s.id and a.status = 'present')`.as(
        'attendance_present',
      ),
    ])
    .orderBy('s.starts_at')
    .execute();
}

export async function findSession(db: Executor, id: number) {
  return db.selectFrom('ls_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAttendance(db: Executor, sessionId: number) {
  return db.selectFrom('ls_attendance').selectAll().where('session_id', '=', sessionId).execute();
}

export async function replaceAttendance(
  db: Executor,
  sessionId: number,
  entries: { userId: number; status: AttendanceStatus; presented: boolean }[],
  by: number,
) {
  await db.deleteFrom('ls_attendance').where('session_id', '=', sessionId).execute();
  if (entries.length === 0) return;
  await db
    .insertInto('ls_attendance')
    .values(
      entries.map((e) => ({
        session_id: sessionId,
        user_id: e.userId,
        status: e.status,
        presented: e.presented,
        recorded_by: by,
      })),
    )
    .execute();
}

// Actions

export async function listActionsOfSet(db: Executor, setId: number) {
  return db
    .selectFrom('ls_actions as a')
    .innerJoin('users as u', 'u.id', 'a.owner_user_id')
    .innerJoin('ls_sessions as s', 's.id', 'a.session_id')
    .where('a.set_id', '=', setId)
    .selectAll('a')
    .select(['u.name as owner_name', 's.starts_at as session_starts_at'])
    .orderBy('a.due_on')
    .orderBy('a.id')
    .limit(500)
    .execute();
}

export async function findAction(db: Executor, id: number) {
  return db.selectFrom('ls_actions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The action, locked for the rest of the transaction (a review reads its status, then writes it). */
export async function lockAction(db: Executor, id: number) {
  return db.selectFrom('ls_actions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertAction(
  db: Executor,
  a: {
    setId: number;
    sessionId: number;
    ownerUserId: number;
    description: string;
    dueOn: string;
    by: number;
  },
) {
  const row = await db
    .insertInto('ls_actions')
    .values({
      set_id: a.setId,
      session_id: a.sessionId,
      owner_user_id: a.ownerUserId,
      description: a.description,
      due_on: a.dueOn,
      created_by: a.by,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function reviewAction(
  db: Executor,
  id: number,
  r: { status: ActionStatus; sessionId: number; note: string | null },
) {
  await db
    .updateTable('ls_actions')
    .set({ status: r.status, reviewed_session_id: r.sessionId, review_note: r.note, reviewed_at: new Date() })
    .where('id', '=', id)
    .execute();
}

// Notes

export async function saveNote(db: Executor, sessionId: number, authorId: number, body: string) {
  await db
    .insertInto('ls_facilitator_notes')
    .values({ session_id: sessionId, author_user_id: authorId, body })
    .onConflict((oc) =>
      oc.columns(['session_id', 'author_user_id']).doUpdateSet({ body, updated_at: new Date() }),
    )
    .execute();
}

// Returns

export async function saveReturn(
  db: Executor,
  r: {
    sessionId: number;
    setId: number;
    regionCode: string;
    sessionDate: string;
    membersCount: number;
    present: number;
    apologies: number;
    absent: number;
    actionsReviewed: number;
    actionsDone: number;
    themes: string;
    by: number;
  },
) {
  const values = {
    set_id: r.setId,
    region_code: r.regionCode,
    session_date: r.sessionDate,
    members_count: r.membersCount,
    present_count: r.present,
    apologies_count: r.apologies,
    absent_count: r.absent,
    actions_reviewed: r.actionsReviewed,
    actions_done: r.actionsDone,
    themes: r.themes,
    submitted_by: r.by,
  };
  await db
    .insertInto('ls_session_returns')
    .values({ session_id: r.sessionId, ...values })
    .onConflict((oc) => oc.column('session_id').doUpdateSet({ ...values, submitted_at: new Date() }))
    .execute();
}

export async function summariseReturns(db: Executor, regionCode: string | 'all') {
  // From ls_region_return_totals (kept by triggers on the returns): ten rows, not every return.
  let t = db.selectFrom('ls_region_return_totals').where('returns', '>', 0);
  if (regionCode !== 'all') t = t.where('region_code', '=', regionCode);
  let recent = db.selectFrom('ls_session_returns');
  if (regionCode !== 'all') recent = recent.where('region_code', '=', regionCode);
  const [byRegion, latest] = await Promise.all([
    t
      .select([
        'region_code',
        'returns',
        'members',
        'present',
        'apologies',
        'absent',
        'reviewed',
        'done',
        'sets',
      ])
      .orderBy('region_code')
      .execute(),
    recent
      .select(['region_code', 'session_date', 'themes'])
      .orderBy('session_date', 'desc')
      .orderBy('session_id', 'desc')
      .limit(10)
      .execute(),
  ]);
  const sum = (k: Exclude<keyof (typeof byRegion)[number], 'region_code'>) =>
    byRegion.reduce((a, r) => a + Number(r[k]), 0);
  const totals = {
    returns: sum('returns'),
    members: sum('members'),
    present: sum('present'),
    apologies: sum('apologies'),
    absent: sum('absent'),
    reviewed: sum('reviewed'),
    done: sum('done'),
    sets: sum('sets'),
  };
  return { totals, byRegion, recent: latest };
}

// Calendar feeds

export async function revokeFeeds(db: Executor, userId: number) {
  await db
    .updateTable('ls_calendar_feeds')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function insertFeed(db: Executor, userId: number, tokenHash: string, prefix: string) {
  await db
    .insertInto('ls_calendar_feeds')
    .values({ user_id: userId, token_hash: tokenHash, token_prefix: prefix })
    .execute();
}

export async function findActiveFeed(db: Executor, userId: number) {
  return db
    .selectFrom('ls_calendar_feeds')
    .select(['id', 'token_prefix', 'created_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function findFeedByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('ls_calendar_feeds as f')
    .innerJoin('users as u', 'u.id', 'f.user_id')
    .where('f.token_hash', '=', tokenHash)
    .where('f.revoked_at', 'is', null)
    .where('u.disabled_at', 'is', null)
    .select(['f.user_id', 'u.name'])
    .executeTakeFirst();
}

/** Sessions of every published set the user belongs to or facilitates, for their calendar. */
export async function listCalendarSessions(db: Executor, userId: number) {
  return db
    .selectFrom('ls_sessions as ss')
    .innerJoin('ls_sets as s', 's.id', 'ss.set_id')
    .innerJoin('ls_formations as f', 'f.id', 's.formation_id')
    .leftJoin('users as fac', 'fac.id', 's.facilitator_user_id')
    .where('f.status', '=', 'published')
    .where(involvesUser(userId))
    .select([
      'ss.id',
      'ss.starts_at',
      'ss.ends_at',
      'ss.location',
      'ss.online_url',
      'ss.updated_at',
      's.id as set_id',
      's.name as set_name',
      'fac.name as facilitator_name',
    ])
    .orderBy('ss.starts_at')
    .limit(1000)
    .execute();
}
