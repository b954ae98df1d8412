import { MatchingInputError, describeId, describePair } from './errors.ts';
import { findDuplicatePair } from './duplicate-pairs.ts';
import { createEdgeWorkspace, type EdgeWorkspace } from './edge-workspace.ts';
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
  /** Lowest and highest score (0 when there are no pairs). */
  readonly lowScore: number;
  readonly highScore: number;
  /** Per mentee, the index of its pinned pair, or -1. */
  readonly pinnedPair: Int32Array;
}

/**
 * Checks every rule of the input and maps ids to positions, filling the pair
 * arrays of `workspace` (a fresh one by default). Throws a MatchingInputError
 * naming the first offending id or pair.
 */
export function validateProblem(
  problem: MatchingProblem,
  workspace: EdgeWorkspace = createEdgeWorkspace(problem.scores.length, false),
): IndexedProblem {
  const menteeIndex = indexIds(problem.mentees, 'mentee');
  const mentorIds = problem.mentors.map((mentor) => mentor.id);
  const mentorIndex = indexIds(mentorIds, 'mentor');
  const capacity = readCapacities(problem);
  const pairs = indexPairs(problem, menteeIndex, mentorIndex, mentorIds, workspace);
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
      const given = c === undefined ? 'no capacity' : `capacity ${describeId(c)}`;
      throw new MatchingInputError(
        `Mentor ${describeId(mentor.id)} has ${given}; capacity must be a whole number from 0 to ${MAX_MENTOR_CAPACITY}.`,
      );
    }
    capacity[j] = c;
  });
  return capacity;
}

type PairArrays = Pick<
  IndexedProblem,
  'pairCount' | 'pairMentee' | 'pairMentor' | 'pairScore' | 'lowScore' | 'highScore'
>;

function indexPairs(
  problem: MatchingProblem,
  menteeIndex: Map<MatchId, number>,
  mentorIndex: Map<MatchId, number>,
  mentorIds: readonly MatchId[],
  workspace: EdgeWorkspace,
): PairArrays {
  const pairCount = problem.scores.length;
  const { pairMentee, pairMentor, pairScore } = workspace;
  // Score lists are usually grouped by mentee with mentors in a fixed order, so
  // the previous mentee and the next mentor are checked before any map lookup.
  let lastMentee: unknown = undefined;
  let i = -1;
  let j = -1;
  let lowScore = pairCount === 0 ? 0 : Infinity;
  let highScore = pairCount === 0 ? 0 : -Infinity;
  for (let p = 0; p < pairCount; p++) {
    // Indexing, not destructuring: destructuring goes through the iterator protocol.
    const pair = problem.scores[p]!;
    const menteeId = pair[0];
    const mentorId = pair[1];
    const score = pair[2];
    if (menteeId !== lastMentee || i < 0) {
      lastMentee = menteeId;
      i = menteeIndex.get(menteeId) ?? -1;
      if (i < 0) throw unknownIdError('mentee', menteeId, menteeId, mentorId);
    }
    if (mentorIds[j + 1] === mentorId) j++;
    else {
      j = mentorIndex.get(mentorId) ?? -1;
      if (j < 0) throw unknownIdError('mentor', mentorId, menteeId, mentorId);
    }
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new MatchingInputError(
        `The score for pair ${describePair(menteeId, mentorId)} is ${describeId(score)}; it must be a finite number.`,
      );
    }
    pairMentee[p] = i;
    pairMentor[p] = j;
    pairScore[p] = score;
    if (score < lowScore) lowScore = score;
    if (score > highScore) highScore = score;
  }
  return { pairCount, pairMentee, pairMentor, pairScore, lowScore, highScore };
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
