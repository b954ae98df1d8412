import { buildNetwork } from './build-network.ts';
import type { FlowNetwork } from './flow-network.ts';
import type { IndexedProblem } from './validate-problem.ts';

/** What is left to decide once pinned pairs are fixed. */
export interface ResidualProblem {
  /** Mentor capacity left after pinned mentees. */
  readonly capacity: Int32Array;
  readonly freeMentees: number;
  readonly freeCapacity: number;
  readonly pinnedCount: number;
  /** Upper bound on how many free mentees can still be matched. */
  readonly maxMatched: number;
}

/** The flow network for the free part of a problem, and how to read it back. */
export interface MatchingNetwork {
  readonly network: FlowNetwork;
  /** True when mentors are the left (shipping) side, false when mentees are. */
  readonly mentorsShip: boolean;
  /** Pair index of each network edge. */
  readonly edgePair: Int32Array;
}

/** Removes pinned pairs from the problem: their mentees are settled and their mentors have less room. */
export function measureResidualProblem(problem: IndexedProblem): ResidualProblem {
  const capacity = Int32Array.from(problem.capacity);
  let pinnedCount = 0;
  for (let i = 0; i < problem.pinnedPair.length; i++) {
    const p = problem.pinnedPair[i]!;
    if (p < 0) continue;
    capacity[problem.pairMentor[p]!]!--;
    pinnedCount++;
  }
  let freeCapacity = 0;
  for (const c of capacity) freeCapacity += c;
  const freeMentees = problem.menteeIds.length - pinnedCount;
  return { capacity, freeMentees, freeCapacity, pinnedCount, maxMatched: Math.min(freeMentees, freeCapacity) };
}

/**
 * Builds the network with the scarcer side shipping. The solver runs one search
 * per unit shipped and each search ends at the first free unit on the other side,
 * so shipping from the scarce side means fewer searches that each end quickly
 * (there is plenty of free room on the far side).
 */
export function buildMatchingNetwork(
  problem: IndexedProblem,
  residual: ResidualProblem,
  weights: Float64Array,
  unfilledCost: number,
): MatchingNetwork {
  const mentorsShip = residual.freeCapacity <= residual.freeMentees;
  const keep = new Int32Array(problem.pairCount);
  let count = 0;
  for (let p = 0; p < problem.pairCount; p++) {
    const free = problem.pinnedPair[problem.pairMentee[p]!] === -1;
    if (free && residual.capacity[problem.pairMentor[p]!]! > 0) keep[count++] = p;
  }
  const mentee = new Int32Array(count);
  const mentor = new Int32Array(count);
  const weight = new Float64Array(count);
  for (let e = 0; e < count; e++) {
    const p = keep[e]!;
    mentee[e] = problem.pairMentee[p]!;
    mentor[e] = problem.pairMentor[p]!;
    weight[e] = weights[p]!;
  }
  const menteeUnits = new Int32Array(problem.menteeIds.length);
  for (let i = 0; i < menteeUnits.length; i++) menteeUnits[i] = problem.pinnedPair[i] === -1 ? 1 : 0;
  const built = mentorsShip
    ? buildNetwork({ count, left: mentor, right: mentee, weight }, residual.capacity, menteeUnits, unfilledCost)
    : buildNetwork({ count, left: mentee, right: mentor, weight }, menteeUnits, residual.capacity, unfilledCost);
  const edgePair = new Int32Array(count);
  for (let k = 0; k < count; k++) edgePair[k] = keep[built.order[k]!]!;
  return { network: built.network, mentorsShip, edgePair };
}
