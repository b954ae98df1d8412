/** Scores with more decimal places than this are solved in floating point. */
const MAX_DECIMAL_PLACES = 12;
/** Every integer the solver forms must stay well inside the exact range of doubles (2^53). */
const SAFE_MAGNITUDE = 2 ** 50;
/** Scores checked per call of the checking kernel (see findDecimalScale). */
const CHUNK = 4096;

/**
 * How scores become solver weights: weight = score * scale - offset, rounded to
 * an integer when exact, so every weight is non-negative.
 */
export interface ScoreScale {
  /** True when weights are exact integers, with no rounding anywhere. */
  readonly exact: boolean;
  /** Power of ten the scores are multiplied by (1 when not exact). */
  readonly scale: number;
  /** Lowest scaled score, subtracted from every scaled score. */
  readonly offset: number;
  /** Largest weight. */
  readonly range: number;
}

/** Weight of one score under `scale`. */
export function weightOf(score: number, scale: ScoreScale): number {
  return scale.exact ? Math.round(score * scale.scale) - scale.offset : score - scale.offset;
}

/** Score in integer units of 1 / scale (the score itself when not exact). */
export function unitsOf(score: number, scale: ScoreScale): number {
  return scale.exact ? Math.round(score * scale.scale) : score;
}

/**
 * Chooses how to turn scores into non-negative solver weights, as exact integers
 * when it can.
 *
 * A score written as a decimal with k places (0.37, 12.5) is, as a double, the
 * nearest double to an integer N over 10^k; using N keeps every sum, potential
 * and reduced cost exact, so the optimality certificate is a proof rather than a
 * tolerance check (and totals come out as the decimals people expect). The
 * smallest such power of ten is used, and only if the largest quantity the
 * solver can form (the unfilled-unit cost plus a path's worth of weights) stays
 * below 2^50.
 *
 * Subtracting the lowest score from all scores does not change which assignment
 * is best once cardinality is fixed; it makes every weight non-negative, which
 * keeps the unfilled-unit cost small.
 */
export function chooseScoreScale(
  scores: Float64Array,
  low: number,
  high: number,
  maxMatched: number,
  nodeCount: number,
): ScoreScale {
  const scale = findDecimalScale(scores);
  if (scale > 0) {
    const offset = Math.round(low * scale);
    const range = Math.round(high * scale) - offset;
    const largest = Math.max(Math.abs(offset), Math.abs(Math.round(high * scale)), 1);
    const fits = maxMatched * range + 4 * (nodeCount + 2) * (range + 1) <= SAFE_MAGNITUDE;
    if (fits && maxMatched * largest <= SAFE_MAGNITUDE) return { exact: true, scale, offset, range };
  }
  return { exact: false, scale: 1, offset: low, range: high - low };
}

/**
 * Smallest 10^k (k <= MAX_DECIMAL_PLACES) making every score a whole number, or 0
 * if none. Works in chunks through a small kernel: the kernel is called often
 * enough to be compiled once and stay compiled, whereas a single long loop would
 * start in the interpreter on every solve and allocate a boxed number per step.
 */
function findDecimalScale(scores: Float64Array): number {
  let scale = 1;
  for (let start = 0; start < scores.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, scores.length);
    while (!allWhole(scores, start, end, scale)) {
      if (scale >= 10 ** MAX_DECIMAL_PLACES) return 0;
      scale *= 10;
    }
  }
  return scale;
}

function allWhole(scores: Float64Array, start: number, end: number, scale: number): boolean {
  for (let p = start; p < end; p++) {
    const s = scores[p]!;
    if (Math.round(s * scale) / scale !== s) return false;
  }
  return true;
}
