/** Above this many mentee-mentor cells a bitset gets too big and sorting is used instead. */
const BITSET_CELL_LIMIT = 2 ** 28;

/**
 * Returns the index of a pair that repeats an earlier one, or -1. Uses one bit per
 * possible cell when that fits in 32 MiB (linear time), otherwise sorts cell keys.
 */
export function findDuplicatePair(
  pairMentee: Int32Array,
  pairMentor: Int32Array,
  menteeCount: number,
  mentorCount: number,
): number {
  const cells = menteeCount * mentorCount;
  return cells <= BITSET_CELL_LIMIT
    ? findWithBitset(pairMentee, pairMentor, mentorCount, cells)
    : findBySorting(pairMentee, pairMentor, mentorCount);
}

function findWithBitset(
  pairMentee: Int32Array,
  pairMentor: Int32Array,
  mentorCount: number,
  cells: number,
): number {
  const seen = new Uint32Array(Math.ceil(cells / 32));
  for (let p = 0; p < pairMentee.length; p++) {
    const cell = pairMentee[p]! * mentorCount + pairMentor[p]!;
    const word = cell >>> 5;
    const bit = 1 << (cell & 31);
    if ((seen[word]! & bit) !== 0) return p;
    seen[word] = seen[word]! | bit;
  }
  return -1;
}

function findBySorting(pairMentee: Int32Array, pairMentor: Int32Array, mentorCount: number): number {
  // Cell keys stay below 2^53, so they are exact doubles.
  const keys = new Float64Array(pairMentee.length);
  for (let p = 0; p < keys.length; p++) keys[p] = pairMentee[p]! * mentorCount + pairMentor[p]!;
  keys.sort();
  for (let k = 1; k < keys.length; k++) {
    if (keys[k] === keys[k - 1]) return lastPairWithKey(pairMentee, pairMentor, mentorCount, keys[k]!);
  }
  return -1;
}

function lastPairWithKey(
  pairMentee: Int32Array,
  pairMentor: Int32Array,
  mentorCount: number,
  key: number,
): number {
  for (let p = pairMentee.length - 1; p >= 0; p--) {
    if (pairMentee[p]! * mentorCount + pairMentor[p]! === key) return p;
  }
  return -1;
}
