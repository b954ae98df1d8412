/**
 * All per-pair arrays of one solve, carved out of a single ArrayBuffer.
 *
 * Why: V8 starts a full garbage collection whenever typed-array memory grows by
 * about 64 MiB, and a full collection has to walk the caller's input (millions
 * of small pair arrays): about 0.2 s at 2 million pairs, seconds at 24 million.
 * One buffer means at most one such trigger per solve, and the previous solve's
 * buffer is reused when no collection has reclaimed it yet (a WeakRef keeps it
 * findable without keeping it alive), so back-to-back solves trigger none.
 * Every array is fully written before it is read, so reuse cannot leak state.
 */
export interface EdgeWorkspace {
  readonly pairMentee: Int32Array;
  readonly pairMentor: Int32Array;
  readonly pairScore: Float64Array;
  /** Room for the network's edges (at most one per pair); empty when not reserved. */
  readonly column: Int32Array;
  readonly cost: Float64Array;
}

/** Bytes per pair: two doubles and three 32-bit integers with the network, else one and two. */
const NETWORK_BYTES = 2 * 8 + 3 * 4;
const PAIR_BYTES = 8 + 2 * 4;

let spare: WeakRef<ArrayBuffer> | undefined;

/** Reserves the pair arrays, and the network arrays too when `forNetwork` is set. */
export function createEdgeWorkspace(pairCount: number, forNetwork: boolean): EdgeWorkspace {
  const buffer = takeBuffer(pairCount * (forNetwork ? NETWORK_BYTES : PAIR_BYTES));
  const networkCount = forNetwork ? pairCount : 0;
  // Doubles first keeps every view aligned.
  const pairScore = new Float64Array(buffer, 0, pairCount);
  const cost = new Float64Array(buffer, 8 * pairCount, networkCount);
  const intBase = 8 * (pairCount + networkCount);
  return {
    pairScore,
    cost,
    pairMentee: new Int32Array(buffer, intBase, pairCount),
    pairMentor: new Int32Array(buffer, intBase + 4 * pairCount, pairCount),
    column: new Int32Array(buffer, intBase + 8 * pairCount, networkCount),
  };
}

function takeBuffer(bytes: number): ArrayBuffer {
  const previous = spare?.deref();
  // Reuse only a buffer of a similar size, so a small solve never pins a huge one.
  if (previous !== undefined && previous.byteLength >= bytes && previous.byteLength <= 2 * bytes + 4096) {
    return previous;
  }
  const buffer = new ArrayBuffer(bytes);
  spare = new WeakRef(buffer);
  return buffer;
}
