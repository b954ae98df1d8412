import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSolveJson, registerMentoringCli, runSolveCommand, type CliOutput } from '../mentoring.cli.ts';
import { solveMatching } from './index.ts';

const folder = mkdtempSync(path.join(tmpdir(), 'mentoring-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeProblem(name: string, content: unknown): string {
  const file = path.join(folder, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function captureOutput(): CliOutput & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => (out += text),
    err: (text) => (err += text),
    stdout: () => out,
    stderr: () => err,
  };
}

const problem = {
  mentees: ['a', 'b', 3, 'd'],
  mentors: [
    { id: 'm1', capacity: 1 },
    { id: 2, capacity: 2 },
  ],
  scores: [
    ['a', 'm1', 5],
    ['a', 2, 3],
    ['b', 'm1', 4],
    [3, 2, 1.5],
    ['d', 2, -2],
  ],
  pinned: [['b', 'm1']],
};

describe('mentoring solve', () => {
  it('prints exactly {"matched", "objective", "pairs"} with --json', async () => {
    const output = captureOutput();
    const code = await runSolveCommand(writeProblem('ok.json', problem), { json: true }, output);
    expect(code).toBe(0);
    expect(output.stderr()).toBe('');
    expect(output.stdout()).toBe(
      '{"matched": 3, "objective": 8.5, "pairs": [["a", 2], ["b", "m1"], [3, 2]]}\n',
    );
    expect(JSON.parse(output.stdout())).toEqual({
      matched: 3,
      objective: 8.5,
      pairs: [
        ['a', 2],
        ['b', 'm1'],
        [3, 2],
      ],
    });
  });

  it('prints a readable summary without --json', async () => {
    const output = captureOutput();
    expect(await runSolveCommand(writeProblem('ok.json', problem), { json: false }, output)).toBe(0);
    expect(output.stdout()).toBe(
      [
        'Matched 3 of 4 mentees (the most possible), total score 8.5 (the highest for that many).',
        '',
        'Mentee  Mentor  Score',
        'a       2       3',
        'b       m1      4      pinned',
        '3       2       1.5',
        '',
        'Unmatched: d',
        '',
      ].join('\n'),
    );
  });

  it('explains bad input on stderr with exit code 1 and no stack trace', async () => {
    const cases: [string, RegExp][] = [
      [writeProblem('bad-json.json', '{"mentees": ['), /bad-json\.json: The matching file is not valid JSON/],
      [
        writeProblem('bad-capacity.json', { ...problem, mentors: [{ id: 'm1', capacity: 8 }] }),
        /Mentor "m1" has capacity 8/,
      ],
      [path.join(folder, 'missing.json'), /missing\.json: no such file/],
    ];
    for (const [file, message] of cases) {
      const output = captureOutput();
      expect(await runSolveCommand(file, { json: true }, output)).toBe(1);
      expect(output.stdout()).toBe('');
      expect(output.stderr()).toMatch(message);
      expect(output.stderr()).toMatch(/^Error: [^\n]*\n$/);
    }
  });

  it('is wired into commander as `mentoring solve FILE --json`', async () => {
    const output = captureOutput();
    const program = new Command('cln').exitOverride();
    registerMentoringCli(program, output);
    await program.parseAsync([
      'node',
      'cln',
      'mentoring',
      'solve',
      writeProblem('ok.json', problem),
      '--json',
    ]);
    expect(JSON.parse(output.stdout())).toMatchObject({ matched: 3, objective: 8.5 });
  });

  it('sets exit code 1 through commander on failure', async () => {
    const output = captureOutput();
    const program = new Command('cln').exitOverride();
    registerMentoringCli(program, output);
    const before = process.exitCode;
    try {
      await program.parseAsync(['node', 'cln', 'mentoring', 'solve', path.join(folder, 'missing.json')]);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = before;
    }
  });

  it('formats JSON with ids in their own types', () => {
    const result = solveMatching({
      mentees: [1, 'x'],
      mentors: [{ id: 'm', capacity: 2 }],
      scores: [
        [1, 'm', 2],
        ['x', 'm', 0],
      ],
    });
    expect(formatSolveJson(result)).toBe('{"matched": 2, "objective": 2, "pairs": [[1, "m"], ["x", "m"]]}');
  });
});
