import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerLearningSetsCli } from '../learning-sets.cli.ts';

const folder = mkdtempSync(path.join(tmpdir(), 'mdgp-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeInstance(name: string, text: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return file;
}

/** Runs the CLI in-process, capturing stdout, stderr and the exit code. */
async function run(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: (text) => (stderr += text), writeOut: (text) => (stdout += text) });
  registerLearningSetsCli(program);
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'cln', ...args]);
    return { stdout, stderr, exitCode: 0 };
  } catch (error) {
    return { stdout, stderr, exitCode: (error as { exitCode?: number }).exitCode ?? -1 };
  } finally {
    write.mockRestore();
  }
}

describe('mdgp solve', () => {
  const good = writeInstance(
    'good.txt',
    ['4 2 ss 2 2 2 2', '0 1 1', '0 2 2', '0 3 9', '1 2 8', '1 3 5', '2 3 6'].join('\n'),
  );

  it('prints exactly the objective and the assignment with --json', async () => {
    const { stdout, exitCode } = await run(['mdgp', 'solve', good, '--seconds', '0.05', '--json']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^\{"objective": 17, "assignment": \[\d, \d, \d, \d\]\}\n$/);
    const parsed = JSON.parse(stdout) as { objective: number; assignment: number[] };
    expect(parsed.assignment[0]).toBe(parsed.assignment[3]);
  });

  it('prints a readable summary without --json', async () => {
    const { stdout } = await run(['mdgp', 'solve', good, '--seconds', '0.05', '--seed', '3']);
    expect(stdout).toContain('4 people into 2 groups (ss)');
    expect(stdout).toContain('objective 17.000');
  });

  it('reports a malformed file on stderr with exit code 1', async () => {
    const bad = writeInstance('bad.txt', ['3 1 ss 3 3', '0 1 1', '0 2', '1 2 3'].join('\n'));
    const { stderr, exitCode } = await run(['mdgp', 'solve', bad, '--seconds', '1']);
    expect(exitCode).toBe(1);
    expect(stderr).toBe(`${bad}: line 3: expected "i j distance", found "0 2"\n`);
  });

  it('reports a missing file and a bad --seconds', async () => {
    const missing = await run(['mdgp', 'solve', path.join(folder, 'nope.txt'), '--seconds', '1']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('nope.txt: no such file');
    const badSeconds = await run(['mdgp', 'solve', good, '--seconds', '-2']);
    expect(badSeconds.exitCode).toBe(1);
    expect(badSeconds.stderr).toContain('expected a number of seconds above 0');
  });
});
