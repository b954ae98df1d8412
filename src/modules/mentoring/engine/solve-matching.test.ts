import { beforeAll, describe, expect, it } from 'vitest';
import { solveMatching } from './index.ts';
import { findResultProblems } from './test-support/check-result.ts';
import { getHighs, solveWithHighs } from './test-support/highs-reference.ts';
import { createRandom, createRandomProblem, type ScoreKind } from './test-support/random-problem.ts';
import type { MatchingProblem } from './types.ts';

let highs: Awaited<ReturnType<typeof getHighs>>;

beforeAll(async () => {
  highs = await getHighs();
});

/** Solves with the engine and with HiGHS, and checks they agree and the result is valid. */
function expectOptimal(problem: MatchingProblem, label: string): void {
  const result = solveMatching(problem);
  expect(findResultProblems(problem, result), label).toEqual([]);
  const reference = solveWithHighs(highs, problem);
  expect(result.matched, `${label}: matched`).toBe(reference.matched);
  expect(result.objective, `${label}: objective`).toBeCloseTo(reference.objective, 6);
}

const KINDS: ScoreKind[] = ['integers', 'ties', 'decimals', 'negative', 'floats'];

describe('solveMatching against HiGHS on random instances', () => {
  it('agrees on 600 small instances of every kind', () => {
    let mentorsShipped = 0;
    let menteesShipped = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const random = createRandom(seed);
      const options = {
        mentees: Math.floor(random() * 14),
        mentors: Math.floor(random() * 7),
        density: [0.15, 0.4, 0.8, 1][seed % 4]!,
        scores: KINDS[seed % KINDS.length]!,
        zeroCapacity: 0.2,
        pins: seed % 3 === 0 ? 3 : 0,
      };
      const problem = createRandomProblem(random, options);
      const places = problem.mentors.reduce((sum, m) => sum + m.capacity, 0);
      if (problem.mentees.length >= places) mentorsShipped++;
      else menteesShipped++;
      expectOptimal(problem, `seed ${seed} ${JSON.stringify(options)}`);
    }
    // Both orientations of the network (see matching-network.ts) are exercised.
    expect(mentorsShipped).toBeGreaterThan(100);
    expect(menteesShipped).toBeGreaterThan(100);
  });

  it('agrees on 60 larger instances with pins, forbidden pairs and empty mentors', () => {
    for (let seed = 1001; seed <= 1060; seed++) {
      const random = createRandom(seed);
      const options = {
        mentees: 20 + Math.floor(random() * 60),
        mentors: 5 + Math.floor(random() * 25),
        density: [0.1, 0.3, 0.9][seed % 3]!,
        scores: KINDS[seed % KINDS.length]!,
        zeroCapacity: 0.15,
        pins: seed % 2 === 0 ? 12 : 0,
      };
      expectOptimal(createRandomProblem(random, options), `seed ${seed} ${JSON.stringify(options)}`);
    }
  });
});

describe('solveMatching on small cases worked by hand', () => {
  it('matches as many mentees as possible before looking at scores', () => {
    // One pair scoring 100 would leave b unmatched; two pairs scoring 1 match both.
    const problem: MatchingProblem = {
      mentees: ['a', 'b'],
      mentors: [
        { id: 'x', capacity: 1 },
        { id: 'y', capacity: 1 },
      ],
      scores: [
        ['a', 'x', 100],
        ['a', 'y', 1],
        ['b', 'x', 1],
      ],
    };
    expect(solveMatching(problem)).toMatchObject({
      matched: 2,
      objective: 2,
      pairs: [
        ['a', 'y'],
        ['b', 'x'],
      ],
    });
  });

  it('still matches mentees whose only pairs score below zero', () => {
    const problem: MatchingProblem = {
      mentees: ['a'],
      mentors: [{ id: 'x', capacity: 1 }],
      scores: [['a', 'x', -40]],
    };
    expect(solveMatching(problem)).toMatchObject({ matched: 1, objective: -40 });
  });

  it('gives a contested mentee to the mentor it scores best with', () => {
    // Greedy by mentor order would give x to a (score 1) and leave b empty-handed at no gain.
    const problem: MatchingProblem = {
      mentees: ['x'],
      mentors: [
        { id: 'a', capacity: 1 },
        { id: 'b', capacity: 1 },
      ],
      scores: [
        ['x', 'a', 1],
        ['x', 'b', 10],
      ],
    };
    expect(solveMatching(problem)).toMatchObject({ matched: 1, objective: 10, pairs: [['x', 'b']] });
  });

  it('keeps pinned pairs even when another assignment would score more', () => {
    const problem: MatchingProblem = {
      mentees: ['a', 'b'],
      mentors: [{ id: 'x', capacity: 1 }],
      scores: [
        ['a', 'x', 1],
        ['b', 'x', 9],
      ],
      pinned: [['a', 'x']],
    };
    const result = solveMatching(problem);
    expect(result).toMatchObject({ matched: 1, objective: 1, pairs: [['a', 'x']], unmatchedMentees: ['b'] });
    expect(result.assignments[0]).toEqual({ mentee: 'a', mentor: 'x', score: 1, pinned: true });
  });

  it('respects capacities, including zero', () => {
    const problem: MatchingProblem = {
      mentees: [1, 2, 3, 4],
      mentors: [
        { id: 'busy', capacity: 0 },
        { id: 'pair', capacity: 2 },
      ],
      scores: [1, 2, 3, 4].flatMap((i) => [[i, 'busy', 50] as const, [i, 'pair', i] as const]),
    };
    expect(solveMatching(problem)).toMatchObject({
      matched: 2,
      objective: 7,
      pairs: [
        [3, 'pair'],
        [4, 'pair'],
      ],
    });
  });

  it('handles empty problems', () => {
    expect(solveMatching({ mentees: [], mentors: [], scores: [] })).toMatchObject({
      matched: 0,
      objective: 0,
    });
    expect(solveMatching({ mentees: ['a'], mentors: [{ id: 'x', capacity: 3 }], scores: [] })).toMatchObject({
      matched: 0,
      unmatchedMentees: ['a'],
    });
  });

  it('keeps id types: the number 7 and the text "7" are different mentees', () => {
    const problem: MatchingProblem = {
      mentees: [7, '7'],
      mentors: [{ id: 7, capacity: 2 }],
      scores: [
        [7, 7, 1],
        ['7', 7, 2],
      ],
    };
    expect(solveMatching(problem).pairs).toEqual([
      [7, 7],
      ['7', 7],
    ]);
  });

  it('adds decimal scores exactly and proves the result in integer arithmetic', () => {
    const problem: MatchingProblem = {
      mentees: ['a', 'b'],
      mentors: [{ id: 'x', capacity: 2 }],
      scores: [
        ['a', 'x', 0.1],
        ['b', 'x', 0.2],
      ],
    };
    const result = solveMatching(problem);
    expect(result.objective).toBe(0.3);
    expect(result).toMatchObject({ exact: true, scoreScale: 10 });
  });

  it('falls back to a rounding-tolerant proof for scores with very many digits', () => {
    const problem: MatchingProblem = {
      mentees: ['a', 'b'],
      mentors: [{ id: 'x', capacity: 1 }],
      scores: [
        ['a', 'x', Math.PI],
        ['b', 'x', Math.E],
      ],
    };
    expect(solveMatching(problem)).toMatchObject({
      matched: 1,
      objective: Math.PI,
      exact: false,
      scoreScale: 1,
    });
  });

  it('gives the same answer whatever order the pairs are listed in', () => {
    const random = createRandom(77);
    const problem = createRandomProblem(random, { mentees: 40, mentors: 12, density: 0.7, scores: 'ties' });
    const reversed = { ...problem, scores: [...problem.scores].reverse() };
    expect(solveMatching(reversed)).toEqual(solveMatching(problem));
  });
});
