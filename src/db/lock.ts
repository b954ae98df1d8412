import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DataDirectoryLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another process (pid ${pid}). ` +
        `Only one process may open it at a time. Stop that process first (for example the server ` +
        `started with "npm start"), or run the CLI through the running server's web pages, ` +
        `or move to PostgreSQL (set DATABASE_URL) to run several processes against one database.`,
    );
    this.name = 'DataDirectoryLockedError';
  }
}

export type DataDirectoryLock = { release(): void };

const LOCK_FILE = 'cln.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): { pid: number; host: string } | undefined {
  try {
    const [pid, host] = readFileSync(file, 'utf8').split('\n');
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, host: host ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * PGlite has no inter-process lock of its own, and two processes writing one data directory
 * corrupt it. Take an exclusive pid file; reclaim it when its holder is gone (a crash).
 */
export function lockDataDirectory(dataDir: string): DataDirectoryLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n${os.hostname()}\n${new Date().toISOString()}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const holder = readHolder(file);
          if (holder?.pid === process.pid) unlinkSync(file);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && holder.pid !== process.pid && holder.host === os.hostname() && isAlive(holder.pid)) {
        throw new DataDirectoryLockedError(dataDir, holder.pid);
      }
      if (holder && holder.pid === process.pid) throw new DataDirectoryLockedError(dataDir, holder.pid);
      // Stale lock from a crashed process: remove and retry.
      try {
        unlinkSync(file);
      } catch {
        /* another process may have reclaimed it first */
      }
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}
