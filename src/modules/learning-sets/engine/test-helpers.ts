import { createRng } from './rng.ts';
import type { GroupingProblem } from './types.ts';

/** A random symmetric instance with integer distances 0..99; for tests only. */
export function makeRandomProblem(
  n: number,
  lower: number[],
  upper: number[],
  seed: number,
): GroupingProblem {
  const rng = createRng(seed);
  const distances = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.floor(rng() * 100);
      distances[i * n + j] = d;
      distances[j * n + i] = d;
    }
  }
  return { n, distances, lower, upper };
}

/** Exhaustive optimum over every assignment meeting the bounds; tiny n only. */
export function bruteForceOptimum(problem: GroupingProblem): number {
  const { n, distances, lower, upper } = problem;
  const m = lower.length;
  const assignment = new Array<number>(n).fill(0);
  const sizes = new Array<number>(m).fill(0);
  let best = -Infinity;
  const place = (i: number, value: number): void => {
    if (i === n) {
      if (sizes.every((s, g) => s >= lower[g]!)) best = Math.max(best, value);
      return;
    }
    for (let g = 0; g < m; g++) {
      if (sizes[g]! >= upper[g]!) continue;
      let gain = 0;
      for (let j = 0; j < i; j++) if (assignment[j] === g) gain += distances[i * n + j]!;
      assignment[i] = g;
      sizes[g]!++;
      place(i + 1, value + gain);
      sizes[g]!--;
    }
  };
  place(0, 0);
  return best;
}

/** Group sizes of an assignment. */
export function countSizes(assignment: readonly number[], m: number): number[] {
  const sizes = new Array<number>(m).fill(0);
  for (const g of assignment) sizes[g]!++;
  return sizes;
}
