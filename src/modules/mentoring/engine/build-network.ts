import type { FlowNetwork } from './flow-network.ts';

/** Edges of the network before they are grouped by left node. */
export interface EdgeList {
  readonly count: number;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Non-negative weight; the edge cost is its negation. */
  readonly weight: Float64Array;
}

/**
 * Groups edges into CSR rows by left node, each row ordered by right node.
 * Two stable counting sorts make the layout independent of the order in which
 * the pairs were listed, so the same problem always gets the same answer.
 * `order[k]` is the input position of network edge k.
 */
export function buildNetwork(
  edges: EdgeList,
  supply: Int32Array,
  capacity: Int32Array,
  unfilledCost: number,
): { network: FlowNetwork; order: Int32Array } {
  const leftCount = supply.length;
  const rightCount = capacity.length;
  const byRight = sortByKey(edges.count, edges.right, rightCount, identity(edges.count));
  const order = sortByKey(edges.count, edges.left, leftCount, byRight);
  const rowStart = new Int32Array(leftCount + 1);
  for (let e = 0; e < edges.count; e++) rowStart[edges.left[e]! + 1]!++;
  for (let l = 0; l < leftCount; l++) rowStart[l + 1]! += rowStart[l]!;
  const column = new Int32Array(edges.count);
  const cost = new Float64Array(edges.count);
  for (let k = 0; k < edges.count; k++) {
    const e = order[k]!;
    column[k] = edges.right[e]!;
    // 0 - w rather than -w so that a zero weight gives +0, keeping sums tidy.
    cost[k] = 0 - edges.weight[e]!;
  }
  const network = { leftCount, rightCount, supply, capacity, rowStart, column, cost, unfilledCost };
  return { network, order };
}

function identity(count: number): Int32Array {
  const order = new Int32Array(count);
  for (let e = 0; e < count; e++) order[e] = e;
  return order;
}

/** Stable counting sort of `order` by `key[order[k]]`. */
function sortByKey(count: number, key: Int32Array, keyCount: number, order: Int32Array): Int32Array {
  const start = new Int32Array(keyCount + 1);
  for (let e = 0; e < count; e++) start[key[e]! + 1]!++;
  for (let v = 0; v < keyCount; v++) start[v + 1]! += start[v]!;
  const sorted = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const e = order[k]!;
    sorted[start[key[e]!]!++] = e;
  }
  return sorted;
}
