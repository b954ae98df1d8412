import type { FlowNetwork } from './flow-network.ts';
import { orderRowsByCost } from './order-rows.ts';
import { weightOf, type ScoreScale } from './score-scale.ts';

/** Candidate edges, in input order, before they are grouped by left node. */
export interface EdgeSource {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly score: Float64Array;
}

/**
 * Groups edges into CSR rows by left node, ordered by right node and then
 * (stably) by cost, so the layout, and so the answer, does not depend on the
 * order in which pairs were listed. An edge is kept only if its left node has
 * supply and its right node capacity.
 *
 * Input grouped the usual way (pairs in a consistent order) comes out ordered by
 * right node from one scatter; only otherwise is a counting sort by right node
 * done first. The rows are written into `room` (see edge-workspace.ts).
 */
export function buildNetwork(
  edges: EdgeSource,
  scale: ScoreScale,
  supply: Int32Array,
  capacity: Int32Array,
  unfilledCost: number,
  room: { readonly column: Int32Array; readonly cost: Float64Array },
): FlowNetwork {
  const { left, right } = edges;
  const rowStart = new Int32Array(supply.length + 1);
  for (let p = 0; p < left.length; p++) {
    if (supply[left[p]!]! > 0 && capacity[right[p]!]! > 0) rowStart[left[p]! + 1]!++;
  }
  for (let l = 1; l < rowStart.length; l++) rowStart[l]! += rowStart[l - 1]!;
  const count = rowStart[supply.length]!;
  const column = room.column.subarray(0, count);
  const cost = room.cost.subarray(0, count);
  const sorted = scatterEdges(edges, scale, supply, capacity, rowStart, column, cost, null);
  if (!sorted)
    scatterEdges(edges, scale, supply, capacity, rowStart, column, cost, orderByRight(edges, capacity));
  const rowSlack = orderRowsByCost(rowStart, column, cost, scale.range, scale.exact);
  return {
    leftCount: supply.length,
    rightCount: capacity.length,
    supply,
    capacity,
    rowStart,
    column,
    cost,
    rowSlack,
    unfilledCost,
  };
}

/** Fills the rows in `order` (input order when null); returns whether every row came out sorted. */
function scatterEdges(
  edges: EdgeSource,
  scale: ScoreScale,
  supply: Int32Array,
  capacity: Int32Array,
  rowStart: Int32Array,
  column: Int32Array,
  cost: Float64Array,
  order: Int32Array | null,
): boolean {
  const { left, right, score } = edges;
  const fill = rowStart.slice(0, supply.length);
  const total = order === null ? left.length : order.length;
  let sorted = true;
  for (let q = 0; q < total; q++) {
    const p = order === null ? q : order[q]!;
    const l = left[p]!;
    const r = right[p]!;
    if (supply[l] === 0 || capacity[r] === 0) continue;
    const k = fill[l]!++;
    if (k > rowStart[l]! && column[k - 1]! > r) sorted = false;
    column[k] = r;
    // 0 - w rather than -w so that a zero weight gives +0, keeping sums tidy.
    cost[k] = 0 - weightOf(score[p]!, scale);
  }
  return sorted;
}

/** Input positions stably sorted by right node (counting sort). */
function orderByRight(edges: EdgeSource, capacity: Int32Array): Int32Array {
  const start = new Int32Array(capacity.length + 1);
  for (let p = 0; p < edges.right.length; p++) start[edges.right[p]! + 1]!++;
  for (let r = 1; r < start.length; r++) start[r]! += start[r - 1]!;
  const order = new Int32Array(edges.right.length);
  for (let p = 0; p < edges.right.length; p++) order[start[edges.right[p]!]!++] = p;
  return order;
}
