import type { MatchId, MatchingProblem, MentorInput, PinnedPair, ScoredPair } from '../types.ts';

/** Small seeded PRNG (mulberry32) so failing instances can be replayed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type ScoreKind = 'integers' | 'ties' | 'decimals' | 'negative' | 'floats';

export interface RandomProblemOptions {
  readonly mentees: number;
  readonly mentors: number;
  /** Chance that a pair is allowed. */
  readonly density: number;
  readonly scores: ScoreKind;
  /** Chance that a mentor has capacity 0. */
  readonly zeroCapacity?: number;
  /** How many pins to try to add (only valid ones are kept). */
  readonly pins?: number;
}

/** Builds a random problem; ids mix strings and numbers to check they are kept as given. */
export function createRandomProblem(random: () => number, options: RandomProblemOptions): MatchingProblem {
  const mentees: MatchId[] = Array.from({ length: options.mentees }, (_, i) => (i % 3 === 0 ? i : `e${i}`));
  const mentors: MentorInput[] = Array.from({ length: options.mentors }, (_, j) => ({
    id: j % 2 === 0 ? `m${j}` : 100 + j,
    capacity: random() < (options.zeroCapacity ?? 0) ? 0 : 1 + Math.floor(random() * 5),
  }));
  const scores: ScoredPair[] = [];
  for (const mentee of mentees) {
    for (const mentor of mentors) {
      if (random() < options.density) scores.push([mentee, mentor.id, drawScore(random, options.scores)]);
    }
  }
  shuffle(random, scores);
  return { mentees, mentors, scores, pinned: choosePins(random, mentors, scores, options.pins ?? 0) };
}

function drawScore(random: () => number, kind: ScoreKind): number {
  switch (kind) {
    case 'integers':
      return Math.floor(random() * 101);
    case 'ties':
      return Math.floor(random() * 3);
    case 'decimals':
      return Math.round(random() * 10000) / 100;
    case 'negative':
      return Math.floor(random() * 21) - 15;
    case 'floats':
      return (random() - 0.3) * 100;
  }
}

function shuffle<T>(random: () => number, list: T[]): void {
  for (let k = list.length - 1; k > 0; k--) {
    const other = Math.floor(random() * (k + 1));
    [list[k], list[other]] = [list[other]!, list[k]!];
  }
}

function choosePins(
  random: () => number,
  mentors: MentorInput[],
  scores: ScoredPair[],
  tries: number,
): PinnedPair[] {
  const room = new Map(mentors.map((m) => [m.id, m.capacity]));
  const pinnedMentees = new Set<MatchId>();
  const pins: PinnedPair[] = [];
  for (let t = 0; t < tries && scores.length > 0; t++) {
    const [mentee, mentor] = scores[Math.floor(random() * scores.length)]!;
    if (pinnedMentees.has(mentee) || (room.get(mentor) ?? 0) === 0) continue;
    pinnedMentees.add(mentee);
    room.set(mentor, room.get(mentor)! - 1);
    pins.push([mentee, mentor]);
  }
  return pins;
}
