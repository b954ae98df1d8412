import { describe, expect, it } from 'vitest';
import { describeWhen, londonInstant, londonLocal } from './events.times.ts';

describe('UK wall-clock times', () => {
  it('reads times either side of the clock changes as the right instants', () => {
    // Last Sunday of March 2027 (28th): clocks go forward at 01:00 GMT.
    expect(londonInstant('2027-03-28', '00:30')!.toISOString()).toBe('2027-03-28T00:30:00.000Z');
    expect(londonInstant('2027-03-28', '10:00')!.toISOString()).toBe('2027-03-28T09:00:00.000Z');
    expect(londonInstant('2027-03-28', '01:30')).toBeNull();
    // Last Sunday of October 2027 (31st): clocks go back at 02:00 BST; 01:30 happens twice.
    expect(londonInstant('2027-10-31', '10:00')!.toISOString()).toBe('2027-10-31T10:00:00.000Z');
    expect(londonInstant('2027-10-31', '01:30')!.toISOString()).toBe('2027-10-31T00:30:00.000Z');
    expect(londonInstant('2027-10-30', '10:00')!.toISOString()).toBe('2027-10-30T09:00:00.000Z');
    expect(londonInstant('2027-01-15', '23:59')!.toISOString()).toBe('2027-01-15T23:59:00.000Z');
  });

  it('shows instants as UK wall-clock times', () => {
    expect(londonLocal(new Date('2027-03-28T09:00:00Z')).text).toBe('2027-03-28 10:00');
    expect(londonLocal(new Date('2027-10-31T10:00:00Z')).text).toBe('2027-10-31 10:00');
    expect(describeWhen(new Date('2027-03-28T09:00:00Z'), new Date('2027-03-28T15:00:00Z'))).toBe(
      'Sunday 28 March 2027, 10:00 to 16:00',
    );
  });
});
