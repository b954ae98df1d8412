/**
 * Members: accounts, roles and full profiles spread over the ten regions, their trusts,
 * professions, specialties, interests, leadership roles, biographies, privacy choices, cohorts,
 * employment history and projects. Also the region's staff (regional leads, facilitators) and
 * mentors among the members. Used by bench/data.ts and bench/members-data.ts.
 */
import { sql } from 'kysely';
import type { DB, Executor } from '../../src/db/database.ts';
import { PROFESSIONS } from '../../src/platform/registration.ts';
import { FIRST_NAMES, LAST_NAMES } from '../../src/seed/demo-people.ts';
import { BENCH_DOMAIN, bulkInsert, pgArray, progress, type Rng } from './bulk.ts';

export const INTERESTS = [
  'sepsis',
  'virtual wards',
  'frailty',
  'patient safety',
  'quality improvement',
  'digital health',
  'health inequalities',
  'workforce wellbeing',
  'end of life care',
  'mental health',
  'diabetes',
  'urgent and emergency care',
  'medicines safety',
  'population health',
  'research',
  'education',
  'stroke',
  'cancer pathways',
  'maternity safety',
  'antimicrobial resistance',
];
const LEADERSHIP_ROLES = [
  'clinical director',
  'clinical lead',
  'network chair',
  'board member',
  'caldicott guardian',
];
const WORDS = [
  'redesign',
  'pathway',
  'community',
  'outcomes',
  'discharge',
  'telehealth',
  'audit',
  'teaching',
  'safety',
  'leadership',
  'innovation',
  'enterprise',
  'primary care',
  'acute',
  'rehabilitation',
];
const JOB_TITLES = [
  'Consultant',
  'Specialty doctor',
  'GP partner',
  'Nurse consultant',
  'Advanced nurse practitioner',
  'Ward manager',
  'Consultant midwife',
  'Clinical lead physiotherapist',
  'Chief pharmacist',
  'Clinical dental lead',
];
const STAGES = ['idea', 'pilot', 'scaling', 'adopted'];
const VIS = ['network', 'network', 'network', 'region', 'staff'];

export type MemberRef = { id: number; region: string; intakeId: number | null; profession: string };

/** The reference structure the generators draw on, read once. */
export type Reference = {
  regions: string[];
  trustsByRegion: Map<string, number[]>;
  trusts: Map<number, { ods: string; name: string }>;
  specialties: { id: number; profession: string }[];
  /** Closed intakes of each region (cohorts that members joined), oldest first. */
  pastIntakes: Map<string, number[]>;
  /** Each region's open intake (where applications are being reviewed). */
  openIntake: Map<string, number>;
};

export async function readReference(db: DB): Promise<Reference> {
  const regions = (await db.selectFrom('network_regions').select('code').orderBy('code').execute()).map(
    (r) => r.code,
  );
  const trusts = await db
    .selectFrom('organisations')
    .select(['id', 'sha_code', 'ods_code', 'name'])
    .where('kind', '=', 'trust')
    .where('sha_code', 'is not', null)
    .orderBy('id')
    .execute();
  const specialties = await db.selectFrom('specialties').select(['id', 'profession']).orderBy('id').execute();
  const intakes = await db
    .selectFrom('intakes')
    .select(['id', 'region_code', 'status'])
    .orderBy('opens_on')
    .orderBy('id')
    .execute();
  const pastIntakes = new Map(regions.map((r) => [r, [] as number[]]));
  const openIntake = new Map<string, number>();
  for (const i of intakes) {
    if (i.status === 'open') openIntake.set(i.region_code, i.id);
    else pastIntakes.get(i.region_code)?.push(i.id);
  }
  return {
    regions,
    trusts: new Map(trusts.map((t) => [t.id, { ods: t.ods_code ?? '', name: t.name }])),
    trustsByRegion: new Map(regions.map((r) => [r, trusts.filter((t) => t.sha_code === r).map((t) => t.id)])),
    specialties,
    pastIntakes,
    openIntake,
  };
}

/** Past cohorts for every region (2020/21 to 2025/26), so members and applications span years. */
export async function ensurePastIntakes(db: DB, firstYear = 2020, lastYear = 2025): Promise<void> {
  for (let y = firstYear; y <= lastYear; y++) {
    const name = `${y}/${String(y + 1).slice(2)}`;
    await sql`insert into intakes (region_code, name, opens_on, closes_on, status)
      select code, ${name}, ${`${y}-09-01`}::date, ${`${y + 1}-03-31`}::date, 'closed' from network_regions
      on conflict (region_code, name) do nothing`.execute(db);
  }
}

/**
 * Inserts n members: users, the member role, profiles with search vectors, employment history and
 * (for one in five) an innovation project. Returns each member's id, region, cohort and profession.
 */
export async function insertMembers(
  db: DB,
  ref: Reference,
  r: Rng,
  n: number,
  opts: { batch?: number } = {},
): Promise<MemberRef[]> {
  const batch = opts.batch ?? 2000;
  const bar = progress('members', n);
  const out: MemberRef[] = [];
  for (let done = 0; done < n; done += batch) {
    const size = Math.min(batch, n - done);
    const c: Record<string, unknown[]> = {};
    const col = (k: string) => (c[k] ??= []);
    for (let i = 0; i < size; i++) {
      const name = `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`;
      const region = r.pick(ref.regions);
      const p = r.pick(PROFESSIONS);
      const s = ref.specialties.filter((x) => x.profession === p.key);
      const trusts = ref.trustsByRegion.get(region) ?? [];
      const intakes = ref.pastIntakes.get(region) ?? [];
      const interests = [...new Set([r.pick(INTERESTS), r.pick(INTERESTS), r.pick(INTERESTS)])];
      const year = 2020 + r.int(0, 6);
      const joined = `${year}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
      col('email').push(`m${done + i}.${name.toLowerCase().replace(/[^a-z]+/g, '.')}@${BENCH_DOMAIN}`);
      col('name').push(name);
      col('region').push(region);
      col('profession').push(p.key);
      col('registration').push(String(1_000_000 + done + i));
      col('specialty').push(s.length ? r.pick(s).id : null);
      col('org').push(trusts.length ? r.pick(trusts) : null);
      col('intake').push(intakes.length ? r.pick(intakes) : null);
      col('job').push(r.pick(JOB_TITLES));
      col('interests').push(pgArray(interests));
      col('expertise').push(pgArray([r.pick(INTERESTS)]));
      col('roles').push(r.chance(0.3) ? pgArray([r.pick(LEADERSHIP_ROLES)]) : '{}');
      col('bio').push(
        `Works on ${r.pick(WORDS)} and ${r.pick(WORDS)} with a focus on ${r.pick(INTERESTS)} and ${r.pick(WORDS)}.`,
      );
      col('status').push(r.chance(0.85) ? 'active' : r.pick(['on-leave', 'alumnus', 'left']));
      col('joined').push(joined);
      col('vp').push(r.chance(0.9) ? 'network' : r.pick(['region', 'staff']));
      col('vb').push(r.pick(VIS));
      col('vc').push(r.pick(VIS));
      col('project').push(
        r.chance(0.2) ? `${r.pick(WORDS)} ${r.pick(WORDS)} for ${r.pick(INTERESTS)}` : null,
      );
      col('stage').push(r.pick(STAGES));
    }
    await db.transaction().execute(async (trx) => {
      const users = await sql<{ id: number }>`insert into users (email, name, created_at)
        select e, n, j::timestamptz from unnest(${c.email}::text[], ${c.name}::text[], ${c.joined}::text[]) as t(e, n, j)
        returning id`.execute(trx);
      const ids = users.rows.map((x) => x.id);
      await sql`insert into role_assignments (user_id, role, region_code)
        select u, 'member', r from unnest(${ids}::int[], ${c.region}::text[]) as t(u, r)`.execute(trx);
      await sql`insert into member_profiles (user_id, name, profession, registration_number, specialty_id,
          organisation_id, job_title, region_code, intake_id, interests, expertise, leadership_roles, biography,
          contact_email, status, joined_on, status_since, visibility_profile, visibility_biography, visibility_contact)
        select t.id, u.name, t.profession, t.reg, t.specialty, t.org, t.job, t.region, t.intake, t.interests::text[],
          t.expertise::text[], t.roles::text[], t.bio, u.email, t.status, t.joined::date, t.joined::date, t.vp, t.vb, t.vc
        from unnest(${ids}::int[], ${c.profession}::text[], ${c.registration}::text[], ${c.specialty}::int[],
          ${c.org}::int[], ${c.job}::text[], ${c.region}::text[], ${c.intake}::int[], ${c.interests}::text[],
          ${c.expertise}::text[], ${c.roles}::text[], ${c.bio}::text[], ${c.status}::text[], ${c.joined}::text[],
          ${c.vp}::text[], ${c.vb}::text[], ${c.vc}::text[])
          as t(id, profession, reg, specialty, org, job, region, intake, interests, expertise, roles, bio, status,
            joined, vp, vb, vc)
        join users u on u.id = t.id`.execute(trx);
      await sql`insert into employment_history (user_id, organisation_id, job_title, started_on)
        select t.id, t.org, t.job, t.joined::date
        from unnest(${ids}::int[], ${c.org}::int[], ${c.job}::text[], ${c.joined}::text[]) as t(id, org, job, joined)
        where t.org is not null`.execute(trx);
      await sql`insert into member_projects (user_id, title, summary, stage)
        select t.id, t.title, 'A project on ' || t.title || '.', t.stage
        from unnest(${ids}::int[], ${c.project}::text[], ${c.stage}::text[]) as t(id, title, stage)
        where t.title is not null`.execute(trx);
      await refreshSearchVectors(trx, ids);
      ids.forEach((id, i) =>
        out.push({
          id,
          region: c.region![i] as string,
          intakeId: (c.intake![i] as number | null) ?? null,
          profession: c.profession![i] as string,
        }),
      );
    });
    bar.update(done + size);
  }
  bar.stop();
  return out;
}

/** The three audience search vectors, as the members service builds them (projects included). */
export async function refreshSearchVectors(x: Executor, ids: number[]): Promise<void> {
  await sql`with parts as (
      select p.user_id,
        setweight(to_tsvector('english', p.name || ' ' || coalesce(p.job_title, '')), 'A') as a,
        setweight(to_tsvector('english', array_to_string(p.interests || p.expertise || p.leadership_roles, ' ')), 'B') as b,
        setweight(to_tsvector('english', coalesce(p.biography, '')), 'D') as d
      from member_profiles p where p.user_id = any(${ids}::int[]))
    update member_profiles p set search_staff = a || b || d,
      search_region = a || b || case when p.visibility_biography <> 'staff' then d else ''::tsvector end,
      search_network = a || b || case when p.visibility_biography = 'network' then d else ''::tsvector end
    from parts where parts.user_id = p.user_id`.execute(x);
}

/**
 * Staff and mentors: two regional leads and facilitators (one per 400 members, at least three) per
 * region, and mentor roles for about 4% of members. Returns the staff ids per region.
 */
export async function insertStaff(
  db: DB,
  ref: Reference,
  members: MemberRef[],
  r: Rng,
): Promise<{ leads: Map<string, number[]>; facilitators: Map<string, number[]>; mentors: MemberRef[] }> {
  const perRegion = Math.max(3, Math.ceil(members.length / ref.regions.length / 400));
  const email: string[] = [];
  const name: string[] = [];
  const role: string[] = [];
  const region: string[] = [];
  for (const code of ref.regions) {
    for (let i = 0; i < 2; i++) {
      email.push(`lead${i}.${code.toLowerCase()}@${BENCH_DOMAIN}`);
      name.push(`${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`);
      role.push('regional-lead');
      region.push(code);
    }
    for (let i = 0; i < perRegion; i++) {
      email.push(`facilitator${i}.${code.toLowerCase()}@${BENCH_DOMAIN}`);
      name.push(`${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`);
      role.push('facilitator');
      region.push(code);
    }
  }
  const ids = await bulkInsert(
    db,
    'users',
    [
      ['email', 'text'],
      ['name', 'text'],
    ],
    { email, name },
    { returning: 'id' },
  );
  await bulkInsert(
    db,
    'role_assignments',
    [
      ['user_id', 'int'],
      ['role', 'text'],
      ['region_code', 'text'],
    ],
    { user_id: ids, role, region_code: region },
  );
  const leads = new Map<string, number[]>();
  const facilitators = new Map<string, number[]>();
  ids.forEach((id, i) => {
    const m = role[i] === 'regional-lead' ? leads : facilitators;
    m.set(region[i]!, [...(m.get(region[i]!) ?? []), id]);
  });
  const mentors = members.filter(() => r.chance(0.04));
  await bulkInsert(
    db,
    'role_assignments',
    [
      ['user_id', 'int'],
      ['role', 'text'],
      ['region_code', 'text'],
    ],
    {
      user_id: mentors.map((m) => m.id),
      role: mentors.map(() => 'mentor'),
      region_code: mentors.map((m) => m.region),
    },
  );
  return { leads, facilitators, mentors };
}
