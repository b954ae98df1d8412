import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Viewer } from './members.privacy.ts';
import type { DirectoryQuery } from './members.schemas.ts';
import type { MemberProfilesTable, MembershipStatus, Visibility } from './members.table.ts';

/** Typo-tolerant name matching: lower than pg_trgm's default 0.6 so one wrong letter in a surname still matches. */
export const NAME_MATCH_THRESHOLD = 0.4;
/** The directory counts matches up to this many; more means "narrow your search". */
export const DIRECTORY_COUNT_CAP = 1000;

// Profiles

export async function findProfile(x: Executor, userId: number) {
  return x
    .selectFrom('member_profiles as p')
    .innerJoin('network_regions as r', 'r.code', 'p.region_code')
    .leftJoin('organisations as o', 'o.id', 'p.organisation_id')
    .leftJoin('specialties as s', 's.id', 'p.specialty_id')
    .leftJoin('intakes as i', 'i.id', 'p.intake_id')
    .selectAll('p')
    .select([
      'r.name as region_name',
      'o.ods_code as organisation_ods',
      'o.name as organisation_name',
      's.name as specialty_name',
      'i.name as intake_name',
    ])
    .where('p.user_id', '=', userId)
    .where('p.erased_at', 'is', null)
    .executeTakeFirst();
}
export type ProfileWithNames = NonNullable<Awaited<ReturnType<typeof findProfile>>>;

export async function insertProfile(
  x: Executor,
  v: {
    userId: number;
    name: string;
    profession: string | null;
    registrationNumber: string | null;
    organisationId: number | null;
    jobTitle: string | null;
    regionCode: string;
    intakeId: number | null;
    specialtyId?: number | null;
    interests?: string[];
    expertise?: string[];
    leadershipRoles?: string[];
    biography?: string | null;
    status?: MembershipStatus;
    joinedOn?: string;
  },
) {
  await x
    .insertInto('member_profiles')
    .values({
      user_id: v.userId,
      name: v.name,
      profession: v.profession,
      registration_number: v.registrationNumber,
      organisation_id: v.organisationId,
      job_title: v.jobTitle,
      region_code: v.regionCode,
      intake_id: v.intakeId,
      specialty_id: v.specialtyId ?? null,
      interests: v.interests ?? [],
      expertise: v.expertise ?? [],
      leadership_roles: v.leadershipRoles ?? [],
      biography: v.biography ?? null,
      status: v.status ?? 'active',
      status_since: v.joinedOn ?? sql<string>`current_date`,
      joined_on: v.joinedOn ?? sql<string>`current_date`,
    } as never)
    .execute();
}

export type ProfileChanges = Partial<
  Pick<
    MemberProfilesTable,
    | 'name'
    | 'profession'
    | 'registration_number'
    | 'specialty_id'
    | 'organisation_id'
    | 'job_title'
    | 'region_code'
    | 'intake_id'
    | 'biography'
    | 'contact_email'
    | 'contact_phone'
  >
> & {
  interests?: string[];
  expertise?: string[];
  leadership_roles?: string[];
  preferred_contact?: string;
  status?: MembershipStatus;
  status_since?: string;
  registration_verified_at?: Date | null;
  registration_verified_by?: number | null;
  has_photo?: boolean;
  visibility_profile?: Visibility;
  visibility_contact?: Visibility;
  visibility_professional?: Visibility;
  visibility_interests?: Visibility;
  visibility_projects?: Visibility;
  visibility_biography?: Visibility;
  visibility_photo?: Visibility;
};

export async function updateProfile(x: Executor, userId: number, changes: ProfileChanges) {
  await x
    .updateTable('member_profiles')
    .set({ ...changes, updated_at: sql`now()` } as never)
    .where('user_id', '=', userId)
    .execute();
}

/**
 * Rebuilds the three search vectors of the given members: everything (for staff), what the
 * member's region may see, and what the whole network may see. A search then matches only text
 * the searcher is allowed to read.
 */
export async function refreshSearchVectors(x: Executor, userIds: number[] | 'all') {
  const filter = userIds === 'all' ? sql`true` : sql`p.user_id = any(${userIds}::int[])`;
  await sql`
    with parts as (
      select p.user_id,
        setweight(to_tsvector('english', p.name || ' ' || coalesce(p.job_title, '')), 'A') as v_profile,
        setweight(to_tsvector('english', coalesce(s.name, '')), 'B') as v_professional,
        setweight(to_tsvector('english', array_to_string(p.interests || p.expertise || p.leadership_roles, ' ')), 'B') as v_interests,
        setweight(to_tsvector('english', coalesce(
          (select string_agg(mp.title || ' ' || mp.summary, ' ') from member_projects mp where mp.user_id = p.user_id), '')), 'C') as v_projects,
        setweight(to_tsvector('english', coalesce(p.biography, '')), 'D') as v_biography
      from member_profiles p left join specialties s on s.id = p.specialty_id
      where ${filter})
    update member_profiles p set
      search_staff = v_profile || v_professional || v_interests || v_projects || v_biography,
      search_region = v_profile
        || case when p.visibility_professional <> 'staff' then v_professional else ''::tsvector end
        || case when p.visibility_interests <> 'staff' then v_interests else ''::tsvector end
        || case when p.visibility_projects <> 'staff' then v_projects else ''::tsvector end
        || case when p.visibility_biography <> 'staff' then v_biography else ''::tsvector end,
      search_network = v_profile
        || case when p.visibility_professional = 'network' then v_professional else ''::tsvector end
        || case when p.visibility_interests = 'network' then v_interests else ''::tsvector end
        || case when p.visibility_projects = 'network' then v_projects else ''::tsvector end
        || case when p.visibility_biography = 'network' then v_biography else ''::tsvector end
    from parts where parts.user_id = p.user_id`.execute(x);
}

// Privacy in SQL: the same rules as members.privacy.ts, as conditions an index can serve.

function inList(codes: string[]): RawBuilder<boolean> {
  return codes.length ? sql<boolean>`p.region_code = any(${codes}::text[])` : sql<boolean>`false`;
}

/** True for rows where the viewer may see a section with this visibility column. */
export function visibleSql(viewer: Viewer, column: string): RawBuilder<boolean> {
  if (viewer.national) return sql<boolean>`true`;
  const col = sql.ref(`p.${column}`);
  const self = viewer.userId === null ? sql`false` : sql`p.user_id = ${viewer.userId}`;
  return sql<boolean>`(${col} = 'network' or (${col} = 'region' and ${inList(viewer.ownRegions)}) or ${inList(viewer.staffRegions)} or ${self})`;
}

function textMatchSql(
  viewer: Viewer,
  query: RawBuilder<unknown>,
  region?: string,
  narrowed = false,
): RawBuilder<boolean> {
  // Narrowed (a region and a profession or specialty): PostgreSQL's estimate of a text index scan
  // is far too low for common words (two of them matched 7,000 profiles at 100,000 members, 3-4 ms
  // to read from the index), so it read the text index when the region and profession index finds
  // the 1,300 candidates in 0.3 ms. Matching the text on those candidates instead takes 2 ms in
  // all: written as the function behind `@@` (ts_match_vq), the match is one no index serves.
  const matches = (column: string) =>
    narrowed
      ? sql<boolean>`ts_match_vq(${sql.ref(column)}, ${query})`
      : sql<boolean>`${sql.ref(column)} @@ ${query}`;
  if (viewer.national) return matches('p.search_staff');
  const self = viewer.userId === null ? sql`false` : sql`p.user_id = ${viewer.userId}`;
  // Filtered to one region, one vector applies to everybody in it (each vector holds the previous
  // one's text): one index to search instead of an OR of three.
  if (region !== undefined) {
    if (viewer.staffRegions.includes(region)) return matches('p.search_staff');
    const vector = viewer.ownRegions.includes(region) ? 'p.search_region' : 'p.search_network';
    return sql<boolean>`(${matches(vector)} or (${self} and p.search_staff @@ ${query}))`;
  }
  return sql<boolean>`(p.search_network @@ ${query}
    or (${inList(viewer.ownRegions)} and p.search_region @@ ${query})
    or ((${inList(viewer.staffRegions)} or ${self}) and p.search_staff @@ ${query}))`;
}

function vectorForViewer(viewer: Viewer): RawBuilder<unknown> {
  if (viewer.national) return sql`p.search_staff`;
  const self = viewer.userId === null ? sql`false` : sql`p.user_id = ${viewer.userId}`;
  return sql`case when ${inList(viewer.staffRegions)} or ${self} then p.search_staff
    when ${inList(viewer.ownRegions)} then p.search_region else p.search_network end`;
}

export type DirectoryFilter = Omit<DirectoryQuery, 'page' | 'organisation'> & {
  organisationId?: number;
  page: number;
  pageSize: number;
};

/** A directory row as the query reads it; the service adds region and specialty names. */
export type DirectoryQueryRow = {
  user_id: number;
  name: string;
  job_title: string | null;
  organisation_name: string | null;
  organisation_ods: string | null;
  region_code: string;
  profession: string | null;
  specialty_id: number | null;
  status: MembershipStatus;
  joined_on: string;
  contact_email: string | null;
  contact_phone: string | null;
  registration_number: string | null;
  registration_verified: boolean | null;
  interests: string[] | null;
  expertise: string[] | null;
  leadership_roles: string[] | null;
};

/**
 * The directory: privacy first (a member is listed only to the audience of their listing), then
 * filters; every condition is served by an index on member_profiles. Sections the viewer may not
 * see come back as null, and a filter on a hidden section never matches.
 */
export async function searchDirectory(
  x: Executor,
  viewer: Viewer,
  f: DirectoryFilter,
): Promise<{ rows: DirectoryQueryRow[]; total: number; capped: boolean }> {
  const conds: RawBuilder<boolean>[] = [
    sql<boolean>`p.erased_at is null`,
    visibleSql(viewer, 'visibility_profile'),
  ];
  /** Only the privacy conditions so far: no filter narrows the directory. */
  const privacyConditions = conds.length;
  const professional = visibleSql(viewer, 'visibility_professional');
  const interests = visibleSql(viewer, 'visibility_interests');
  const contact = visibleSql(viewer, 'visibility_contact');
  if (f.region) conds.push(sql<boolean>`p.region_code = ${f.region}`);
  if (f.organisationId !== undefined) conds.push(sql<boolean>`p.organisation_id = ${f.organisationId}`);
  if (f.status) conds.push(sql<boolean>`p.status = ${f.status}`);
  if (f.profession) conds.push(sql<boolean>`p.profession = ${f.profession}`, professional);
  if (f.specialty) conds.push(sql<boolean>`p.specialty_id = ${f.specialty}`, professional);
  if (f.interest)
    conds.push(
      sql<boolean>`(p.interests @> array[${f.interest}]::text[] or p.expertise @> array[${f.interest}]::text[])`,
      interests,
    );
  if (f.role) conds.push(sql<boolean>`p.leadership_roles @> array[${f.role}]::text[]`, interests);
  if (f.name) conds.push(sql<boolean>`${f.name} <% p.name`);
  const tsQuery = f.q ? sql`websearch_to_tsquery('english', ${f.q})` : null;
  if (tsQuery)
    conds.push(
      textMatchSql(
        viewer,
        tsQuery,
        f.region || undefined,
        Boolean(f.region && (f.profession || f.specialty)),
      ),
    );
  const where = sql.join(conds, sql` and `);

  let order: RawBuilder<unknown>;
  if (f.sort === 'joined') order = sql`p.joined_on desc, p.user_id desc`;
  else if (f.sort === 'relevance' && f.name && tsQuery)
    order = sql`word_similarity(${f.name}, p.name) + ts_rank(${vectorForViewer(viewer)}, ${tsQuery}) desc, similarity(${f.name}, p.name) desc, p.name, p.user_id`;
  else if (f.sort === 'relevance' && f.name)
    // Many names tie on word similarity (the best-matching word of each, e.g. the same surname):
    // the whole name's similarity then ranks the closest first, before alphabetical order.
    order = sql`word_similarity(${f.name}, p.name) desc, similarity(${f.name}, p.name) desc, p.name, p.user_id`;
  else if (f.sort === 'relevance' && tsQuery)
    order = sql`ts_rank(${vectorForViewer(viewer)}, ${tsQuery}) desc, p.name, p.user_id`;
  else order = sql`p.name, p.user_id`;

  const run = async (trx: Executor) => {
    if (f.name) {
      await sql`select set_config('pg_trgm.word_similarity_threshold', ${String(NAME_MATCH_THRESHOLD)}, true)`.execute(
        trx,
      );
    }
    // A text or name search reads every match anyway (to rank them): count them in the same pass.
    const searching = Boolean(tsQuery || f.name);
    // Counting every match of a broad listing reads the whole table; past the cap people narrow the
    // search instead (and the directory cannot be paged through wholesale). Unfiltered (only the two
    // privacy conditions), in key order, so the count reads an index to the cap; a filter's own
    // index serves better otherwise. The count rides along in the page's query (one round trip
    // fewer), and runs on its own only for a page past the end.
    const cappedCount = sql`(select count(*)::int from
        (select 1 from member_profiles p where ${where} ${conds.length > privacyConditions ? sql`` : sql`order by p.user_id`}
        limit ${DIRECTORY_COUNT_CAP + 1}) counted)`;
    // Region and specialty names come from the service's cached lists: two joins fewer to plan
    // (PostgreSQL plans this query on every call, its parameters decide the plan).
    const rows = await sql<DirectoryQueryRow & { matches?: number }>`
      select ${searching ? sql`count(*) over ()::int` : cappedCount} as matches, p.user_id, p.name, p.job_title, o.name as organisation_name, o.ods_code as organisation_ods,
        p.region_code, p.status, p.joined_on::text as joined_on,
        case when ${professional} then p.profession end as profession,
        case when ${professional} then p.specialty_id end as specialty_id,
        case when ${professional} then p.registration_number end as registration_number,
        case when ${professional} then p.registration_verified_at is not null end as registration_verified,
        case when ${contact} then p.contact_email end as contact_email,
        case when ${contact} then p.contact_phone end as contact_phone,
        case when ${interests} then p.interests end as interests,
        case when ${interests} then p.expertise end as expertise,
        case when ${interests} then p.leadership_roles end as leadership_roles
      from member_profiles p
        left join organisations o on o.id = p.organisation_id
      where ${where}
      order by ${order}
      limit ${f.pageSize} offset ${(f.page - 1) * f.pageSize}`.execute(trx);
    let n: number;
    if (rows.rows.length > 0 || f.page === 1) n = rows.rows[0]?.matches ?? 0;
    else {
      const count = await sql<{ n: number }>`select ${cappedCount} as n`.execute(trx);
      n = Number(count.rows[0]?.n ?? 0);
    }
    return {
      rows: rows.rows.map(({ matches: _matches, ...row }) => row),
      total: Math.min(n, DIRECTORY_COUNT_CAP),
      capped: n > DIRECTORY_COUNT_CAP,
    };
  };
  // The name threshold is set for this transaction only, so other queries keep pg_trgm's default.
  if (f.name && !('isTransaction' in x && x.isTransaction)) return x.transaction().execute(run);
  return run(x);
}

// Projects

export async function listProjects(x: Executor, userId: number) {
  return x.selectFrom('member_projects').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

export async function insertProject(
  x: Executor,
  v: { userId: number; title: string; summary: string; stage: string },
) {
  return x
    .insertInto('member_projects')
    .values({ user_id: v.userId, title: v.title, summary: v.summary, stage: v.stage })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function deleteProject(x: Executor, userId: number, id: number): Promise<boolean> {
  const res = await x
    .deleteFrom('member_projects')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

// Photos

export async function upsertPhoto(x: Executor, userId: number, data: Buffer, contentType: string) {
  await sql`insert into member_photos (user_id, content_type, data, updated_at)
    values (${userId}, ${contentType}, ${data}, now())
    on conflict (user_id) do update set content_type = excluded.content_type, data = excluded.data, updated_at = now()`.execute(
    x,
  );
}

export async function findPhoto(x: Executor, userId: number) {
  return x.selectFrom('member_photos').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function deletePhoto(x: Executor, userId: number) {
  await x.deleteFrom('member_photos').where('user_id', '=', userId).execute();
}

// Specialties

export async function listSpecialties(x: Executor, profession?: string) {
  let q = x.selectFrom('specialties').selectAll().orderBy('profession').orderBy('name');
  if (profession) q = q.where('profession', '=', profession);
  return q.execute();
}

export async function findSpecialty(x: Executor, id: number) {
  return x.selectFrom('specialties').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertSpecialty(x: Executor, profession: string, name: string) {
  const res = await sql<{
    id: number;
  }>`insert into specialties (profession, name) values (${profession}, ${name})
    on conflict do nothing returning id`.execute(x);
  return res.rows[0]?.id ?? null;
}

// Organisations

export async function findOrganisationByOds(x: Executor, odsCode: string) {
  return x.selectFrom('organisations').selectAll().where('ods_code', '=', odsCode).executeTakeFirst();
}

export async function findOrganisationById(x: Executor, id: number) {
  return x.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listPredecessors(x: Executor, id: number) {
  return x
    .selectFrom('organisations')
    .select(['id', 'ods_code', 'name', 'valid_to'])
    .where('successor_id', '=', id)
    .orderBy('name')
    .execute();
}

export async function listChildren(x: Executor, id: number, limit: number) {
  return x
    .selectFrom('organisations')
    .select(['id', 'ods_code', 'name', 'kind', 'valid_to'])
    .where('parent_id', '=', id)
    .orderBy('name')
    .limit(limit)
    .execute();
}

export async function searchOrganisations(
  x: Executor,
  f: { q?: string; kind?: string; page: number; pageSize: number },
) {
  let q = x.selectFrom('organisations').where('ods_code', 'is not', null);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.q) {
    const text = f.q;
    q = q.where((eb) =>
      eb.or([eb('ods_code', '=', text.toUpperCase()), eb('name', 'ilike', `%${escapeLike(text)}%`)]),
    );
  }
  const [rows, count] = await Promise.all([
    q
      .select(['id', 'kind', 'ods_code', 'name', 'sha_code', 'valid_from', 'valid_to', 'successor_id'])
      .orderBy('name')
      .orderBy('id')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function recordMerger(x: Executor, id: number, successorId: number, validTo: string) {
  await x
    .updateTable('organisations')
    .set({ successor_id: successorId, valid_to: validTo })
    .where('id', '=', id)
    .execute();
}

// Employment history

export async function listEmployment(x: Executor, userId: number) {
  return x
    .selectFrom('employment_history as e')
    .innerJoin('organisations as o', 'o.id', 'e.organisation_id')
    .select([
      'e.id',
      'e.job_title',
      'e.started_on',
      'e.ended_on',
      'o.name as organisation_name',
      'o.ods_code',
    ])
    .where('e.user_id', '=', userId)
    .orderBy('e.started_on', 'desc')
    .orderBy('e.id', 'desc')
    .execute();
}

/** Closes the open employment (if any) and opens one at the new employer. */
export async function recordEmployment(
  x: Executor,
  userId: number,
  organisationId: number | null,
  jobTitle: string | null,
) {
  await sql`update employment_history set ended_on = current_date where user_id = ${userId} and ended_on is null`.execute(
    x,
  );
  if (organisationId !== null) {
    await sql`insert into employment_history (user_id, organisation_id, job_title, started_on)
      values (${userId}, ${organisationId}, ${jobTitle}, current_date)`.execute(x);
  }
}

export async function updateOpenEmploymentTitle(x: Executor, userId: number, jobTitle: string | null) {
  await x
    .updateTable('employment_history')
    .set({ job_title: jobTitle })
    .where('user_id', '=', userId)
    .where('ended_on', 'is', null)
    .execute();
}

// Regions and intakes

export async function listRegions(x: Executor) {
  return x.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute();
}

export async function findRegion(x: Executor, code: string) {
  return x.selectFrom('network_regions').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
}

export async function findIntake(x: Executor, id: number) {
  return x.selectFrom('intakes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findIntakeByName(x: Executor, regionCode: string, name: string) {
  return x
    .selectFrom('intakes')
    .selectAll()
    .where('region_code', '=', regionCode)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function countMembersByRegion(x: Executor) {
  return x
    .selectFrom('member_profiles')
    .select(['region_code', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('region_code')
    .execute();
}

// Erasure

export async function insertErasureRequest(x: Executor, userId: number, reason: string | null) {
  return x
    .insertInto('erasure_requests')
    .values({ user_id: userId, reason })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function findPendingErasure(x: Executor, userId: number) {
  return x
    .selectFrom('erasure_requests')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

export async function findErasureRequest(x: Executor, id: number) {
  return x.selectFrom('erasure_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listErasureRequests(
  x: Executor,
  f: { status?: string; page: number; pageSize: number },
) {
  let q = x.selectFrom('erasure_requests as e').innerJoin('users as u', 'u.id', 'e.user_id');
  if (f.status) q = q.where('e.status', '=', f.status as 'pending');
  const [rows, count] = await Promise.all([
    q
      .select([
        'e.id',
        'e.user_id',
        'e.status',
        'e.reason',
        'e.requested_at',
        'e.decided_at',
        'u.name',
        'u.email',
      ])
      .orderBy('e.requested_at', 'desc')
      .orderBy('e.id', 'desc')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function decideErasure(
  x: Executor,
  id: number,
  v: { status: 'approved' | 'rejected'; decidedBy: number | null; note: string | null },
) {
  await x
    .updateTable('erasure_requests')
    .set({ status: v.status, decided_by: v.decidedBy, decided_at: new Date(), decision_note: v.note })
    .where('id', '=', id)
    .execute();
}

/** The profile's row as it stands, locked for the transaction that updates it (erased ones too). */
export function lockProfileRow(x: Executor, userId: number) {
  return x
    .selectFrom('member_profiles')
    .select(['user_id', 'organisation_id', 'job_title', 'status', 'erased_at'])
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

/** The region of the person's own (not erased) profile, for what they may see. */
export async function findOwnRegion(x: Executor, userId: number): Promise<string | undefined> {
  const row = await x
    .selectFrom('member_profiles')
    .select('region_code')
    .where('user_id', '=', userId)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  return row?.region_code;
}

/** Whether a profile row exists for the person, and whether it was erased. */
export function findProfileState(x: Executor, userId: number) {
  return x
    .selectFrom('member_profiles')
    .select(['user_id', 'erased_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function countProjects(x: Executor, userId: number): Promise<number> {
  const row = await x
    .selectFrom('member_projects')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
