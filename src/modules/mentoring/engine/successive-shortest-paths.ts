import type { FlowNetwork, FlowSolution } from './flow-network.ts';

/**
 * Mutable working state: the current flow, the potentials, and the scratch
 * arrays of one shortest-path search. Everything is allocated once, up front,
 * so the searches themselves never allocate.
 */
interface SolverState {
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
  /** Per left node, the edge to where its last search from that row ended. */
  readonly hintEdge: Int32Array;
  /** Owner (left node) of each edge, for walking a path backwards. */
  readonly edgeLeft: Int32Array;
}

/** Where the search ended: a right node with spare capacity, or the unfilled node. */
interface SearchResult {
  readonly distance: number;
  /** Right node index, or -1 when the cheapest option is to leave the unit unshipped. */
  readonly terminalRight: number;
  /** Left node that ships to the unfilled node when terminalRight is -1. */
  readonly unfilledFrom: number;
  readonly unfilledDist: number;
}

/**
 * Solves the min-cost flow exactly by successive shortest paths: one Dijkstra
 * search per unit of supply, from that unit's left node, over reduced costs
 * (node potentials keep every residual edge non-negative). Shipping one unit at a
 * time from one source keeps each search local: it stops as soon as the cheapest
 * right node with spare capacity is settled, which is usually after one or two
 * rows. With integer costs every step is exact.
 */
export function solveFlow(net: FlowNetwork): FlowSolution {
  const state = createState(net);
  for (let source = 0; source < net.leftCount; source++) {
    const units = net.supply[source]!;
    for (let unit = 0; unit < units; unit++) {
      const found = searchShortestPath(state, source);
      updatePotentials(state, found);
      augmentPath(state, source, found);
    }
  }
  return {
    slotStart: state.slotStart,
    slotLeft: state.slotLeft,
    slotEdge: state.slotEdge,
    load: state.load,
    unfilled: state.unfilled,
    leftPotential: state.leftPotential,
    rightPotential: state.rightPotential,
    unfilledPotential: state.unfilledPotential,
  };
}

function createState(net: FlowNetwork): SolverState {
  const { leftCount, rightCount, rowStart, cost, capacity } = net;
  const slotStart = new Int32Array(rightCount + 1);
  for (let r = 0; r < rightCount; r++) slotStart[r + 1] = slotStart[r]! + capacity[r]!;
  const edgeLeft = new Int32Array(cost.length);
  // Start every left node at its best weight so all reduced costs begin non-negative.
  const leftPotential = new Float64Array(leftCount);
  for (let l = 0; l < leftCount; l++) {
    let best = 0;
    for (let k = rowStart[l]!; k < rowStart[l + 1]!; k++) {
      edgeLeft[k] = l;
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
    hintEdge: new Int32Array(leftCount).fill(-1),
    edgeLeft,
  };
}

/**
 * Dijkstra from `source` over left nodes; right nodes are relaxed inline because
 * a full right node only leads on to the left nodes occupying its slots.
 *
 * Anything at or beyond the best end found so far can never be on the shortest
 * path, so it is skipped before any write; seeding that bound with the row's
 * previous end (usually still free) means most cells cost one compare.
 */
function searchShortestPath(state: SolverState, source: number): SearchResult {
  const { net, leftDist, leftDone, leftPredEdge, reached, rightDist, rightPredEdge, touchedRight } = state;
  const { rowStart, column, cost, capacity, unfilledCost } = net;
  const { leftPotential, rightPotential, slotStart, slotLeft, slotEdge, load, hintEdge } = state;
  const unfilledPotential = state.unfilledPotential;
  leftDist[source] = 0;
  leftPredEdge[source] = -1;
  reached[0] = source;
  let reachedCount = 1;
  let touchedCount = 0;
  let best = Infinity;
  let terminalRight = -1;
  let unfilledFrom = -1;
  let unfilledDist = Infinity;
  for (;;) {
    // Settle the closest unsettled left node; stop once nothing is closer than the best end.
    let l = -1;
    let dl = best;
    for (let q = 0; q < reachedCount; q++) {
      const c = reached[q]!;
      if (leftDone[c] === 0 && leftDist[c]! < dl) {
        dl = leftDist[c]!;
        l = c;
      }
    }
    if (l < 0) break;
    leftDone[l] = 1;
    const base = dl + leftPotential[l]!;
    const toUnfilled = base + unfilledCost - unfilledPotential;
    if (toUnfilled < unfilledDist) {
      unfilledDist = toUnfilled;
      unfilledFrom = l;
      // The unfilled node's edge to the sink has reduced cost equal to its potential.
      if (toUnfilled + unfilledPotential < best) {
        best = toUnfilled + unfilledPotential;
        terminalRight = -1;
      }
    }
    const hint = hintEdge[l]!;
    if (hint >= 0) {
      const r = column[hint]!;
      const nd = base + cost[hint]! - rightPotential[r]!;
      if (load[r]! < capacity[r]! && nd < rightDist[r]! && nd + rightPotential[r]! < best) {
        if (rightDist[r] === Infinity) touchedRight[touchedCount++] = r;
        rightDist[r] = nd;
        rightPredEdge[r] = hint;
        best = nd + rightPotential[r]!;
        terminalRight = r;
      }
    }
    for (let k = rowStart[l]!, end = rowStart[l + 1]!; k < end; k++) {
      const r = column[k]!;
      const nd = base + cost[k]! - rightPotential[r]!;
      // Potentials of right nodes never rise above 0, so nd bounds any path through r.
      if (nd >= best || nd >= rightDist[r]!) continue;
      const s0 = slotStart[r]!;
      const used = load[r]!;
      if (used < capacity[r]!) {
        // Spare capacity: the path can end here (the sink's potential is 0).
        if (rightDist[r] === Infinity) touchedRight[touchedCount++] = r;
        rightDist[r] = nd;
        rightPredEdge[r] = k;
        if (nd + rightPotential[r]! < best) {
          best = nd + rightPotential[r]!;
          terminalRight = r;
          hintEdge[l] = k;
        }
        continue;
      }
      if (isOccupiedBy(slotLeft, s0, used, l)) continue;
      if (rightDist[r] === Infinity) touchedRight[touchedCount++] = r;
      rightDist[r] = nd;
      // Full: continue to each occupant, which may give its slot up (reverse edge).
      const back = nd + rightPotential[r]!;
      for (let s = s0; s < s0 + used; s++) {
        const o = slotLeft[s]!;
        if (leftDone[o] !== 0) continue;
        const d2 = back - cost[slotEdge[s]!]! - leftPotential[o]!;
        const old = leftDist[o]!;
        if (d2 < old && d2 < best) {
          if (old === Infinity) reached[reachedCount++] = o;
          leftDist[o] = d2;
          leftPredEdge[o] = k;
        }
      }
    }
  }
  state.reachedCount = reachedCount;
  state.touchedCount = touchedCount;
  return { distance: best, terminalRight, unfilledFrom, unfilledDist };
}

function isOccupiedBy(slotLeft: Int32Array, start: number, used: number, l: number): boolean {
  for (let s = start; s < start + used; s++) if (slotLeft[s] === l) return true;
  return false;
}

/**
 * Lowers the potential of every node settled closer than the path's length by the
 * difference (Jonker-Volgenant style), which keeps all reduced costs non-negative
 * and makes the found path tight. Also clears the search scratch arrays.
 */
function updatePotentials(state: SolverState, found: SearchResult): void {
  const { leftDist, leftDone, reached, rightDist, leftPotential, rightPotential } = state;
  const limit = found.distance;
  for (let q = 0; q < state.reachedCount; q++) {
    const l = reached[q]!;
    if (leftDone[l] !== 0) leftPotential[l] = leftPotential[l]! + leftDist[l]! - limit;
    leftDist[l] = Infinity;
    leftDone[l] = 0;
  }
  for (let q = 0; q < state.touchedCount; q++) {
    const r = state.touchedRight[q]!;
    const d = rightDist[r]!;
    if (d < limit) rightPotential[r] = rightPotential[r]! + d - limit;
    rightDist[r] = Infinity;
  }
  if (found.unfilledDist < limit) state.unfilledPotential += found.unfilledDist - limit;
}

/** Moves one unit along the found path: each left node on it swaps one slot for the next. */
function augmentPath(state: SolverState, source: number, found: SearchResult): void {
  const { leftPredEdge, rightPredEdge, edgeLeft, slotStart, slotLeft, slotEdge, load } = state;
  const { column } = state.net;
  let l: number;
  if (found.terminalRight >= 0) {
    const r = found.terminalRight;
    const k = rightPredEdge[r]!;
    l = edgeLeft[k]!;
    const s = slotStart[r]! + load[r]!;
    slotLeft[s] = l;
    slotEdge[s] = k;
    load[r]!++;
  } else {
    l = found.unfilledFrom;
    state.unfilled[l]!++;
  }
  while (l !== source) {
    const k = leftPredEdge[l]!;
    const r = column[k]!;
    const next = edgeLeft[k]!;
    for (let s = slotStart[r]!; s < slotStart[r]! + load[r]!; s++) {
      if (slotLeft[s] === l) {
        slotLeft[s] = next;
        slotEdge[s] = k;
        break;
      }
    }
    l = next;
  }
}
