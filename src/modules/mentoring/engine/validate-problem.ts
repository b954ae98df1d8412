import { MatchingInputError, describeId, describePair } from './errors.ts';
import { findDuplicatePair } from './duplicate-pairs.ts';
import { MAX_MENTOR_CAPACITY, type MatchId, type MatchingProblem } from './types.ts';

/** The problem with ids replaced by positions, checked and ready for the solver. */
export interface IndexedProblem {
  readonly menteeIds: readonly MatchId[];
  readonly mentorIds: readonly MatchId[];
  readonly capacity: Int32Array;
  readonly pairCount: number;
  readonly pairMentee: Int32Array;
  readonly pairMentor: Int32Array;
  readonly pairScore: Float64Array;
  /** Per mentee, the index of its pinned pair, or -1. */
  readonly pinnedPair: Int32Array;
}

/**
 * Checks every rule of the input and maps ids to positions. Throws a
 * MatchingInputError naming the first offending id or pair.
 */
export function validateProblem(problem: MatchingProblem): IndexedProblem {
  const menteeIndex = indexIds(problem.mentees, 'mentee');
  const mentorIds = problem.mentors.map((mentor) => mentor.id);
  const mentorIndex = indexIds(mentorIds, 'mentor');
  const capacity = readCapacities(problem);
  const pairs = indexPairs(problem, menteeIndex, mentorIndex);
  const duplicate = findDuplicatePair(
    pairs.pairMentee,
    pairs.pairMentor,
    problem.mentees.length,
    mentorIds.length,
  );
  if (duplicate >= 0) {
    const [menteeId, mentorId] = problem.scores[duplicate]!;
    throw new MatchingInputError(
      `Pair ${describePair(menteeId, mentorId)} is listed more than once in scores.`,
    );
  }
  const pinnedPair = indexPins(problem, menteeIndex, mentorIndex, pairs, capacity);
  return { menteeIds: problem.mentees, mentorIds, capacity, ...pairs, pinnedPair };
}

function checkIdValue(id: unknown, role: string, position: number): asserts id is MatchId {
  const ok = (typeof id === 'string' && id.length > 0) || (typeof id === 'number' && Number.isFinite(id));
  if (!ok) {
    throw new MatchingInputError(
      `The ${role} id at position ${position + 1} is ${describeId(id)}; an id must be a non-empty string or a number.`,
    );
  }
}

function indexIds(ids: readonly unknown[], role: string): Map<MatchId, number> {
  const index = new Map<MatchId, number>();
  ids.forEach((id, position) => {
    checkIdValue(id, role, position);
    const earlier = index.get(id);
    if (earlier !== undefined) {
      throw new MatchingInputError(
        `The ${role} id ${describeId(id)} appears more than once (positions ${earlier + 1} and ${position + 1}).`,
      );
    }
    index.set(id, position);
  });
  return index;
}

function readCapacities(problem: MatchingProblem): Int32Array {
  const capacity = new Int32Array(problem.mentors.length);
  problem.mentors.forEach((mentor, j) => {
    const c: unknown = mentor.capacity;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > MAX_MENTOR_CAPACITY) {
      throw new MatchingInputError(
        `Mentor ${describeId(mentor.id)} has capacity ${describeId(c)}; ` +
          `capacity must be a whole number from 0 to ${MAX_MENTOR_CAPACITY}.`,
      );
    }
    capacity[j] = c;
  });
  return capacity;
}

type PairArrays = Pick<IndexedProblem, 'pairCount' | 'pairMentee' | 'pairMentor' | 'pairScore'>;

function indexPairs(
  problem: MatchingProblem,
  menteeIndex: Map<MatchId, number>,
  mentorIndex: Map<MatchId, number>,
): PairArrays {
  const pairCount = problem.scores.length;
  const pairMentee = new Int32Array(pairCount);
  const pairMentor = new Int32Array(pairCount);
  const pairScore = new Float64Array(pairCount);
  // Score lists are usually grouped by mentee, so remembering the last lookup saves most of them.
  let lastMentee: unknown = undefined;
  let lastMenteeIndex = -1;
  for (let p = 0; p < pairCount; p++) {
    const [menteeId, mentorId, score] = problem.scores[p]!;
    if (menteeId !== lastMentee || lastMenteeIndex < 0) {
      lastMentee = menteeId;
      lastMenteeIndex = menteeIndex.get(menteeId) ?? -1;
      if (lastMenteeIndex < 0) throw unknownIdError('mentee', menteeId, menteeId, mentorId);
    }
    const j = mentorIndex.get(mentorId);
    if (j === undefined) throw unknownIdError('mentor', mentorId, menteeId, mentorId);
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new MatchingInputError(
        `The score for pair ${describePair(menteeId, mentorId)} is ${describeId(score)}; it must be a finite number.`,
      );
    }
    pairMentee[p] = lastMenteeIndex;
    pairMentor[p] = j;
    pairScore[p] = score;
  }
  return { pairCount, pairMentee, pairMentor, pairScore };
}

function unknownIdError(role: string, id: unknown, menteeId: unknown, mentorId: unknown): MatchingInputError {
  return new MatchingInputError(
    `The scores list pair ${describePair(menteeId, mentorId)}, but ${describeId(id)} is not a listed ${role}.`,
  );
}

function indexPins(
  problem: MatchingProblem,
  menteeIndex: Map<MatchId, number>,
  mentorIndex: Map<MatchId, number>,
  pairs: PairArrays,
  capacity: Int32Array,
): Int32Array {
  const pinnedPair = new Int32Array(problem.mentees.length).fill(-1);
  const pins = problem.pinned ?? [];
  if (pins.length === 0) return pinnedPair;
  const pinnedMentor = new Map<number, number>();
  const pinnedCount = new Int32Array(capacity.length);
  for (const [menteeId, mentorId] of pins) {
    const i = menteeIndex.get(menteeId);
    const j = mentorIndex.get(mentorId);
    const pair = describePair(menteeId, mentorId);
    if (i === undefined) throw new MatchingInputError(`Pinned pair ${pair} names an unknown mentee.`);
    if (j === undefined) throw new MatchingInputError(`Pinned pair ${pair} names an unknown mentor.`);
    if (pinnedMentor.has(i)) {
      throw new MatchingInputError(
        `Mentee ${describeId(menteeId)} is pinned more than once; a mentee has one mentor.`,
      );
    }
    pinnedMentor.set(i, j);
    pinnedCount[j]!++;
    if (pinnedCount[j]! > capacity[j]!) {
      throw new MatchingInputError(
        `Mentor ${describeId(mentorId)} has ${pinnedCount[j]} pinned mentees but capacity ${capacity[j]}.`,
      );
    }
  }
  for (let p = 0; p < pairs.pairCount; p++) {
    if (pinnedMentor.get(pairs.pairMentee[p]!) === pairs.pairMentor[p]) pinnedPair[pairs.pairMentee[p]!] = p;
  }
  for (const [i, j] of pinnedMentor) {
    if (pinnedPair[i] === -1) {
      throw new MatchingInputError(
        `Pinned pair ${describePair(problem.mentees[i], problem.mentors[j]!.id)} is not allowed: it has no score.`,
      );
    }
  }
  return pinnedPair;
}
