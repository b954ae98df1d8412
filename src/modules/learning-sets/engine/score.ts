import { InvalidAssignmentError } from './errors.ts';
import type { GroupingProblem } from './types.ts';

/**
 * Recomputes from scratch the summed within-group distance of `assignment` (group index of each
 * person), after checking that it is a complete grouping within every size bound. Independent of
 * the search's incremental bookkeeping, so it is the arbiter of reported objectives.
 * Throws `InvalidAssignmentError` naming the first problem found.
 */
export function scoreAssignment(problem: GroupingProblem, assignment: ArrayLike<number>): number {
  const { n, distances, lower, upper } = problem;
  const m = lower.length;
  if (assignment.length !== n) {
    throw new InvalidAssignmentError(`assignment has ${assignment.length} entries for ${n} people`);
  }
  const sizes = new Array<number>(m).fill(0);
  for (let i = 0; i < n; i++) {
    const g = assignment[i]!;
    if (!Number.isInteger(g) || g < 0 || g >= m) {
      throw new InvalidAssignmentError(`person ${i} is in group ${g}, outside 0..${m - 1}`);
    }
    sizes[g]!++;
  }
  for (let g = 0; g < m; g++) {
    if (sizes[g]! < lower[g]! || sizes[g]! > upper[g]!) {
      throw new InvalidAssignmentError(
        `group ${g} has ${sizes[g]} people, outside its bounds ${lower[g]}..${upper[g]}`,
      );
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const g = assignment[i]!;
    for (let j = i + 1; j < n; j++) if (assignment[j] === g) total += distances[i * n + j]!;
  }
  return total;
}
