/**
 * Shared pieces of the benchmark data generators: a seeded random source, a progress bar, a bulk
 * insert over unnest() in batches, and a check for tables that a feature may not have added yet.
 */
import cliProgress from 'cli-progress';
import { type RawBuilder, sql } from 'kysely';
import type { DB } from '../../src/db/database.ts';
import { seededRandom } from '../../src/seed/demo-people.ts';

export const BENCH_DOMAIN = 'bench.cln.example';

export type Rng = {
  next(): number;
  pick<T>(list: readonly T[]): T;
  /** A whole number in [lo, hi]. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
};

export function rng(seed: number): Rng {
  const next = seededRandom(seed);
  return {
    next,
    pick: (list) => list[Math.floor(next() * list.length)]!,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
  };
}

/** A PostgreSQL array literal for a text[] column, passed as one element of a text[] parameter. */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

export function progress(label: string, total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(22)} [{bar}] {value}/{total} {stage}`,
      stream: process.stderr,
      hideCursor: true,
      // Without a terminal (CI, logs) print a line every few seconds instead of redrawing.
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { stage: '' });
  return bar;
}

/** A column: its name and the SQL type its text form is cast to (int, date, text[], jsonb ...). */
export type Column = [name: string, type: string];

/**
 * Inserts rows given column-wise (one JS array per column, same length) with
 * `insert into t (...) select ... from unnest($1::text[], $2::text[], ...)` in batches, each its
 * own transaction. Values go as text and are cast in SQL, so every type travels the same way.
 * Returns the `returning` column of every inserted row, in input order.
 */
export async function bulkInsert(
  db: DB,
  table: string,
  columns: Column[],
  data: Record<string, readonly unknown[]>,
  opts: { batch?: number; returning?: string; onBatch?: (done: number) => void } = {},
): Promise<number[]> {
  const n = data[columns[0]![0]]!.length;
  const batch = opts.batch ?? 5000;
  const ids: number[] = [];
  const names = columns.map(([c]) => c);
  const selectList = sql.raw(columns.map(([c, t]) => `t.${c}::${t}`).join(', '));
  const alias = sql.raw(`t(${names.join(', ')})`);
  for (let start = 0; start < n; start += batch) {
    const params = columns.map(([c]) => {
      const slice = data[c]!.slice(start, start + batch).map((v) =>
        v === null || v === undefined ? null : typeof v === 'string' ? v : String(v),
      );
      return sql`${slice}::text[]`;
    });
    const query = sql<{
      id: number;
    }>`insert into ${sql.table(table)} (${sql.join(names.map((c) => sql.ref(c)))})
      select ${selectList} from unnest(${sql.join(params)}) as ${alias}
      ${opts.returning ? sql`returning ${sql.ref(opts.returning)} as id` : sql``}`;
    const res = await query.execute(db);
    if (opts.returning) for (const r of res.rows) ids.push(Number(r.id));
    opts.onBatch?.(Math.min(n, start + batch));
  }
  return ids;
}

/** Runs one set-based statement and returns how many rows it touched. */
export async function run(db: DB, query: RawBuilder<unknown>): Promise<number> {
  const res = await query.execute(db);
  return Number(res.numAffectedRows ?? res.rows.length);
}

export async function existingTables(db: DB): Promise<Set<string>> {
  const rows = await sql<{ table_name: string }>`select table_name from information_schema.tables
    where table_schema = current_schema()`.execute(db);
  return new Set(rows.rows.map((r) => r.table_name));
}
