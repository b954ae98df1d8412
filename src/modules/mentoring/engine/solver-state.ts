import type { FlowNetwork } from './flow-network.ts';

/**
 * Mutable working state: the current flow, the potentials, and the scratch
 * arrays of one shortest-path search. Everything is allocated once, up front,
 * so the searches themselves never allocate.
 */
export interface SolverState {
  readonly net: FlowNetwork;
  readonly slotStart: Int32Array;
  readonly slotLeft: Int32Array;
  readonly slotEdge: Int32Array;
  readonly load: Int32Array;
  readonly unfilled: Int32Array;
  readonly leftPotential: Float64Array;
  readonly rightPotential: Float64Array;
  unfilledPotential: number;
  /** Tentative distance of each left node in the current search (Infinity = unreached). */
  readonly leftDist: Float64Array;
  readonly leftDone: Uint8Array;
  /**
   * Edge (from an earlier settled left node into a full right node) by which a
   * left node was reached; the left node gives that right node's slot up. Kept per
   * left node so a path is a snapshot of the search tree even if the right node's
   * distance is later rewritten.
   */
  readonly leftPredEdge: Int32Array;
  /** Left nodes reached in the current search, in order of first reach. */
  readonly reached: Int32Array;
  reachedCount: number;
  readonly rightDist: Float64Array;
  /** Edge by which a right node with spare capacity was last reached. */
  readonly rightPredEdge: Int32Array;
  /** Right nodes given a finite distance in the current search. */
  readonly touchedRight: Int32Array;
  touchedCount: number;
}

/** Allocates the state for `net`: no flow yet, and potentials that make every reduced cost non-negative. */
export function createSolverState(net: FlowNetwork): SolverState {
  const { leftCount, rightCount, rowStart, cost, capacity } = net;
  const slotStart = new Int32Array(rightCount + 1);
  for (let r = 0; r < rightCount; r++) slotStart[r + 1] = slotStart[r]! + capacity[r]!;
  // Start every left node at its best weight so all reduced costs begin non-negative.
  const leftPotential = new Float64Array(leftCount);
  for (let l = 0; l < leftCount; l++) {
    let best = 0;
    for (let k = rowStart[l]!; k < rowStart[l + 1]!; k++) {
      if (-cost[k]! > best) best = -cost[k]!;
    }
    leftPotential[l] = best;
  }
  const slots = slotStart[rightCount]!;
  return {
    net,
    slotStart,
    slotLeft: new Int32Array(slots).fill(-1),
    slotEdge: new Int32Array(slots).fill(-1),
    load: new Int32Array(rightCount),
    unfilled: new Int32Array(leftCount),
    leftPotential,
    rightPotential: new Float64Array(rightCount),
    unfilledPotential: 0,
    leftDist: new Float64Array(leftCount).fill(Infinity),
    leftDone: new Uint8Array(leftCount),
    leftPredEdge: new Int32Array(leftCount).fill(-1),
    reached: new Int32Array(leftCount),
    reachedCount: 0,
    rightDist: new Float64Array(rightCount).fill(Infinity),
    rightPredEdge: new Int32Array(rightCount).fill(-1),
    touchedRight: new Int32Array(rightCount),
    touchedCount: 0,
  };
}
