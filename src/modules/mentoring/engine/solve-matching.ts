import { findCertificateViolation } from './certificate.ts';
import { createEdgeWorkspace, type EdgeWorkspace } from './edge-workspace.ts';
import { buildMatchingNetwork, measureResidualProblem, readMentorChoices } from './matching-network.ts';
import { chooseScoreScale, unitsOf, type ScoreScale } from './score-scale.ts';
import { solveFlow } from './successive-shortest-paths.ts';
import type { MatchingAssignment, MatchId, MatchingProblem, MatchingResult } from './types.ts';
import { validateProblem, type IndexedProblem } from './validate-problem.ts';

/**
 * Finds the best mentor assignment: first as many matched mentees as possible,
 * then, among all assignments that match that many, the largest total score.
 * Pinned pairs are always kept (optimality is among assignments that keep them).
 * Each mentee gets at most one mentor, each mentor at most its capacity, and
 * only listed pairs are used. The answer is proved optimal before it is returned
 * (see certificate.ts): in exact integer arithmetic when `result.exact` is true.
 * Pairs come back in the order the mentees were given.
 *
 * Pure and synchronous. Throws MatchingInputError for bad input.
 */
export function solveMatching(problem: MatchingProblem): MatchingResult {
  const workspace = createEdgeWorkspace(problem.scores.length, true);
  return solveValidated(validateProblem(problem, workspace), workspace);
}

/**
 * The solve after validation: scale scores, build the network, run the flow
 * solver, check the certificate, read the answer. `workspace` must be the one
 * the problem was validated into, created with room for the network.
 */
export function solveValidated(indexed: IndexedProblem, workspace: EdgeWorkspace): MatchingResult {
  const residual = measureResidualProblem(indexed);
  const nodeCount = indexed.menteeIds.length + indexed.mentorIds.length;
  const scaled = chooseScoreScale(
    indexed.pairScore,
    indexed.lowScore,
    indexed.highScore,
    residual.maxMatched + residual.pinnedCount,
    nodeCount,
  );
  // Leaving a unit unfilled must cost more than any score difference it could buy.
  const unfilledCost = residual.maxMatched * scaled.range + 1;
  const built = buildMatchingNetwork(indexed, residual, scaled, unfilledCost, workspace);
  const flow = solveFlow(built.network);
  // Floating-point potentials drift by far less than this over a solve.
  const tolerance = scaled.exact ? 0 : 1e-9 * (unfilledCost + 4 * (nodeCount + 2) * (scaled.range + 1));
  const violation = findCertificateViolation(built.network, flow, tolerance);
  if (violation !== null) throw new Error(`Matching engine failed its optimality check: ${violation}`);
  return assembleResult(indexed, choosePairs(indexed, readMentorChoices(indexed, built, flow)), scaled);
}

/**
 * Pair index chosen for each mentee (pinned or solved), or -1. One pass over the
 * pairs finds the index of each chosen (mentee, mentor) combination, which spares
 * the network a per-edge back-reference.
 */
function choosePairs(problem: IndexedProblem, mentorOf: Int32Array): Int32Array {
  const chosen = Int32Array.from(problem.pinnedPair);
  for (let p = 0; p < problem.pairCount; p++) {
    const i = problem.pairMentee[p]!;
    if (mentorOf[i] === problem.pairMentor[p]) chosen[i] = p;
  }
  return chosen;
}

function assembleResult(problem: IndexedProblem, chosen: Int32Array, scaled: ScoreScale): MatchingResult {
  const pairs: [MatchId, MatchId][] = [];
  const assignments: MatchingAssignment[] = [];
  const unmatchedMentees: MatchId[] = [];
  let units = 0;
  for (let i = 0; i < chosen.length; i++) {
    const p = chosen[i]!;
    const mentee = problem.menteeIds[i]!;
    if (p < 0) {
      unmatchedMentees.push(mentee);
      continue;
    }
    const mentor = problem.mentorIds[problem.pairMentor[p]!]!;
    const score = problem.pairScore[p]!;
    pairs.push([mentee, mentor]);
    assignments.push({ mentee, mentor, score, pinned: problem.pinnedPair[i] === p });
    units += unitsOf(score, scaled);
  }
  // Summing integer units and dividing once gives the decimal total without drift.
  const objective = units / scaled.scale + 0;
  return {
    matched: pairs.length,
    objective,
    pairs,
    assignments,
    unmatchedMentees,
    exact: scaled.exact,
    scoreScale: scaled.scale,
  };
}
