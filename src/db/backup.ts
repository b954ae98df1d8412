import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { lockDataDirectory } from './lock.ts';
import { migrations } from './migrations/index.ts';
import { type DatabaseTarget, openPglite } from './open.ts';
import { extractTarEntry, listTar, readTarEntry, writeTar } from './tar.ts';

/**
 * `cln db backup` and `cln db restore`. A backup is one tar file holding `manifest.json` (what the
 * backup is: mode, when, the schema's migrations, every table's row count, the payload's checksum)
 * and the payload:
 * - embedded (PGlite): `pgdata.tar.gz`, PGlite's own dump of the data directory, taken while this
 *   process holds the directory's lock (so a running server makes the command refuse rather than
 *   copy files that are changing), after a CHECKPOINT;
 * - PostgreSQL: `database.pgdump`, `pg_dump --format=custom` of the whole database, taken in a
 *   snapshot that this process exported, so the row counts in the manifest are those of the dump
 *   even while app servers write. `pg_restore` reads it (`tar -xf` the backup to do it by hand).
 * A restore checks the manifest (mode, known migrations, checksum), refuses a database that is not
 * empty unless forced, and afterwards counts every table's rows against the manifest.
 */

export const BACKUP_FORMAT = 'cln-backup';
const MANIFEST = 'manifest.json';
const PGLITE_PAYLOAD = 'pgdata.tar.gz';
const POSTGRES_PAYLOAD = 'database.pgdump';

export type BackupManifest = {
  format: typeof BACKUP_FORMAT;
  formatVersion: 1;
  mode: 'pglite' | 'postgres';
  createdAt: string;
  appVersion: string;
  postgresVersion: string;
  /** Applied migrations (schema_migrations), in name order; the last is the schema's version. */
  migrations: string[];
  latestMigration: string | null;
  /** Rows in every table of the public schema when the backup was taken. */
  tables: Record<string, number>;
  payload: { name: string; bytes: number; sha256: string; tool: string };
};

/** A backup or restore that cannot go ahead, explained in words (the CLI prints it as an error). */
export class BackupError extends Error {}

export type Progress = (message: string) => void;

type Queryable = { query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };

async function listTables(q: Queryable): Promise<string[]> {
  const { rows } = await q.query(
    "select tablename from pg_tables where schemaname = 'public' order by tablename",
  );
  return rows.map((r) => String(r.tablename));
}

async function countRows(q: Queryable, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const { rows } = await q.query(`select count(*)::bigint as n from public."${t.replaceAll('"', '""')}"`);
    counts[t] = Number(rows[0]!.n);
  }
  return counts;
}

async function appliedMigrations(q: Queryable, tables: string[]): Promise<string[]> {
  if (!tables.includes('schema_migrations')) return [];
  const { rows } = await q.query('select name from schema_migrations order by name');
  return rows.map((r) => String(r.name));
}

async function serverVersion(q: Queryable): Promise<string> {
  const { rows } = await q.query('show server_version');
  return String(rows[0]!.server_version);
}

const sha256OfFile = (file: string) =>
  new Promise<string>((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });

export const formatBytes = (n: number) =>
  n >= 1024 ** 3
    ? `${(n / 1024 ** 3).toFixed(2)} GB`
    : n >= 1024 ** 2
      ? `${(n / 1024 ** 2).toFixed(1)} MB`
      : `${Math.ceil(n / 1024)} kB`;

const totalRows = (tables: Record<string, number>) => Object.values(tables).reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------------
// PostgreSQL client tools

const run = promisify(execFile);

async function toolMajor(file: string): Promise<number | null> {
  try {
    const { stdout } = await run(file, ['--version']);
    const m = /(\d+)(?:\.\d+)?/.exec(stdout);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Finds pg_dump or pg_restore at least as new as the server (an older pg_dump refuses a newer
 * server): `--pg-bin` first, then Debian's versioned directories, newest first, then the PATH.
 */
async function findPgTool(
  name: 'pg_dump' | 'pg_restore',
  serverMajor: number,
  pgBin?: string,
): Promise<string> {
  const candidates: string[] = [];
  if (pgBin) candidates.push(path.join(pgBin, name));
  const debian = '/usr/lib/postgresql';
  if (!pgBin && existsSync(debian)) {
    for (const v of readdirSync(debian)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join(debian, v, 'bin', name));
  }
  if (!pgBin) candidates.push(name);
  const found: string[] = [];
  for (const c of candidates) {
    const major = await toolMajor(c);
    if (major === null) continue;
    if (major >= serverMajor) return c;
    found.push(`${c} (version ${major})`);
  }
  throw new BackupError(
    found.length
      ? `${name} must be version ${serverMajor} or later to work with this PostgreSQL ${serverMajor} server; found only ${found.join(', ')}. ` +
          `Install the PostgreSQL ${serverMajor} client tools (Debian: apt-get install postgresql-client-${serverMajor}) or pass --pg-bin DIR.`
      : `${name} was not found${pgBin ? ` in ${pgBin}` : ''}. Backups of a PostgreSQL database use PostgreSQL's own ${name}: ` +
          `install the client tools (Debian: apt-get install postgresql-client) or pass --pg-bin DIR (the directory holding ${name}).`,
  );
}

/** The URL without its password, and the password for PGPASSWORD, so it never shows in `ps`. */
function libpqTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** Runs pg_dump or pg_restore with --verbose, turning its per-table lines into progress. */
function runPgTool(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  tables: number,
  progress: Progress,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const problems: string[] = [];
    let done = 0;
    let buffered = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = /(?:dumping contents of|processing data for) table "?([^"\s]+)"?/.exec(line);
        if (m) progress(`  table ${++done} of ${tables}: ${m[1]!.replace(/^public\./, '')}`);
        else if (/error|fatal|warning|could not/i.test(line)) problems.push(line);
      }
    });
    child.on('error', (err) => reject(new BackupError(`Could not run ${file}: ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new BackupError(
            `${path.basename(file)} failed (exit code ${code}):\n${problems.slice(-20).join('\n') || '(no message)'}`,
          ),
        );
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Backup

/** The default file name: the mode and the time, sortable. */
export function defaultBackupName(mode: 'pglite' | 'postgres', now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `cln-backup-${mode === 'pglite' ? 'embedded' : 'postgres'}-${stamp}.tar`;
}

/** Writes a backup of the configured database to `out` (which must not exist). */
export async function backupDatabase(
  target: DatabaseTarget,
  out: string,
  opts: { appVersion: string; progress?: Progress; pgBin?: string },
): Promise<BackupManifest> {
  const progress = opts.progress ?? (() => undefined);
  if (existsSync(out)) throw new BackupError(`${out} already exists: choose another file name (--output).`);
  const partial = `${out}.partial-${process.pid}`;
  const work = await mkdtemp(path.join(os.tmpdir(), 'cln-backup-'));
  try {
    const manifest =
      target.kind === 'pglite'
        ? await backupPglite(target.dataDir, partial, opts.appVersion, progress)
        : await backupPostgres(target.url, partial, work, opts.appVersion, progress, opts.pgBin);
    await rename(partial, out);
    return manifest;
  } finally {
    await rm(partial, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}

async function backupPglite(
  dataDir: string,
  out: string,
  appVersion: string,
  progress: Progress,
): Promise<BackupManifest> {
  const pgdata = path.join(dataDir, 'pgdata');
  if (!existsSync(path.join(pgdata, 'PG_VERSION')))
    throw new BackupError(`There is no embedded database in ${dataDir} (CLN_DATA_DIR) to back up.`);
  // Throws DataDirectoryLockedError while the server runs: the copy must not change under us.
  const lock = lockDataDirectory(dataDir);
  try {
    progress(`Opening the embedded database in ${dataDir}`);
    const pglite = await openPglite(pgdata);
    try {
      const q: Queryable = {
        query: (text) => pglite.query(text) as Promise<{ rows: Record<string, unknown>[] }>,
      };
      const tables = await listTables(q);
      progress(`Counting the rows of ${tables.length} tables`);
      const counts = await countRows(q, tables);
      const applied = await appliedMigrations(q, tables);
      const version = await serverVersion(q);
      progress(`Writing the data directory out (${totalRows(counts).toLocaleString('en-GB')} rows)`);
      await pglite.exec('checkpoint');
      const dump = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
      const manifest = manifestFor(
        'pglite',
        { appVersion, version, applied, counts },
        {
          name: PGLITE_PAYLOAD,
          bytes: dump.length,
          sha256: createHash('sha256').update(dump).digest('hex'),
          tool: 'PGlite dumpDataDir (gzip)',
        },
      );
      progress(`Writing ${formatBytes(dump.length)}`);
      await writeTar(out, [
        { name: MANIFEST, data: Buffer.from(JSON.stringify(manifest, null, 2)) },
        { name: PGLITE_PAYLOAD, data: dump },
      ]);
      return manifest;
    } finally {
      await pglite.close();
    }
  } finally {
    lock.release();
  }
}

/** The manifest both modes write beside their data: what the restore checks before it loads. */
function manifestFor(
  mode: BackupManifest['mode'],
  source: { appVersion: string; version: string; applied: string[]; counts: BackupManifest['tables'] },
  payload: BackupManifest['payload'],
): BackupManifest {
  return {
    format: BACKUP_FORMAT,
    formatVersion: 1,
    mode,
    createdAt: new Date().toISOString(),
    appVersion: source.appVersion,
    postgresVersion: source.version,
    migrations: source.applied,
    latestMigration: source.applied.at(-1) ?? null,
    tables: source.counts,
    payload,
  };
}

async function backupPostgres(
  url: string,
  out: string,
  work: string,
  appVersion: string,
  progress: Progress,
  pgBin?: string,
): Promise<BackupManifest> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const version = await serverVersion(client);
    const pgDump = await findPgTool('pg_dump', Number(/^(\d+)/.exec(version)?.[1] ?? 0), pgBin);
    // One snapshot for the counts and the dump, so the manifest describes exactly what was dumped.
    await client.query('begin isolation level repeatable read read only');
    const snapshot = String((await client.query('select pg_export_snapshot() as s')).rows[0].s);
    const tables = await listTables(client);
    if (!tables.includes('schema_migrations'))
      throw new BackupError(
        'This PostgreSQL database has no schema_migrations table: it is not a CLN database.',
      );
    progress(`Counting the rows of ${tables.length} tables`);
    const counts = await countRows(client, tables);
    const applied = await appliedMigrations(client, tables);
    const dumpFile = path.join(work, POSTGRES_PAYLOAD);
    progress(`Dumping ${totalRows(counts).toLocaleString('en-GB')} rows with ${pgDump}`);
    const { dbname, env } = libpqTarget(url);
    await runPgTool(
      pgDump,
      ['--format=custom', '--verbose', `--snapshot=${snapshot}`, `--file=${dumpFile}`, `--dbname=${dbname}`],
      env,
      tables.length,
      progress,
    );
    await client.query('commit');
    const bytes = (await stat(dumpFile)).size;
    const manifest = manifestFor(
      'postgres',
      { appVersion, version, applied, counts },
      {
        name: POSTGRES_PAYLOAD,
        bytes,
        sha256: await sha256OfFile(dumpFile),
        tool: `pg_dump --format=custom (${pgDump})`,
      },
    );
    progress(`Writing ${formatBytes(bytes)}`);
    await writeTar(out, [
      { name: MANIFEST, data: Buffer.from(JSON.stringify(manifest, null, 2)) },
      { name: POSTGRES_PAYLOAD, file: dumpFile },
    ]);
    return manifest;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Restore

/** Reads and checks a backup file's manifest; throws BackupError in words for anything else. */
export async function readBackup(file: string) {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist.`);
  let entries;
  try {
    entries = await listTar(file);
  } catch (err) {
    throw new BackupError(`${file} is not a CLN backup: ${(err as Error).message}.`);
  }
  const manifestEntry = entries.find((e) => e.name === MANIFEST);
  if (!manifestEntry) throw new BackupError(`${file} is not a CLN backup (it has no ${MANIFEST}).`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse((await readTarEntry(file, manifestEntry)).toString('utf8')) as BackupManifest;
  } catch {
    throw new BackupError(`${file}: its ${MANIFEST} is not readable JSON.`);
  }
  if (manifest.format !== BACKUP_FORMAT || manifest.formatVersion !== 1)
    throw new BackupError(`${file} is not a CLN backup of a format this version reads.`);
  const payload = entries.find((e) => e.name === manifest.payload.name);
  if (!payload || payload.size !== manifest.payload.bytes)
    throw new BackupError(`${file} is incomplete: ${manifest.payload.name} is missing or of the wrong size.`);
  return { manifest, payload };
}

/** Migrations in the backup that this version of the platform does not have (a newer schema). */
export function unknownMigrations(manifest: BackupManifest): string[] {
  const known = new Set(Object.keys(migrations));
  return manifest.migrations.filter((m) => !known.has(m));
}

function describe(manifest: BackupManifest): string {
  return (
    `backup of ${manifest.createdAt} (${manifest.mode === 'pglite' ? 'embedded' : 'PostgreSQL'}, version ${manifest.appVersion}, ` +
    `${Object.keys(manifest.tables).length} tables, ${totalRows(manifest.tables).toLocaleString('en-GB')} rows)`
  );
}

function compareCounts(expected: Record<string, number>, found: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [t, n] of Object.entries(expected)) {
    if (found[t] === undefined) problems.push(`${t}: missing`);
    else if (found[t] !== n) problems.push(`${t}: ${found[t]} rows, the backup has ${n}`);
  }
  return problems;
}

export type RestoreResult = { manifest: BackupManifest; rows: number; tables: number; replacedDir?: string };

/**
 * Restores a backup into the configured database. Refuses a backup of the other mode, one whose
 * schema is newer than this version's migrations, a damaged file, and (unless `force`) a database
 * that is not empty. The server migrates a restored older schema forward at its next start.
 */
export async function restoreDatabase(
  target: DatabaseTarget,
  file: string,
  opts: { force?: boolean; progress?: Progress; pgBin?: string },
): Promise<RestoreResult> {
  const progress = opts.progress ?? (() => undefined);
  const { manifest, payload } = await readBackup(file);
  progress(`Read the ${describe(manifest)}`);
  if (manifest.mode !== target.kind)
    throw new BackupError(
      manifest.mode === 'pglite'
        ? 'This is a backup of the embedded database; restore it in embedded mode (DATABASE_URL unset, CLN_DATA_DIR the directory to restore into).'
        : 'This is a backup of a PostgreSQL database; restore it with DATABASE_URL set to the (empty) database to restore into.',
    );
  const newer = unknownMigrations(manifest);
  if (newer.length)
    throw new BackupError(
      `This backup comes from a newer version of the platform: its database has ${newer.length} migration${newer.length === 1 ? '' : 's'} ` +
        `this version does not know (${newer.slice(0, 3).join(', ')}${newer.length > 3 ? ', ...' : ''}). ` +
        'Upgrade the platform to the version that made it (or later), then restore.',
    );
  const work = await mkdtemp(path.join(os.tmpdir(), 'cln-restore-'));
  try {
    return target.kind === 'pglite'
      ? await restorePglite(target.dataDir, file, payload, manifest, Boolean(opts.force), progress)
      : await restorePostgres(
          target.url,
          file,
          payload,
          manifest,
          work,
          Boolean(opts.force),
          progress,
          opts.pgBin,
        );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function restorePglite(
  dataDir: string,
  file: string,
  payload: Awaited<ReturnType<typeof readBackup>>['payload'],
  manifest: BackupManifest,
  force: boolean,
  progress: Progress,
): Promise<RestoreResult> {
  const pgdata = path.join(dataDir, 'pgdata');
  const lock = lockDataDirectory(dataDir);
  try {
    const exists = existsSync(path.join(pgdata, 'PG_VERSION'));
    if (exists && !force)
      throw new BackupError(
        `${dataDir} already holds an embedded database. Restoring replaces it: run again with --force ` +
          '(the current database is moved aside, not deleted), or set CLN_DATA_DIR to an empty directory.',
      );
    const dump = await readTarEntry(file, payload);
    if (createHash('sha256').update(dump).digest('hex') !== manifest.payload.sha256)
      throw new BackupError(`${file} is damaged: its checksum does not match its manifest.`);
    // Load into a directory beside the database and swap only once it opened and counted right.
    const staging = path.join(dataDir, 'pgdata.restoring');
    await rm(staging, { recursive: true, force: true });
    progress(`Unpacking ${formatBytes(dump.length)} into ${staging}`);
    const pglite = await openPglite(staging, new Blob([dump]));
    let counts: Record<string, number>;
    try {
      const q: Queryable = {
        query: (text) => pglite.query(text) as Promise<{ rows: Record<string, unknown>[] }>,
      };
      progress('Checking every table against the backup');
      counts = await countRows(q, await listTables(q));
      await pglite.exec('checkpoint');
    } finally {
      await pglite.close();
    }
    const problems = compareCounts(manifest.tables, counts);
    if (problems.length) {
      await rm(staging, { recursive: true, force: true });
      throw new BackupError(`The restored database does not match the backup: ${problems.join('; ')}.`);
    }
    let replacedDir: string | undefined;
    if (exists) {
      replacedDir = path.join(dataDir, `pgdata.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      await rename(pgdata, replacedDir);
    }
    await rename(staging, pgdata);
    return { manifest, rows: totalRows(counts), tables: Object.keys(counts).length, replacedDir };
  } finally {
    lock.release();
  }
}

/** Drops everything the migrations made in the public schema, leaving extensions (pg_trgm) alone. */
async function emptyPublicSchema(client: pg.Client): Promise<void> {
  const notExtension = (catalog: string, column: string) =>
    `not exists (select 1 from pg_depend d where d.classid = '${catalog}'::regclass and d.objid = ${column} and d.deptype = 'e')`;
  await client.query('begin');
  const drop = async (kind: string, selectNames: string) => {
    const { rows } = await client.query(selectNames);
    if (rows.length)
      await client.query(`drop ${kind} if exists ${rows.map((r) => r.name).join(', ')} cascade`);
  };
  await drop(
    'table',
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p', 'f') and ${notExtension('pg_class', 'c.oid')}`,
  );
  await drop(
    'view',
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'v' and ${notExtension('pg_class', 'c.oid')}`,
  );
  await drop(
    'sequence',
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind = 'S' and ${notExtension('pg_class', 'c.oid')}`,
  );
  await drop(
    'function',
    `select p.oid::regprocedure::text as name from pg_proc p
     where p.pronamespace = 'public'::regnamespace and p.prokind = 'f' and ${notExtension('pg_proc', 'p.oid')}`,
  );
  await client.query('commit');
}

async function restorePostgres(
  url: string,
  file: string,
  payload: Awaited<ReturnType<typeof readBackup>>['payload'],
  manifest: BackupManifest,
  work: string,
  force: boolean,
  progress: Progress,
  pgBin?: string,
): Promise<RestoreResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const version = await serverVersion(client);
    const pgRestore = await findPgTool('pg_restore', Number(/^(\d+)/.exec(version)?.[1] ?? 0), pgBin);
    const existing = await listTables(client);
    const others = Number(
      (
        await client.query(
          'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        )
      ).rows[0].n,
    );
    if ((existing.length || others) && !force)
      throw new BackupError(
        [
          existing.length ? `The database already holds ${existing.length} tables.` : '',
          others
            ? `${others} other connection${others === 1 ? ' is' : 's are'} open to it (app servers?): stop them first.`
            : '',
          'Restoring replaces everything in it: run again with --force, or point DATABASE_URL at an empty database (createdb).',
        ]
          .filter(Boolean)
          .join(' '),
      );
    const dumpFile = path.join(work, POSTGRES_PAYLOAD);
    progress(`Unpacking ${formatBytes(payload.size)}`);
    await extractTarEntry(file, payload, dumpFile);
    if ((await sha256OfFile(dumpFile)) !== manifest.payload.sha256)
      throw new BackupError(`${file} is damaged: its checksum does not match its manifest.`);
    if (existing.length) {
      progress(`Dropping the ${existing.length} tables already there (--force)`);
      await emptyPublicSchema(client);
    }
    progress(`Restoring with ${pgRestore} (one transaction: all or nothing)`);
    const { dbname, env } = libpqTarget(url);
    await runPgTool(
      pgRestore,
      [
        '--single-transaction',
        '--exit-on-error',
        '--no-owner',
        '--no-privileges',
        // The only comment a dump holds is pg_trgm's, which a role that does not own the
        // extension may not set: it would abort the whole transaction.
        '--no-comments',
        '--verbose',
        `--dbname=${dbname}`,
        dumpFile,
      ],
      env,
      Object.keys(manifest.tables).length,
      progress,
    );
    progress('Checking every table against the backup');
    const counts = await countRows(client, await listTables(client));
    const problems = compareCounts(manifest.tables, counts);
    if (problems.length)
      throw new BackupError(`The restored database does not match the backup: ${problems.join('; ')}.`);
    progress('Updating the planner statistics (ANALYZE)');
    await client.query('analyze');
    return { manifest, rows: totalRows(counts), tables: Object.keys(counts).length };
  } finally {
    await client.end();
  }
}
