/**
 * Directory search benchmark: the p95 server time of the members service's search, with filters,
 * over a database filled by bench/members-data.ts. Targets: p95 <= 50 ms at 100,000 members on
 * PostgreSQL, <= 100 ms at 10,000 on PGlite. Reported also as a ratio to a trivial query's p95
 * measured in the same run, so numbers from different machines can be compared.
 *
 *   npx tsx bench/directory.ts [--runs 200]     (DATABASE_URL or CLN_DATA_DIR, as the app)
 */
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { createMembersService } from '../src/modules/members/members.service.ts';
import type { Actor } from '../src/platform/permissions.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function p95(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!;
}

async function main() {
  const runs = arg('--runs', 200);
  const config = loadConfig(process.env);
  const handle = await openDatabase(config.database);
  const db = handle.db;
  try {
    await migrateToLatest(db);
    const count = Number(
      (await sql<{ n: number }>`select count(*)::int as n from member_profiles`.execute(db)).rows[0]!.n,
    );
    if (count < 1000)
      throw new Error(`Only ${count} profiles: run npm run bench:members-data -- --members 10000 first`);
    const members = createMembersService({ db });
    const viewer: Actor = {
      userId: 0,
      name: 'Bench Member',
      email: 'bench@bench.cln.example',
      roles: [{ role: 'member', regionCode: 'Q34' }],
      ip: null,
      requestId: null,
    };
    const base = { sort: 'relevance' as const, page: 1, interest: undefined, role: undefined };
    const scenarios: [string, Parameters<typeof members.searchDirectory>[1]][] = [
      ['misspelt name', { ...base, name: 'Jonhson' }],
      ['free text', { ...base, q: 'sepsis pathway' }],
      ['free text + region + profession', { ...base, q: 'frailty', region: 'Q34', profession: 'nurse' }],
      ['name + region', { ...base, name: 'Patel', region: 'Q36' }],
      [
        'interest + status, sorted by name',
        { ...base, interest: 'virtual wards', status: 'active', sort: 'name' },
      ],
      ['leadership role + region', { ...base, role: 'clinical director', region: 'Q31' }],
      ['no filter, page 50', { ...base, sort: 'name', page: 50 }],
    ];
    const time = async (fn: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    for (let i = 0; i < 20; i++) for (const [, q] of scenarios) await members.searchDirectory(viewer, q);
    const baseline: number[] = [];
    for (let i = 0; i < runs; i++) baseline.push(await time(() => sql`select 1`.execute(db)));
    const baseP95 = p95(baseline);
    const target = handle.backend === 'postgres' ? 50 : 100;
    console.log(`Directory search on ${handle.backend}, ${count} profiles, ${runs} runs per scenario`);
    console.log(`baseline (select 1) p95: ${baseP95.toFixed(2)} ms`);
    let worst = 0;
    const all: number[] = [];
    for (const [label, q] of scenarios) {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) samples.push(await time(() => members.searchDirectory(viewer, q)));
      all.push(...samples);
      const p = p95(samples);
      worst = Math.max(worst, p);
      console.log(
        `${label.padEnd(36)} p95 ${p.toFixed(2).padStart(7)} ms  (${(p / baseP95).toFixed(0)}x baseline)`,
      );
    }
    const overall = p95(all);
    console.log(
      `all scenarios p95 ${overall.toFixed(2)} ms (${(overall / baseP95).toFixed(0)}x baseline); worst scenario ${worst.toFixed(2)} ms; target ${target} ms`,
    );
    if (overall > target) process.exitCode = 1;
  } finally {
    await handle.close();
  }
}

await main();
