import type { ApplicationSubmission } from './recruitment.schemas.ts';

let n = 0;

/** A valid application for tests and demo data; override what a test is about. */
export function buildSubmission(overrides: Partial<ApplicationSubmission> = {}): ApplicationSubmission {
  n++;
  const unique = `${Date.now().toString(36)}${n}${Math.random().toString(36).slice(2, 6)}`;
  return {
    givenName: 'Amina',
    familyName: `Okafor${n}`,
    email: `applicant.${unique}@nhs.test`,
    phone: undefined,
    profession: 'doctor',
    registrationNumber: String(
      1_000_000 + ((Date.now() + n * 7919 + Math.floor(Math.random() * 1e6)) % 8_999_999),
    ),
    employerOds: 'RBK',
    regionCode: undefined,
    jobTitle: 'Consultant physician',
    roleSummary: 'I lead the acute medical unit.',
    leadershipExperience: 'I led the redesign of our discharge process.',
    motivation: 'To learn from peers and bring change to my trust.',
    sponsorName: 'Sam Sponsor',
    sponsorEmail: `sponsor.${unique}@nhs.test`,
    consent: true,
    ...overrides,
  };
}
