import { describe, expect, it } from 'vitest';
import { InfeasibleError, InvalidProblemError } from './errors.ts';
import { solveMdgp } from './solve.ts';
import { generateSyntheticCohort } from './synthetic-cohort.ts';
import { countSizes, makeRandomProblem } from './test-helpers.ts';
import type { GroupingProblem } from './types.ts';

/** Sets d(i,j) in both halves of the matrix. */
function setDistance(problem: GroupingProblem, i: number, j: number, d: number): void {
  const distances = problem.distances as Float64Array;
  distances[i * problem.n + j] = d;
  distances[j * problem.n + i] = d;
}

function infeasibleMessage(problem: GroupingProblem): string {
  try {
    solveMdgp(problem, { maxIterations: 200 });
  } catch (error) {
    expect(error).toBeInstanceOf(InfeasibleError);
    return (error as Error).message;
  }
  throw new Error('expected InfeasibleError');
}

describe('hard rules', () => {
  it('keeps apart pairs the objective would like together', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const base = makeRandomProblem(30, [6, 6, 6, 6, 6], [6, 6, 6, 6, 6], seed);
      const keepApart = [
        [0, 1],
        [2, 3],
        [3, 4],
        [2, 4],
        [5, 6],
      ] as const;
      for (const [i, j] of keepApart) setDistance(base, i, j, 10_000);
      const result = solveMdgp({ ...base, keepApart }, { seed, maxIterations: 2000 });
      for (const [i, j] of keepApart) expect(result.assignment[i]).not.toBe(result.assignment[j]);
    }
  });

  it('keeps together groups the objective would like apart, within the size bounds', () => {
    for (let seed = 1; seed <= 3; seed++) {
      const base = makeRandomProblem(31, [5, 5, 5, 5], [9, 9, 8, 10], seed);
      const keepTogether = [
        [0, 1, 2],
        [3, 4],
        [10, 20, 30, 5],
      ];
      for (const group of keepTogether)
        for (const i of group) for (const j of group) if (i < j) setDistance(base, i, j, 0);
      const keepApart = [[0, 3] as const];
      const result = solveMdgp({ ...base, keepTogether, keepApart }, { seed, maxIterations: 2000 });
      for (const group of keepTogether) {
        expect(new Set(group.map((i) => result.assignment[i])).size).toBe(1);
      }
      expect(result.assignment[0]).not.toBe(result.assignment[3]);
      countSizes(result.assignment, 4).forEach((size, g) => {
        expect(size).toBeGreaterThanOrEqual(base.lower[g]!);
        expect(size).toBeLessThanOrEqual(base.upper[g]!);
      });
    }
  });

  it('separates members of one organisation wherever the numbers allow', () => {
    const { people, problem } = generateSyntheticCohort(60, 11);
    const result = solveMdgp(problem, { seed: 1, maxIterations: 3000 });
    const m = problem.lower.length;
    // Fewest same-organisation pairs possible: each organisation spread evenly over the sets.
    const perOrganisation = new Map<string, number>();
    for (const person of people)
      perOrganisation.set(
        String(person.organisation),
        (perOrganisation.get(String(person.organisation)) ?? 0) + 1,
      );
    let unavoidable = 0;
    for (const k of perOrganisation.values()) {
      const q = Math.floor(k / m);
      const r = k % m;
      unavoidable += (r * (q + 1) * q) / 2 + ((m - r) * q * (q - 1)) / 2;
    }
    const forcedByKeepTogether = result.unmetPreferences.filter(([i, j]) =>
      (problem.keepTogether ?? []).some((group) => group.includes(i) && group.includes(j)),
    ).length;
    expect(result.unmetPreferences.length).toBeLessThanOrEqual(Math.max(unavoidable, forcedByKeepTogether));
    for (const [i, j] of problem.keepApart ?? []) expect(result.assignment[i]).not.toBe(result.assignment[j]);
  });
});

describe('infeasible inputs', () => {
  const base = makeRandomProblem(10, [3, 3, 3], [4, 4, 4], 1);

  it('rejects size bounds that cannot add up to the cohort', () => {
    expect(infeasibleMessage({ ...base, lower: [4, 4, 4], upper: [5, 5, 5] })).toBe(
      'the sets need at least 12 people in total (sum of minimum sizes) but there are only 10',
    );
    expect(infeasibleMessage({ ...base, lower: [3, 3, 2], upper: [3, 3, 3] })).toBe(
      'the sets can take at most 9 people in total (sum of maximum sizes) but there are 10',
    );
    expect(infeasibleMessage({ ...base, lower: [3, 5, 1], upper: [4, 4, 4] })).toBe(
      'set 1: minimum size 5 is larger than maximum size 4',
    );
  });

  it('rejects keep-apart pairs joined by keep-together rules', () => {
    const problem = {
      ...base,
      keepTogether: [
        [0, 1],
        [1, 2],
      ],
      keepApart: [[0, 2] as const],
    };
    expect(infeasibleMessage(problem)).toBe(
      'people 0 and 2 must be kept apart, but keep-together rules put them in the same set',
    );
    expect(infeasibleMessage({ ...base, keepApart: [[4, 4] as const] })).toBe(
      'person 4 cannot be kept apart from themselves',
    );
  });

  it('rejects a keep-together group larger than any set', () => {
    expect(
      infeasibleMessage({
        ...base,
        keepTogether: [
          [0, 1, 2],
          [2, 3, 9],
        ],
      }),
    ).toBe('keep-together group of 5 people (0, 1, 2, 3, 9) is larger than the largest set allowed (4)');
  });

  it('rejects keep-together groups that cannot be packed into the sizes', () => {
    const problem = {
      ...makeRandomProblem(6, [3, 3], [3, 3], 2),
      keepTogether: [
        [0, 1],
        [2, 3],
        [4, 5],
      ],
    };
    expect(infeasibleMessage(problem)).toContain('could not fit the keep-together groups of sizes 2, 2, 2');
  });

  it('rejects keep-apart rules that need more sets than there are', () => {
    const problem = {
      ...makeRandomProblem(6, [3, 3], [3, 3], 3),
      keepApart: [
        [0, 1],
        [1, 2],
        [0, 2],
      ] as const,
    };
    expect(infeasibleMessage(problem)).toContain('could not keep apart');
  });

  it('rejects malformed problems with InvalidProblemError', () => {
    expect(() => solveMdgp({ ...base, distances: new Float64Array(5) })).toThrow(InvalidProblemError);
    expect(() => solveMdgp({ ...base, keepApart: [[0, 10]] })).toThrow(
      'keepApart: person 10 is outside 0..9',
    );
  });
});
