import type { FlowNetwork, FlowSolution } from './flow-network.ts';

/** Potentials beyond this could make the exact check itself round. */
const EXACT_LIMIT = 2 ** 50;

/**
 * Checks that `flow` is a feasible flow of `net` and that the potentials prove it
 * has minimum cost: every residual edge must have a non-negative reduced cost
 * (cost + potential(tail) - potential(head)), which rules out any negative cycle
 * (any cheaper reassignment). With integer costs and `tolerance` 0 every sum here
 * is exact, so passing is a proof of optimality. Returns a description of the
 * first violation, or null when the certificate holds.
 */
export function findCertificateViolation(
  net: FlowNetwork,
  flow: FlowSolution,
  tolerance: number,
): string | null {
  return (
    checkFlow(net, flow) ??
    (tolerance === 0 ? checkExactRange(net, flow) : null) ??
    checkEdges(net, flow, tolerance) ??
    checkSinkAndUnfilled(net, flow, tolerance)
  );
}

/** Checks capacities, supplies, and that each slot holds a distinct edge into its right node. */
function checkFlow(net: FlowNetwork, flow: FlowSolution): string | null {
  const shipped = Int32Array.from(flow.unfilled);
  for (let r = 0; r < net.rightCount; r++) {
    if (flow.load[r]! > net.capacity[r]!) return `right node ${r} is over capacity`;
    for (let s = flow.slotStart[r]!; s < flow.slotStart[r]! + flow.load[r]!; s++) {
      const k = flow.slotEdge[s]!;
      const l = flow.slotLeft[s]!;
      if (net.column[k] !== r || k < net.rowStart[l]! || k >= net.rowStart[l + 1]!)
        return `slot ${s} has a foreign edge`;
      for (let t = flow.slotStart[r]!; t < s; t++)
        if (flow.slotLeft[t] === l) return `edge ${k} is used twice`;
      shipped[l]!++;
    }
  }
  for (let l = 0; l < net.leftCount; l++) {
    if (shipped[l] !== net.supply[l]) return `left node ${l} ships ${shipped[l]} of ${net.supply[l]} units`;
  }
  return null;
}

function checkExactRange(net: FlowNetwork, flow: FlowSolution): string | null {
  const lists = [
    flow.leftPotential,
    flow.rightPotential,
    net.cost,
    Float64Array.of(flow.unfilledPotential, net.unfilledCost),
  ];
  for (const list of lists) {
    for (let k = 0; k < list.length; k++) {
      const v = list[k]!;
      if (!Number.isInteger(v) || Math.abs(v) > EXACT_LIMIT)
        return `value ${v} is outside exact integer range`;
    }
  }
  return null;
}

/**
 * Unused edges can be taken (forward), so their reduced cost must be >= 0; used
 * edges can only be given back (reverse), so theirs must be <= 0. Rows are read
 * with one compare per edge; the few used edges are checked through the slots.
 */
function checkEdges(net: FlowNetwork, flow: FlowSolution, tolerance: number): string | null {
  for (let l = 0; l < net.leftCount; l++) {
    const k = findNegativeUnusedEdge(net, flow, l, tolerance);
    if (k >= 0) return `unused edge ${k} has reduced cost ${reducedCost(net, flow, l, k)}`;
  }
  for (let r = 0; r < net.rightCount; r++) {
    for (let s = flow.slotStart[r]!; s < flow.slotStart[r]! + flow.load[r]!; s++) {
      const l = flow.slotLeft[s]!;
      const k = flow.slotEdge[s]!;
      if (reducedCost(net, flow, l, k) > tolerance)
        return `used edge ${k} has reduced cost ${reducedCost(net, flow, l, k)}`;
    }
  }
  return null;
}

/**
 * First edge of row l with a negative reduced cost that is not in use, or -1.
 * A kernel per row (rather than one long loop) gets compiled once and stays so.
 */
function findNegativeUnusedEdge(net: FlowNetwork, flow: FlowSolution, l: number, tolerance: number): number {
  const { rowStart, column, cost } = net;
  const { rightPotential, slotStart, slotLeft, load } = flow;
  const floor = -tolerance - flow.leftPotential[l]!;
  for (let k = rowStart[l]!; k < rowStart[l + 1]!; k++) {
    const r = column[k]!;
    if (cost[k]! - rightPotential[r]! < floor && !isSlotHolder(slotLeft, slotStart[r]!, load[r]!, l))
      return k;
  }
  return -1;
}

function reducedCost(net: FlowNetwork, flow: FlowSolution, l: number, k: number): number {
  return net.cost[k]! + flow.leftPotential[l]! - flow.rightPotential[net.column[k]!]!;
}

function isSlotHolder(slotLeft: Int32Array, start: number, used: number, l: number): boolean {
  for (let s = start; s < start + used; s++) if (slotLeft[s] === l) return true;
  return false;
}

function checkSinkAndUnfilled(net: FlowNetwork, flow: FlowSolution, tolerance: number): string | null {
  for (let r = 0; r < net.rightCount; r++) {
    const p = flow.rightPotential[r]!;
    if (flow.load[r]! < net.capacity[r]! && p < -tolerance) return `free right node ${r} has potential ${p}`;
    if (flow.load[r]! > 0 && p > tolerance) return `used right node ${r} has potential ${p}`;
  }
  const pu = flow.unfilledPotential;
  let anyUnfilled = false;
  for (let l = 0; l < net.leftCount; l++) {
    const reduced = net.unfilledCost + flow.leftPotential[l]! - pu;
    if (reduced < -tolerance) return `left node ${l} could leave a unit unfilled more cheaply`;
    if (flow.unfilled[l]! > 0) {
      anyUnfilled = true;
      if (reduced > tolerance) return `left node ${l} could ship an unfilled unit more cheaply`;
    }
  }
  if (pu < -tolerance || (anyUnfilled && pu > tolerance)) return `unfilled node has potential ${pu}`;
  return null;
}
