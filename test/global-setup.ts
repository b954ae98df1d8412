import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '../src/db/migrate.ts';
import { kyselyOverPglite, kyselyOverPostgres, pgliteExtensions } from '../src/db/open.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { kind: 'pglite'; dumpPath: string } | { kind: 'postgres'; url: string; template: string };
  }
}

export const PG_TEMPLATE = 'cln_test_template';

/**
 * Migrates one database before any test runs; each test file then starts from a copy of it
 * (a PGlite data-directory dump, or a PostgreSQL template database), which is far faster than
 * initialising and migrating a database per file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const admin = kyselyOverPostgres(url, 1);
    await sql`drop database if exists ${sql.id(PG_TEMPLATE)} with (force)`.execute(admin);
    await sql`create database ${sql.id(PG_TEMPLATE)}`.execute(admin);
    const templateUrl = new URL(url);
    templateUrl.pathname = `/${PG_TEMPLATE}`;
    const template = kyselyOverPostgres(templateUrl.toString(), 1);
    await migrateToLatest(template);
    await template.destroy();
    project.provide('testDatabase', { kind: 'postgres', url, template: PG_TEMPLATE });
    return async () => {
      await sql`drop database if exists ${sql.id(PG_TEMPLATE)} with (force)`.execute(admin);
      await admin.destroy();
    };
  }
  const pglite = await PGlite.create('memory://', { extensions: pgliteExtensions });
  const db = kyselyOverPglite(pglite);
  await migrateToLatest(db);
  const dump = await pglite.dumpDataDir('none');
  await db.destroy();
  await pglite.close();
  const dumpPath = path.join(os.tmpdir(), `cln-test-template-${process.pid}.tar`);
  await writeFile(dumpPath, Buffer.from(await dump.arrayBuffer()));
  project.provide('testDatabase', { kind: 'pglite', dumpPath });
  return async () => {
    const { rm } = await import('node:fs/promises');
    await rm(dumpPath, { force: true });
  };
}
