import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirectoryLockedError, lockDataDirectory } from './lock.ts';

const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(path.join(os.tmpdir(), 'cln-lock-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the embedded data directory lock', () => {
  it('refuses a second opener while the holder lives, and frees the directory on release', () => {
    const dir = tempDir();
    const lock = lockDataDirectory(dir);
    expect(() => lockDataDirectory(dir)).toThrow(DataDirectoryLockedError);
    expect(() => lockDataDirectory(dir)).toThrow(/in use by another process \(pid \d+\)/);
    lock.release();
    expect(existsSync(path.join(dir, 'cln.lock'))).toBe(false);
    lockDataDirectory(dir).release();
  });

  it('refuses a lock held by another live process', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      writeFileSync(path.join(dir, 'cln.lock'), `${child.pid}\n${os.hostname()}\n`);
      expect(() => lockDataDirectory(dir)).toThrow(`(pid ${child.pid})`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('reclaims a stale lock left by a crashed process', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    writeFileSync(path.join(dir, 'cln.lock'), `${child.pid}\n${os.hostname()}\n`);
    const lock = lockDataDirectory(dir);
    expect(readFileSync(path.join(dir, 'cln.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
  });
});
