/**
 * `npm run bench`: the fast, meaningful subset. Builds a throwaway embedded database of 2,000
 * members with bench:data, then runs bench:load --quick at 16 connections against it (every key
 * page and endpoint, 3 s each, the floor ratio and the budgets), and removes the database. About
 * five minutes; exits non-zero when a budget is missed. The national-scale runs (100,000 members
 * on PostgreSQL, the query-plan check, the engines) are listed at the end: see BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/paths.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cln-bench-'));
const env: NodeJS.ProcessEnv = { ...process.env, CLN_DATA_DIR: dir };
delete env.DATABASE_URL;
const step = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: projectRoot, env, stdio: 'inherit' })
    .status;
let status = 1;
try {
  status = step(['bench/data.ts', '--members', '2000']) ?? 1;
  if (status === 0) status = step(['bench/load.ts', '--quick', '--connections', '16']) ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`
Other benchmarks (see BENCHMARKS.md):
  npm run bench:data -- --members 100000     fill DATABASE_URL (or CLN_DATA_DIR) with a national network
  npm run bench:load                         every key page at 16 and 64 connections, budgets
  npm run bench:plans                        EXPLAIN every key query; fails on a large sequential scan
  npm run bench:directory                    directory search p95 (members data)
  npm run bench:sets                         action learning set engine
  npm run bench:matching                     mentor matching engine`);
process.exitCode = status;
