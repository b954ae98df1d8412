import { describe, expect, it } from 'vitest';
import { letter, letterText } from './emails.ts';

describe('the email template', () => {
  it('greets by name, puts each link on its own line and signs off', () => {
    expect(
      letterText({
        name: 'Asha Patel',
        body: [
          'Your application has been received.',
          false,
          { text: 'Follow it here (keep this link private):', link: 'https://cln.example/application/abc' },
        ],
      }),
    ).toBe(
      'Dear Asha Patel,\n\nYour application has been received.\n\n' +
        'Follow it here (keep this link private):\nhttps://cln.example/application/abc\n\nClinical Leaders Network',
    );
  });

  it('opens "Hello," without a name and gives the outbox message', () => {
    expect(letter({ to: 'a@nhs.net', subject: 'S', kind: 'k', body: ['Text.'] })).toEqual({
      to: 'a@nhs.net',
      subject: 'S',
      kind: 'k',
      text: 'Hello,\n\nText.\n\nClinical Leaders Network',
    });
  });
});
