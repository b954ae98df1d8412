import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { inject } from 'vitest';
import type { DB } from '../src/db/database.ts';
import { kyselyOverPglite, kyselyOverPostgres, pgliteExtensions } from '../src/db/open.ts';

export type TestDatabase = { db: DB; backend: 'pglite' | 'postgres'; url?: string; close(): Promise<void> };

let dumpCache: Blob | undefined;

/** A fresh, migrated database of its own for a test file: PGlite by default, PostgreSQL with DATABASE_URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const target = inject('testDatabase');
  if (target.kind === 'pglite') {
    dumpCache ??= new Blob([await readFile(target.dumpPath)]);
    const pglite = await PGlite.create('memory://', { extensions: pgliteExtensions, loadDataDir: dumpCache });
    const db = kyselyOverPglite(pglite);
    return {
      db,
      backend: 'pglite',
      async close() {
        await db.destroy();
        await pglite.close();
      },
    };
  }
  const name = `cln_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = kyselyOverPostgres(target.url, 1);
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`create database ${sql.id(name)} template ${sql.id(target.template)}`.execute(admin);
      break;
    } catch (err) {
      // Two files copying the template at the same moment: wait and try again.
      if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  const db = kyselyOverPostgres(url.toString(), 5);
  return {
    db,
    backend: 'postgres',
    url: url.toString(),
    async close() {
      await db.destroy();
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    },
  };
}

/**
 * Every row of the given tables as text, one row a line: a data-rights test checks that nothing of
 * an erased person is left in its module's tables.
 */
export async function tablesText(db: DB, tables: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const t of tables) {
    const { rows } = await sql<{ t: string }>`select t::text as t from ${sql.table(t)} t`.execute(db);
    parts.push(...rows.map((r) => r.t));
  }
  return parts.join('\n');
}
