import type { Rng } from './rng.ts';

/**
 * The problem as the search sees it: "items" are people, or keep-together units of several
 * people (weight = head count). Penalties for rules are already folded into `dist`.
 */
export interface CoreProblem {
  readonly n: number;
  readonly m: number;
  /** n*n symmetric, zero diagonal. */
  readonly dist: Float64Array;
  /**
   * `dist` without the rule penalties, in single precision: used only to rank swaps, where it
   * halves the memory traffic of the hottest loop. Without penalties the rounding stays far below
   * any difference that matters; with them it would swamp the diversity. A swap between two
   * people who share a rule is then misjudged, but such a swap leaves the rule as it was anyway.
   */
  readonly pairDist: Float32Array;
  /** Head count of each item. */
  readonly weight: Int32Array;
  /** True when every weight is 1, which makes every swap size-neutral. */
  readonly uniform: boolean;
  readonly lower: Int32Array;
  readonly upper: Int32Array;
}

const NEVER = Number.POSITIVE_INFINITY;
const STALE = -1;

/** Kinds of neighbourhood move. */
export const NO_MOVE = 0;
export const ONE_MOVE = 1;
export const SWAP = 2;

/**
 * A solution plus everything needed to evaluate moves in O(1):
 * `gain[i*m+g]` is the summed distance from item i to the current members of group g.
 *
 * Best moves are cached per pair of groups. Moving an item between groups g and h only changes
 * the gains towards g and h, so only the cache entries touching g or h go stale; on m groups
 * that is about 4/m of the entries, which is where most of the speed comes from.
 * Each entry also remembers when its first better-but-tabu move expires, so tabu expiry
 * refreshes it without a full rescan every iteration.
 */
export class SearchState {
  readonly n: number;
  readonly m: number;
  readonly dist: Float64Array;
  private readonly pairDist: Float32Array;
  readonly weight: Int32Array;
  readonly uniform: boolean;
  readonly lower: Int32Array;
  readonly upper: Int32Array;
  private readonly rng: Rng;
  /** Lower bound of the distances, for pruning swap scans. */
  private readonly minDist: number;

  readonly assign: Int32Array;
  readonly size: Int32Array;
  readonly count: Int32Array;
  /** members[g*n + k] is the k-th item of group g. */
  readonly members: Int32Array;
  private readonly pos: Int32Array;
  readonly gain: Float64Array;
  objective = 0;

  /** tabu[i*m+g]: first iteration at which item i may enter group g again. */
  readonly tabu: Float64Array;

  // Swap cache, indexed p*m+q with p < q.
  private readonly swBest: Float64Array;
  private readonly swI: Int32Array;
  private readonly swJ: Int32Array;
  private readonly swTabuBest: Float64Array;
  private readonly swTabuI: Int32Array;
  private readonly swTabuJ: Int32Array;
  private readonly swRefreshAt: Float64Array;
  // One-item move cache, indexed p*m+q: move from p to q.
  private readonly mvBest: Float64Array;
  private readonly mvI: Int32Array;
  private readonly mvTabuBest: Float64Array;
  private readonly mvTabuI: Int32Array;
  private readonly mvRefreshAt: Float64Array;

  // Scratch for scanning one group pair.
  private readonly scratchItem: Int32Array;
  private readonly scratchGain: Float64Array;
  private readonly scratchTabu: Float64Array;

  /** The move picked by `selectMove`. */
  chosenKind = NO_MOVE;
  chosenI = -1;
  chosenJ = -1;
  chosenDelta = 0;
  /** When false only swaps are considered, which freezes the group sizes. */
  allowMoves = true;
  /** False when every group has a fixed size: one-item moves can then never be made. */
  private readonly sizesFlexible: boolean;

  constructor(problem: CoreProblem, rng: Rng) {
    const { n, m } = problem;
    this.n = n;
    this.m = m;
    this.dist = problem.dist;
    this.pairDist = problem.pairDist;
    this.weight = problem.weight;
    this.uniform = problem.uniform;
    this.lower = problem.lower;
    this.upper = problem.upper;
    this.rng = rng;
    let minDist = 0;
    for (let k = 0; k < problem.pairDist.length; k++)
      if (problem.pairDist[k]! < minDist) minDist = problem.pairDist[k]!;
    this.minDist = minDist;

    this.assign = new Int32Array(n);
    this.size = new Int32Array(m);
    this.count = new Int32Array(m);
    this.members = new Int32Array(m * n);
    this.pos = new Int32Array(n);
    this.gain = new Float64Array(n * m);
    this.tabu = new Float64Array(n * m);

    this.swBest = new Float64Array(m * m);
    this.swI = new Int32Array(m * m);
    this.swJ = new Int32Array(m * m);
    this.swTabuBest = new Float64Array(m * m);
    this.swTabuI = new Int32Array(m * m);
    this.swTabuJ = new Int32Array(m * m);
    this.swRefreshAt = new Float64Array(m * m);
    this.mvBest = new Float64Array(m * m);
    this.mvI = new Int32Array(m * m);
    this.mvTabuBest = new Float64Array(m * m);
    this.mvTabuI = new Int32Array(m * m);
    this.mvRefreshAt = new Float64Array(m * m);

    this.sizesFlexible = problem.lower.some((a, g) => a < problem.upper[g]!);
    this.scratchItem = new Int32Array(n);
    this.scratchGain = new Float64Array(n);
    this.scratchTabu = new Float64Array(n);
  }

  /** Replaces the solution by `assignment`, recomputing every sum, and clears the tabu list. */
  load(assignment: Int32Array): void {
    const { n, m, dist, gain } = this;
    this.assign.set(assignment);
    this.size.fill(0);
    this.count.fill(0);
    gain.fill(0);
    for (let i = 0; i < n; i++) {
      const g = assignment[i]!;
      this.members[g * n + this.count[g]!] = i;
      this.pos[i] = this.count[g]!;
      this.count[g]!++;
      this.size[g]! += this.weight[i]!;
    }
    let twice = 0;
    for (let i = 0; i < n; i++) {
      const row = i * n;
      const base = i * m;
      for (let j = 0; j < n; j++) gain[base + assignment[j]!]! += dist[row + j]!;
      twice += gain[base + assignment[i]!]!;
    }
    this.objective = twice / 2;
    this.tabu.fill(0);
    this.swRefreshAt.fill(STALE);
    this.mvRefreshAt.fill(STALE);
  }

  /** Change of the objective if item i moved to group q. */
  moveDelta(i: number, q: number): number {
    const m = this.m;
    return this.gain[i * m + q]! - this.gain[i * m + this.assign[i]!]!;
  }

  /** Change of the objective if items i and j (in different groups) traded places. */
  swapDelta(i: number, j: number): number {
    const m = this.m;
    const g = this.assign[i]!;
    const h = this.assign[j]!;
    const gain = this.gain;
    return (
      gain[i * m + h]! -
      gain[i * m + g]! +
      gain[j * m + g]! -
      gain[j * m + h]! -
      2 * this.dist[i * this.n + j]!
    );
  }

  /** True when moving item i to group q keeps both groups within their bounds. */
  canMove(i: number, q: number): boolean {
    const p = this.assign[i]!;
    const w = this.weight[i]!;
    return p !== q && this.size[p]! - w >= this.lower[p]! && this.size[q]! + w <= this.upper[q]!;
  }

  /** True when trading items i and j keeps both groups within their bounds. */
  canSwap(i: number, j: number): boolean {
    const p = this.assign[i]!;
    const q = this.assign[j]!;
    if (p === q) return false;
    const shift = this.weight[j]! - this.weight[i]!;
    if (shift === 0) return true;
    const sp = this.size[p]! + shift;
    const sq = this.size[q]! - shift;
    return sp >= this.lower[p]! && sp <= this.upper[p]! && sq >= this.lower[q]! && sq <= this.upper[q]!;
  }

  /** Moves item i to group q, updating every sum in O(n). */
  applyMove(i: number, q: number): void {
    const { n, m, dist, gain } = this;
    const p = this.assign[i]!;
    this.objective += gain[i * m + q]! - gain[i * m + p]!;
    const row = i * n;
    for (let k = 0, at = 0; k < n; k++, at += m) {
      const d = dist[row + k]!;
      gain[at + p]! -= d;
      gain[at + q]! += d;
    }
    this.detach(i, p);
    this.attach(i, q);
    this.markStale(p, q);
  }

  /** Trades items i and j between their groups, updating every sum in O(n). */
  applySwap(i: number, j: number): void {
    const { n, m, dist, gain, members, pos } = this;
    const p = this.assign[i]!;
    const q = this.assign[j]!;
    this.objective += this.swapDelta(i, j);
    const rowI = i * n;
    const rowJ = j * n;
    for (let k = 0, at = 0; k < n; k++, at += m) {
      const diff = dist[rowJ + k]! - dist[rowI + k]!;
      gain[at + p]! += diff;
      gain[at + q]! -= diff;
    }
    const pi = pos[i]!;
    const pj = pos[j]!;
    members[p * n + pi] = j;
    members[q * n + pj] = i;
    pos[i] = pj;
    pos[j] = pi;
    this.assign[i] = q;
    this.assign[j] = p;
    const shift = this.weight[j]! - this.weight[i]!;
    this.size[p]! += shift;
    this.size[q]! -= shift;
    this.markStale(p, q);
  }

  private detach(i: number, g: number): void {
    const { n, members, pos } = this;
    const last = members[g * n + this.count[g]! - 1]!;
    members[g * n + pos[i]!] = last;
    pos[last] = pos[i]!;
    this.count[g]!--;
    this.size[g]! -= this.weight[i]!;
  }

  private attach(i: number, g: number): void {
    const { n } = this;
    this.members[g * n + this.count[g]!] = i;
    this.pos[i] = this.count[g]!;
    this.count[g]!++;
    this.size[g]! += this.weight[i]!;
    this.assign[i] = g;
  }

  /** Invalidates the cached moves that involve group g or group h. */
  private markStale(g: number, h: number): void {
    const m = this.m;
    for (let x = 0; x < m; x++) {
      this.swRefreshAt[g < x ? g * m + x : x * m + g] = STALE;
      this.swRefreshAt[h < x ? h * m + x : x * m + h] = STALE;
      this.mvRefreshAt[g * m + x] = STALE;
      this.mvRefreshAt[x * m + g] = STALE;
      this.mvRefreshAt[h * m + x] = STALE;
      this.mvRefreshAt[x * m + h] = STALE;
    }
  }

  /**
   * Picks the best admissible move at iteration `iter`: the best non-tabu move, or a tabu move
   * that would beat `aspiration`; if every move is tabu, the best tabu move. Ties are broken at
   * random. Returns false when no move keeps the size bounds.
   */
  selectMove(iter: number, aspiration: number): boolean {
    const m = this.m;
    const rng = this.rng;
    const target = aspiration - this.objective;
    let best = -NEVER;
    let kind = NO_MOVE;
    let bi = -1;
    let bj = -1;
    let ties = 0;
    let fallback = -NEVER;
    let fKind = NO_MOVE;
    let fi = -1;
    let fj = -1;
    for (let p = 0; p < m; p++) {
      for (let q = 0; q < m; q++) {
        if (p === q) continue;
        const k = p * m + q;
        if (p < q) {
          if (this.swRefreshAt[k]! <= iter) this.scanSwaps(p, q, iter);
          let delta = this.swBest[k]!;
          let ci = this.swI[k]!;
          let cj = this.swJ[k]!;
          const tabuDelta = this.swTabuBest[k]!;
          if (tabuDelta > delta && tabuDelta > target) {
            delta = tabuDelta;
            ci = this.swTabuI[k]!;
            cj = this.swTabuJ[k]!;
          }
          if (ci >= 0) {
            if (delta > best) {
              best = delta;
              kind = SWAP;
              bi = ci;
              bj = cj;
              ties = 1;
            } else if (delta === best && rng() * ++ties < 1) {
              kind = SWAP;
              bi = ci;
              bj = cj;
            }
          }
          if (tabuDelta > fallback) {
            fallback = tabuDelta;
            fKind = SWAP;
            fi = this.swTabuI[k]!;
            fj = this.swTabuJ[k]!;
          }
        }
        if (!this.allowMoves || !this.sizesFlexible) continue;
        if (this.mvRefreshAt[k]! <= iter) this.scanMoves(p, q, iter);
        let delta = this.mvBest[k]!;
        let ci = this.mvI[k]!;
        const tabuDelta = this.mvTabuBest[k]!;
        if (tabuDelta > delta && tabuDelta > target) {
          delta = tabuDelta;
          ci = this.mvTabuI[k]!;
        }
        if (ci >= 0) {
          if (delta > best) {
            best = delta;
            kind = ONE_MOVE;
            bi = ci;
            bj = q;
            ties = 1;
          } else if (delta === best && rng() * ++ties < 1) {
            kind = ONE_MOVE;
            bi = ci;
            bj = q;
          }
        }
        if (tabuDelta > fallback) {
          fallback = tabuDelta;
          fKind = ONE_MOVE;
          fi = this.mvTabuI[k]!;
          fj = q;
        }
      }
    }
    if (kind === NO_MOVE) {
      kind = fKind;
      bi = fi;
      bj = fj;
      best = fallback;
    }
    this.chosenKind = kind;
    this.chosenI = bi;
    this.chosenJ = bj;
    this.chosenDelta = best;
    return kind !== NO_MOVE;
  }

  /** Rescans every swap between groups p < q and caches the best one. */
  private scanSwaps(p: number, q: number, iter: number): void {
    const { n, m, gain, tabu, members, rng, uniform } = this;
    const dist = this.pairDist;
    const items = this.scratchItem;
    const gains = this.scratchGain;
    const tabus = this.scratchTabu;
    const cp = this.count[p]!;
    const cq = this.count[q]!;
    let best = -NEVER;
    let bi = -1;
    let bj = -1;
    let ties = 0;
    let tabuBest = -NEVER;
    let ti = -1;
    let tj = -1;
    let refreshAt = NEVER;
    let maxGainQ = -NEVER;
    for (let k = 0; k < cq; k++) {
      const j = members[q * n + k]!;
      const gj = gain[j * m + p]! - gain[j * m + q]!;
      items[k] = j;
      gains[k] = gj;
      tabus[k] = tabu[j * m + p]!;
      if (gj > maxGainQ) maxGainQ = gj;
    }
    // A swap gains at most gi + max(gj) - 2*minDist: skip items that cannot reach the best.
    const slack = maxGainQ - 2 * this.minDist;
    for (let a = 0; a < cp; a++) {
      const i = members[p * n + a]!;
      const gi = gain[i * m + q]! - gain[i * m + p]!;
      if (gi + slack < best) continue;
      const tabuI = tabu[i * m + q]!;
      const row = i * n;
      for (let k = 0; k < cq; k++) {
        const j = items[k]!;
        const delta = gi + gains[k]! - 2 * dist[row + j]!;
        if (delta < best) continue;
        if (!uniform && !this.canSwap(i, j)) continue;
        const expiry = tabuI > tabus[k]! ? tabuI : tabus[k]!;
        if (expiry <= iter) {
          if (delta > best) {
            best = delta;
            bi = i;
            bj = j;
            ties = 1;
          } else if (rng() * ++ties < 1) {
            bi = i;
            bj = j;
          }
        } else {
          if (delta > tabuBest) {
            tabuBest = delta;
            ti = i;
            tj = j;
          }
          if (expiry < refreshAt) refreshAt = expiry;
        }
      }
    }
    const k = p * m + q;
    this.swBest[k] = best;
    this.swI[k] = bi;
    this.swJ[k] = bj;
    this.swTabuBest[k] = tabuBest;
    this.swTabuI[k] = ti;
    this.swTabuJ[k] = tj;
    this.swRefreshAt[k] = refreshAt;
  }

  /** Rescans every one-item move from group p to group q and caches the best one. */
  private scanMoves(p: number, q: number, iter: number): void {
    const { n, m, gain, tabu, members, rng, weight } = this;
    const k = p * m + q;
    let best = -NEVER;
    let bi = -1;
    let ties = 0;
    let tabuBest = -NEVER;
    let ti = -1;
    let refreshAt = NEVER;
    const roomP = this.size[p]! - this.lower[p]!;
    const roomQ = this.upper[q]! - this.size[q]!;
    if (roomP > 0 && roomQ > 0) {
      const cp = this.count[p]!;
      for (let a = 0; a < cp; a++) {
        const i = members[p * n + a]!;
        const w = weight[i]!;
        if (w > roomP || w > roomQ) continue;
        const delta = gain[i * m + q]! - gain[i * m + p]!;
        if (delta < best) continue;
        const expiry = tabu[i * m + q]!;
        if (expiry <= iter) {
          if (delta > best) {
            best = delta;
            bi = i;
            ties = 1;
          } else if (rng() * ++ties < 1) {
            bi = i;
          }
        } else {
          if (delta > tabuBest) {
            tabuBest = delta;
            ti = i;
          }
          if (expiry < refreshAt) refreshAt = expiry;
        }
      }
    }
    this.mvBest[k] = best;
    this.mvI[k] = bi;
    this.mvTabuBest[k] = tabuBest;
    this.mvTabuI[k] = ti;
    this.mvRefreshAt[k] = refreshAt;
  }
}
