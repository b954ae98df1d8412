import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { runCli } from '../../src/cli.ts';
import { readBackup } from '../../src/db/backup.ts';
import type { DB } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { kyselyOverPostgres, openDatabase } from '../../src/db/open.ts';
import { listTar, writeTar } from '../../src/db/tar.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { demoSteps } from '../../src/seed/steps.ts';
import { createTestDatabase } from '../db.ts';

// A backup is only as good as its restore: seed the demo network (people in every role, with
// applications, profiles, sets, assessments and mentoring through the services), back it up with
// the real command, restore it into a fresh database, and compare every row of every table.

type Snapshot = { tables: Record<string, string[]>; sequences: Record<string, string | null> };

async function snapshotOf(db: DB): Promise<Snapshot> {
  const names = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' order by tablename`.execute(db);
  const tables: Record<string, string[]> = {};
  for (const { tablename } of names.rows) {
    const rows = await sql<{
      r: string;
    }>`select to_jsonb(t)::text as r from ${sql.table(tablename)} as t`.execute(db);
    tables[tablename] = rows.rows.map((x) => x.r).sort();
  }
  const seqs = await sql<{ sequencename: string; last_value: string | null }>`
    select sequencename, last_value::text as last_value from pg_sequences where schemaname = 'public'`.execute(
    db,
  );
  return { tables, sequences: Object.fromEntries(seqs.rows.map((s) => [s.sequencename, s.last_value])) };
}

function expectSameData(restored: Snapshot, original: Snapshot) {
  expect(Object.keys(restored.tables)).toEqual(Object.keys(original.tables));
  for (const t of Object.keys(original.tables)) expect(restored.tables[t], t).toEqual(original.tables[t]);
  expect(restored.sequences).toEqual(original.sequences);
}

const saved = { ...process.env };
let out: string[] = [];
let err: string[] = [];
async function cli(env: Record<string, string | undefined>, ...args: string[]) {
  process.env = { ...saved, LOG_LEVEL: 'silent', BASE_URL: undefined, ...env };
  delete process.env.BASE_URL;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  out = [];
  err = [];
  process.exitCode = 0;
  await runCli(['node', 'cln', ...args]);
  const code = process.exitCode;
  process.exitCode = 0;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dirs: string[] = [];
const tempDir = (label: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), `cln-${label}-`));
  dirs.push(d);
  return d;
};

beforeAll(() => {
  vi.spyOn(console, 'log').mockImplementation((m: unknown) => void out.push(String(m)));
  vi.spyOn(console, 'error').mockImplementation((m: unknown) => void err.push(String(m)));
});
afterEach(() => {
  process.env = { ...saved };
});
afterAll(() => {
  vi.restoreAllMocks();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const seedOptions = {
  password: 'demo backup passphrase',
  force: false,
  steps: demoSteps,
  membersPerRegion: 4,
};

// Real data directories (initdb, migrations, the demo seed, two restores) take minutes on a busy machine.
const SLOW = 600_000;

describe('cln db backup and restore, embedded database', () => {
  it(
    'restores a backup into a fresh data directory with every row of every table',
    async () => {
      const source = tempDir('backup-source');
      const handle = await openDatabase({ kind: 'pglite', dataDir: source });
      await migrateToLatest(handle.db);
      await seedDemo(handle.db, seedOptions);
      const original = await snapshotOf(handle.db);
      expect(original.tables.member_profiles!.length).toBeGreaterThan(20);
      expect(
        original.tables.mentoring_relationships?.length ?? original.tables.audit_log!.length,
      ).toBeGreaterThan(0);
      // The policy channel's demo: a call in each of three states, what was decided on the concluded
      // one with its milestones, the demo policy maker as a named safety lead, a question answered.
      const rows = (table: string) =>
        (original.tables[table] ?? []).map((r) => JSON.parse(r) as Record<string, unknown>);
      expect(
        rows('policy_calls')
          .map((c) => c.status)
          .sort(),
      ).toEqual(['closed', 'concluded', 'open']);
      expect(
        rows('policy_outcomes')
          .map((o) => o.decision)
          .sort(),
      ).toEqual(['adapted', 'adopted', 'deferred', 'not-adopted']);
      expect(
        rows('policy_milestones')
          .map((m) => m.status)
          .sort(),
      ).toEqual(['done', 'in-progress']);
      expect(rows('policy_theme_assignments').length).toBeGreaterThanOrEqual(10);
      expect(rows('policy_staff')).toEqual([
        expect.objectContaining({
          role_title: 'Deputy Director, Urgent and Emergency Care, DHSC',
          safety_lead: true,
        }),
      ]);
      expect(
        rows('policy_questions')
          .map((q) => q.status)
          .sort(),
      ).toEqual(['answered', 'open']);
      expect(rows('policy_question_supports')).toHaveLength(3);
      expect(rows('policy_safety_concerns')).toHaveLength(1);
      // The named demo member answered all three calls, so her contributions page shows the loop.
      const maya = rows('users').find((u) => u.email === 'member@demo.cln.example')!;
      expect(rows('policy_responses').filter((r) => r.user_id === maya.id)).toHaveLength(3);

      // While the database is open (the running server holds the same lock), a backup refuses.
      const backupFile = path.join(tempDir('backup-file'), 'cln.tar');
      const refused = await cli(
        { CLN_DATA_DIR: source, DATABASE_URL: undefined },
        'db',
        'backup',
        '--output',
        backupFile,
      );
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('is in use by another process');
      expect(refused.err).toContain('stop the server');
      await handle.close();

      const made = await cli(
        { CLN_DATA_DIR: source, DATABASE_URL: undefined },
        'db',
        'backup',
        '--output',
        backupFile,
      );
      expect(made.err).toBe('');
      expect(made.code).toBe(0);
      expect(made.out).toContain(`Backup written to ${backupFile}`);
      const { manifest } = await readBackup(backupFile);
      expect(manifest).toMatchObject({ mode: 'pglite', latestMigration: expect.any(String) });
      expect(manifest.tables.member_profiles).toBe(original.tables.member_profiles!.length);

      const target = tempDir('restore-target');
      const restored = await cli(
        { CLN_DATA_DIR: target, DATABASE_URL: undefined },
        'db',
        'restore',
        backupFile,
      );
      expect(restored.err).toBe('');
      expect(restored.out).toContain("every table's row count matches the backup");
      const reopened = await openDatabase({ kind: 'pglite', dataDir: target });
      try {
        expectSameData(await snapshotOf(reopened.db), original);
        // The restored database takes new writes where the old one left off (its sequences came too).
        await migrateToLatest(reopened.db);
      } finally {
        await reopened.close();
      }

      const again = await cli({ CLN_DATA_DIR: target, DATABASE_URL: undefined }, 'db', 'restore', backupFile);
      expect(again.code).toBe(1);
      expect(again.err).toContain('already holds an embedded database');
      expect(again.err).toContain('--force');
      const forced = await cli(
        { CLN_DATA_DIR: target, DATABASE_URL: undefined },
        'db',
        'restore',
        backupFile,
        '--force',
      );
      expect(forced.code).toBe(0);
      expect(forced.out).toMatch(/The database that was there is kept in .*pgdata\.replaced-/);

      const wrongMode = await cli(
        { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none', CLN_DATA_DIR: undefined },
        'db',
        'restore',
        backupFile,
      );
      expect(wrongMode.code).toBe(1);
      expect(wrongMode.err).toContain('This is a backup of the embedded database');
    },
    SLOW,
  );

  it(
    'refuses a backup from a newer schema, a damaged one and a file that is no backup, saying which',
    async () => {
      const source = tempDir('backup-small');
      const handle = await openDatabase({ kind: 'pglite', dataDir: source });
      await migrateToLatest(handle.db);
      await handle.close();
      const dir = tempDir('backup-variants');
      const good = path.join(dir, 'good.tar');
      expect(
        (await cli({ CLN_DATA_DIR: source, DATABASE_URL: undefined }, 'db', 'backup', '--output', good)).code,
      ).toBe(0);
      const entries = await listTar(good);
      const bytes = await readFile(good);
      const { manifest } = await readBackup(good);
      const payload = entries.find((e) => e.name === manifest.payload.name)!;
      const payloadBytes = bytes.subarray(payload.offset, payload.offset + payload.size);

      const newer = path.join(dir, 'newer.tar');
      const future = { ...manifest, migrations: [...manifest.migrations, '2099-01-01-0001-from-the-future'] };
      await writeTar(newer, [
        { name: 'manifest.json', data: Buffer.from(JSON.stringify(future)) },
        { name: manifest.payload.name, data: Buffer.from(payloadBytes) },
      ]);
      const damaged = path.join(dir, 'damaged.tar');
      const flipped = Buffer.from(payloadBytes);
      const middle = flipped.length >> 1;
      flipped[middle] = flipped[middle]! ^ 0xff;
      await writeTar(damaged, [
        { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
        { name: manifest.payload.name, data: flipped },
      ]);
      const notABackup = path.join(dir, 'notes.txt');
      writeFileSync(notABackup, 'not a backup at all');

      const env = { CLN_DATA_DIR: tempDir('restore-refusals'), DATABASE_URL: undefined };
      const r1 = await cli(env, 'db', 'restore', newer, '--force');
      expect(r1.code).toBe(1);
      expect(r1.err).toContain('comes from a newer version of the platform');
      expect(r1.err).toContain('2099-01-01-0001-from-the-future');
      const r2 = await cli(env, 'db', 'restore', damaged);
      expect(r2.code).toBe(1);
      expect(r2.err).toContain('is damaged: its checksum does not match');
      const r3 = await cli(env, 'db', 'restore', notABackup);
      expect(r3.code).toBe(1);
      expect(r3.err).toContain('is not a CLN backup');
      // Nothing was left behind by the refusals: a real restore still finds an empty directory.
      expect((await cli(env, 'db', 'restore', good)).code).toBe(0);
    },
    SLOW,
  );
});

const pgTarget = inject('testDatabase');

describe.runIf(pgTarget.kind === 'postgres')('cln db backup and restore, PostgreSQL', () => {
  it(
    'restores a pg_dump backup into an empty database with every row of every table',
    async () => {
      const source = await createTestDatabase();
      const adminUrl = (pgTarget as { url: string }).url;
      const admin = kyselyOverPostgres(adminUrl, 1);
      const name = `cln_restore_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      await sql`create database ${sql.id(name)}`.execute(admin);
      const targetUrl = new URL(adminUrl);
      targetUrl.pathname = `/${name}`;
      try {
        await seedDemo(source.db, seedOptions);
        const original = await snapshotOf(source.db);
        const backupFile = path.join(tempDir('pg-backup'), 'cln.tar');
        const made = await cli({ DATABASE_URL: source.url }, 'db', 'backup', '--output', backupFile);
        expect(made.err).toBe('');
        expect(made.code).toBe(0);
        expect(made.out).toMatch(/table \d+ of \d+: member_profiles/);

        const restored = await cli({ DATABASE_URL: targetUrl.toString() }, 'db', 'restore', backupFile);
        expect(restored.err).toBe('');
        expect(restored.code).toBe(0);
        expect(restored.out).toContain("every table's row count matches the backup");
        const target = kyselyOverPostgres(targetUrl.toString(), 1);
        try {
          expectSameData(await snapshotOf(target), original);
        } finally {
          await target.destroy();
        }

        const again = await cli({ DATABASE_URL: targetUrl.toString() }, 'db', 'restore', backupFile);
        expect(again.code).toBe(1);
        expect(again.err).toContain('The database already holds');
        const forced = await cli(
          { DATABASE_URL: targetUrl.toString() },
          'db',
          'restore',
          backupFile,
          '--force',
        );
        expect(forced.err).toBe('');
        expect(forced.code).toBe(0);
        const target2 = kyselyOverPostgres(targetUrl.toString(), 1);
        try {
          expectSameData(await snapshotOf(target2), original);
        } finally {
          await target2.destroy();
        }
      } finally {
        await source.close();
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
        await admin.destroy();
      }
    },
    SLOW,
  );
});
