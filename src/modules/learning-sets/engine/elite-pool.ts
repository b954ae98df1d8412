import { randomInt, shuffleInPlace, type Rng } from './rng.ts';
import type { CoreProblem } from './search-state.ts';

/**
 * The few best distinct solutions seen, kept so that restarts can combine them: good local
 * optima of this problem share most of their structure, so what two of them agree on is
 * usually right and the search can concentrate on the rest.
 */
export class ElitePool {
  private readonly solutions: Int32Array[] = [];
  private readonly objectives: number[] = [];

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.solutions.length;
  }

  /** Offers a solution; kept if the pool has room or it beats the worst and is new. */
  offer(solution: Int32Array, objective: number, tolerance: number): void {
    if (this.capacity === 0) return;
    for (let k = 0; k < this.objectives.length; k++) {
      // Same value is taken as the same solution: cheap, and duplicates are what must be avoided.
      if (Math.abs(this.objectives[k]! - objective) <= tolerance) return;
    }
    if (this.solutions.length < this.capacity) {
      this.solutions.push(Int32Array.from(solution));
      this.objectives.push(objective);
      return;
    }
    let worst = 0;
    for (let k = 1; k < this.objectives.length; k++)
      if (this.objectives[k]! < this.objectives[worst]!) worst = k;
    if (objective <= this.objectives[worst]!) return;
    this.solutions[worst]!.set(solution);
    this.objectives[worst] = objective;
  }

  /** A random member. */
  pick(rng: Rng): Int32Array {
    return this.solutions[randomInt(rng, this.solutions.length)]!;
  }
}

/**
 * Child of two solutions: items on whose group both parents agree (after matching the parents'
 * group labels by largest overlap) keep it; the others are dealt out at random into the room
 * left under `first`'s group sizes. Returns null if the weighted items could not be dealt out.
 */
export function combineSolutions(
  problem: CoreProblem,
  first: Int32Array,
  second: Int32Array,
  rng: Rng,
  child: Int32Array,
): Int32Array | null {
  const { n, m, weight, lower, upper } = problem;
  const label = matchLabels(first, second, n, m);
  const room = new Int32Array(m);
  for (let i = 0; i < n; i++) room[first[i]!]! += weight[i]!;
  const free: number[] = [];
  for (let i = 0; i < n; i++) {
    if (label[second[i]!] === first[i]) {
      child[i] = first[i]!;
      room[first[i]!]! -= weight[i]!;
    } else {
      free.push(i);
    }
  }
  shuffleInPlace(rng, free);
  const size = new Int32Array(m);
  for (let i = 0; i < n; i++) if (label[second[i]!] === first[i]) size[first[i]!]! += weight[i]!;
  for (const i of free) {
    const w = weight[i]!;
    let group = pickWithRoom(m, rng, (g) => room[g]! >= w);
    if (group < 0) group = pickWithRoom(m, rng, (g) => size[g]! + w <= upper[g]!);
    if (group < 0) return null;
    child[i] = group;
    room[group]! -= w;
    size[group]! += w;
  }
  for (let g = 0; g < m; g++) if (size[g]! < lower[g]! || size[g]! > upper[g]!) return null;
  return child;
}

/** Greedy maximum-overlap matching: label[h] is the group of `first` matched to group h of `second`. */
function matchLabels(first: Int32Array, second: Int32Array, n: number, m: number): Int32Array {
  const overlap = new Int32Array(m * m);
  for (let i = 0; i < n; i++) overlap[first[i]! * m + second[i]!]!++;
  const label = new Int32Array(m).fill(-1);
  const taken = new Uint8Array(m);
  for (let round = 0; round < m; round++) {
    let best = -1;
    let bestG = -1;
    let bestH = -1;
    for (let g = 0; g < m; g++) {
      if (taken[g]) continue;
      for (let h = 0; h < m; h++) {
        if (label[h]! >= 0) continue;
        if (overlap[g * m + h]! > best) {
          best = overlap[g * m + h]!;
          bestG = g;
          bestH = h;
        }
      }
    }
    taken[bestG] = 1;
    label[bestH] = bestG;
  }
  return label;
}

/** A uniformly random group satisfying `fits`, or -1. */
function pickWithRoom(m: number, rng: Rng, fits: (g: number) => boolean): number {
  let chosen = -1;
  let seen = 0;
  for (let g = 0; g < m; g++) {
    if (fits(g) && rng() * ++seen < 1) chosen = g;
  }
  return chosen;
}
