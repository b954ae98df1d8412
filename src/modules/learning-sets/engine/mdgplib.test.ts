import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMdgpInstance } from './parse.ts';
import { scoreAssignment } from './score.ts';
import { solveMdgp } from './solve.ts';

// A copy of one public MDGPLIB instance (see fixtures/README.md), so the test runs anywhere.
const here = path.dirname(fileURLToPath(import.meta.url));
const instanceFile = path.join(here, 'fixtures', 'RanReal_n120_ss_01.txt');
const REFERENCE = 47363.206898;

describe('MDGPLIB', () => {
  it('gets within 1% of the best known value on RanReal_n120_ss_01 within a fixed iteration budget', () => {
    const instance = parseMdgpInstance(readFileSync(instanceFile, 'utf8'));
    const result = solveMdgp(instance, { seed: 1, maxIterations: 3000 });
    expect(scoreAssignment(instance, result.assignment)).toBeCloseTo(result.objective, 6);
    const gap = (REFERENCE - result.objective) / REFERENCE;
    expect(gap).toBeLessThan(0.01);
  });
});
