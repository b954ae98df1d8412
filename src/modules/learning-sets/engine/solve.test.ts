import { describe, expect, it } from 'vitest';
import { scoreAssignment } from './score.ts';
import { solveMdgp } from './solve.ts';
import { bruteForceOptimum, countSizes, makeRandomProblem } from './test-helpers.ts';

describe('solveMdgp', () => {
  it('always meets the size bounds (ss and ds, random small instances)', () => {
    const shapes: [number, number[], number[]][] = [
      [12, [4, 4, 4], [4, 4, 4]],
      [13, [2, 3, 1, 2], [5, 4, 6, 3]],
      [20, [5, 5, 5, 5], [5, 5, 5, 5]],
      [17, [0, 2, 4], [9, 9, 5]],
      [9, [9], [9]],
    ];
    shapes.forEach(([n, lower, upper], index) => {
      for (let seed = 1; seed <= 4; seed++) {
        const problem = makeRandomProblem(n, lower, upper, 100 * index + seed);
        const result = solveMdgp(problem, { seed, maxIterations: 500 });
        countSizes(result.assignment, lower.length).forEach((size, g) => {
          expect(size).toBeGreaterThanOrEqual(lower[g]!);
          expect(size).toBeLessThanOrEqual(upper[g]!);
        });
        expect(result.objective).toBeCloseTo(scoreAssignment(problem, result.assignment), 6);
        expect(result.groups.flat().sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
      }
    });
  });

  it('is deterministic for a seed and an iteration budget', () => {
    const problem = makeRandomProblem(40, [8, 6, 10, 5], [12, 14, 10, 9], 7);
    const first = solveMdgp(problem, { seed: 42, maxIterations: 3000 });
    const second = solveMdgp(problem, { seed: 42, maxIterations: 3000 });
    expect(second.assignment).toEqual(first.assignment);
    expect(second.objective).toBe(first.objective);
    expect(second.iterations).toBe(3000);
  });

  it('finds the proven optimum on tiny instances (brute force, n <= 9)', () => {
    const shapes: [number, number[], number[]][] = [
      [6, [3, 3], [3, 3]],
      [7, [2, 2], [4, 5]],
      [8, [2, 2, 2], [3, 3, 4]],
      [9, [3, 3, 3], [3, 3, 3]],
      [9, [1, 2, 2], [5, 4, 3]],
    ];
    shapes.forEach(([n, lower, upper], index) => {
      for (let seed = 1; seed <= 3; seed++) {
        const problem = makeRandomProblem(n, lower, upper, 1000 + 10 * index + seed);
        const result = solveMdgp(problem, { seed, maxIterations: 2000 });
        expect(result.objective).toBe(bruteForceOptimum(problem));
      }
    });
  });

  it('reports progress and stops when the callback returns false', () => {
    const problem = makeRandomProblem(60, [10, 10, 10, 10, 10, 10], [10, 10, 10, 10, 10, 10], 3);
    const seen: number[] = [];
    const result = solveMdgp(problem, {
      timeLimitMs: 5000,
      progressIntervalMs: 0,
      onProgress: (progress) => {
        seen.push(progress.bestObjective);
        return seen.length < 3;
      },
    });
    expect(seen).toHaveLength(3);
    expect(result.elapsedMs).toBeLessThan(4000);
    expect(result.objective).toBeGreaterThanOrEqual(seen[0]! - 1e-6);
  });

  it('uses the time budget and stops near it', () => {
    const problem = makeRandomProblem(30, [10, 10, 10], [10, 10, 10], 5);
    const result = solveMdgp(problem, { timeLimitMs: 200 });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(195);
    // Generous: the point is that it stops soon after the budget, even on a loaded machine.
    expect(result.elapsedMs).toBeLessThan(3000);
  });
});
