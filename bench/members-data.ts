/**
 * Generates a directory of N members for the directory benchmark, seeded so every run makes the
 * same network: accounts, member roles and profiles spread over the ten regions, their trusts,
 * professions, specialties, interests, leadership roles, biographies and privacy choices.
 *
 *   npx tsx bench/members-data.ts --members 100000      (PostgreSQL with DATABASE_URL, or PGlite in CLN_DATA_DIR)
 *
 * Rows go in with multi-row inserts over unnest() in batches of 2,000; search vectors are built
 * in SQL afterwards. Progress is shown on standard error.
 */
import cliProgress from 'cli-progress';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { PROFESSIONS } from '../src/platform/registration.ts';
import { FIRST_NAMES, LAST_NAMES, seededRandom } from '../src/seed/demo-people.ts';

export const BENCH_DOMAIN = 'bench.cln.example';
const BATCH = 2000;
const INTERESTS = [
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
const ROLES = ['clinical director', 'clinical lead', 'network chair', 'board member', 'caldicott guardian'];
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
const VIS = ['network', 'network', 'network', 'region', 'staff'];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive whole number`);
  return v;
}

async function main() {
  const n = arg('--members', 10_000);
  const random = seededRandom(4242);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const handle = await openDatabase(loadConfig(process.env).database);
  const db = handle.db;
  try {
    await migrateToLatest(db);
    const existing = await db
      .selectFrom('users')
      .select('id')
      .where('email', 'like', `%@${BENCH_DOMAIN}`)
      .limit(1)
      .execute();
    if (existing.length) {
      console.error(`Benchmark members already exist in this database (@${BENCH_DOMAIN}); use a fresh one.`);
      process.exitCode = 1;
      return;
    }
    const regions = (await db.selectFrom('network_regions').select('code').orderBy('code').execute()).map(
      (r) => r.code,
    );
    const trusts = await db
      .selectFrom('organisations')
      .select(['id', 'sha_code'])
      .where('kind', '=', 'trust')
      .where('sha_code', 'is not', null)
      .execute();
    const trustsByRegion = new Map(
      regions.map((r) => [r, trusts.filter((t) => t.sha_code === r).map((t) => t.id)]),
    );
    const specialties = await db.selectFrom('specialties').select(['id', 'profession']).execute();
    const bar = new cliProgress.SingleBar(
      { format: 'members [{bar}] {value}/{total} {stage}', stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(n, 0, { stage: 'inserting' });
    const start = Date.now();
    for (let done = 0; done < n; done += BATCH) {
      const size = Math.min(BATCH, n - done);
      const emails: string[] = [];
      const names: string[] = [];
      for (let i = 0; i < size; i++) {
        const name = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
        names.push(name);
        emails.push(`m${done + i}.${name.toLowerCase().replace(/[^a-z]+/g, '.')}@${BENCH_DOMAIN}`);
      }
      await db.transaction().execute(async (trx) => {
        const users = await sql<{ id: number }>`insert into users (email, name)
          select * from unnest(${emails}::text[], ${names}::text[]) returning id`.execute(trx);
        const ids = users.rows.map((r) => r.id);
        const region = ids.map(() => pick(regions));
        await sql`insert into role_assignments (user_id, role, region_code)
          select u, 'member', r from unnest(${ids}::int[], ${region}::text[]) as t(u, r)`.execute(trx);
        const profession: string[] = [];
        const specialty: (number | null)[] = [];
        const org: (number | null)[] = [];
        const interests: string[] = [];
        const roles: string[] = [];
        const bio: string[] = [];
        const status: string[] = [];
        const visProfile: string[] = [];
        const visBio: string[] = [];
        const joined: string[] = [];
        ids.forEach((_id, i) => {
          const p = pick(PROFESSIONS).key;
          profession.push(p);
          const s = specialties.filter((x) => x.profession === p);
          specialty.push(s.length ? pick(s).id : null);
          const t = trustsByRegion.get(region[i]!) ?? [];
          org.push(t.length ? pick(t) : null);
          interests.push(
            `{${[...new Set([pick(INTERESTS), pick(INTERESTS), pick(INTERESTS)])].map((x) => `"${x}"`).join(',')}}`,
          );
          roles.push(random() < 0.3 ? `{"${pick(ROLES)}"}` : '{}');
          bio.push(
            `Works on ${pick(WORDS)} and ${pick(WORDS)} with a focus on ${pick(INTERESTS)} and ${pick(WORDS)}.`,
          );
          status.push(random() < 0.85 ? 'active' : pick(['on-leave', 'alumnus', 'left']));
          visProfile.push(random() < 0.9 ? 'network' : pick(['region', 'staff']));
          visBio.push(pick(VIS));
          joined.push(
            `20${20 + Math.floor(random() * 7)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
          );
        });
        await sql`insert into member_profiles (user_id, name, profession, specialty_id, organisation_id, region_code,
            interests, expertise, leadership_roles, biography, status, joined_on, status_since, visibility_profile, visibility_biography)
          select u.id, u.name, t.profession, t.specialty, t.org, t.region, t.interests::text[], t.interests::text[],
            t.roles::text[], t.bio, t.status, t.joined::date, t.joined::date, t.vp, t.vb
          from unnest(${ids}::int[], ${profession}::text[], ${specialty}::int[], ${org}::int[], ${region}::text[],
            ${interests}::text[], ${roles}::text[], ${bio}::text[], ${status}::text[], ${joined}::text[],
            ${visProfile}::text[], ${visBio}::text[])
            as t(id, profession, specialty, org, region, interests, roles, bio, status, joined, vp, vb)
          join users u on u.id = t.id`.execute(trx);
        await sql`with parts as (
            select p.user_id,
              setweight(to_tsvector('english', p.name || ' ' || coalesce(p.job_title, '')), 'A') as a,
              setweight(to_tsvector('english', array_to_string(p.interests || p.expertise || p.leadership_roles, ' ')), 'B') as b,
              setweight(to_tsvector('english', coalesce(p.biography, '')), 'D') as d
            from member_profiles p where p.user_id = any(${ids}::int[]))
          update member_profiles p set search_staff = a || b || d,
            search_region = a || b || case when p.visibility_biography <> 'staff' then d else ''::tsvector end,
            search_network = a || b || case when p.visibility_biography = 'network' then d else ''::tsvector end
          from parts where parts.user_id = p.user_id`.execute(trx);
      });
      bar.update(done + size);
    }
    bar.update(n, { stage: 'analysing' });
    await sql`analyze member_profiles`.execute(db);
    await sql`analyze users`.execute(db);
    bar.stop();
    console.error(`Inserted ${n} members in ${((Date.now() - start) / 1000).toFixed(1)} s.`);
  } finally {
    await handle.close();
  }
}

await main();
