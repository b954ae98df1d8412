import { randomInt, shuffleInPlace, type Rng } from './rng.ts';
import type { CoreProblem } from './search-state.ts';
import { choosePairRichSizes } from './size-profile.ts';

/** Attempts at packing weighted items before giving up; realistic cohorts need one or two. */
const PACKING_ATTEMPTS = 200;

/**
 * Builds a random assignment of items to groups that meets every size bound, aiming at the
 * pair-rich group sizes. Returns null when no packing was found (only possible when
 * keep-together groups make the sizes hard or impossible to hit).
 */
export function buildInitialAssignment(problem: CoreProblem, rng: Rng): Int32Array | null {
  const total = problem.weight.reduce((s, w) => s + w, 0);
  const target = choosePairRichSizes(problem.lower, problem.upper, total);
  if (target === null) return null;
  if (problem.uniform) return fillToSizes(problem.n, target, rng);
  for (let attempt = 0; attempt < PACKING_ATTEMPTS; attempt++) {
    // Later attempts aim at random sizes, in case the pair-rich ones cannot be packed.
    const aim = attempt < PACKING_ATTEMPTS / 2 ? target : drawSizes(problem, total, rng);
    if (aim === null) continue;
    const assignment = packWeighted(problem, aim, rng);
    if (assignment !== null) return assignment;
  }
  return null;
}

/** Unit weights: a random permutation cut at the target sizes. */
function fillToSizes(n: number, sizes: readonly number[], rng: Rng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(rng, order);
  const assignment = new Int32Array(n);
  let next = 0;
  sizes.forEach((size, g) => {
    for (let k = 0; k < size; k++) assignment[order[next++]!] = g;
  });
  return assignment;
}

/** Random sizes within the bounds adding up to `total`, or null if the draw got stuck. */
function drawSizes(problem: CoreProblem, total: number, rng: Rng): number[] | null {
  const sizes = Array.from(problem.lower);
  let left = total - sizes.reduce((s, x) => s + x, 0);
  while (left > 0) {
    const open = sizes.flatMap((s, g) => (s < problem.upper[g]! ? [g] : []));
    if (open.length === 0) return null;
    sizes[open[randomInt(rng, open.length)]!]!++;
    left--;
  }
  return sizes;
}

/**
 * Heaviest items first, each into the group with the most room left below its aimed size
 * (ties at random); an item that fits no aim goes wherever the upper bound allows. Succeeds
 * when every lower bound is met at the end.
 */
function packWeighted(problem: CoreProblem, aim: readonly number[], rng: Rng): Int32Array | null {
  const { n, m, weight, lower, upper } = problem;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(rng, order);
  const sorted = Array.from(order).sort((a, b) => weight[b]! - weight[a]!);
  const size = new Array<number>(m).fill(0);
  const assignment = new Int32Array(n);
  for (const item of sorted) {
    const w = weight[item]!;
    const group =
      pickRoomiest(m, (g) => aim[g]! - size[g]! - w, rng) ??
      pickRoomiest(m, (g) => upper[g]! - size[g]! - w, rng);
    if (group === null) return null;
    assignment[item] = group;
    size[group]! += w;
  }
  return size.every((s, g) => s >= lower[g]!) ? assignment : null;
}

/** The group whose spare room (after placing the item) is largest and not negative. */
function pickRoomiest(m: number, spare: (g: number) => number, rng: Rng): number | null {
  let best: number | null = null;
  let bestRoom = -1;
  let ties = 0;
  for (let g = 0; g < m; g++) {
    const room = spare(g);
    if (room < 0) continue;
    if (room > bestRoom) {
      bestRoom = room;
      best = g;
      ties = 1;
    } else if (room === bestRoom && rng() * ++ties < 1) {
      best = g;
    }
  }
  return best;
}
