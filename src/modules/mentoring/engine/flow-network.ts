/**
 * The transport network the solver works on. One side ("left") ships supply,
 * the other side ("right") absorbs it up to a capacity; every allowed pair is an
 * edge of capacity 1. Any unit of supply may instead go to a virtual "unfilled"
 * node at cost `unfilledCost`, so routing all supply is always feasible and the
 * lexicographic goal (cardinality first, score second) becomes one min-cost flow.
 *
 * Which real side is left depends on which side is scarcer (see
 * matching-network.ts): the solver runs one shortest-path search per unit of
 * supply, so the side with less supply ships.
 */
export interface FlowNetwork {
  readonly leftCount: number;
  readonly rightCount: number;
  /** Units each left node must ship (mentor capacity, or 1 for a mentee). */
  readonly supply: Int32Array;
  /** Units each right node can absorb (1 for a mentee, or mentor capacity). */
  readonly capacity: Int32Array;
  /** CSR row offsets by left node, length leftCount + 1. */
  readonly rowStart: Int32Array;
  /** Right node of each edge. */
  readonly column: Int32Array;
  /** Cost of each edge: minus its (shifted, non-negative) weight. */
  readonly cost: Float64Array;
  /**
   * Rows are ordered by cost up to this slack: along a row a cost is never more
   * than `rowSlack` below an earlier one (see order-rows.ts).
   */
  readonly rowSlack: number;
  /** Cost of leaving one unit of supply unshipped; exceeds any score gain. */
  readonly unfilledCost: number;
}

/** An optimal flow together with the node potentials that certify it. */
export interface FlowSolution {
  /** Offsets into the slot arrays by right node, length rightCount + 1. */
  readonly slotStart: Int32Array;
  /** Left node in each used slot; a right node's used slots come first. */
  readonly slotLeft: Int32Array;
  /** Edge index of each used slot. */
  readonly slotEdge: Int32Array;
  /** Used slots per right node. */
  readonly load: Int32Array;
  /** Supply units per left node that went to the unfilled node. */
  readonly unfilled: Int32Array;
  readonly leftPotential: Float64Array;
  readonly rightPotential: Float64Array;
  /** Potential of the unfilled node; the sink's potential is fixed at 0. */
  readonly unfilledPotential: number;
}
