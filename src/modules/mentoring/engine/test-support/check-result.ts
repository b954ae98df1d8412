import type { MatchId, MatchingProblem, MatchingResult } from '../types.ts';

/**
 * Returns every way `result` breaks the rules of `problem` (empty when it is a
 * valid assignment): each mentee at most once, only allowed pairs with their
 * listed scores, capacities respected, pins kept, totals and order consistent.
 */
export function findResultProblems(problem: MatchingProblem, result: MatchingResult): string[] {
  const problems: string[] = [];
  const scoreOf = new Map<string, number>();
  for (const [mentee, mentor, score] of problem.scores) scoreOf.set(key(mentee, mentor), score);
  const capacity = new Map(problem.mentors.map((m) => [m.id, m.capacity]));
  const position = new Map(problem.mentees.map((id, i) => [id, i]));
  const seen = new Set<MatchId>();
  let total = 0;
  let lastPosition = -1;
  result.pairs.forEach(([mentee, mentor], index) => {
    const score = scoreOf.get(key(mentee, mentor));
    if (score === undefined) problems.push(`pair ${key(mentee, mentor)} is not allowed`);
    if (seen.has(mentee)) problems.push(`mentee ${String(mentee)} is matched twice`);
    seen.add(mentee);
    capacity.set(mentor, (capacity.get(mentor) ?? 0) - 1);
    const assignment = result.assignments[index];
    if (assignment?.mentee !== mentee || assignment.mentor !== mentor || assignment.score !== score) {
      problems.push(`assignment ${index} does not match pair ${index}`);
    }
    total += score ?? 0;
    const at = position.get(mentee) ?? -1;
    if (at <= lastPosition) problems.push('pairs are not in mentee input order');
    lastPosition = at;
  });
  for (const [mentor, left] of capacity)
    if (left < 0) problems.push(`mentor ${String(mentor)} is over capacity`);
  const pairSet = new Set(result.pairs.map(([a, b]) => key(a, b)));
  for (const [mentee, mentor] of problem.pinned ?? []) {
    if (!pairSet.has(key(mentee, mentor))) problems.push(`pin ${key(mentee, mentor)} is missing`);
  }
  if (result.matched !== result.pairs.length) problems.push('matched differs from the number of pairs');
  if (Math.abs(total - result.objective) > 1e-6 * (1 + Math.abs(total)))
    problems.push('objective is not the sum');
  const unmatched = problem.mentees.filter((id) => !seen.has(id));
  if (JSON.stringify(unmatched) !== JSON.stringify(result.unmatchedMentees))
    problems.push('unmatched list is wrong');
  return problems;
}

function key(mentee: MatchId, mentor: MatchId): string {
  return JSON.stringify([mentee, mentor]);
}
