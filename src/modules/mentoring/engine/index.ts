export { solveMatching } from './solve-matching.ts';
export { parseMatchingFile } from './parse-matching-file.ts';
export { MatchingInputError } from './errors.ts';
export {
  MAX_MENTOR_CAPACITY,
  type MatchId,
  type MatchingAssignment,
  type MatchingProblem,
  type MatchingResult,
  type MentorInput,
  type PinnedPair,
  type ScoredPair,
} from './types.ts';
