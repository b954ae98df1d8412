import { describe, expect, it } from 'vitest';
import { InvalidAssignmentError } from './errors.ts';
import { parseMdgpInstance } from './parse.ts';
import { scoreAssignment } from './score.ts';

// d01=1 d02=2 d03=3 d04=4 d12=5 d13=6 d14=7 d23=8 d24=9 d34=10
const instance = parseMdgpInstance(
  [
    '5 2 ds 2 3 2 3',
    '0 1 1',
    '0 2 2',
    '0 3 3',
    '0 4 4',
    '1 2 5',
    '1 3 6',
    '1 4 7',
    '2 3 8',
    '2 4 9',
    '3 4 10',
  ].join('\n'),
);

describe('scoreAssignment', () => {
  it('sums the distances inside each group (hand-computed)', () => {
    // {0,1} + {2,3,4}: 1 + (8 + 9 + 10) = 28
    expect(scoreAssignment(instance, [0, 0, 1, 1, 1])).toBe(28);
    // {0,2,4} + {1,3}: (2 + 4 + 9) + 6 = 21
    expect(scoreAssignment(instance, [0, 1, 0, 1, 0])).toBe(21);
  });

  it('rejects a group outside its size bounds', () => {
    expect(() => scoreAssignment(instance, [0, 0, 0, 0, 1])).toThrow(InvalidAssignmentError);
    expect(() => scoreAssignment(instance, [0, 0, 0, 0, 1])).toThrow(
      'group 0 has 4 people, outside its bounds 2..3',
    );
  });

  it('rejects a wrong length or an unknown group', () => {
    expect(() => scoreAssignment(instance, [0, 0, 1, 1])).toThrow('assignment has 4 entries for 5 people');
    expect(() => scoreAssignment(instance, [0, 0, 1, 1, 2])).toThrow('person 4 is in group 2, outside 0..1');
  });
});
