import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { ListQuery } from './recruitment.schemas.ts';
import type { ApplicationStatus } from './recruitment.table.ts';

/** Statuses that hold one of the region's places. */
export const PLACE_HOLDING: ApplicationStatus[] = ['offered', 'accepted'];

// Drafts of the public journey

export async function findDraft(x: Executor, tokenHash: string) {
  return x
    .selectFrom('application_drafts')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
}

export async function saveDraft(
  x: Executor,
  tokenHash: string,
  data: Record<string, unknown>,
  expiresAt: Date,
) {
  await sql`insert into application_drafts (token_hash, data, expires_at, updated_at)
    values (${tokenHash}, ${JSON.stringify(data)}::jsonb, ${expiresAt}, now())
    on conflict (token_hash) do update set data = excluded.data, expires_at = excluded.expires_at, updated_at = now()`.execute(
    x,
  );
}

export async function deleteDraft(x: Executor, tokenHash: string) {
  await x.deleteFrom('application_drafts').where('token_hash', '=', tokenHash).execute();
}

export async function deleteExpiredDrafts(x: Executor) {
  await x.deleteFrom('application_drafts').where('expires_at', '<', new Date()).execute();
}

// Reference data

/**
 * Organisations an applicant may name as their employer: NHS trusts, ICBs (commissioners), and
 * the GP practices, community pharmacies and dental practices loaded from ODS extracts.
 */
export const EMPLOYER_KINDS = ['trust', 'icb', 'gp-practice', 'pharmacy', 'dental-practice'];

export async function findOpenEmployerByOds(x: Executor, ods: string) {
  return x
    .selectFrom('organisations')
    .select(['id', 'ods_code', 'name', 'sha_code', 'town', 'kind'])
    .where('kind', 'in', EMPLOYER_KINDS)
    .where('ods_code', '=', ods)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', sql<string>`current_date`)]))
    .executeTakeFirst();
}

/**
 * Open employers (EMPLOYER_KINDS) whose name, town or ODS code matches; trigram-indexed on name.
 * The ODS code first, then names that start with the words, then names that hold them, then towns:
 * "walsall" finds Walsall Healthcare NHS Trust before the town's thirty GP practices.
 */
export async function searchOpenEmployers(x: Executor, q: string, limit: number) {
  const escaped = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  const like = `%${escaped}%`;
  return x
    .selectFrom('organisations')
    .select(['ods_code', 'name', 'town', 'sha_code', 'kind'])
    .where('kind', 'in', EMPLOYER_KINDS)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', sql<string>`current_date`)]))
    .where((eb) =>
      eb.or([eb('name', 'ilike', like), eb('town', 'ilike', like), eb('ods_code', '=', q.toUpperCase())]),
    )
    .orderBy(sql`ods_code = ${q.toUpperCase()}`, 'desc')
    .orderBy(sql`name ilike ${`${escaped}%`}`, 'desc')
    .orderBy(sql`name ilike ${like}`, 'desc')
    .orderBy(sql`kind = 'trust'`, 'desc')
    .orderBy('name')
    .limit(limit)
    .execute();
}

export async function listRecruitingRegions(x: Executor) {
  return x
    .selectFrom('network_regions as r')
    .innerJoin('intakes as i', (j) => j.onRef('i.region_code', '=', 'r.code').on('i.status', '=', 'open'))
    .select(['r.code', 'r.name', 'i.id as intake_id', 'i.name as intake_name'])
    .orderBy('r.name')
    .execute();
}

/**
 * A region's open intake. With `today` (England's calendar date), only one taking applications that
 * day: already opened and not past its closing date (the closing day itself still counts). Without
 * it (bringing in existing applicants from CSV), any open intake.
 */
export async function findOpenIntake(x: Executor, regionCode: string, today?: string) {
  let q = x
    .selectFrom('intakes')
    .selectAll()
    .where('region_code', '=', regionCode)
    .where('status', '=', 'open');
  if (today !== undefined) {
    q = q
      .where('opens_on', '<=', today)
      .where((eb) => eb.or([eb('closes_on', 'is', null), eb('closes_on', '>=', today)]));
  }
  return q.orderBy('opens_on', 'desc').executeTakeFirst();
}

/**
 * Intakes taking applications on `today` and those still to open, with their region: the public
 * pages' "apply now" and "the next intake opens on". Ten regions, a few intakes each: no index needed.
 */
export async function listOpenAndUpcomingIntakes(x: Executor, today: string) {
  return x
    .selectFrom('intakes as i')
    .innerJoin('network_regions as r', 'r.code', 'i.region_code')
    .select([
      'i.id',
      'i.name',
      'i.opens_on',
      'i.closes_on',
      'r.code as region_code',
      'r.name as region_name',
      'r.recruitment_target',
    ])
    .where('i.status', '=', 'open')
    .where((eb) => eb.or([eb('i.closes_on', 'is', null), eb('i.closes_on', '>=', today)]))
    .orderBy('i.opens_on')
    .orderBy('r.name')
    .execute();
}

/** The intake a region is recruiting to now: the open one, else the latest. */
export async function findCurrentIntake(x: Executor, regionCode: string) {
  return x
    .selectFrom('intakes')
    .selectAll()
    .where('region_code', '=', regionCode)
    .orderBy(sql`status = 'open'`, 'desc')
    .orderBy('opens_on', 'desc')
    .executeTakeFirst();
}

export async function findRegion(x: Executor, code: string) {
  return x
    .selectFrom('network_regions')
    .select(['code', 'name', 'recruitment_target', 'auto_offer_waitlist', 'status'])
    .where('code', '=', code)
    .executeTakeFirst();
}

/** Several regions at once, with each one's current intake (the open one, else the latest). */
export async function findRegionsWithCurrentIntake(x: Executor, codes: string[]) {
  if (!codes.length) return [];
  return x
    .selectFrom('network_regions as r')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('intakes')
          .select(['id', 'region_code', 'name', 'status'])
          .distinctOn('region_code')
          .where('region_code', 'in', codes)
          .orderBy('region_code')
          .orderBy(sql`status = 'open'`, 'desc')
          .orderBy('opens_on', 'desc')
          .as('i'),
      (join) => join.onRef('i.region_code', '=', 'r.code'),
    )
    .select([
      'r.code',
      'r.name',
      'r.recruitment_target',
      'r.auto_offer_waitlist',
      'i.id as intake_id',
      'i.name as intake_name',
      'i.status as intake_status',
    ])
    .where('r.code', 'in', codes)
    .execute();
}

/**
 * Locks the region's row for the rest of the transaction: every decision that can take or free one
 * of the region's places runs behind this lock, so concurrent offers cannot exceed the quota.
 */
export async function lockRegion(x: Executor, code: string) {
  return x
    .selectFrom('network_regions')
    .select(['code', 'name', 'recruitment_target', 'auto_offer_waitlist'])
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
}

// Applications

export async function findDuplicate(
  x: Executor,
  intakeId: number,
  email: string,
  register: string,
  number: string,
) {
  return x
    .selectFrom('applications')
    .select(['id', 'email', 'register', 'registration_number'])
    .where('intake_id', '=', intakeId)
    .where('status', '<>', 'withdrawn')
    .where((eb) =>
      eb.or([
        eb('email', '=', email),
        eb.and([eb('register', '=', register), eb('registration_number', '=', number)]),
      ]),
    )
    .executeTakeFirst();
}

/** Statuses still being decided: one person has at most one such application in the network. */
export const LIVE_STATUSES: ApplicationStatus[] = ['submitted', 'shortlisted', 'offered', 'waitlisted'];

/**
 * A person's live application anywhere in the network, by email (case-insensitive) or by
 * registration number; the partial unique indexes of migration 2026-12-07-0100 answer it.
 */
export async function findLiveApplication(x: Executor, email: string, register: string, number: string) {
  return x
    .selectFrom('applications')
    .select(['id', 'reference', 'email', 'register', 'registration_number', 'region_code'])
    .where('status', 'in', LIVE_STATUSES)
    .where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['email']), '=', email.toLowerCase()),
        eb.and([eb('register', '=', register), eb('registration_number', '=', number)]),
      ]),
    )
    .executeTakeFirst();
}

export type NewApplication = {
  reference: string;
  intake_id: number;
  region_code: string;
  given_name: string;
  family_name: string;
  email: string;
  phone: string | null;
  profession: string;
  register: string;
  registration_number: string;
  employer_organisation_id: number;
  employer_ods_code: string;
  employer_name: string;
  job_title: string;
  role_summary: string;
  leadership_experience: string;
  motivation: string;
  sponsor_name: string;
  sponsor_email: string;
  consent_at: Date;
  privacy_notice_version: string;
  status_token_hash: string;
  source: string;
  status?: ApplicationStatus;
  accepted_at?: Date;
  user_id?: number;
};

export async function insertApplication(x: Executor, v: NewApplication) {
  return x.insertInto('applications').values(v).returning(['id', 'reference']).executeTakeFirstOrThrow();
}

export async function insertEndorsement(
  x: Executor,
  v: { applicationId: number; tokenHash: string; expiresAt: Date; status?: 'pending' | 'endorsed' },
) {
  await x
    .insertInto('endorsements')
    .values({
      application_id: v.applicationId,
      token_hash: v.tokenHash,
      expires_at: v.expiresAt,
      status: v.status ?? 'pending',
    })
    .execute();
}

const detailColumns = [
  'a.id',
  'a.reference',
  'a.intake_id',
  'a.region_code',
  'a.status',
  'a.given_name',
  'a.family_name',
  'a.email',
  'a.phone',
  'a.profession',
  'a.register',
  'a.registration_number',
  'a.employer_organisation_id',
  'a.employer_ods_code',
  'a.employer_name',
  'a.job_title',
  'a.role_summary',
  'a.leadership_experience',
  'a.motivation',
  'a.sponsor_name',
  'a.sponsor_email',
  'a.waitlist_rank',
  'a.decision_reason',
  'a.source',
  'a.submitted_at',
  'a.decided_at',
  'a.offered_at',
  'a.offer_expires_on',
  'a.accepted_at',
  'a.withdrawn_at',
  'a.user_id',
  'e.status as endorsement_status',
  'e.comment as endorsement_comment',
  'e.responded_at as endorsement_responded_at',
  'e.reminders_sent as endorsement_reminders',
  'i.name as intake_name',
  'r.name as region_name',
] as const;

function detailQuery(x: Executor) {
  return x
    .selectFrom('applications as a')
    .leftJoin('endorsements as e', 'e.application_id', 'a.id')
    .innerJoin('intakes as i', 'i.id', 'a.intake_id')
    .innerJoin('network_regions as r', 'r.code', 'a.region_code')
    .select(detailColumns);
}

export type ApplicationRow = NonNullable<Awaited<ReturnType<typeof findApplication>>>;

export async function findApplication(x: Executor, id: number) {
  return detailQuery(x).where('a.id', '=', id).executeTakeFirst();
}

export async function findApplicationByStatusToken(x: Executor, tokenHash: string) {
  return detailQuery(x).where('a.status_token_hash', '=', tokenHash).executeTakeFirst();
}

export async function lockApplication(x: Executor, id: number) {
  return x
    .selectFrom('applications')
    .select(['id', 'status', 'intake_id', 'region_code', 'waitlist_rank', 'offer_expires_on'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateApplication(
  x: Executor,
  id: number,
  v: Partial<{
    status: ApplicationStatus;
    waitlist_rank: number | null;
    decision_reason: string | null;
    decided_at: Date;
    offered_at: Date | null;
    offer_expires_on: string | null;
    accepted_at: Date;
    withdrawn_at: Date;
    user_id: number;
    status_token_hash: string;
  }>,
) {
  await x
    .updateTable('applications')
    .set({ ...v, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function countPlacesTaken(x: Executor, intakeId: number): Promise<number> {
  const row = await x
    .selectFrom('applications')
    .where('intake_id', '=', intakeId)
    .where('status', 'in', PLACE_HOLDING)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The places taken in an intake, by kind: accepted, and offers awaiting a reply. */
export async function countPlacesTakenByStatus(
  x: Executor,
  intakeId: number,
): Promise<{ accepted: number; offered: number }> {
  const rows = await x
    .selectFrom('applications')
    .where('intake_id', '=', intakeId)
    .where('status', 'in', ['accepted', 'offered'])
    .groupBy('status')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .execute();
  const of = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { accepted: of('accepted'), offered: of('offered') };
}

export async function maxWaitlistRank(x: Executor, intakeId: number): Promise<number> {
  const row = await x
    .selectFrom('applications')
    .where('intake_id', '=', intakeId)
    .where('status', '=', 'waitlisted')
    .select((eb) => eb.fn.max<number | null>('waitlist_rank').as('m'))
    .executeTakeFirstOrThrow();
  return Number(row.m ?? 0);
}

/** Makes room at a waitlist position by moving everyone at or below it down one. */
export async function shiftWaitlistDown(x: Executor, intakeId: number, fromRank: number) {
  await sql`update applications set waitlist_rank = waitlist_rank + 1
    where intake_id = ${intakeId} and status = 'waitlisted' and waitlist_rank >= ${fromRank}`.execute(x);
}

/** Closes the gap left at a waitlist position. */
export async function closeWaitlistGap(x: Executor, intakeId: number, rank: number) {
  await sql`update applications set waitlist_rank = waitlist_rank - 1
    where intake_id = ${intakeId} and status = 'waitlisted' and waitlist_rank > ${rank}`.execute(x);
}

export async function topOfWaitlist(x: Executor, intakeId: number) {
  return x
    .selectFrom('applications')
    .select(['id', 'waitlist_rank'])
    .where('intake_id', '=', intakeId)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlist_rank')
    .orderBy('submitted_at')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const APPLICATION_LIST_COLUMNS = [
  'a.id',
  'a.reference',
  'a.region_code',
  'a.status',
  'a.given_name',
  'a.family_name',
  'a.email',
  'a.profession',
  'a.registration_number',
  'a.employer_ods_code',
  'a.employer_name',
  'a.job_title',
  'a.waitlist_rank',
  'a.submitted_at',
] as const;

/** The review list's orders, each ending in the id so that pages never overlap. */
function applicationOrder(sort: ListQuery['sort']) {
  switch (sort) {
    case 'oldest':
      return sql`a.submitted_at asc, a.id`;
    case 'name':
      return sql`a.family_name, a.given_name, a.id`;
    case 'waitlist':
      return sql`a.waitlist_rank is null, a.waitlist_rank, a.submitted_at, a.id`;
    default:
      return sql`a.submitted_at desc, a.id`;
  }
}

export async function listApplications(x: Executor, regionCode: string, f: ListQuery, pageSize: number) {
  let q = x.selectFrom('applications as a').where('a.region_code', '=', regionCode);
  if (f.status) q = q.where('a.status', '=', f.status);
  if (f.profession) q = q.where('a.profession', '=', f.profession);
  if (f.q) q = q.where('a.search_text', 'like', likePattern(f.q));
  const order = applicationOrder(f.sort);
  const offset = (f.page - 1) * pageSize;
  // Filtered by endorsement, the join decides which rows match. Otherwise the page's ids are chosen
  // from the applications alone (in the default order from an index, without reading the rows
  // before the page), then only those rows are read and joined to their endorsements: page 20 no
  // longer reads the 475 applications before it nor their endorsements (issue 8).
  const rows = f.endorsement
    ? q
        .innerJoin('endorsements as e', 'e.application_id', 'a.id')
        .where('e.status', '=', f.endorsement)
        .select([...APPLICATION_LIST_COLUMNS, 'e.status as endorsement_status'])
        .orderBy(order)
        .limit(pageSize)
        .offset(offset)
        .execute()
    : x
        .selectFrom('applications as a')
        .innerJoin(
          q.select('a.id').orderBy(order).limit(pageSize).offset(offset).as('page'),
          'page.id',
          'a.id',
        )
        .leftJoin('endorsements as e', 'e.application_id', 'a.id')
        .select([...APPLICATION_LIST_COLUMNS, 'e.status as endorsement_status'])
        .orderBy(order)
        .execute();
  const [list, count] = await Promise.all([rows, countApplications(x, regionCode, f)]);
  return { rows: list, total: count };
}

/**
 * How many applications a review list matches. Without a free-text or endorsement filter the
 * figure comes from application_counts (kept by triggers), not from counting the region's rows.
 */
async function countApplications(x: Executor, regionCode: string, f: ListQuery): Promise<number> {
  if (!f.q && !f.endorsement) {
    let c = x.selectFrom('application_counts').where('region_code', '=', regionCode);
    if (f.status) c = c.where('status', '=', f.status);
    if (f.profession) c = c.where('profession', '=', f.profession);
    const row = await c
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n'), sql<number>`0`).as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  let q = x.selectFrom('applications as a').where('a.region_code', '=', regionCode);
  if (f.endorsement)
    q = q.innerJoin('endorsements as e', 'e.application_id', 'a.id').where('e.status', '=', f.endorsement);
  if (f.status) q = q.where('a.status', '=', f.status);
  if (f.profession) q = q.where('a.profession', '=', f.profession);
  if (f.q) q = q.where('a.search_text', 'like', likePattern(f.q));
  const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Intakes' applications by status, and their profession mix (every status but withdrawn and
 * declined), summed in the database with grouping sets: one row per intake and status or
 * profession instead of every (status, profession) row (PGlite's cost is mostly per row returned).
 */
export async function intakeCounts(x: Executor, intakeIds: number[]) {
  type Row = { intake_id: number; status: ApplicationStatus | null; profession: string | null; n: number };
  const rows = intakeIds.length
    ? (
        await sql<Row>`
          select intake_id, status, profession,
            case when grouping(status) = 0 then sum(n)
                 else coalesce(sum(n) filter (where status not in ('withdrawn', 'declined')), 0)
            end::int as n
          from application_counts
          where intake_id in (${sql.join(intakeIds)}) and n > 0
          group by grouping sets ((intake_id, status), (intake_id, profession))`.execute(x)
      ).rows
    : [];
  const counts = new Map(
    intakeIds.map((id) => [
      id,
      {
        byStatus: {} as Partial<Record<ApplicationStatus, number>>,
        professionMix: [] as { profession: string; n: number }[],
      },
    ]),
  );
  for (const r of rows) {
    const c = counts.get(r.intake_id)!;
    if (r.status !== null) c.byStatus[r.status] = r.n;
    else if (r.profession !== null && r.n > 0) c.professionMix.push({ profession: r.profession, n: r.n });
  }
  for (const c of counts.values())
    c.professionMix.sort((a, b) => (a.profession < b.profession ? -1 : a.profession > b.profession ? 1 : 0));
  return counts;
}

export async function applicationsForExport(
  x: Executor,
  regionCode: string | undefined,
  afterId: number,
  limit: number,
) {
  let q = detailQuery(x).where('a.id', '>', afterId);
  if (regionCode) q = q.where('a.region_code', '=', regionCode);
  return q.orderBy('a.id').limit(limit).execute();
}

// Endorsements

export async function lockEndorsementByToken(x: Executor, tokenHash: string) {
  return x
    .selectFrom('endorsements as e')
    .innerJoin('applications as a', 'a.id', 'e.application_id')
    .select([
      'e.application_id',
      'e.status',
      'e.expires_at',
      'a.status as application_status',
      'a.given_name',
      'a.family_name',
      'a.email',
      'a.job_title',
      'a.employer_name',
      'a.reference',
      'a.region_code',
      'a.sponsor_name',
      'a.sponsor_email',
    ])
    .where('e.token_hash', '=', tokenHash)
    .forUpdate(['e'])
    .executeTakeFirst();
}

export async function findEndorsementByToken(x: Executor, tokenHash: string) {
  return x
    .selectFrom('endorsements as e')
    .innerJoin('applications as a', 'a.id', 'e.application_id')
    .select([
      'e.application_id',
      'e.status',
      'e.expires_at',
      'a.status as application_status',
      'a.given_name',
      'a.family_name',
      'a.job_title',
      'a.employer_name',
      'a.role_summary',
      'a.motivation',
      'a.leadership_experience',
      'a.reference',
      'a.sponsor_name',
    ])
    .where('e.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function recordEndorsement(
  x: Executor,
  applicationId: number,
  v: { status: 'endorsed' | 'not-endorsed'; comment: string | null },
) {
  await x
    .updateTable('endorsements')
    .set({ status: v.status, comment: v.comment, responded_at: new Date() })
    .where('application_id', '=', applicationId)
    .execute();
}

/** Claims endorsements due a reminder, skipping rows another process is already reminding. */
export async function claimDueReminders(
  x: Executor,
  now: Date,
  everyDays: number,
  max: number,
  limit: number,
) {
  return x
    .selectFrom('endorsements as e')
    .innerJoin('applications as a', 'a.id', 'e.application_id')
    .select([
      'e.application_id',
      'e.reminders_sent',
      'e.expires_at',
      'a.sponsor_name',
      'a.sponsor_email',
      'a.given_name',
      'a.family_name',
      'a.reference',
    ])
    .where('e.status', '=', 'pending')
    .where('e.expires_at', '>', now)
    .where('e.last_sent_at', '<=', new Date(now.getTime() - everyDays * 86_400_000))
    .where('e.reminders_sent', '<', max)
    .where('a.status', 'in', ['submitted', 'shortlisted', 'waitlisted'])
    .orderBy('e.last_sent_at')
    .limit(limit)
    .forUpdate(['e'])
    .skipLocked()
    .execute();
}

export async function markReminded(x: Executor, applicationId: number, tokenHash: string, now: Date) {
  await x
    .updateTable('endorsements')
    .set((eb) => ({ token_hash: tokenHash, reminders_sent: eb('reminders_sent', '+', 1), last_sent_at: now }))
    .where('application_id', '=', applicationId)
    .execute();
}

// Quota requests

export async function insertQuotaRequest(
  x: Executor,
  v: {
    region_code: string;
    requested_by_user_id: number;
    requested_by_label: string;
    current_quota: number;
    requested_quota: number;
    reason: string;
  },
) {
  return x.insertInto('quota_requests').values(v).returning('id').executeTakeFirstOrThrow();
}

export async function findPendingQuotaRequest(x: Executor, regionCode: string) {
  return x
    .selectFrom('quota_requests')
    .selectAll()
    .where('region_code', '=', regionCode)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

export async function findPendingQuotaRequests(x: Executor, codes: string[]) {
  if (!codes.length) return [];
  return x
    .selectFrom('quota_requests')
    .select(['id', 'region_code', 'requested_quota'])
    .where('region_code', 'in', codes)
    .where('status', '=', 'pending')
    .execute();
}

export async function lockQuotaRequest(x: Executor, id: number) {
  return x.selectFrom('quota_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function listQuotaRequests(
  x: Executor,
  f: { regionCode?: string; status?: string; limit: number },
) {
  let q = x
    .selectFrom('quota_requests as q')
    .innerJoin('network_regions as r', 'r.code', 'q.region_code')
    .selectAll('q')
    .select('r.name as region_name');
  if (f.regionCode) q = q.where('q.region_code', '=', f.regionCode);
  if (f.status) q = q.where('q.status', '=', f.status as 'pending');
  return q.orderBy('q.created_at', 'desc').limit(f.limit).execute();
}

export async function decideQuotaRequest(
  x: Executor,
  id: number,
  v: { status: 'approved' | 'refused'; decided_by_label: string; decision_note: string | null },
) {
  await x
    .updateTable('quota_requests')
    .set({ ...v, decided_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function setRegionTarget(x: Executor, code: string, target: number) {
  await x
    .updateTable('network_regions')
    .set({ recruitment_target: target })
    .where('code', '=', code)
    .execute();
}

export async function setAutoOffer(x: Executor, code: string, on: boolean) {
  await x.updateTable('network_regions').set({ auto_offer_waitlist: on }).where('code', '=', code).execute();
}

export async function regionLeadEmails(x: Executor, regionCode: string) {
  const rows = await x
    .selectFrom('role_assignments as ra')
    .innerJoin('users as u', 'u.id', 'ra.user_id')
    .select(['u.email'])
    .where('ra.role', '=', 'regional-lead')
    .where('ra.region_code', '=', regionCode)
    .where('u.disabled_at', 'is', null)
    .execute();
  return rows.map((r) => r.email);
}

/** Offers whose reply-by date is before `today`, oldest first: the ones to lapse. */
export async function findLapsedOffers(x: Executor, today: string) {
  return x
    .selectFrom('applications')
    .select(['id', 'region_code'])
    .where('status', '=', 'offered')
    .where('offer_expires_on', '<', today)
    .orderBy('offer_expires_on')
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------- intakes (recruitment writes them)

/** A region's intakes, newest first, with how many applications each holds. */
export async function listRegionIntakes(x: Executor, regionCode: string) {
  return x
    .selectFrom('intakes as i')
    .select((eb) => [
      'i.id',
      'i.region_code',
      'i.name',
      'i.opens_on',
      'i.closes_on',
      'i.status',
      eb
        .selectFrom('applications as a')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('a.intake_id', '=', 'i.id')
        .as('applications'),
    ])
    .where('i.region_code', '=', regionCode)
    .orderBy('i.opens_on', 'desc')
    .orderBy('i.id', 'desc')
    .execute();
}

export async function findIntake(x: Executor, id: number) {
  return x.selectFrom('intakes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findIntakeByName(x: Executor, regionCode: string, name: string) {
  return x
    .selectFrom('intakes')
    .select(['id'])
    .where('region_code', '=', regionCode)
    .where(sql<boolean>`lower(name) = lower(${name})`)
    .executeTakeFirst();
}

/**
 * An open intake of the region whose dates overlap [opensOn, closesOn] (a missing closing date runs
 * on for ever), other than `exceptId`: applications must have one intake to go to on any day.
 */
export async function findOverlappingOpenIntake(
  x: Executor,
  regionCode: string,
  opensOn: string,
  closesOn: string | null,
  exceptId: number | null,
) {
  let q = x
    .selectFrom('intakes')
    .select(['id', 'name', 'opens_on', 'closes_on'])
    .where('region_code', '=', regionCode)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('closes_on', 'is', null), eb('closes_on', '>=', opensOn)]));
  if (closesOn !== null) q = q.where('opens_on', '<=', closesOn);
  if (exceptId !== null) q = q.where('id', '<>', exceptId);
  return q.orderBy('opens_on').executeTakeFirst();
}

export async function insertIntake(
  x: Executor,
  values: { region_code: string; name: string; opens_on: string; closes_on: string | null; status: string },
) {
  return x.insertInto('intakes').values(values).returning('id').executeTakeFirstOrThrow();
}

export async function updateIntake(
  x: Executor,
  id: number,
  values: { name: string; opens_on: string; closes_on: string | null; status: string },
) {
  await x.updateTable('intakes').set(values).where('id', '=', id).execute();
}
