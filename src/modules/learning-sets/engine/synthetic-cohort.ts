import {
  buildDiversityMatrix,
  listSameValuePairs,
  type DiversityAttribute,
  type PersonAttributes,
} from './diversity.ts';
import { createRng, randomInt, type Rng } from './rng.ts';
import type { GroupingProblem, PersonPair } from './types.ts';

const PROFESSIONS = [
  'Doctor',
  'Nurse',
  'Midwife',
  'Pharmacist',
  'Physiotherapist',
  'Paramedic',
  'Clinical psychologist',
  'Healthcare scientist',
  'Occupational therapist',
  'Manager',
];
const SPECIALTIES = [
  'Acute medicine',
  'Cardiology',
  'Emergency care',
  'General practice',
  'Mental health',
  'Oncology',
  'Paediatrics',
  'Primary care',
  'Surgery',
  'Community services',
  'Maternity',
  'Critical care',
];
const ORGANISATIONS = 25;

/** The weights a typical cohort lead would pick: profession matters most. */
export const SYNTHETIC_COHORT_ATTRIBUTES: readonly DiversityAttribute[] = [
  { key: 'profession', weight: 3 },
  { key: 'organisation', weight: 2 },
  { key: 'specialty', weight: 2 },
  { key: 'seniority', weight: 1, kind: 'numeric' },
];

/** A synthetic cohort and the set-formation problem built from it. */
export interface SyntheticCohort {
  readonly people: PersonAttributes[];
  readonly problem: GroupingProblem;
}

/**
 * Generates a realistic cohort for tests and benchmarks: skewed professions (many doctors and
 * nurses), about 25 organisations of uneven size, 12 specialties and an Agenda-for-Change-like
 * seniority band 5-9; split into sets of `minSize`..`maxSize` with the organisation rule as
 * avoid-together, a few keep-apart pairs (line managers and their reports) and a few
 * keep-together pairs (job shares).
 */
export function generateSyntheticCohort(
  size: number,
  seed: number,
  minSize = 6,
  maxSize = 8,
): SyntheticCohort {
  const rng = createRng(seed);
  const people: PersonAttributes[] = [];
  for (let i = 0; i < size; i++) {
    people.push({
      profession: pickSkewed(rng, PROFESSIONS),
      organisation: `Trust ${String(1 + Math.floor(ORGANISATIONS * rng() ** 1.6)).padStart(2, '0')}`,
      specialty: pickSkewed(rng, SPECIALTIES),
      seniority: 5 + randomInt(rng, 5),
    });
  }
  // Sets of about the middle size; the bounds leave room either way.
  const groups = Math.round(size / ((minSize + maxSize) / 2));
  const problem: GroupingProblem = {
    n: size,
    distances: buildDiversityMatrix(people, SYNTHETIC_COHORT_ATTRIBUTES),
    lower: new Array<number>(groups).fill(minSize),
    upper: new Array<number>(groups).fill(maxSize),
    avoidTogether: listSameValuePairs(people, 'organisation'),
    keepApart: drawPairs(rng, size, Math.max(1, Math.round(size / 25)), 0),
    keepTogether: drawPairs(rng, size, Math.max(1, Math.round(size / 40)), size / 2).map(([a, b]) => [a, b]),
  };
  return { people, problem };
}

/** Earlier entries are more likely, as in real cohorts. */
function pickSkewed(rng: Rng, values: readonly string[]): string {
  return values[Math.floor(values.length * rng() ** 1.8)]!;
}

/** `count` disjoint random pairs drawn from people [from, from + n/2). */
function drawPairs(rng: Rng, n: number, count: number, from: number): PersonPair[] {
  const span = Math.floor(n / 2);
  const used = new Set<number>();
  const pairs: PersonPair[] = [];
  while (pairs.length < count && used.size + 2 <= span) {
    const a = from + randomInt(rng, span);
    const b = from + randomInt(rng, span);
    if (a === b || used.has(a) || used.has(b)) continue;
    used.add(a);
    used.add(b);
    pairs.push([Math.min(a, b), Math.max(a, b)]);
  }
  return pairs;
}
