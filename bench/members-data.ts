/**
 * Generates a directory of N members for the directory benchmark, seeded so every run makes the
 * same network: accounts, member roles and profiles spread over the ten regions, their trusts,
 * professions, specialties, interests, leadership roles, biographies and privacy choices.
 * Members only: `npm run bench:data` builds the whole network (members included) with the same
 * generator (bench/data/members.ts).
 *
 *   npx tsx bench/members-data.ts --members 100000 [--seed 4242]   (DATABASE_URL, or PGlite in CLN_DATA_DIR)
 */
import { sql } from 'kysely';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { BENCH_DOMAIN, rng } from './data/bulk.ts';
import { ensurePastIntakes, insertMembers, readReference } from './data/members.ts';

export { BENCH_DOMAIN };

const { values: args } = parseArgs({
  options: { members: { type: 'string', default: '10000' }, seed: { type: 'string', default: '4242' } },
});

async function main() {
  const n = Number(args.members);
  if (!Number.isInteger(n) || n <= 0) throw new Error('--members must be a positive whole number');
  const handle = await openDatabase(loadConfig(process.env).database);
  const db = handle.db;
  try {
    await migrateToLatest(db);
    const existing = await sql<{ n: number }>`select count(*)::int as n from users
      where email like ${`m0.%@${BENCH_DOMAIN}`}`.execute(db);
    if (existing.rows[0]!.n > 0) {
      console.error(`Benchmark members already exist in this database (@${BENCH_DOMAIN}); use a fresh one.`);
      process.exitCode = 1;
      return;
    }
    const start = Date.now();
    await ensurePastIntakes(db);
    await insertMembers(db, await readReference(db), rng(Number(args.seed)), n);
    await sql`analyze member_profiles`.execute(db);
    await sql`analyze users`.execute(db);
    console.error(`Inserted ${n} members in ${((Date.now() - start) / 1000).toFixed(1)} s.`);
  } finally {
    await handle.close();
  }
}

await main();
