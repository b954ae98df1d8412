/**
 * Fills the configured database with a national network for the benchmarks: past cohorts, members
 * with full profiles, regional leads, facilitators and mentors, applications in every state with
 * endorsements, self-assessments, 360 rounds and development plans, learning sets with sessions,
 * attendance and actions, mentoring pairs with goals and meetings, the audit trail all of this
 * leaves, and the bench accounts (bench/scenarios.ts). Reproducible from --seed; bulk-loaded with
 * insert ... select from unnest(...) and set-based SQL; progress on standard error.
 *
 *   npm run bench:data -- --members 100000 [--seed 4242]     (DATABASE_URL, else CLN_DATA_DIR)
 *   npm run bench:data -- --members 20000 --knowledge-items 1000000
 *   npm run bench:data -- --knowledge-items 1000000   (adds the library to an existing bench database)
 *
 * A feature's tables that do not exist yet are skipped with a note. Each feature adds its step in
 * bench/data/<feature>.ts and one entry in STEPS below.
 */
import { sql } from 'kysely';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import type { DB } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { attachBenchAccounts, ensureBenchAccounts } from './data/accounts.ts';
import { BENCH_DOMAIN, existingTables, rng } from './data/bulk.ts';
import { insertDevelopment } from './data/development.ts';
import { insertKnowledge, KNOWLEDGE_TABLES } from './data/knowledge.ts';
import { insertLearningSets, LEARNING_SET_TABLES } from './data/learning-sets.ts';
import { ensurePastIntakes, insertMembers, insertStaff, readReference } from './data/members.ts';
import { insertMentoring, MENTORING_TABLES } from './data/mentoring.ts';
import { insertRecruitment } from './data/recruitment.ts';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '4242' },
    'knowledge-items': { type: 'string', default: '0' },
  },
});

type Ranges = { members: { lo: number; hi: number }; staff: { lo: number; hi: number } };
/** A feature's data: skipped (with a note) unless all its tables exist. */
type Step = {
  name: string;
  tables: string[];
  run(db: DB, seed: number, ranges: Ranges, n: number): Promise<number>;
};

const STEPS: Step[] = [
  {
    name: 'development (self-assessments, 360 rounds, plans)',
    tables: ['dev_self_assessments', 'dev_feedback_rounds', 'dev_plans'],
    run: (db, seed, r) => insertDevelopment(db, seed, r.members),
  },
  {
    name: 'learning sets (sets, sessions, attendance, actions)',
    tables: LEARNING_SET_TABLES,
    run: (db, seed, r) => insertLearningSets(db, seed, r.members, r.staff),
  },
  {
    name: 'mentoring (offers, requests, pairs, meetings)',
    tables: MENTORING_TABLES,
    run: (db, seed, r) => insertMentoring(db, seed, r.members, r.staff),
  },
];

const COUNTED = [
  'users',
  'member_profiles',
  'applications',
  'endorsements',
  'dev_self_ratings',
  'dev_feedback_ratings',
  'ls_sets',
  'ls_attendance',
  'ls_actions',
  'mentoring_relationships',
  'audit_log',
  'knowledge_items',
  'knowledge_posts',
  'knowledge_pdsa_cycles',
  'knowledge_words',
];

async function main() {
  const n = Number(args.members);
  const seed = Number(args.seed);
  const items = Number(args['knowledge-items']);
  if (!Number.isInteger(n) || n < 100) throw new Error('--members must be a whole number of at least 100');
  if (!Number.isInteger(items) || items < 0) throw new Error('--knowledge-items must be a whole number');
  if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
  const config = loadConfig(process.env);
  const handle = await openDatabase(config.database);
  const db = handle.db;
  const started = Date.now();
  try {
    await migrateToLatest(db);
    const existing = await sql<{ n: number }>`select count(*)::int as n from users
      where email like ${`m0.%@${BENCH_DOMAIN}`}`.execute(db);
    if (existing.rows[0]!.n > 0 && items > 0) {
      // The library alone, on a network bench:data made before.
      const tables = await existingTables(db);
      const missing = KNOWLEDGE_TABLES.filter((t) => !tables.has(t));
      if (missing.length)
        throw new Error(`No table ${missing.join(', ')}: the knowledge library is not migrated`);
      console.error(
        `Adding ${items} knowledge items (seed ${seed}) to the bench network on ${handle.backend}...`,
      );
      await insertKnowledge(db, seed, items);
      console.error('Vacuuming and analysing the library...');
      for (const t of KNOWLEDGE_TABLES) await sql`vacuum analyze ${sql.table(t)}`.execute(db);
      await report(db, tables, started);
      return;
    }
    if (existing.rows[0]!.n > 0) {
      console.error(
        `This database already holds benchmark data (accounts @${BENCH_DOMAIN}). Point DATABASE_URL or ` +
          'CLN_DATA_DIR at a fresh database and run again; nothing was changed.',
      );
      process.exitCode = 1;
      return;
    }
    console.error(`Generating a network of ${n} members (seed ${seed}) on ${handle.backend}...`);
    const r = rng(seed);
    await ensurePastIntakes(db);
    const ref = await readReference(db);
    const members = await insertMembers(db, ref, r, n);
    const ids = members.map((m) => m.id);
    const memberRange = { lo: Math.min(...ids), hi: Math.max(...ids) };
    const staff = await insertStaff(db, ref, members, r);
    const staffIds = [...staff.leads.values(), ...staff.facilitators.values()].flat();
    const ranges: Ranges = {
      members: memberRange,
      staff: { lo: Math.min(...staffIds), hi: Math.max(...staffIds) },
    };
    await sql`update network_regions r set lead_facilitator_user_id = (select min(ra.user_id) from role_assignments ra
      where ra.role = 'facilitator' and ra.region_code = r.code and ra.user_id between ${ranges.staff.lo} and ${ranges.staff.hi})
      where r.lead_facilitator_user_id is null`.execute(db);
    await insertRecruitment(db, ref, r, n);
    const tables = await existingTables(db);
    for (const step of STEPS) {
      const missing = step.tables.filter((t) => !tables.has(t));
      if (missing.length) {
        console.error(`Skipping ${step.name}: no table ${missing.join(', ')} yet.`);
        continue;
      }
      await step.run(db, seed, ranges, n);
    }
    if (items > 0) {
      const missing = KNOWLEDGE_TABLES.filter((t) => !tables.has(t));
      if (missing.length)
        console.error(`Skipping the knowledge library: no table ${missing.join(', ')} yet.`);
      else await insertKnowledge(db, seed, items);
    }
    const accountIds = await ensureBenchAccounts(db, config);
    await attachBenchAccounts(db, accountIds);
    await sql`insert into app_settings (key, value) values ('bench_data', ${JSON.stringify({ members: n, seed, at: new Date().toISOString() })})
      on conflict (key) do update set value = excluded.value`.execute(db);
    // As autovacuum would leave a live database: statistics and the visibility map (index-only scans).
    console.error('Vacuuming and analysing tables...');
    await sql`vacuum analyze`.execute(db);
    await report(db, tables, started);
  } finally {
    await handle.close();
  }
}

async function report(db: DB, tables: Set<string>, started: number) {
  const counts: string[] = [];
  for (const t of COUNTED.filter((x) => tables.has(x))) {
    const c = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(db);
    counts.push(`${t} ${c.rows[0]!.n}`);
  }
  console.error(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.join(', ')}.`);
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
