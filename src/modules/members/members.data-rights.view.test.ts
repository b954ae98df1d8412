import { describe, expect, it } from 'vitest';
import { downloadPage, fieldLabel } from './members.data-rights.view.ts';

describe('the readable data download', () => {
  it('turns field names into headings a person reads, keeping initialisms', () => {
    expect(fieldLabel('employer_ods_code')).toBe('Employer ODS code');
    expect(fieldLabel('employerOdsCode')).toBe('Employer ODS code');
    expect(fieldLabel('ip')).toBe('IP');
    expect(fieldLabel('nhsNumberOfYears')).toBe('NHS number of years');
    expect(fieldLabel('updated_at')).toBe('Updated at');
    expect(fieldLabel('gmc')).toBe('GMC');
  });

  it('shows every value of a record as text, with dates in UK time and empty values as None', () => {
    const page = downloadPage([
      {
        module: 'members',
        title: 'Members',
        sections: [
          {
            key: 'profile',
            title: 'Profile',
            records: [{ employer_ods_code: 'RW3', photo: null, updatedAt: new Date('2026-07-01T12:00:00Z') }],
          },
        ],
      },
    ]);
    expect(page[0]!.sections[0]!.records[0]).toEqual([
      { key: { text: 'Employer ODS code' }, value: { text: 'RW3' } },
      { key: { text: 'Photo' }, value: { text: 'None' } },
      { key: { text: 'Updated at' }, value: { text: '1 July 2026 at 13:00' } },
    ]);
  });
});
