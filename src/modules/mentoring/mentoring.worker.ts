import {
  type MatchingProblem,
  type MatchingResult,
  MatchingInputError,
  solveMatching,
} from './engine/index.ts';

export type MatchingOutcome = { ok: true; result: MatchingResult } | { ok: false; inputError: string };

/** The matching engine in a worker thread; a bad input comes back as a value (classes do not cross threads). */
export default function runMatching(problem: MatchingProblem): MatchingOutcome {
  try {
    return { ok: true, result: solveMatching(problem) };
  } catch (err) {
    if (err instanceof MatchingInputError) return { ok: false, inputError: err.message };
    throw err;
  }
}
