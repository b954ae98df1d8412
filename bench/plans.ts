/**
 * Query-plan check: runs every key page and endpoint of bench/scenarios.ts through the real
 * application (buildApp + inject, signed in as the bench accounts) with a Kysely query logger,
 * then EXPLAINs (ANALYZE for reads) every distinct query those requests ran. Fails on a
 * sequential scan over a large table (more than --large rows, default 10,000), so an unindexed
 * query is caught before it is slow. Also reports the queries each request ran (N+1 shows here)
 * and the slowest plans. Run against the data of bench:data (100,000 members on PostgreSQL).
 *
 *   npm run bench:plans -- [--large 10000] [--no-analyze] [--out bench/results/plans.json]
 */
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { CompiledQuery, Kysely, type LogEvent, PostgresDialect } from 'kysely';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { lockDataDirectory } from '../src/db/lock.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { pgliteExtensions, withPreparedStatements } from '../src/db/open.ts';
import { SESSION_COOKIE } from '../src/platform/http.ts';
import { projectRoot } from '../src/paths.ts';
import { ensureBenchAccounts } from './data/accounts.ts';
import { BENCH_ACCOUNTS, BENCH_PASSWORD, PARAMS, paramsOf, SCENARIOS } from './scenarios.ts';

const { values: args } = parseArgs({
  options: {
    large: { type: 'string', default: '10000' },
    'no-analyze': { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    repeat: { type: 'string', default: '5' },
  },
});
const REPEAT = Number(args.repeat);
const LARGE = Number(args.large);

type Captured = { sql: string; parameters: readonly unknown[]; ms: number; end: number };
let capturing: Captured[] | null = null;
const log = (event: LogEvent) => {
  if (capturing && event.level === 'query')
    capturing.push({
      sql: event.query.sql,
      parameters: event.query.parameters,
      ms: event.queryDurationMillis,
      end: performance.now(),
    });
};

/** The configured database, opened like src/db/open.ts but with a query logger. */
async function open(): Promise<{
  db: Kysely<Database>;
  backend: 'pglite' | 'postgres';
  close(): Promise<void>;
}> {
  const config = loadConfig(process.env).database;
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: 4 });
    // Prepared statements, as the app runs its queries (src/db/open.ts).
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }),
      log,
    });
    return { db, backend: 'postgres', close: () => db.destroy() };
  }
  const lock = lockDataDirectory(config.dataDir);
  const pglite = await PGlite.create(path.join(config.dataDir, 'pgdata'), { extensions: pgliteExtensions });
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, idleTimeoutMillis: 0 });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }),
    log,
  });
  return {
    db,
    backend: 'pglite',
    async close() {
      await db.destroy();
      await pglite.close();
      lock.release();
    },
  };
}

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Total Time'?: number;
  'Actual Rows'?: number;
  'Plan Rows'?: number;
  Filter?: string;
  Plans?: PlanNode[];
};

function* walk(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* walk(child);
}

/**
 * How long at least one query was in flight: queries run side by side (Promise.all) overlap, and on
 * PGlite they queue behind each other, so adding up their durations would count the waits twice.
 */
function inFlight(queries: Captured[]): number {
  const spans = queries.map((q) => [q.end - q.ms, q.end] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let until = -Infinity;
  for (const [from, to] of spans) {
    if (to <= until) continue;
    total += to - Math.max(from, until);
    until = to;
  }
  return total;
}

const oneLine = (s: string, max = 160) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}...` : t;
};

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const handle = await open();
  const { db } = handle;
  try {
    await migrateToLatest(db);
    await ensureBenchAccounts(db, config);
    const sizes = new Map(
      (
        await db.executeQuery<{ relname: string; n: number }>(
          CompiledQuery.raw(`select c.relname, greatest(c.reltuples, 0)::bigint as n from pg_class c
            join pg_namespace s on s.oid = c.relnamespace where s.nspname = current_schema() and c.relkind = 'r'`),
        )
      ).rows.map((r) => [r.relname, Number(r.n)]),
    );
    const members = sizes.get('member_profiles') ?? 0;
    console.error(
      `Query plans on ${handle.backend} (${members} member profiles); large table: > ${LARGE} rows`,
    );
    if (members < LARGE)
      console.error(
        `Warning: only ${members} profiles; run bench:data with --members 100000 for a meaningful check.`,
      );

    const app = await buildApp({ config, db, backend: handle.backend, logger: false });
    await app.ready();
    const cookies = new Map<string, string>();
    for (const a of BENCH_ACCOUNTS) {
      const { token } = await app.services.accounts.signIn(
        { email: a.email, password: BENCH_PASSWORD },
        { ip: '127.0.0.1', userAgent: 'bench:plans' },
      );
      cookies.set(a.role, `${SESSION_COOKIE}=${app.signCookie(token)}`);
    }

    type Query = { sql: string; parameters: readonly unknown[]; scenarios: Set<string> };
    const queries = new Map<string, Query>();
    const perRequest: {
      scenario: string;
      path: string;
      status: number;
      queries: number;
      /** Median over --repeat runs, one request at a time: the whole request, and the time a query was in flight. */
      ms: number;
      sqlMs: number;
    }[] = [];
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const problems: string[] = [];
    const params = new Map<string, string | null>();
    for (const s of SCENARIOS.filter((x) => !args.only || x.name.includes(args.only))) {
      let url = s.path;
      for (const p of paramsOf(s.path)) {
        if (!params.has(p)) params.set(p, (await PARAMS[p]?.(db)) ?? null);
        url = url.replace(`{${p}}`, params.get(p) ?? 'missing');
      }
      if (url.includes('missing')) {
        problems.push(`${s.name}: not checked (no ${paramsOf(s.path).join(', ')} in the database)`);
        continue;
      }
      capturing = [];
      const res = await app.inject({
        method: 'GET',
        url,
        headers: {
          ...(s.as ? { cookie: cookies.get(s.as)! } : {}),
          accept: s.api ? 'application/json' : 'text/html',
        },
      });
      const ran = capturing;
      // Timing: the same request again, one at a time, so a page's own cost (SQL, and the rest:
      // rendering, serialising) shows without the queueing of the load benchmark.
      const walls: number[] = [];
      const sqls: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        capturing = [];
        const t0 = performance.now();
        await app.inject({
          method: 'GET',
          url,
          headers: {
            ...(s.as ? { cookie: cookies.get(s.as)! } : {}),
            accept: s.api ? 'application/json' : 'text/html',
          },
        });
        walls.push(performance.now() - t0);
        sqls.push(inFlight(capturing));
      }
      capturing = null;
      perRequest.push({
        scenario: s.name,
        path: url,
        status: res.statusCode,
        queries: ran.length,
        ms: median(walls),
        sqlMs: median(sqls),
      });
      if (res.statusCode !== 200) problems.push(`${s.name}: ${url} answered ${res.statusCode}`);
      for (const q of ran) {
        const key = q.sql;
        const entry = queries.get(key) ?? { sql: q.sql, parameters: q.parameters, scenarios: new Set() };
        entry.scenarios.add(s.name);
        queries.set(key, entry);
      }
    }
    await app.close();

    const analyze = !args['no-analyze'];
    const checked: {
      sql: string;
      parameters: readonly unknown[];
      scenarios: string[];
      ms: number | null;
      /** The whole call as the app makes it (planning, protocol, results), median of 15; reads only. */
      callMs: number | null;
      seqScans: { table: string; rows: number }[];
    }[] = [];
    for (const q of queries.values()) {
      const verb = /^\s*(\w+)/.exec(q.sql)?.[1]?.toLowerCase();
      if (!verb || !['select', 'with', 'insert', 'update', 'delete'].includes(verb)) continue;
      // Reads are run (ANALYZE) to get real times; writes are only planned, never executed.
      const withAnalyze =
        analyze && (verb === 'select' || (verb === 'with' && !/\b(insert|update|delete)\b/i.test(q.sql)));
      const res = await db.executeQuery<{ 'QUERY PLAN': { Plan: PlanNode; 'Execution Time'?: number }[] }>(
        CompiledQuery.raw(`explain (${withAnalyze ? 'analyze, ' : ''}format json) ${q.sql}`, [
          ...q.parameters,
        ]),
      );
      const plan = res.rows[0]!['QUERY PLAN'][0]!;
      const seqScans = [...walk(plan.Plan)]
        .filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'])
        .map((n) => ({ table: n['Relation Name']!, rows: sizes.get(n['Relation Name']!) ?? 0 }));
      let callMs: number | null = null;
      if (withAnalyze) {
        const times: number[] = [];
        for (let i = 0; i < 15; i++) {
          const t0 = performance.now();
          await db.executeQuery(CompiledQuery.raw(q.sql, [...q.parameters]));
          times.push(performance.now() - t0);
        }
        callMs = median(times);
      }
      checked.push({
        sql: q.sql,
        parameters: q.parameters,
        scenarios: [...q.scenarios],
        ms: plan['Execution Time'] ?? null,
        callMs,
        seqScans,
      });
      for (const scan of seqScans.filter((x) => x.rows > LARGE))
        problems.push(
          `sequential scan on ${scan.table} (${scan.rows} rows) in [${[...q.scenarios].join('; ')}]: ${oneLine(q.sql)}`,
        );
    }

    console.log(`\n## Query plans (${handle.backend}, ${members} members)\n`);
    console.log(`| page | status | queries | ms (median of ${REPEAT}) | of which a query in flight, ms |`);
    console.log('|---|---:|---:|---:|---:|');
    for (const r of perRequest)
      console.log(
        `| ${r.scenario} | ${r.status} | ${r.queries} | ${r.ms.toFixed(1)} | ${r.sqlMs.toFixed(1)} |`,
      );
    console.log(`\n${checked.length} distinct queries explained${analyze ? ' (reads with ANALYZE)' : ''}.`);
    const slow = checked
      .filter((c) => c.callMs !== null)
      .sort((a, b) => b.callMs! - a.callMs!)
      .slice(0, 15);
    console.log(
      '\nSlowest queries (call: the whole round trip as the app makes it; execution: EXPLAIN ANALYZE):\n',
    );
    console.log('| call ms | execution ms | pages | query |');
    console.log('|---:|---:|---|---|');
    for (const c of slow)
      console.log(
        `| ${c.callMs!.toFixed(2)} | ${c.ms?.toFixed(2) ?? '-'} | ${c.scenarios.slice(0, 3).join('; ')} | \`${oneLine(c.sql, 110)}\` |`,
      );
    const out = args.out ?? path.join(projectRoot, 'bench', 'results', `plans-${handle.backend}.json`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        { date: new Date().toISOString(), backend: handle.backend, members, perRequest, checked, problems },
        null,
        2,
      ),
    );
    console.log(`\nJSON: ${path.relative(projectRoot, out)}`);
    if (problems.length) {
      console.log(`\nProblems:\n${problems.map((p) => `- ${p}`).join('\n')}`);
      process.exitCode = 1;
    } else console.log('\nNo sequential scan over a large table.');
  } finally {
    await handle.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
