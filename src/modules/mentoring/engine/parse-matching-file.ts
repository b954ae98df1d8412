import { MatchingInputError } from './errors.ts';
import type { MatchId, MatchingProblem, MentorInput, PinnedPair, ScoredPair } from './types.ts';
import { validateProblem } from './validate-problem.ts';

/**
 * Reads the solve-file format:
 *
 *     {"mentees": [ids], "mentors": [{"id", "capacity"}],
 *      "scores": [[menteeId, mentorId, score], ...], "pinned": [[menteeId, mentorId], ...]}
 *
 * (`pinned` is optional). Ids may be strings or numbers and keep their type.
 * Checks the shape and every matching rule, so a returned problem is solvable;
 * anything wrong throws a MatchingInputError saying where.
 */
export function parseMatchingFile(jsonText: string): MatchingProblem {
  const data = parseJson(jsonText);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new MatchingInputError(
      'The matching file must hold one JSON object with mentees, mentors and scores.',
    );
  }
  const record = data as Record<string, unknown>;
  const problem: MatchingProblem = {
    mentees: readArray(record, 'mentees') as MatchId[],
    mentors: readArray(record, 'mentors').map(readMentor),
    scores: readArray(record, 'scores').map(readScoredPair),
    ...(record['pinned'] === undefined ? {} : { pinned: readArray(record, 'pinned').map(readPinnedPair) }),
  };
  validateProblem(problem);
  return problem;
}

function parseJson(jsonText: string): unknown {
  try {
    return JSON.parse(jsonText) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new MatchingInputError(`The matching file is not valid JSON: ${detail}`);
  }
}

function readArray(record: Record<string, unknown>, key: string): unknown[] {
  const value = record[key];
  if (value === undefined) throw new MatchingInputError(`The matching file has no "${key}" list.`);
  if (!Array.isArray(value)) throw new MatchingInputError(`"${key}" must be a list.`);
  return value;
}

function readMentor(entry: unknown, position: number): MentorInput {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || !('id' in entry)) {
    throw new MatchingInputError(`mentors[${position}] must be an object like {"id": "m1", "capacity": 2}.`);
  }
  const { id, capacity } = entry as { id: MatchId; capacity: number };
  return { id, capacity };
}

function readScoredPair(entry: unknown, position: number): ScoredPair {
  if (!Array.isArray(entry) || entry.length !== 3) {
    throw new MatchingInputError(`scores[${position}] must be a list [menteeId, mentorId, score].`);
  }
  return entry as unknown as ScoredPair;
}

function readPinnedPair(entry: unknown, position: number): PinnedPair {
  if (!Array.isArray(entry) || entry.length !== 2) {
    throw new MatchingInputError(`pinned[${position}] must be a list [menteeId, mentorId].`);
  }
  return entry as unknown as PinnedPair;
}
