import { buildNetwork } from './build-network.ts';
import type { EdgeWorkspace } from './edge-workspace.ts';
import type { FlowNetwork, FlowSolution } from './flow-network.ts';
import type { ScoreScale } from './score-scale.ts';
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
  return {
    capacity,
    freeMentees,
    freeCapacity,
    pinnedCount,
    maxMatched: Math.min(freeMentees, freeCapacity),
  };
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
  scale: ScoreScale,
  unfilledCost: number,
  workspace: EdgeWorkspace,
): MatchingNetwork {
  const mentorsShip = residual.freeCapacity <= residual.freeMentees;
  const { pairMentee, pairMentor, pairScore, pinnedPair } = problem;
  // Pinned mentees ship nothing and take nothing, so their pairs drop out.
  const menteeUnits = new Int32Array(problem.menteeIds.length);
  for (let i = 0; i < menteeUnits.length; i++) menteeUnits[i] = pinnedPair[i] === -1 ? 1 : 0;
  const network = mentorsShip
    ? buildNetwork(
        { left: pairMentor, right: pairMentee, score: pairScore },
        scale,
        residual.capacity,
        menteeUnits,
        unfilledCost,
        workspace,
      )
    : buildNetwork(
        { left: pairMentee, right: pairMentor, score: pairScore },
        scale,
        menteeUnits,
        residual.capacity,
        unfilledCost,
        workspace,
      );
  return { network, mentorsShip };
}

/** Mentor chosen by the flow for each mentee, or -1 (pinned mentees are not included). */
export function readMentorChoices(
  problem: IndexedProblem,
  built: MatchingNetwork,
  flow: FlowSolution,
): Int32Array {
  const { network, mentorsShip } = built;
  const mentorOf = new Int32Array(problem.menteeIds.length).fill(-1);
  for (let r = 0; r < network.rightCount; r++) {
    for (let s = flow.slotStart[r]!; s < flow.slotStart[r]! + flow.load[r]!; s++) {
      const l = flow.slotLeft[s]!;
      if (mentorsShip) mentorOf[r] = l;
      else mentorOf[l] = r;
    }
  }
  return mentorOf;
}
