import { describe, expect, it } from 'vitest';
import { MatchingInputError, parseMatchingFile, solveMatching } from './index.ts';

function expectParseError(text: string, message: RegExp): void {
  expect(() => parseMatchingFile(text)).toThrow(MatchingInputError);
  expect(() => parseMatchingFile(text)).toThrow(message);
}

describe('parseMatchingFile', () => {
  it('reads the solve-file format and keeps id types', () => {
    const text = JSON.stringify({
      mentees: ['a', 2],
      mentors: [{ id: 10, capacity: 2 }],
      scores: [
        ['a', 10, 1.5],
        [2, 10, 2],
      ],
      pinned: [[2, 10]],
    });
    const problem = parseMatchingFile(text);
    expect(problem.mentees).toEqual(['a', 2]);
    expect(solveMatching(problem)).toMatchObject({
      matched: 2,
      objective: 3.5,
      pairs: [
        ['a', 10],
        [2, 10],
      ],
    });
  });

  it('explains malformed JSON', () => {
    expectParseError('{"mentees": [', /The matching file is not valid JSON/);
    expectParseError('', /not valid JSON/);
  });

  it('explains a wrong shape', () => {
    expectParseError('[]', /must hold one JSON object with mentees, mentors and scores/);
    expectParseError('{"mentors": [], "scores": []}', /no "mentees" list/);
    expectParseError('{"mentees": {}, "mentors": [], "scores": []}', /"mentees" must be a list/);
    expectParseError(
      '{"mentees": [], "mentors": ["m1"], "scores": []}',
      /mentors\[0\] must be an object like/,
    );
    expectParseError(
      '{"mentees": ["a"], "mentors": [], "scores": [["a", 1]]}',
      /scores\[0\] must be a list \[menteeId, mentorId, score\]/,
    );
    expectParseError(
      '{"mentees": [], "mentors": [], "scores": [], "pinned": [["a"]]}',
      /pinned\[0\] must be a list/,
    );
  });

  it('applies every matching rule', () => {
    expectParseError(
      '{"mentees": ["a"], "mentors": [{"id": "m", "capacity": 9}], "scores": []}',
      /Mentor "m" has capacity 9/,
    );
    expectParseError(
      '{"mentees": ["a"], "mentors": [{"id": "m", "capacity": 1}], "scores": [["a", "m", 1], ["a", "m", 2]]}',
      /Pair \(mentee "a", mentor "m"\) is listed more than once/,
    );
  });
});
