import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { baseUrlWarning, runCli } from './cli.ts';

describe('cln tasks run and BASE_URL', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('warns that emailed links point at the default address when BASE_URL is not set', () => {
    expect(baseUrlWarning({}, 'http://127.0.0.1:3000')).toContain(
      'BASE_URL is not set, so links in the emails these tasks send will point at http://127.0.0.1:3000',
    );
    expect(baseUrlWarning({ BASE_URL: 'https://cln.example' }, 'https://cln.example')).toBeNull();
  });

  it('prints the warning before running the tasks, and not with BASE_URL set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cln-cli-'));
    try {
      // The embedded database in a directory of the test's own (never a shared PostgreSQL).
      delete process.env.DATABASE_URL;
      delete process.env.BASE_URL;
      process.env.CLN_DATA_DIR = dir;
      process.env.LOG_LEVEL = 'silent';
      const errors: string[] = [];
      const logs: string[] = [];
      vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
      vi.spyOn(console, 'log').mockImplementation((m: unknown) => void logs.push(String(m)));
      await runCli(['node', 'cln', 'db', 'migrate']);
      await runCli(['node', 'cln', 'tasks', 'run', 'recruitment.sponsor-reminders']);
      expect(errors.join('\n')).toContain('Warning: BASE_URL is not set');
      expect(logs.join('\n')).toContain('recruitment.sponsor-reminders: done');

      errors.length = 0;
      process.env.BASE_URL = 'https://cln.example.nhs.uk';
      await runCli(['node', 'cln', 'tasks', 'run', 'recruitment.sponsor-reminders']);
      expect(errors.join('\n')).not.toContain('BASE_URL is not set');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
