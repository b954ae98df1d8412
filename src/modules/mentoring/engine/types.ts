/** Identifier of a mentee or mentor: kept exactly as given (a string stays a string). */
export type MatchId = string | number;

/** Largest number of mentees one mentor may take. */
export const MAX_MENTOR_CAPACITY = 5;

export interface MentorInput {
  readonly id: MatchId;
  /** Whole number from 0 to MAX_MENTOR_CAPACITY. */
  readonly capacity: number;
}

/** An allowed pair and its compatibility score; a pair that is not listed is forbidden. */
export type ScoredPair = readonly [menteeId: MatchId, mentorId: MatchId, score: number];

/** A pair that must appear in the result. */
export type PinnedPair = readonly [menteeId: MatchId, mentorId: MatchId];

export interface MatchingProblem {
  readonly mentees: readonly MatchId[];
  readonly mentors: readonly MentorInput[];
  readonly scores: readonly ScoredPair[];
  readonly pinned?: readonly PinnedPair[];
}

/** One pair of the result, with its score for explanation. */
export interface MatchingAssignment {
  readonly mentee: MatchId;
  readonly mentor: MatchId;
  readonly score: number;
  readonly pinned: boolean;
}

export interface MatchingResult {
  /** Number of matched mentees (pinned ones included): the largest possible with the pins kept. */
  readonly matched: number;
  /** Total score of the pairs: the largest possible among such assignments matching `matched` mentees. */
  readonly objective: number;
  /** [menteeId, mentorId] in the order the mentees were given. */
  readonly pairs: [MatchId, MatchId][];
  /** The same pairs in the same order, with each pair's score. */
  readonly assignments: MatchingAssignment[];
  /** Mentees left without a mentor, in input order. */
  readonly unmatchedMentees: MatchId[];
  /**
   * True when optimality was proved in exact integer arithmetic: every score is a
   * decimal with few enough places (see score-scale.ts), so the solver and its
   * dual certificate work on exact multiples of `scoreScale`. False only for
   * scores with very many significant digits, where the certificate is checked
   * to within floating-point rounding.
   */
  readonly exact: boolean;
  /** Scores were multiplied by this power of ten to make them integers (1 when not exact). */
  readonly scoreScale: number;
}
