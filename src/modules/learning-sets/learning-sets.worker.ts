import type { WorkerContext } from '../../platform/workers.ts';
import {
  type GroupingProblem,
  InfeasibleError,
  LearningSetsError,
  type SolveProgress,
  type SolveResult,
  solveMdgp,
} from './engine/index.ts';

export type FormationSearch = { problem: GroupingProblem; seed: number; timeLimitMs: number };
export type FormationSearchOutcome =
  { ok: true; result: SolveResult; seed: number } | { ok: false; infeasible: string };

/**
 * One search of the set formation engine, in a worker thread. A broken rule comes back as a value
 * (an error's class does not survive the trip between threads); anything else is a real failure.
 */
export default function runFormationSearch(
  search: FormationSearch,
  context: WorkerContext,
): FormationSearchOutcome {
  try {
    const result = solveMdgp(search.problem, {
      seed: search.seed,
      timeLimitMs: search.timeLimitMs,
      progressIntervalMs: 100,
      onProgress: (p: SolveProgress) => {
        if (context.cancelled()) return false;
        context.report(p);
      },
    });
    return { ok: true, result, seed: search.seed };
  } catch (err) {
    if (err instanceof InfeasibleError || err instanceof LearningSetsError)
      return { ok: false, infeasible: err.message };
    throw err;
  }
}
