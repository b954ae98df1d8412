import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, londonDate, londonDateAfter, longDate } from './dates.ts';

describe('calendar dates', () => {
  it('adds days across month and year ends, leap days and both clock changes', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    // British Summer Time starts on 29 March 2026 and ends on 25 October 2026.
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
    expect(addDays('2026-09-01', 84)).toBe('2026-11-24');
    expect(addDays('2026-05-05', 0)).toBe('2026-05-05');
  });

  it('counts whole days between two dates, negative when the second comes first', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(daysBetween('2026-12-31', '2026-01-01')).toBe(-364);
    expect(daysBetween('2026-05-05', '2026-05-05')).toBe(0);
    for (const [from, days] of [
      ['2026-01-15', 40],
      ['2026-03-20', 14],
      ['2026-10-20', -9],
    ] as const)
      expect(daysBetween(from, addDays(from, days))).toBe(days);
  });

  it('names days as people write them, in England', () => {
    expect(longDate('2026-12-11')).toBe('11 December 2026');
    // Just after midnight in summer in London is still the day before in UTC.
    expect(londonDate(new Date('2026-07-01T23:30:00Z'))).toBe('2026-07-02');
  });

  it('counts calendar days back across a clock change late on a winter evening', () => {
    // 23:31 GMT on 7 December; 94 days of 24 hours back is 00:31 BST on 5 September.
    const lateEvening = new Date('2026-12-07T23:31:00Z');
    expect(londonDateAfter(-94, lateEvening)).toBe('2026-09-04');
    expect(londonDateAfter(0, lateEvening)).toBe('2026-12-07');
    expect(londonDateAfter(1, new Date('2026-07-01T23:30:00Z'))).toBe('2026-07-03');
  });
});
