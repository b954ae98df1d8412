import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import { createHash } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { Database } from './database.ts';
import { lockDataDirectory } from './lock.ts';

// Keep timestamps and dates as strings/Date consistently on both backends:
// bigint counts come back as JS numbers (they stay far below 2^53 here).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
// A date column is a calendar date: keep it as 'YYYY-MM-DD', never shift it through a time zone.
pg.types.setTypeParser(1082, (v) => v);

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

export type DatabaseHandle = {
  db: Kysely<Database>;
  backend: 'postgres' | 'pglite';
  close(): Promise<void>;
};

/** The extensions every PGlite open must load, so an existing data directory keeps working. */
export const pgliteExtensions = { pg_trgm };

/** PGlite's own start parameters (single-user mode and its settings), which startParams replaces. */
const PGLITE_START_PARAMS: string[] = (PGlite as unknown as { defaultStartParams: string[] })
  .defaultStartParams;

/** Opens PGlite from a data directory (or memory://) behind a pg pool of one connection. */
export async function openPglite(dataDirOrUrl: string, loadDataDir?: Blob | File): Promise<PGlite> {
  const pglite = await PGlite.create(dataDirOrUrl, {
    extensions: pgliteExtensions,
    // PGlite's 128 MB default buffer pool lives in the process's memory; the operating system caches
    // the data files anyway. At 10,000 members 32 MB measured as fast and keeps the server about
    // 100 MB smaller (issue 8: the 500 MB memory budget).
    // Passed as start parameters: PGlite's postgresqlconf option would rewrite the data directory's
    // postgresql.conf and drop the settings initdb wrote there.
    startParams: [...PGLITE_START_PARAMS, '-c', 'shared_buffers=32MB'],
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  return pglite;
}

type PoolClient = pg.PoolClient;

const READ_QUERY = /^\s*(select|with)\b/i;

/**
 * Makes every query a named (prepared) statement on its connection, so PostgreSQL parses and
 * plans each distinct query once per connection instead of on every call. Most pages run five to
 * fifteen small queries whose execution takes microseconds: parsing and planning them again was
 * the larger part of the database's work (issue 8). The name is a hash of the SQL text, so the same
 * text always maps to the same statement. A query without parameters is named only when it reads
 * (select or with): planning the dashboard's one query cost as much as running it. Other statements
 * without parameters (DDL, VACUUM), those holding a semicolon (a script, as migrations run) and very
 * long parameter lists (bulk inserts) stay unnamed.
 */
/**
 * With `yieldToIo` (PGlite) each query waits for the event loop to go round first. PGlite runs in
 * this thread and answers through promise callbacks, so a request whose queries follow one another
 * never let the server read other sockets: under overload (64 connections) a few requests waited
 * up to 10 s while others went through. Yielding keeps the queue fair: at 64 connections the worst
 * wait fell from 9.8 s to 1.3 s, at the same throughput.
 */
export function withPreparedStatements(pool: pg.Pool, opts: { yieldToIo?: boolean } = {}): PostgresPoolLike {
  const yieldFirst = opts.yieldToIo
    ? (run: () => unknown) => new Promise((resolve) => setImmediate(resolve)).then(run)
    : (run: () => unknown) => run();
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `k${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
      if (names.size > 5000) names.clear();
      names.set(text, name);
    }
    return name;
  };
  const wrap = (client: PoolClient) =>
    new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver);
        return (text: unknown, values?: unknown[]) => {
          if (
            typeof text === 'string' &&
            Array.isArray(values) &&
            (values.length > 0 || READ_QUERY.test(text)) &&
            values.length <= 100 &&
            !text.includes(';')
          )
            return yieldFirst(() => target.query({ name: nameOf(text), text, values }));
          return yieldFirst(() => (target.query as (...args: unknown[]) => unknown)(text, values));
        };
      },
    });
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
type PostgresPoolLike = { connect(): Promise<PoolClient>; end(): Promise<void> };

/** Wraps an open PGlite in Kysely; the caller still owns the PGlite. */
export function kyselyOverPglite(pglite: PGlite): Kysely<Database> {
  const pool = new pg.Pool({
    ...createPgConfig(pglite),
    // PGlite is one connection: a second pool client would share it and interleave transactions.
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 30_000,
  });
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: withPreparedStatements(pool, { yieldToIo: true }) }),
  });
}

export function kyselyOverPostgres(url: string, max = 10): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its connection (a database restart) emits 'error' on the pool; without
  // a listener that would crash the process. The pool replaces the client on the next checkout.
  pool.on('error', (err) =>
    console.warn(`PostgreSQL connection lost (${err.message}); it will be replaced.`),
  );
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
}

/** Opens the configured database. PGlite takes an exclusive lock on its data directory first. */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === 'postgres') {
    const db = kyselyOverPostgres(target.url);
    return { db, backend: 'postgres', close: () => db.destroy() };
  }
  const lock = lockDataDirectory(target.dataDir);
  try {
    const pglite = await openPglite(path.join(target.dataDir, 'pgdata'));
    const db = kyselyOverPglite(pglite);
    return {
      db,
      backend: 'pglite',
      async close() {
        try {
          await db.destroy();
          await pglite.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
