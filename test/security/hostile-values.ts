import { sql } from 'kysely';
import type { DB } from '../../src/db/database.ts';

/** Strings an attacker (or a careless paste) sends: markup, SQL, control and invisible characters, traversal. */
export const HOSTILE_STRINGS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'; drop table users; --",
  'nul\u0000byte',
  'lone \ud800 surrogate',
  'rtl \u202e override',
  '../../etc/passwd',
  '%2e%2e%2f',
  '{{ 7*7 }}{% raw %}',
] as const;

/** A 100,000-character string: far over every field's cap. */
export const OVER_LONG = 'x'.repeat(100_000);

/** Path parameter values that cannot name a record, already encoded for a URL. */
export const HOSTILE_PATH_VALUES = [
  '0',
  '-1',
  '1.5',
  'abc',
  '1e400',
  'NaN',
  '99999999999999999999',
  'x'.repeat(300),
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '%00',
  '%ED%A0%80',
  '%E2%80%AE',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  "1'%20or%20'1'%3D'1",
] as const;

/**
 * Signs of internal detail in a response body: stack frames, source paths, SQL or driver errors, raw
 * Zod issue dumps. Returns the first match or null.
 */
export function internalDetail(body: string): string | null {
  const patterns: RegExp[] = [
    /^\s*at \S.*:\d+:\d+\)?\s*$/m,
    /\bat (?:async )?[\w$.<>]+ \((?:file:|node:|\/)/,
    /\/(?:work|src|node_modules|home|usr)\/[\w./-]+\.(?:ts|js|mjs|cjs)\b/,
    /\b(?:syntax error at or near|relation "[^"]*" does not exist|violates (?:not-null|foreign key|unique|check) constraint|invalid byte sequence for encoding|invalid input syntax for type|value too long for type|out of range for type|duplicate key value)\b/i,
    /\b(?:ZodError|PGlite|kysely|pg-protocol|DatabaseError|TypeError|RangeError|ReferenceError)\b/,
    /"(?:expected|received)":\s*"/,
    /"path":\s*\[/,
  ];
  for (const p of patterns) {
    const m = p.exec(body);
    if (m) return m[0].slice(0, 120);
  }
  return null;
}

/** The number of rows in every table of the public schema (tests may use SQL; the app may not). */
export async function rowCounts(db: DB): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const parts = tables.rows.map(
    (t) => sql`select ${t.name}::text as name, count(*)::int as n from ${sql.id(t.name)}`,
  );
  if (!parts.length) return {};
  const res = await sql<{ name: string; n: number }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(res.rows.map((r) => [r.name, Number(r.n)]));
}

/** The tables whose row counts differ between two snapshots. */
export function changedTables(before: Record<string, number>, after: Record<string, number>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => (before[n] ?? 0) !== (after[n] ?? 0)).sort();
}
