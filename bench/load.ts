/**
 * Load benchmark: starts the production build on the configured database, signs in as each role,
 * drives every key page at 16 and 64 connections with autocannon, and reports p50/p95/p99, rps,
 * errors and server memory, each page's p95 also as a ratio to a no-database floor page.
 * Exits non-zero when a budget is missed.
 *
 *   npm run bench:load -- [--duration 10] [--warmup 2] [--quick] [--out bench/results/load.json]
 *   DATABASE_URL=postgres://... npm run bench:load
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pidusage from 'pidusage';
import { loadConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { projectRoot } from '../src/paths.ts';
import { ensureBenchAccounts as createBenchAccounts } from './data/accounts.ts';
import {
  BENCH_ACCOUNTS,
  BENCH_PASSWORD,
  FLOOR,
  PARAMS,
  paramsOf,
  type Scenario,
  SCENARIOS,
} from './scenarios.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    only: { type: 'string' },
    connections: { type: 'string', default: '16,64' },
  },
});
const duration = args.quick ? 3 : Number(args.duration);
/**
 * Seconds each page is driven, unmeasured, before its first measured run: the server's first
 * requests to a page compile its templates, optimise its code and prepare its statements on every
 * pooled connection, which is start-up work (the first-page budget measures start-up), not the
 * page's steady speed.
 */
const warmup = args.quick ? 1 : Number(args.warmup);
const CONNECTIONS = args.connections.split(',').map(Number);
if (!CONNECTIONS.includes(16)) throw new Error('--connections must include 16 (the budgets are set at 16)');
const BUDGET = { p95PostgresMs: 100, p95PgliteMs: 150, firstPageMs: 3000, memoryMb: 500 };

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/**
 * Creates the bench accounts if missing and fills each scenario's `{param}` from the database.
 * Returns the runnable scenarios and those whose parameter could not be found.
 */
async function prepare(): Promise<{
  backend: 'pglite' | 'postgres';
  scenarios: Scenario[];
  skipped: { scenario: string; reason: string }[];
}> {
  const config = loadConfig(process.env);
  const handle = await openDatabase(config.database);
  try {
    await migrateToLatest(handle.db);
    await createBenchAccounts(handle.db, config);
    const values = new Map<string, string | null>();
    const scenarios: Scenario[] = [];
    const skipped: { scenario: string; reason: string }[] = [];
    for (const s of SCENARIOS.filter((x) => !args.only || x.name.includes(args.only))) {
      let path = s.path;
      const missing: string[] = [];
      for (const p of paramsOf(s.path)) {
        if (!values.has(p)) values.set(p, PARAMS[p] ? await PARAMS[p](handle.db) : null);
        const v = values.get(p);
        if (v === null || v === undefined) missing.push(p);
        else path = path.replace(`{${p}}`, encodeURIComponent(v));
      }
      if (missing.length)
        skipped.push({
          scenario: s.name,
          reason: `no ${missing.join(', ')} in the database (run bench:data)`,
        });
      else scenarios.push({ ...s, path });
    }
    return { backend: handle.backend, scenarios, skipped };
  } finally {
    await handle.close();
  }
}

function startServer(port: number): Promise<{ child: ChildProcess; firstPageMs: number }> {
  const started = performance.now();
  // As `npm start` runs it (package.json): a 256 MB JavaScript heap.
  const child = spawn(process.execPath, ['--max-old-space-size=256', 'dist/main.js'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
      BASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.resume();
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server exited with code ${code}`)));
    const poll = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        if (res.ok) return resolve({ child, firstPageMs: performance.now() - started });
      } catch {
        /* not listening yet */
      }
      if (performance.now() - started > 60_000) return reject(new Error('server did not start within 60 s'));
      setTimeout(poll, 25);
    };
    void poll();
  });
}

async function signIn(base: string, email: string): Promise<string> {
  const page = await fetch(`${base}/sign-in`);
  const jar = page.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.join('; ') },
    body: new URLSearchParams({ _csrf: csrf ?? '', email, password: BENCH_PASSWORD }).toString(),
  });
  if (res.status !== 303) throw new Error(`could not sign in as ${email} (${res.status})`);
  return [...jar, ...res.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
}

type Row = {
  scenario: string;
  path: string;
  connections: number;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  requests: number;
  errors: number;
  non2xx: number;
  p95VsFloor?: number;
  /** The server's peak resident memory while this page was driven. */
  rssMb?: number;
  /**
   * The server process's CPU time per request (all its threads), in ms: steadier than latency on a
   * shared machine, and it excludes the database and the load generator.
   */
  cpuMsPerRequest?: number;
};

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, i)]! * 10) / 10;
}

/** The CPU time the process has used so far (user and system, all threads), or null if unknown. */
async function serverCpuMs(pid: number): Promise<number | null> {
  try {
    return (await pidusage(pid)).ctime;
  } catch {
    return null;
  }
}

/** Waits (up to 120 s) until the server answers the floor page again; false if it never does. */
async function drain(base: string): Promise<boolean> {
  const until = performance.now() + 120_000;
  while (performance.now() < until) {
    try {
      const res = await fetch(`${base}${FLOOR.path}`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return true;
    } catch {
      /* still busy */
    }
  }
  return false;
}

/** Runs one scenario; latencies come from every response (autocannon's summary has no p95). */
async function drive(
  base: string,
  s: Scenario,
  cookie: string | undefined,
  connections: number,
  seconds = duration,
): Promise<Row> {
  const latencies: number[] = [];
  const instance = (
    autocannon as unknown as (o: autocannon.Options) => Promise<autocannon.Result> & EventEmitter
  )({
    url: `${base}${s.path}`,
    connections,
    duration: seconds,
    headers: {
      ...(cookie ? { cookie } : {}),
      accept: s.api ? 'application/json' : 'text/html',
    },
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    scenario: s.name,
    path: s.path,
    connections,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    rps: Math.round(result.requests.average),
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function main() {
  if (!args['skip-build']) {
    log('Building the production bundle...');
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: projectRoot, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  log('Preparing bench accounts and scenario parameters...');
  const { backend, scenarios, skipped } = await prepare();
  for (const k of skipped) log(`  skipping ${k.scenario}: ${k.reason}`);
  const port = 3900 + Math.floor(Math.random() * 90);
  log(`Starting the server on port ${port} (${backend})...`);
  const { child, firstPageMs } = await startServer(port);
  const base = `http://127.0.0.1:${port}`;
  let exited: string | null = null;
  child.on('exit', (code, signal) => (exited = `the server exited (${signal ?? `code ${code}`})`));
  let peakRssMb = 0;
  let rowRssMb = 0;
  const sampler = setInterval(() => {
    pidusage(child.pid!)
      .then((u) => {
        const mb = u.memory / 1024 / 1024;
        peakRssMb = Math.max(peakRssMb, mb);
        rowRssMb = Math.max(rowRssMb, mb);
      })
      .catch(() => undefined);
  }, 250);
  /** Drives one scenario and adds the server's peak memory and CPU per request while it ran. */
  const measure = async (s: Scenario, cookie: string | undefined, connections: number) => {
    rowRssMb = 0;
    const cpuBefore = await serverCpuMs(child.pid!);
    const row = await drive(base, s, cookie, connections);
    const cpuAfter = await serverCpuMs(child.pid!);
    if (cpuBefore !== null && cpuAfter !== null && row.requests > 0)
      row.cpuMsPerRequest = Math.round(((cpuAfter - cpuBefore) / row.requests) * 100) / 100;
    row.rssMb = Math.round(rowRssMb);
    return row;
  };
  const rows: Row[] = [];
  const busy: string[] = [];
  try {
    const cookies = new Map<string, string>();
    for (const a of BENCH_ACCOUNTS) cookies.set(a.role, await signIn(base, a.email));
    for (const connections of CONNECTIONS) {
      log(`-- ${connections} connections, ${duration} s each --`);
      if (connections === CONNECTIONS[0] && warmup > 0)
        await drive(base, FLOOR, undefined, connections, warmup);
      const floor = await measure(FLOOR, undefined, connections);
      rows.push(floor);
      log(`  ${FLOOR.name}: p95 ${floor.p95} ms`);
      for (const [i, s] of scenarios.entries()) {
        if (exited) throw new Error(`${exited} during the run`);
        // A slow page leaves a queue behind it: let the server drain so the next page starts clean.
        if (!(await drain(base))) {
          busy.push(
            `${s.name} and the pages after it at ${connections} connections: not measured (the server was still busy 120 s after the previous page)`,
          );
          break;
        }
        const cookie = s.as ? cookies.get(s.as) : undefined;
        if (connections === CONNECTIONS[0] && warmup > 0) await drive(base, s, cookie, connections, warmup);
        const row = await measure(s, cookie, connections);
        row.p95VsFloor = floor.p95 > 0 ? Math.round((row.p95 / floor.p95) * 100) / 100 : undefined;
        rows.push(row);
        log(
          `  [${i + 1}/${scenarios.length}] ${s.name}: p95 ${row.p95} ms (${row.p95VsFloor}x floor), ${row.rps} rps, ${row.errors + row.non2xx} errors`,
        );
      }
    }
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }

  const p95Budget = backend === 'postgres' ? BUDGET.p95PostgresMs : BUDGET.p95PgliteMs;
  const failures: string[] = [...skipped.map((k) => `${k.scenario}: not measured (${k.reason})`), ...busy];
  if (firstPageMs > BUDGET.firstPageMs)
    failures.push(`first page after ${Math.round(firstPageMs)} ms (budget ${BUDGET.firstPageMs} ms)`);
  if (peakRssMb > BUDGET.memoryMb)
    failures.push(`server memory peaked at ${Math.round(peakRssMb)} MB (budget ${BUDGET.memoryMb} MB)`);
  for (const r of rows.filter((x) => x.rps === 0 && x.p95 === 0))
    failures.push(`${r.scenario}: no response at ${r.connections} connections`);
  const own = new Map(scenarios.filter((s) => s.budget).map((s) => [s.name, s.budget!]));
  for (const r of rows.filter((x) => x.connections === 16)) {
    const budget = own.get(r.scenario);
    const ms = budget?.p95Ms ?? p95Budget;
    if (r.p95 > ms) failures.push(`${r.scenario}: p95 ${r.p95} ms at 16 connections (budget ${ms} ms)`);
    if (budget && r.p95VsFloor !== undefined && r.p95VsFloor > budget.vsFloor)
      failures.push(
        `${r.scenario}: p95 ${r.p95VsFloor}x the floor's at 16 connections (budget ${budget.vsFloor}x)`,
      );
    if (r.errors + r.non2xx > 0)
      failures.push(`${r.scenario}: ${r.errors + r.non2xx} errors at 16 connections`);
  }

  const report = {
    date: new Date().toISOString(),
    backend,
    durationSeconds: duration,
    warmupSeconds: warmup,
    firstPageMs: Math.round(firstPageMs),
    peakServerRssMb: Math.round(peakRssMb),
    budgets: { p95Ms: p95Budget, firstPageMs: BUDGET.firstPageMs, memoryMb: BUDGET.memoryMb },
    rows,
    skipped,
    failures,
  };
  const out = args.out ?? path.join(projectRoot, 'bench', 'results', `load-${backend}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2));

  console.log(`\n## Load benchmark (${backend}, ${duration} s per run after ${warmup} s of warm-up)\n`);
  console.log(
    `First page ${Math.round(firstPageMs)} ms after start; peak server memory ${Math.round(peakRssMb)} MB.\n`,
  );
  console.log(
    '| page | conns | p50 ms | p95 ms | p99 ms | p95 / floor | req/s | errors | server MB | server CPU ms / request |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.scenario} | ${r.connections} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.p95VsFloor ?? '1.00'} | ${r.rps} | ${r.errors + r.non2xx} | ${r.rssMb ?? ''} | ${r.cpuMsPerRequest ?? ''} |`,
    );
  }
  console.log(`\nJSON: ${path.relative(projectRoot, out)}`);
  if (failures.length) {
    console.log(`\nBudgets missed:\n${failures.map((f) => `- ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('\nAll budgets met.');
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
