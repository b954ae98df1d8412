import { InvalidProblemError } from './errors.ts';
import type { PersonPair } from './types.ts';

/** One attribute value of a person; null/undefined/'' mean "not known". */
export type AttributeValue = string | number | null | undefined;

/** A person's attributes by key: profession, organisation, specialty, seniority, anything. */
export type PersonAttributes = Readonly<Record<string, AttributeValue>>;

/** How much an attribute counts towards the diversity of a pair. */
export interface DiversityAttribute {
  readonly key: string;
  /** Added to a pair's distance when they differ (categorical) or scaled by the difference (numeric). */
  readonly weight: number;
  /**
   * `categorical`: differ or not (strings compared trimmed and case-insensitively).
   * `numeric`: weight * |x - y| / (max - min over the cohort).
   * Default: numeric when every known value is a number, categorical otherwise.
   */
  readonly kind?: 'categorical' | 'numeric';
}

/** The spread of one attribute inside a group, for explaining the group to people. */
export interface AttributeSpread {
  readonly key: string;
  readonly kind: 'categorical' | 'numeric';
  /** Number of different known values. */
  readonly distinctValues: number;
  /** Members per value (categorical: normalised value; numeric: the number as text). */
  readonly counts: Readonly<Record<string, number>>;
  /** Values held by more than one member: where the group is least diverse. */
  readonly repeated: readonly string[];
  /** Members with no value. */
  readonly missing: number;
  /** Numeric attributes only. */
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
}

/** What makes a group diverse, attribute by attribute. */
export interface GroupDiversity {
  readonly size: number;
  /** Summed pairwise distance within the group (the quantity the engine maximises). */
  readonly totalDistance: number;
  /** totalDistance divided by the number of pairs (0 for groups under two people). */
  readonly meanPairDistance: number;
  readonly attributes: readonly AttributeSpread[];
}

/** An attribute column ready for fast pairwise comparison. */
interface EncodedAttribute {
  readonly key: string;
  readonly weight: number;
  readonly kind: 'categorical' | 'numeric';
  /** Categorical: value code per person (-1 = missing). */
  readonly codes: Int32Array;
  /** Numeric: value per person (NaN = missing). */
  readonly numbers: Float64Array;
  /** Numeric: max - min over known values. */
  readonly range: number;
  /** Categorical: display label of each code. */
  readonly labels: readonly string[];
}

/**
 * Builds the n*n distance matrix for a cohort: the distance of two people is the sum of the
 * weights of the categorical attributes on which they differ plus, for numeric attributes,
 * weight * |difference| / range. An unknown value contributes nothing: a blank field should not
 * make someone look different. Feed the result to `solveMdgp` as `distances`.
 */
export function buildDiversityMatrix(
  people: readonly PersonAttributes[],
  attributes: readonly DiversityAttribute[],
): Float64Array {
  const n = people.length;
  const encoded = encodeAttributes(people, attributes);
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = pairDistance(encoded, i, j);
      matrix[i * n + j] = d;
      matrix[j * n + i] = d;
    }
  }
  return matrix;
}

/**
 * Describes a group for the UI: per attribute, how many distinct values it holds, how many
 * members hold each, which values repeat; plus the group's total and mean pair distance under
 * the same weights as `buildDiversityMatrix`.
 */
export function describeGroupDiversity(
  people: readonly PersonAttributes[],
  attributes: readonly DiversityAttribute[],
  members: readonly number[],
): GroupDiversity {
  for (const person of members) {
    if (!Number.isInteger(person) || person < 0 || person >= people.length) {
      throw new InvalidProblemError(`group member ${person} is outside 0..${people.length - 1}`);
    }
  }
  const encoded = encodeAttributes(people, attributes);
  let totalDistance = 0;
  for (let a = 0; a < members.length; a++) {
    for (let b = a + 1; b < members.length; b++)
      totalDistance += pairDistance(encoded, members[a]!, members[b]!);
  }
  const pairs = (members.length * (members.length - 1)) / 2;
  return {
    size: members.length,
    totalDistance,
    meanPairDistance: pairs > 0 ? totalDistance / pairs : 0,
    attributes: encoded.map((attribute) => describeSpread(attribute, members)),
  };
}

/**
 * Lists every pair of people sharing a known value of `key` (for example the same organisation),
 * ready to pass as `avoidTogether` so the engine separates them wherever it can.
 */
export function listSameValuePairs(people: readonly PersonAttributes[], key: string): PersonPair[] {
  const byValue = new Map<string, number[]>();
  people.forEach((person, i) => {
    const value = normaliseCategory(person[key]);
    if (value === null) return;
    const list = byValue.get(value);
    if (list) list.push(i);
    else byValue.set(value, [i]);
  });
  const pairs: PersonPair[] = [];
  for (const list of byValue.values()) {
    for (let a = 0; a < list.length; a++)
      for (let b = a + 1; b < list.length; b++) pairs.push([list[a]!, list[b]!]);
  }
  return pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

function encodeAttributes(
  people: readonly PersonAttributes[],
  attributes: readonly DiversityAttribute[],
): EncodedAttribute[] {
  return attributes.map((attribute) => {
    if (!Number.isFinite(attribute.weight) || attribute.weight < 0) {
      throw new InvalidProblemError(
        `attribute "${attribute.key}": weight must be a number >= 0, got ${attribute.weight}`,
      );
    }
    const kind = attribute.kind ?? guessKind(people, attribute.key);
    return kind === 'numeric' ? encodeNumeric(people, attribute) : encodeCategorical(people, attribute);
  });
}

function guessKind(people: readonly PersonAttributes[], key: string): 'categorical' | 'numeric' {
  let sawNumber = false;
  for (const person of people) {
    const value = person[key];
    if (isMissing(value)) continue;
    if (typeof value !== 'number') return 'categorical';
    sawNumber = true;
  }
  return sawNumber ? 'numeric' : 'categorical';
}

function encodeCategorical(
  people: readonly PersonAttributes[],
  attribute: DiversityAttribute,
): EncodedAttribute {
  const codes = new Int32Array(people.length);
  const index = new Map<string, number>();
  const labels: string[] = [];
  people.forEach((person, i) => {
    const value = normaliseCategory(person[attribute.key]);
    if (value === null) {
      codes[i] = -1;
      return;
    }
    let code = index.get(value);
    if (code === undefined) {
      code = labels.length;
      index.set(value, code);
      // Show the first spelling met; matching ignores case and surrounding spaces.
      labels.push(String(person[attribute.key]).trim());
    }
    codes[i] = code;
  });
  return { ...attribute, kind: 'categorical', codes, numbers: new Float64Array(0), range: 0, labels };
}

function encodeNumeric(people: readonly PersonAttributes[], attribute: DiversityAttribute): EncodedAttribute {
  const numbers = new Float64Array(people.length);
  let min = Infinity;
  let max = -Infinity;
  people.forEach((person, i) => {
    const raw = person[attribute.key];
    if (isMissing(raw)) {
      numbers[i] = NaN;
      return;
    }
    const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isFinite(value)) {
      throw new InvalidProblemError(
        `person ${i}: "${attribute.key}" should be a number, got "${String(raw)}"`,
      );
    }
    numbers[i] = value;
    if (value < min) min = value;
    if (value > max) max = value;
  });
  const range = max > min ? max - min : 0;
  return { ...attribute, kind: 'numeric', codes: new Int32Array(0), numbers, range, labels: [] };
}

function pairDistance(encoded: readonly EncodedAttribute[], i: number, j: number): number {
  let d = 0;
  for (const attribute of encoded) {
    if (attribute.kind === 'categorical') {
      const a = attribute.codes[i]!;
      const b = attribute.codes[j]!;
      if (a >= 0 && b >= 0 && a !== b) d += attribute.weight;
    } else if (attribute.range > 0) {
      const diff = Math.abs(attribute.numbers[i]! - attribute.numbers[j]!);
      // NaN (a missing value) fails the comparison and adds nothing.
      if (diff >= 0) d += (attribute.weight * diff) / attribute.range;
    }
  }
  return d;
}

function describeSpread(attribute: EncodedAttribute, members: readonly number[]): AttributeSpread {
  const counts: Record<string, number> = {};
  let missing = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const person of members) {
    let label: string;
    if (attribute.kind === 'categorical') {
      const code = attribute.codes[person]!;
      if (code < 0) {
        missing++;
        continue;
      }
      label = attribute.labels[code]!;
    } else {
      const value = attribute.numbers[person]!;
      if (Number.isNaN(value)) {
        missing++;
        continue;
      }
      label = String(value);
      sum += value;
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    counts[label] = (counts[label] ?? 0) + 1;
  }
  const known = members.length - missing;
  const spread: AttributeSpread = {
    key: attribute.key,
    kind: attribute.kind,
    distinctValues: Object.keys(counts).length,
    counts,
    repeated: Object.keys(counts).filter((label) => counts[label]! > 1),
    missing,
  };
  if (attribute.kind === 'numeric' && known > 0) return { ...spread, min, max, mean: sum / known };
  return spread;
}

function isMissing(value: AttributeValue): value is null | undefined | '' {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

function normaliseCategory(value: AttributeValue): string | null {
  if (isMissing(value)) return null;
  return String(value).trim().toLowerCase();
}
