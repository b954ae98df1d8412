import { InfeasibleError, InvalidProblemError } from './errors.ts';
import type { CoreProblem } from './search-state.ts';
import type { GroupingProblem, PersonPair } from './types.ts';

/** A grouping problem turned into what the search works on, plus the way back to people. */
export interface PreparedProblem {
  readonly core: CoreProblem;
  /** People making up each search item (a keep-together group or a single person). */
  readonly unitMembers: readonly (readonly number[])[];
  /** Added to the search's score to get the penalised score over people. */
  readonly scoreOffset: number;
}

/**
 * Validates `problem`, rejects rule sets that can never be met, and builds the search problem:
 * keep-together groups become single weighted items, and broken keep-apart / avoid-together
 * pairs become penalties large enough to outrank any amount of diversity (lexicographic order:
 * keep-apart, then avoid-together, then diversity).
 */
export function prepareProblem(problem: GroupingProblem): PreparedProblem {
  const { n } = problem;
  checkShape(problem);
  checkSizeBounds(problem);
  const unitOf = joinKeepTogether(problem);
  const unitMembers = listUnits(unitOf, n);
  const largest = Math.max(...problem.upper);
  for (const members of unitMembers) {
    if (members.length > largest) {
      throw new InfeasibleError(
        `keep-together group of ${members.length} people (${formatPeople(members)}) is larger than the largest set allowed (${largest})`,
      );
    }
  }
  const keepApart = problem.keepApart ?? [];
  const avoid = problem.avoidTogether ?? [];
  checkPairs(keepApart, n, 'keepApart');
  checkPairs(avoid, n, 'avoidTogether');
  for (const [i, j] of keepApart) {
    if (i === j) throw new InfeasibleError(`person ${i} cannot be kept apart from themselves`);
    if (unitOf[i] === unitOf[j]) {
      throw new InfeasibleError(
        `people ${i} and ${j} must be kept apart, but keep-together rules put them in the same set`,
      );
    }
  }
  return buildCore(problem, unitMembers);
}

function checkShape(problem: GroupingProblem): void {
  const { n, distances, lower, upper } = problem;
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidProblemError(`number of people must be a positive whole number, got ${n}`);
  if (distances.length !== n * n) {
    throw new InvalidProblemError(
      `distance matrix has ${distances.length} entries, expected ${n} x ${n} = ${n * n}`,
    );
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = distances[i * n + j]!;
      const b = distances[j * n + i]!;
      if (!Number.isFinite(a) || !Number.isFinite(b))
        throw new InvalidProblemError(`distance between ${i} and ${j} is not a finite number`);
      if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) {
        throw new InvalidProblemError(
          `distance matrix is not symmetric: d(${i},${j}) = ${a} but d(${j},${i}) = ${b}`,
        );
      }
    }
  }
  if (lower.length === 0 || lower.length !== upper.length) {
    throw new InvalidProblemError(
      `need one lower and one upper bound per set, got ${lower.length} and ${upper.length}`,
    );
  }
  for (let g = 0; g < lower.length; g++) {
    for (const bound of [lower[g]!, upper[g]!]) {
      if (!Number.isInteger(bound) || bound < 0)
        throw new InvalidProblemError(`set ${g}: size bound ${bound} is not a whole number >= 0`);
    }
  }
}

function checkSizeBounds(problem: GroupingProblem): void {
  const { n, lower, upper } = problem;
  for (let g = 0; g < lower.length; g++) {
    if (lower[g]! > upper[g]!) {
      throw new InfeasibleError(`set ${g}: minimum size ${lower[g]} is larger than maximum size ${upper[g]}`);
    }
  }
  const sumLower = lower.reduce((s, x) => s + x, 0);
  const sumUpper = upper.reduce((s, x) => s + x, 0);
  if (sumLower > n) {
    throw new InfeasibleError(
      `the sets need at least ${sumLower} people in total (sum of minimum sizes) but there are only ${n}`,
    );
  }
  if (sumUpper < n) {
    throw new InfeasibleError(
      `the sets can take at most ${sumUpper} people in total (sum of maximum sizes) but there are ${n}`,
    );
  }
}

function checkPairs(pairs: readonly PersonPair[], n: number, name: string): void {
  for (const pair of pairs) {
    for (const person of pair) {
      if (!Number.isInteger(person) || person < 0 || person >= n) {
        throw new InvalidProblemError(`${name}: person ${person} is outside 0..${n - 1}`);
      }
    }
  }
}

/** Union-find over the keep-together lists; returns a representative per person. */
function joinKeepTogether(problem: GroupingProblem): Int32Array {
  const { n } = problem;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (const group of problem.keepTogether ?? []) {
    for (const person of group) {
      if (!Number.isInteger(person) || person < 0 || person >= n) {
        throw new InvalidProblemError(`keepTogether: person ${person} is outside 0..${n - 1}`);
      }
      const a = find(group[0]!);
      const b = find(person);
      // Keep the smallest index as root so unit order follows person order.
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const unitOf = new Int32Array(n);
  for (let i = 0; i < n; i++) unitOf[i] = find(i);
  return unitOf;
}

function listUnits(root: Int32Array, n: number): number[][] {
  const index = new Map<number, number>();
  const units: number[][] = [];
  for (let i = 0; i < n; i++) {
    let u = index.get(root[i]!);
    if (u === undefined) {
      u = units.length;
      index.set(root[i]!, u);
      units.push([]);
    }
    units[u]!.push(i);
  }
  return units;
}

function buildCore(problem: GroupingProblem, unitMembers: number[][]): PreparedProblem {
  const { n, distances } = problem;
  const keepApart = problem.keepApart ?? [];
  const avoid = problem.avoidTogether ?? [];
  const units = unitMembers.length;
  const unitIndex = new Int32Array(n);
  unitMembers.forEach((members, u) => members.forEach((i) => (unitIndex[i] = u)));

  // Penalties: any change of diversity is below `spread`, so one avoided pair outweighs all
  // diversity, and one keep-apart pair outweighs every avoided pair together.
  let spread = 1;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) spread += Math.abs(distances[i * n + j]!);
  const avoidPenalty = avoid.length > 0 ? spread : 0;
  const apartPenalty = spread * (avoid.length + 2);

  const personDist = Float64Array.from(distances);
  for (let i = 0; i < n; i++) personDist[i * n + i] = 0;
  const penalise = (pairs: readonly PersonPair[], penalty: number): void => {
    for (const [i, j] of pairs) {
      if (i === j) continue;
      personDist[i * n + j]! -= penalty;
      personDist[j * n + i]! -= penalty;
    }
  };
  penalise(avoid, avoidPenalty);
  penalise(keepApart, apartPenalty);

  const dist = new Float64Array(units * units);
  const pairDist = new Float32Array(units * units);
  let scoreOffset = 0;
  for (let i = 0; i < n; i++) {
    const u = unitIndex[i]!;
    for (let j = 0; j < n; j++) {
      const v = unitIndex[j]!;
      if (u !== v) {
        dist[u * units + v]! += personDist[i * n + j]!;
        pairDist[u * units + v]! += distances[i * n + j]!;
      } else if (i < j) {
        scoreOffset += personDist[i * n + j]!;
      }
    }
  }
  const weight = Int32Array.from(unitMembers, (members) => members.length);
  const core: CoreProblem = {
    n: units,
    m: problem.lower.length,
    dist,
    pairDist,
    weight,
    uniform: units === n,
    lower: Int32Array.from(problem.lower),
    upper: Int32Array.from(problem.upper),
  };
  return { core, unitMembers, scoreOffset };
}

/** Lists people for a message, truncated so a huge group does not flood it. */
export function formatPeople(people: readonly number[]): string {
  const shown = people.slice(0, 8).join(', ');
  return people.length > 8 ? `${shown}, ... (${people.length} people)` : shown;
}
