import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import {
  LearningSetsError,
  parseMdgpInstance,
  solveMdgp,
  type MdgpInstance,
  type SolveResult,
} from './engine/index.ts';

interface SolveFlags {
  seconds: number;
  seed: number;
  json?: boolean;
}

/**
 * Adds `mdgp solve FILE --seconds S [--seed K] [--json]` to `program`: solves an MDGPLIB
 * instance and prints `{"objective": ..., "assignment": [...]}` (with --json) or a readable
 * summary. Bad input is reported as one line on stderr with exit code 1, never a stack trace.
 */
export function registerLearningSetsCli(program: Command): void {
  const mdgp = program.command('mdgp').description('maximally diverse grouping (MDGPLIB) tools');
  mdgp
    .command('solve')
    .description('form maximally diverse groups for an MDGPLIB instance file')
    .argument('<file>', 'MDGPLIB instance file')
    .requiredOption(
      '--seconds <s>',
      'time budget in seconds (the search uses all of it)',
      parsePositiveNumber,
    )
    .option('--seed <k>', 'random seed; same seed and budget, similar result', parseSeed, 1)
    .option('--json', 'print {"objective": number, "assignment": [group of each person]}')
    .action((file: string, flags: SolveFlags, command: Command) => {
      try {
        const instance = parseMdgpInstance(readInstance(file));
        const result = solveMdgp(instance, { timeLimitMs: flags.seconds * 1000, seed: flags.seed });
        const output = flags.json ? formatJson(result) : formatSummary(file, instance, result, flags.seed);
        process.stdout.write(`${output}\n`);
      } catch (error) {
        if (error instanceof LearningSetsError) command.error(`${file}: ${error.message}`, { exitCode: 1 });
        throw error;
      }
    });
}

/** File problems become LearningSetsError so they get the same one-line treatment. */
function readInstance(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder'
          : `cannot be read (${code ?? 'unknown error'})`;
    throw new LearningSetsError(reason);
  }
}

function parsePositiveNumber(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError('expected a number of seconds above 0.');
  return seconds;
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError('expected a whole number.');
  return seed;
}

/** Exactly `{"objective": <number>, "assignment": [...]}`; the objective loses only float noise. */
function formatJson(result: SolveResult): string {
  const objective = Math.round(result.objective * 1e6) / 1e6;
  return `{"objective": ${JSON.stringify(objective)}, "assignment": [${result.assignment.join(', ')}]}`;
}

function formatSummary(file: string, instance: MdgpInstance, result: SolveResult, seed: number): string {
  const lines = [
    `${file}: ${instance.n} people into ${instance.m} groups (${instance.kind})`,
    `objective ${result.objective.toFixed(3)} after ${(result.elapsedMs / 1000).toFixed(1)} s, ` +
      `${result.iterations} iterations, seed ${seed} (best found at ${(result.timeToBestMs / 1000).toFixed(1)} s)`,
  ];
  result.groups.forEach((members, g) => {
    lines.push(
      `group ${g} (${members.length}, bounds ${instance.lower[g]}-${instance.upper[g]}): ${members.join(' ')}`,
    );
  });
  return lines.join('\n');
}
