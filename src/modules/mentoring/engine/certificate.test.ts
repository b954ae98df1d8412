import { describe, expect, it } from 'vitest';
import { findCertificateViolation } from './certificate.ts';
import { buildNetwork } from './build-network.ts';
import type { FlowNetwork, FlowSolution } from './flow-network.ts';
import { solveFlow } from './successive-shortest-paths.ts';

/** Two mentors (left, one place each) and two mentees (right): weights favour a-x, b-y. */
function buildSmallNetwork(): FlowNetwork {
  const weights = Float64Array.of(5, 1, 1, 5);
  return buildNetwork(
    { left: Int32Array.of(0, 0, 1, 1), right: Int32Array.of(0, 1, 0, 1), score: weights },
    { exact: true, scale: 1, offset: 0, range: 5 },
    Int32Array.of(1, 1),
    Int32Array.of(1, 1),
    11,
    { column: new Int32Array(4), cost: new Float64Array(4) },
  );
}

describe('optimality certificate', () => {
  it('holds for the solver output', () => {
    const net = buildSmallNetwork();
    expect(findCertificateViolation(net, solveFlow(net), 0)).toBeNull();
  });

  it('catches a worse assignment presented with the same potentials', () => {
    const net = buildSmallNetwork();
    const flow = solveFlow(net);
    // Swap the two mentees between the mentors: a feasible but worse assignment.
    const swapped: FlowSolution = {
      ...flow,
      slotLeft: Int32Array.of(flow.slotLeft[1]!, flow.slotLeft[0]!),
      slotEdge: Int32Array.of(otherEdge(net, flow, 1, 0), otherEdge(net, flow, 0, 1)),
    };
    expect(findCertificateViolation(net, swapped, 0)).toMatch(/reduced cost/);
  });

  it('catches an infeasible flow', () => {
    const net = buildSmallNetwork();
    const flow = solveFlow(net);
    const dropped: FlowSolution = { ...flow, load: Int32Array.of(0, flow.load[1]!) };
    expect(findCertificateViolation(net, dropped, 0)).toMatch(/ships 0 of 1 units/);
  });
});

/** Edge from the left node holding slot `from` into right node `to`. */
function otherEdge(net: FlowNetwork, flow: FlowSolution, from: number, to: number): number {
  const l = flow.slotLeft[from]!;
  for (let k = net.rowStart[l]!; k < net.rowStart[l + 1]!; k++) if (net.column[k] === to) return k;
  throw new Error('no such edge');
}
