import { describe, expect, it } from 'vitest';
import { combineSolutions, ElitePool } from './elite-pool.ts';
import { createRng } from './rng.ts';
import type { CoreProblem } from './search-state.ts';

function problemOf(n: number, lower: number[], upper: number[]): CoreProblem {
  return {
    n,
    m: lower.length,
    dist: new Float64Array(n * n),
    pairDist: new Float32Array(n * n),
    weight: new Int32Array(n).fill(1),
    uniform: true,
    lower: Int32Array.from(lower),
    upper: Int32Array.from(upper),
  };
}

describe('combineSolutions', () => {
  it('keeps what both parents agree on, up to relabelling, and meets the first parent sizes', () => {
    const problem = problemOf(9, [3, 3, 3], [3, 3, 3]);
    const first = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    // Same grouping with labels rotated, except people 2 and 3 traded places.
    const second = Int32Array.from([1, 1, 2, 1, 2, 2, 0, 0, 0]);
    for (let seed = 1; seed <= 5; seed++) {
      const child = combineSolutions(problem, first, second, createRng(seed), new Int32Array(9))!;
      expect([child[0], child[1], child[4], child[5], child[6], child[7], child[8]]).toEqual([
        0, 0, 1, 1, 2, 2, 2,
      ]);
      expect([...child].filter((g) => g === 0)).toHaveLength(3);
      expect([...child].filter((g) => g === 1)).toHaveLength(3);
    }
  });
});

describe('ElitePool', () => {
  it('keeps the best distinct solutions up to its capacity', () => {
    const pool = new ElitePool(2);
    pool.offer(Int32Array.from([0, 1]), 5, 1e-9);
    pool.offer(Int32Array.from([1, 0]), 5, 1e-9);
    expect(pool.size).toBe(1);
    pool.offer(Int32Array.from([0, 0]), 3, 1e-9);
    pool.offer(Int32Array.from([1, 1]), 7, 1e-9);
    expect(pool.size).toBe(2);
    const seen = new Set<string>();
    const rng = createRng(1);
    for (let k = 0; k < 20; k++) seen.add(pool.pick(rng).join(','));
    expect([...seen].sort()).toEqual(['0,1', '1,1']);
  });
});
