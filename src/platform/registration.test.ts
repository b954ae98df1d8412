import { describe, expect, it } from 'vitest';
import { checkRegistrationNumber, normaliseRegistrationNumber } from './registration.ts';

describe('professional registration numbers', () => {
  it.each([
    ['GMC', '1234567'],
    ['GMC', 'L123456'],
    ['NMC', '71A2998E'],
    ['NMC', '71a 2998-e'],
    ['HCPC', 'PH123456'],
    ['HCPC', 'ODP12'],
    ['GPhC', '2071234'],
    ['GPhC', '5012345'],
    ['GDC', '81234'],
  ] as const)('accepts %s %s', (register, value) => {
    expect(checkRegistrationNumber(register, value)).toBeNull();
  });

  it.each([
    ['GMC', '123456', 'like 1234567'],
    ['NMC', '71A2998', 'like 71A2998E'],
    ['HCPC', 'XX123', 'like PH123456'],
    ['GPhC', '3071234', 'like 2071234'],
    ['GDC', '1234567', 'like 81234'],
    ['GMC', '', 'Enter your GMC number'],
  ] as const)('refuses %s %s with an example of the right format', (register, value, message) => {
    expect(checkRegistrationNumber(register, value)).toContain(message);
  });

  it('normalises case, spaces and hyphens', () => {
    expect(normaliseRegistrationNumber(' 71a-2998 e ')).toBe('71A2998E');
  });
});
