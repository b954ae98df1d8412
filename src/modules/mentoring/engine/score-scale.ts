/** Scores with more decimal places than this are solved in floating point. */
const MAX_DECIMAL_PLACES = 12;
/** Every integer the solver forms must stay well inside the exact range of doubles (2^53). */
const SAFE_MAGNITUDE = 2 ** 50;

/** How scores become solver weights. */
export interface ScoreScale {
  /** True when weights are exact integers: score * scale, with no rounding anywhere. */
  readonly exact: boolean;
  /** Power of ten the scores were multiplied by (1 when not exact). */
  readonly scale: number;
  /** Weight of each pair: score (scaled) minus the lowest score, so never negative. */
  readonly weights: Float64Array;
  /** Largest weight minus smallest weight. */
  readonly range: number;
  /** Score of each pair in integer units when exact (used to sum the objective exactly). */
  readonly units: Float64Array;
}

/**
 * Turns scores into non-negative solver weights, as exact integers when it can.
 *
 * A score written as a decimal with k places (0.37, 12.5) is, as a double, the
 * nearest double to an integer N over 10^k; using N keeps every sum, potential
 * and reduced cost exact, so the optimality certificate is a proof rather than a
 * tolerance check. The smallest such power of ten is used, and only if the
 * largest quantity the solver can form (bounded by the unfilled-unit cost plus a
 * path's worth of weights) stays below 2^50.
 *
 * Shifting all scores by the lowest one does not change which assignment is best
 * once cardinality is fixed, and it makes every weight non-negative, which keeps
 * the unfilled-unit cost small.
 */
export function scaleScores(scores: Float64Array, maxMatched: number, nodeCount: number): ScoreScale {
  const scale = findDecimalScale(scores);
  if (scale > 0) {
    const units = new Float64Array(scores.length);
    let low = Infinity;
    let high = -Infinity;
    for (let p = 0; p < scores.length; p++) {
      const u = Math.round(scores[p]! * scale);
      units[p] = u;
      if (u < low) low = u;
      if (u > high) high = u;
    }
    const range = scores.length === 0 ? 0 : high - low;
    const largest = Math.max(Math.abs(low), Math.abs(high), 1);
    const fits = maxMatched * range + 4 * (nodeCount + 2) * (range + 1) <= SAFE_MAGNITUDE;
    if (fits && maxMatched * largest <= SAFE_MAGNITUDE) {
      const weights = new Float64Array(scores.length);
      for (let p = 0; p < scores.length; p++) weights[p] = units[p]! - low;
      return { exact: true, scale, weights, range, units };
    }
  }
  return shiftScores(scores);
}

/** Smallest 10^k (k <= MAX_DECIMAL_PLACES) making every score a whole number, or 0 if none. */
function findDecimalScale(scores: Float64Array): number {
  let places = 0;
  let scale = 1;
  for (let p = 0; p < scores.length; p++) {
    const s = scores[p]!;
    while (Math.round(s * scale) / scale !== s) {
      if (places === MAX_DECIMAL_PLACES) return 0;
      places++;
      scale *= 10;
    }
  }
  return scale;
}

function shiftScores(scores: Float64Array): ScoreScale {
  let low = Infinity;
  let high = -Infinity;
  for (const s of scores) {
    if (s < low) low = s;
    if (s > high) high = s;
  }
  const weights = new Float64Array(scores.length);
  for (let p = 0; p < scores.length; p++) weights[p] = scores[p]! - low;
  const range = scores.length === 0 ? 0 : high - low;
  return { exact: false, scale: 1, weights, range, units: scores };
}
