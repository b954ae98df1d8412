import { describe, expect, it } from 'vitest';
import {
  buildDiversityMatrix,
  describeGroupDiversity,
  listSameValuePairs,
  type PersonAttributes,
} from './diversity.ts';

const people: PersonAttributes[] = [
  { profession: 'Nurse', organisation: 'Trust A', seniority: 5 },
  { profession: 'nurse ', organisation: 'Trust B', seniority: 9 },
  { profession: 'Doctor', organisation: 'Trust A', seniority: 7 },
  { profession: 'Pharmacist', organisation: null, seniority: undefined },
];
const attributes = [
  { key: 'profession', weight: 3 },
  { key: 'organisation', weight: 2 },
  { key: 'seniority', weight: 1 },
];

describe('buildDiversityMatrix', () => {
  it('adds the weights of differing attributes and scales numeric differences by the range', () => {
    const d = buildDiversityMatrix(people, attributes);
    const at = (i: number, j: number): number => d[i * 4 + j]!;
    expect(at(0, 1)).toBeCloseTo(0 + 2 + 1); // same profession (case, spaces ignored), 4/4 of the range
    expect(at(0, 2)).toBeCloseTo(3 + 0 + 0.5);
    expect(at(1, 2)).toBeCloseTo(3 + 2 + 0.5);
    expect(at(0, 3)).toBeCloseTo(3); // unknown organisation and seniority add nothing
    expect(at(2, 0)).toBe(at(0, 2));
    expect(at(1, 1)).toBe(0);
  });

  it('treats an attribute as categorical when told to', () => {
    const d = buildDiversityMatrix(people, [{ key: 'seniority', weight: 1, kind: 'categorical' }]);
    expect(d[0 * 4 + 2]).toBe(1);
  });

  it('rejects a negative weight and a non-numeric value in a numeric attribute', () => {
    expect(() => buildDiversityMatrix(people, [{ key: 'profession', weight: -1 }])).toThrow(
      'weight must be a number >= 0',
    );
    expect(() => buildDiversityMatrix(people, [{ key: 'profession', weight: 1, kind: 'numeric' }])).toThrow(
      'person 0: "profession" should be a number, got "Nurse"',
    );
  });
});

describe('describeGroupDiversity', () => {
  it('counts distinct values, repeats and missing values per attribute', () => {
    const description = describeGroupDiversity(people, attributes, [0, 1, 3]);
    expect(description.size).toBe(3);
    expect(description.totalDistance).toBeCloseTo(3 + 3 + 3 + 0);
    expect(description.meanPairDistance).toBeCloseTo(3);
    const [profession, organisation, seniority] = description.attributes;
    expect(profession).toMatchObject({
      distinctValues: 2,
      counts: { Nurse: 2, Pharmacist: 1 },
      repeated: ['Nurse'],
    });
    expect(organisation).toMatchObject({ distinctValues: 2, missing: 1, repeated: [] });
    expect(seniority).toMatchObject({ kind: 'numeric', min: 5, max: 9, mean: 7, missing: 1 });
  });
});

describe('listSameValuePairs', () => {
  it('pairs people sharing a known value', () => {
    expect(listSameValuePairs(people, 'organisation')).toEqual([[0, 2]]);
    expect(listSameValuePairs(people, 'profession')).toEqual([[0, 1]]);
  });
});
