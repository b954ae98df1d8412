import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MatchingInputError, parseMatchingFile, solveMatching, type MatchingResult } from './engine/index.ts';

/** Where the command writes; tests pass their own. */
export interface CliOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Adds `cln mentoring solve FILE.json [--json]`. */
export function registerMentoringCli(program: Command, output: CliOutput = processOutput): void {
  const mentoring = program.command('mentoring').description('Mentoring: mentor matching');
  mentoring
    .command('solve')
    .description('Match mentees to mentors: as many mentees as possible, then the highest total score')
    .argument(
      '<file>',
      'JSON file: {"mentees": [ids], "mentors": [{"id", "capacity"}], "scores": [[menteeId, mentorId, score]]}',
    )
    .option('--json', 'print {"matched", "objective", "pairs"} as one line of JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const code = await runSolveCommand(file, { json: Boolean(options.json) }, output);
      if (code !== 0) process.exitCode = code;
    });
}

/**
 * Reads, solves and prints one problem file. Returns the exit code: 0, or 1
 * after writing a one-line explanation (never a stack trace) to `output.err`.
 */
export async function runSolveCommand(
  file: string,
  options: { readonly json: boolean },
  output: CliOutput = processOutput,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    output.err(
      `Error: ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'unknown error'})`}\n`,
    );
    return 1;
  }
  try {
    const result = solveMatching(parseMatchingFile(text));
    output.out(options.json ? `${formatSolveJson(result)}\n` : formatSolveSummary(result));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.err(error instanceof MatchingInputError ? `Error: ${file}: ${message}\n` : `Error: ${message}\n`);
    return 1;
  }
}

/** `{"matched": 2, "objective": 7.5, "pairs": [["a", "m1"], ...]}` on one line; ids keep their JSON type. */
export function formatSolveJson(result: MatchingResult): string {
  const pairs = result.pairs.map(
    ([mentee, mentor]) => `[${JSON.stringify(mentee)}, ${JSON.stringify(mentor)}]`,
  );
  return `{"matched": ${result.matched}, "objective": ${JSON.stringify(result.objective)}, "pairs": [${pairs.join(', ')}]}`;
}

/** A readable report: totals, a table of pairs with scores, and who is left unmatched. */
export function formatSolveSummary(result: MatchingResult): string {
  const total = result.matched + result.unmatchedMentees.length;
  const lines = [
    `Matched ${result.matched} of ${total} mentees (the most possible), ` +
      `total score ${result.objective} (the highest for that many).`,
  ];
  if (result.assignments.length > 0) {
    const rows = result.assignments.map((a) => [
      String(a.mentee),
      String(a.mentor),
      String(a.score),
      a.pinned ? 'pinned' : '',
    ]);
    const table = [['Mentee', 'Mentor', 'Score', ''], ...rows];
    const widths = [0, 1, 2].map((c) => Math.max(...table.map((row) => row[c]!.length)));
    lines.push(
      '',
      ...table.map((row) =>
        row
          .map((cell, c) => cell.padEnd(widths[c] ?? 0))
          .join('  ')
          .trimEnd(),
      ),
    );
  }
  if (result.unmatchedMentees.length > 0) lines.push('', `Unmatched: ${result.unmatchedMentees.join(', ')}`);
  if (!result.exact)
    lines.push('', 'Note: scores have many decimal places; optimality was checked to rounding precision.');
  return `${lines.join('\n')}\n`;
}
