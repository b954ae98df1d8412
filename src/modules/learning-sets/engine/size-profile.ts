/**
 * Chooses group sizes within the bounds, adding up to `total`, that maximise the number of
 * within-group pairs. The objective is roughly proportional to that count, and local moves
 * cannot easily turn a small group into a big one, so this is where the search should start.
 * Returns null when no sizes fit. Dynamic programme over (group, people placed so far).
 */
export function choosePairRichSizes(
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  total: number,
): number[] | null {
  const m = lower.length;
  const none = -1;
  // pairs[g][t]: most pairs with groups 0..g-1 holding t people; choice[g][t] the size of group g-1.
  const pairs: Float64Array[] = [new Float64Array(total + 1).fill(none)];
  const choice: Int32Array[] = [new Int32Array(total + 1)];
  pairs[0]![0] = 0;
  for (let g = 0; g < m; g++) {
    const prev = pairs[g]!;
    const next = new Float64Array(total + 1).fill(none);
    const picked = new Int32Array(total + 1);
    for (let t = 0; t <= total; t++) {
      if (prev[t]! < 0) continue;
      for (let s = lower[g]!; s <= upper[g]! && t + s <= total; s++) {
        const value = prev[t]! + (s * (s - 1)) / 2;
        if (value > next[t + s]!) {
          next[t + s] = value;
          picked[t + s] = s;
        }
      }
    }
    pairs.push(next);
    choice.push(picked);
  }
  if (pairs[m]![total]! < 0) return null;
  const sizes = new Array<number>(m).fill(0);
  for (let g = m, t = total; g > 0; g--) {
    sizes[g - 1] = choice[g]![t]!;
    t -= sizes[g - 1]!;
  }
  return sizes;
}
