/**
 * Buckets per row: enough that a search stops within a few entries of where an
 * exact order would let it, few enough that clearing them costs little next to
 * a row of a few thousand entries.
 */
const BUCKETS = 256;

interface RowScratch {
  readonly counts: Int32Array;
  readonly bucketOf: Int32Array;
  readonly columnCopy: Int32Array;
  readonly costCopy: Float64Array;
}

/**
 * Reorders each CSR row by ascending cost (best weight first), in place, and
 * returns the slack of that order: along a row a cost is never more than the
 * slack below an earlier one. A bucket sort on cost keeps this linear; with
 * integer costs spanning at most BUCKETS values the order is exact (slack 0).
 *
 * Why: a search can then stop reading a row as soon as the remaining costs
 * cannot beat the best end found so far (see successive-shortest-paths.ts), so
 * most searches read a few dozen entries instead of thousands. The sort is
 * stable, so rows stay in a canonical order. Each row is sorted on its own,
 * while it is in cache.
 */
export function orderRowsByCost(
  rowStart: Int32Array,
  column: Int32Array,
  cost: Float64Array,
  range: number,
  integral: boolean,
): number {
  const width = integral ? Math.max(1, Math.ceil((range + 1) / BUCKETS)) : Math.max(range, 1e-300) / BUCKETS;
  let longest = 0;
  for (let l = 0; l + 1 < rowStart.length; l++) longest = Math.max(longest, rowStart[l + 1]! - rowStart[l]!);
  const scratch: RowScratch = {
    counts: new Int32Array(BUCKETS + 1),
    bucketOf: new Int32Array(longest),
    columnCopy: new Int32Array(longest),
    costCopy: new Float64Array(longest),
  };
  for (let l = 0; l + 1 < rowStart.length; l++)
    sortRow(rowStart[l]!, rowStart[l + 1]!, column, cost, width, scratch);
  // Float bucket boundaries can round either way, hence the doubled slack.
  return integral ? (width === 1 ? 0 : width) : 2 * width;
}

function sortRow(
  start: number,
  end: number,
  column: Int32Array,
  cost: Float64Array,
  width: number,
  s: RowScratch,
) {
  const length = end - start;
  if (length < 2) return;
  const { counts, bucketOf, columnCopy, costCopy } = s;
  let low = Infinity;
  for (let k = start; k < end; k++) if (cost[k]! < low) low = cost[k]!;
  counts.fill(0);
  const perWidth = 1 / width;
  for (let q = 0; q < length; q++) {
    const c = cost[start + q]!;
    const b = Math.min(BUCKETS - 1, Math.floor((c - low) * perWidth));
    bucketOf[q] = b;
    counts[b + 1]!++;
    columnCopy[q] = column[start + q]!;
    costCopy[q] = c;
  }
  for (let b = 1; b <= BUCKETS; b++) counts[b]! += counts[b - 1]!;
  for (let q = 0; q < length; q++) {
    const k = start + counts[bucketOf[q]!]!++;
    column[k] = columnCopy[q]!;
    cost[k] = costCopy[q]!;
  }
}
