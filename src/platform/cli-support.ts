import { type Config, loadConfig } from '../config.ts';
import type { DB } from '../db/database.ts';
import { DataDirectoryLockedError } from '../db/lock.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';
import { version } from '../version.ts';

/** A failure a `cln` command explains in one line (exit code 1, no stack trace). */
export class CliError extends Error {}

/**
 * Opens the configured database, migrated, for one command, and closes it afterwards. In embedded
 * mode a running server holds the database: say so plainly, and what to do.
 */
export async function withDatabase<T>(fn: (db: DB, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, version);
  let handle;
  try {
    handle = await openDatabase(config.database);
  } catch (err) {
    if (err instanceof DataDirectoryLockedError) {
      throw new CliError(
        `The embedded database in ${err.dataDir} is held by another process (pid ${err.pid}), probably the running server.\n` +
          'In embedded mode only one process may open the database. Stop the server (Ctrl+C in its terminal, or kill ' +
          `${err.pid}), run this command, then start the server again. To run commands while serving, use PostgreSQL (DATABASE_URL).`,
      );
    }
    throw err;
  }
  try {
    await migrateToLatest(handle.db);
    return await fn(handle.db, config);
  } finally {
    await handle.close();
  }
}
