import { describe, expect, it } from 'vitest';
import { MatchingInputError, solveMatching, type MatchingProblem } from './index.ts';

const base: MatchingProblem = {
  mentees: ['a', 'b'],
  mentors: [
    { id: 'x', capacity: 1 },
    { id: 'y', capacity: 2 },
  ],
  scores: [
    ['a', 'x', 3],
    ['b', 'y', 4],
  ],
};

/** Solving `problem` must fail with a MatchingInputError whose message matches. */
function expectInputError(problem: unknown, message: RegExp): void {
  let caught: unknown;
  try {
    solveMatching(problem as MatchingProblem);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MatchingInputError);
  expect((caught as Error).message).toMatch(message);
}

describe('solveMatching input checks', () => {
  it('accepts the valid base problem', () => {
    expect(solveMatching(base).matched).toBe(2);
  });

  it.each([
    [-1, /Mentor "x" has capacity -1; capacity must be a whole number from 0 to 5/],
    [6, /Mentor "x" has capacity 6/],
    [1.5, /Mentor "x" has capacity 1.5/],
    ['2', /Mentor "x" has capacity "2"/],
    [undefined, /Mentor "x" has no capacity/],
  ])('rejects capacity %s', (capacity, message) => {
    expectInputError({ ...base, mentors: [{ id: 'x', capacity }, base.mentors[1]] }, message);
  });

  it.each([
    [Number.NaN, /score for pair \(mentee "a", mentor "x"\) is NaN; it must be a finite number/],
    [Number.POSITIVE_INFINITY, /is Infinity/],
    ['3', /is "3"/],
    [null, /is null/],
  ])('rejects score %s', (score, message) => {
    expectInputError({ ...base, scores: [['a', 'x', score]] }, message);
  });

  it('rejects duplicate ids', () => {
    expectInputError(
      { ...base, mentees: ['a', 'b', 'a'] },
      /mentee id "a" appears more than once \(positions 1 and 3\)/,
    );
    expectInputError(
      { ...base, mentors: [...base.mentors, { id: 'x', capacity: 1 }] },
      /mentor id "x" appears more than once/,
    );
  });

  it('rejects ids that are not non-empty strings or numbers', () => {
    expectInputError({ ...base, mentees: ['a', ''] }, /mentee id at position 2 is ""/);
    expectInputError({ ...base, mentees: ['a', null] }, /mentee id at position 2 is null/);
    expectInputError({ ...base, mentors: [{ id: true, capacity: 1 }] }, /mentor id at position 1 is true/);
  });

  it('rejects pairs naming unknown ids', () => {
    expectInputError(
      { ...base, scores: [['zed', 'x', 1]] },
      /pair \(mentee "zed", mentor "x"\), but "zed" is not a listed mentee/,
    );
    expectInputError({ ...base, scores: [['a', 'q', 1]] }, /but "q" is not a listed mentor/);
    // 7 and "7" are different ids.
    expectInputError({ ...base, mentees: [7], scores: [['7', 'x', 1]] }, /"7" is not a listed mentee/);
  });

  it('rejects a pair listed twice, naming it', () => {
    const scores = [...base.scores, ['a', 'x', 5] as const];
    expectInputError({ ...base, scores }, /Pair \(mentee "a", mentor "x"\) is listed more than once/);
  });

  it('finds duplicates among huge id ranges too (sorting instead of a bitset)', () => {
    const mentees = Array.from({ length: 20000 }, (_, i) => i);
    const mentors = Array.from({ length: 14000 }, (_, j) => ({ id: `m${j}`, capacity: 1 }));
    const scores = [
      [19999, 'm13999', 1],
      [5, 'm7', 2],
    ] as const;
    expect(solveMatching({ mentees, mentors, scores }).objective).toBe(3);
    expectInputError(
      { mentees, mentors, scores: [...scores, [5, 'm7', 4]] },
      /Pair \(mentee 5, mentor "m7"\) is listed more/,
    );
  });

  it('rejects bad pins', () => {
    expectInputError(
      { ...base, pinned: [['a', 'y']] },
      /Pinned pair \(mentee "a", mentor "y"\) is not allowed: it has no score/,
    );
    expectInputError(
      { ...base, pinned: [['zed', 'x']] },
      /Pinned pair \(mentee "zed", mentor "x"\) names an unknown mentee/,
    );
    expectInputError({ ...base, pinned: [['a', 'q']] }, /names an unknown mentor/);
    expectInputError(
      {
        ...base,
        pinned: [
          ['a', 'x'],
          ['a', 'x'],
        ],
      },
      /Mentee "a" is pinned more than once/,
    );
    const crowded = {
      ...base,
      scores: [...base.scores, ['b', 'x', 1] as const],
      pinned: [
        ['a', 'x'],
        ['b', 'x'],
      ],
    };
    expectInputError(crowded, /Mentor "x" has 2 pinned mentees but capacity 1/);
  });
});
