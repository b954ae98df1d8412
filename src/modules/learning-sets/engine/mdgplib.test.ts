import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMdgpInstance } from './parse.ts';
import { scoreAssignment } from './score.ts';
import { solveMdgp } from './solve.ts';

// The shared benchmark folder sits next to the project root (../shared/benchmarks/mdgp).
const here = path.dirname(fileURLToPath(import.meta.url));
const instanceFile = path.resolve(
  here,
  '../../../../../shared/benchmarks/mdgp/instances/RanReal_n120_ss_01.txt',
);
const REFERENCE = 47363.206898;

describe('MDGPLIB', () => {
  it.skipIf(!existsSync(instanceFile))(
    'gets within 1% of the best known value on RanReal_n120_ss_01 in 0.5 s',
    () => {
      const instance = parseMdgpInstance(readFileSync(instanceFile, 'utf8'));
      const result = solveMdgp(instance, { seed: 1, timeLimitMs: 500 });
      expect(scoreAssignment(instance, result.assignment)).toBeCloseTo(result.objective, 6);
      const gap = (REFERENCE - result.objective) / REFERENCE;
      expect(gap).toBeLessThan(0.01);
    },
  );
});
