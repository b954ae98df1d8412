import { type WorkerPool, workerModule } from '../../platform/workers.ts';
import {
  type GroupingProblem,
  InfeasibleError,
  type SolveProgress,
  type SolveResult,
} from './engine/index.ts';
import type { FormationSearch, FormationSearchOutcome } from './learning-sets.worker.ts';

const searchEntry = workerModule(import.meta.url, './learning-sets.worker');

/** At most this many independent searches per formation: past it, extra seeds add little. */
export const MAX_PARALLEL_SEARCHES = 4;

export type FormationProgress = { elapsedMs: number; budgetMs: number; bestObjective: number | null };

/** Better means fewer broken "keep same organisation apart" preferences, then more diversity. */
export function isBetterResult(a: SolveResult, b: SolveResult) {
  if (a.unmetPreferences.length !== b.unmetPreferences.length)
    return a.unmetPreferences.length < b.unmetPreferences.length;
  return a.objective > b.objective;
}

/**
 * Runs `searches` independent searches of the engine at once, each in its own worker thread with a
 * different seed (the first is `seed` itself, so one search gives exactly the engine's result),
 * and keeps the best. Each search has the whole budget: on k free cores, k searches cost the
 * wall-clock time of one. Progress is the best objective of any search so far. An infeasible
 * problem throws `InfeasibleError` when no search finds a grouping that keeps every rule.
 */
export async function solveInWorkers(
  pool: WorkerPool,
  problem: GroupingProblem,
  opts: {
    seed: number;
    timeLimitMs: number;
    searches: number;
    signal?: AbortSignal;
    onProgress?: (p: FormationProgress) => void;
  },
): Promise<SolveResult & { seed: number; searches: number }> {
  const searches = Math.max(1, Math.min(opts.searches, MAX_PARALLEL_SEARCHES));
  // Distances as a plain typed array: the structured clone copies it once per search.
  const shared: GroupingProblem = { ...problem, distances: Float64Array.from(problem.distances) };
  let best: number | null = null;
  const started = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: searches }, (_, i) =>
      pool.run<FormationSearch, FormationSearchOutcome, SolveProgress>(
        searchEntry,
        { problem: shared, seed: opts.seed + i * 7919, timeLimitMs: opts.timeLimitMs },
        {
          signal: opts.signal,
          // The engine keeps to its budget; this stops a search that does not, queueing included.
          timeoutMs: opts.timeLimitMs * 3 + 30_000,
          onProgress: (p) => {
            best = best === null ? p.bestObjective : Math.max(best, p.bestObjective);
            opts.onProgress?.({
              elapsedMs: Date.now() - started,
              budgetMs: opts.timeLimitMs,
              bestObjective: best,
            });
          },
        },
      ),
    ),
  );
  let winner: { result: SolveResult; seed: number } | null = null;
  for (const o of outcomes) if (o.ok && (!winner || isBetterResult(o.result, winner.result))) winner = o;
  if (!winner) throw new InfeasibleError(outcomes.find((o) => !o.ok)!.infeasible);
  return { ...winner.result, seed: winner.seed, searches };
}
