import type { FlowNetwork, FlowSolution } from './flow-network.ts';
import { createSolverState, type SolverState } from './solver-state.ts';

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
 * (node potentials keep every residual edge non-negative), then one augmentation
 * along the path found. With integer costs every step is exact.
 *
 * Why one source at a time is enough: every unit must ship (the unfilled node
 * always takes it), so this is a min-cost flow with fixed supplies, and
 * successive shortest paths may serve the supply nodes in any order. It also
 * keeps each search local: it stops as soon as the cheapest right node with
 * spare capacity is settled, usually within the first row or two.
 */
export function solveFlow(net: FlowNetwork): FlowSolution {
  const state = createSolverState(net);
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

/**
 * Dijkstra from `source` over left nodes; right nodes are relaxed inline because
 * a full right node only leads on to the left nodes occupying its slots.
 *
 * Anything at or beyond the best end found so far can never be on the shortest
 * path, so it is skipped before any write, and since rows are ordered by cost a
 * row is read only as far as an entry could still beat that end.
 */
function searchShortestPath(state: SolverState, source: number): SearchResult {
  const { net, leftDist, leftDone, leftPredEdge, reached, rightDist, rightPredEdge, touchedRight } = state;
  const { rowStart, column, cost, capacity, unfilledCost, rowSlack } = net;
  const { leftPotential, rightPotential, slotStart, slotLeft, slotEdge, load } = state;
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
    for (let k = rowStart[l]!, end = rowStart[l + 1]!; k < end; k++) {
      const c = cost[k]!;
      // Right potentials never rise above 0, so base + c bounds this and (rows being
      // ordered by cost) every later entry from below: nothing further can win.
      if (base + c >= best + rowSlack) break;
      const r = column[k]!;
      const nd = base + c - rightPotential[r]!;
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
  const { leftPredEdge, rightPredEdge, slotStart, slotLeft, slotEdge, load } = state;
  const { column, rowStart } = state.net;
  let l: number;
  if (found.terminalRight >= 0) {
    const r = found.terminalRight;
    const k = rightPredEdge[r]!;
    l = rowOfEdge(rowStart, k);
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
    const next = rowOfEdge(rowStart, k);
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

/** Left node owning edge k (binary search over row offsets; only used on found paths). */
function rowOfEdge(rowStart: Int32Array, k: number): number {
  let low = 0;
  let high = rowStart.length - 2;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (rowStart[mid]! <= k) low = mid;
    else high = mid - 1;
  }
  return low;
}
