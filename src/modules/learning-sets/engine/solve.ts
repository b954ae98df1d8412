import { performance } from 'node:perf_hooks';
import { InfeasibleError } from './errors.ts';
import { buildInitialAssignment } from './initial.ts';
import { runIteratedTabuSearch } from './iterated-tabu.ts';
import { formatPeople, prepareProblem, type PreparedProblem } from './prepare.ts';
import { createRng } from './rng.ts';
import { scoreAssignment } from './score.ts';
import type { GroupingProblem, PersonPair, SolveOptions, SolveResult } from './types.ts';

const DEFAULT_TIME_LIMIT_MS = 1000;
const DEFAULT_PROGRESS_INTERVAL_MS = 250;

/**
 * Splits people into groups within their size bounds, maximising the summed within-group
 * distance, with keep-apart and keep-together rules always met and avoid-together pairs
 * separated whenever possible. Anytime: runs until `timeLimitMs` (default 1 s) or
 * `maxIterations` and returns the best grouping seen. Same seed and iteration budget, same result.
 * Throws `InfeasibleError` when the bounds and rules cannot all be met.
 */
export function solveMdgp(problem: GroupingProblem, options: SolveOptions = {}): SolveResult {
  const start = performance.now();
  const prepared = prepareProblem(problem);
  const rng = createRng(options.seed ?? 1);
  const initial = buildInitialAssignment(prepared.core, rng);
  if (initial === null) throw new InfeasibleError(describePackingFailure(problem, prepared));

  const noBudget = options.timeLimitMs === undefined && options.maxIterations === undefined;
  const timeLimit = options.timeLimitMs ?? (noBudget ? DEFAULT_TIME_LIMIT_MS : Infinity);
  const interval = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  let lastReport = start;
  const onProgress = options.onProgress;
  const outcome = runIteratedTabuSearch(prepared.core, initial, rng, {
    deadline: start + timeLimit,
    maxIterations: options.maxIterations ?? Infinity,
    onCheck: onProgress
      ? (iteration, bestScore) => {
          const now = performance.now();
          if (now - lastReport < interval) return true;
          lastReport = now;
          const bestObjective = bestScore + prepared.scoreOffset;
          return onProgress({ iteration, elapsedMs: now - start, bestObjective }) !== false;
        }
      : undefined,
  });

  const assignment = expandUnits(prepared, outcome.best, problem.n);
  // Independent check: sizes are re-validated and the objective recomputed from the input.
  const objective = scoreAssignment(problem, assignment);
  const brokenApart = (problem.keepApart ?? []).filter(([i, j]) => assignment[i] === assignment[j]);
  if (brokenApart.length > 0) {
    const pairs = brokenApart.slice(0, 5).map(([i, j]) => `${i} and ${j}`);
    throw new InfeasibleError(
      `could not keep apart ${pairs.join('; ')}${brokenApart.length > 5 ? ` and ${brokenApart.length - 5} more pairs` : ''} ` +
        `with ${problem.lower.length} sets of these sizes; the keep-apart rules probably need more sets than there are`,
    );
  }
  const unmetPreferences: PersonPair[] = (problem.avoidTogether ?? [])
    .filter(([i, j]) => assignment[i] === assignment[j])
    .map(([i, j]) => [i, j] as const);
  const end = performance.now();
  return {
    assignment,
    groups: listGroups(assignment, problem.lower.length),
    objective,
    unmetPreferences,
    iterations: outcome.iterations,
    elapsedMs: end - start,
    timeToBestMs: outcome.bestFoundAt - start,
  };
}

function expandUnits(prepared: PreparedProblem, unitAssignment: Int32Array, n: number): number[] {
  const assignment = new Array<number>(n).fill(0);
  prepared.unitMembers.forEach((members, u) => {
    for (const person of members) assignment[person] = unitAssignment[u]!;
  });
  return assignment;
}

function listGroups(assignment: readonly number[], m: number): number[][] {
  const groups: number[][] = Array.from({ length: m }, () => []);
  assignment.forEach((g, person) => groups[g]!.push(person));
  return groups;
}

function describePackingFailure(problem: GroupingProblem, prepared: PreparedProblem): string {
  const together = prepared.unitMembers.filter((members) => members.length > 1);
  const sizes = together.map((members) => members.length).join(', ');
  const bounds = problem.lower.map((a, g) => `${a}-${problem.upper[g]}`).join(', ');
  const example = together[0] ? ` (for example ${formatPeople(together[0])})` : '';
  return `could not fit the keep-together groups of sizes ${sizes}${example} into sets with size bounds ${bounds}`;
}
