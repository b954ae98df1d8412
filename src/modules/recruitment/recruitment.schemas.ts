import { z } from 'zod';
import { PROFESSION_KEYS } from '../../platform/registration.ts';
import { emailField, regionCodeField, textField } from '../../platform/schemas.ts';
import { APPLICATION_STATUSES } from './recruitment.table.ts';

export const LIMITS = {
  roleSummary: 600,
  leadershipExperience: 2000,
  motivation: 2000,
  comment: 1000,
  reason: 500,
};

const personName = (label: string) =>
  z
    .string({ error: `Enter your ${label}` })
    .trim()
    .min(1, `Enter your ${label}`)
    .max(60, `Your ${label} must be 60 characters or fewer`)
    .refine((v) => !/[<>]/.test(v), `Your ${label} must not contain < or >`);

const optionalPhone = z
  .string()
  .trim()
  .max(20, 'Phone number must be 20 characters or fewer')
  .refine(
    (v) => v === '' || /^\+?[\d\s()-]{7,20}$/.test(v),
    'Enter a phone number, like 01632 960 001 or 07700 900 982',
  )
  .optional()
  .transform((v) => (v ? v : undefined));

const longText = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);

export const odsCodeField = z
  .string({ error: 'Select your employer' })
  .trim()
  .toUpperCase()
  .min(1, 'Select your employer')
  .max(10, 'Select your employer from the list')
  .regex(/^[A-Z0-9]{3,6}$/, 'Select your employer from the list');

/** One schema per question page of the public journey. */
export const stepSchemas = {
  'personal-details': z.object({
    givenName: personName('first name'),
    familyName: personName('last name'),
    email: emailField,
    phone: optionalPhone,
  }),
  profession: z.object({ profession: z.enum(PROFESSION_KEYS, { error: 'Select your profession' }) }),
  'registration-number': z.object({
    registrationNumber: textField('your registration number', 20),
  }),
  employer: z.object({ employerOds: odsCodeField }),
  region: z.object({ regionCode: regionCodeField }),
  'current-role': z.object({
    jobTitle: textField('your job title', 120).refine(
      (v) => !/[<>]/.test(v),
      'Job title must not contain < or >',
    ),
    roleSummary: longText('a summary of your current role', LIMITS.roleSummary),
  }),
  leadership: z.object({
    leadershipExperience: longText('your leadership experience', LIMITS.leadershipExperience),
  }),
  motivation: z.object({ motivation: longText('why you want to join', LIMITS.motivation) }),
  sponsor: z.object({
    sponsorName: z
      .string({ error: "Enter your sponsor's name" })
      .trim()
      .min(1, "Enter your sponsor's name")
      .max(120, "Sponsor's name must be 120 characters or fewer")
      .refine((v) => !/[<>]/.test(v), "Sponsor's name must not contain < or >"),
    sponsorEmail: emailField,
  }),
  consent: z.object({
    consent: z.literal('yes', {
      error: 'Confirm that you have read the privacy notice and agree to your information being used',
    }),
  }),
} as const;
export type StepKey = keyof typeof stepSchemas;

/** A complete application, as the API takes it and as the journey builds it up page by page. */
export const applicationSubmission = z.strictObject({
  givenName: stepSchemas['personal-details'].shape.givenName,
  familyName: stepSchemas['personal-details'].shape.familyName,
  email: emailField,
  phone: optionalPhone,
  profession: stepSchemas.profession.shape.profession,
  registrationNumber: stepSchemas['registration-number'].shape.registrationNumber,
  employerOds: odsCodeField,
  regionCode: regionCodeField.optional().describe('Defaults to the region of the employer'),
  jobTitle: stepSchemas['current-role'].shape.jobTitle,
  roleSummary: stepSchemas['current-role'].shape.roleSummary,
  leadershipExperience: stepSchemas.leadership.shape.leadershipExperience,
  motivation: stepSchemas.motivation.shape.motivation,
  sponsorName: stepSchemas.sponsor.shape.sponsorName,
  sponsorEmail: emailField,
  consent: z.literal(true, {
    error: 'Consent is required: set consent to true after reading the privacy notice',
  }),
});
export type ApplicationSubmission = z.output<typeof applicationSubmission>;

export const DECISIONS = ['shortlist', 'offer', 'decline', 'waitlist', 'withdraw'] as const;
export type DecisionAction = (typeof DECISIONS)[number];

const emptyToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

export const decisionInput = z
  .object({
    decision: z.enum(DECISIONS, { error: 'Select a decision' }),
    reason: z.preprocess(
      emptyToUndefined,
      z.string().trim().max(LIMITS.reason, `Reason must be ${LIMITS.reason} characters or fewer`).optional(),
    ),
    rank: z.preprocess(
      emptyToUndefined,
      z.coerce
        .number({ error: 'Enter the waitlist position as a whole number, like 1' })
        .int('Enter the waitlist position as a whole number, like 1')
        .min(1, 'Waitlist position must be 1 or more')
        .max(10_000, 'Waitlist position must be 10000 or less')
        .optional(),
    ),
  })
  .superRefine((v, ctx) => {
    if ((v.decision === 'decline' || v.decision === 'withdraw') && !v.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Enter the reason for this decision' });
    }
  });
export type DecisionInput = z.output<typeof decisionInput>;

export const bulkDecisionInput = z.object({
  ids: z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(z.coerce.number().int().positive().max(2_147_483_647))
      .min(1, 'Select at least one application')
      .max(200, 'Select 200 applications or fewer at a time'),
  ),
  decision: z.enum(['shortlist', 'offer', 'waitlist', 'decline'], { error: 'Select a decision' }),
  reason: z.preprocess(
    emptyToUndefined,
    z.string().trim().max(LIMITS.reason, `Reason must be ${LIMITS.reason} characters or fewer`).optional(),
  ),
});

export const SORTS = ['newest', 'oldest', 'name', 'waitlist'] as const;
export const listQuery = z.object({
  q: z.string().trim().max(100).optional(),
  status: z.preprocess(emptyToUndefined, z.enum(APPLICATION_STATUSES).optional()),
  profession: z.preprocess(emptyToUndefined, z.enum(PROFESSION_KEYS).optional()),
  endorsement: z.preprocess(emptyToUndefined, z.enum(['pending', 'endorsed', 'not-endorsed']).optional()),
  sort: z.preprocess(emptyToUndefined, z.enum(SORTS).default('newest')),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
export type ListQuery = z.output<typeof listQuery>;

export const endorsementInput = z.object({
  endorse: z.enum(['yes', 'no'], { error: 'Select yes if you endorse this application' }),
  comment: z
    .string()
    .trim()
    .max(LIMITS.comment, `Comment must be ${LIMITS.comment} characters or fewer`)
    .optional()
    .transform((v) => v || undefined),
});

export const quotaRequestInput = z.object({
  requestedQuota: z.coerce
    .number({ error: 'Enter the number of places as a whole number' })
    .int('Enter the number of places as a whole number')
    .min(1, 'Enter a number of places of 1 or more')
    .max(1000, 'Enter a number of places of 1000 or fewer'),
  reason: longText('the reason for the request', LIMITS.reason),
});

export const quotaDecisionInput = z.object({
  outcome: z.enum(['approve', 'refuse'], { error: 'Select approve or refuse' }),
  note: z
    .string()
    .trim()
    .max(LIMITS.reason, `Note must be ${LIMITS.reason} characters or fewer`)
    .optional()
    .transform((v) => v || undefined),
});

export const statusLabels: Record<(typeof APPLICATION_STATUSES)[number], string> = {
  submitted: 'Submitted',
  shortlisted: 'Shortlisted',
  offered: 'Offered a place',
  waitlisted: 'On the waitlist',
  declined: 'Not successful',
  withdrawn: 'Withdrawn',
  accepted: 'Joined',
};

export const applicationSummaryOut = z.object({
  id: z.number().int(),
  reference: z.string(),
  regionCode: z.string(),
  status: z.enum(APPLICATION_STATUSES),
  name: z.string(),
  email: z.string(),
  profession: z.string(),
  registrationNumber: z.string(),
  employer: z.object({ odsCode: z.string(), name: z.string() }),
  jobTitle: z.string(),
  endorsement: z.enum(['pending', 'endorsed', 'not-endorsed']).nullable(),
  waitlistRank: z.number().int().nullable(),
  submittedAt: z.date(),
});

export const applicationDetailOut = applicationSummaryOut.extend({
  givenName: z.string(),
  familyName: z.string(),
  phone: z.string().nullable(),
  register: z.string(),
  roleSummary: z.string(),
  leadershipExperience: z.string(),
  motivation: z.string(),
  sponsor: z.object({ name: z.string(), email: z.string() }),
  endorsementComment: z.string().nullable(),
  decisionReason: z.string().nullable(),
  offerExpiresOn: z
    .string()
    .nullable()
    .describe('The last day to accept an offer (YYYY-MM-DD, London); the offer lapses after it'),
  intakeId: z.number().int(),
  userId: z.number().int().nullable(),
});

const emptyToNull = (v: unknown) => (v === '' || v === undefined ? null : v);

/** An intake as its region's lead sets it: a name, the dates it takes applications, open or closed. */
export const intakeInput = z
  .object({
    name: z
      .string({ error: 'Enter the intake’s name, like 2027/28' })
      .trim()
      .min(1, 'Enter the intake’s name, like 2027/28')
      .max(80, 'The name must be 80 characters or fewer'),
    opensOn: z.iso.date({ error: 'Enter the date it opens as a real date, like 2027-09-01' }),
    closesOn: z.preprocess(
      emptyToNull,
      z.iso.date({ error: 'Enter the closing date as a real date, like 2027-12-31' }).nullable(),
    ),
    status: z.enum(['open', 'closed'], { error: 'Choose open or closed' }),
  })
  .superRefine((v, ctx) => {
    if (v.closesOn !== null && v.closesOn < v.opensOn)
      ctx.addIssue({
        code: 'custom',
        path: ['closesOn'],
        message: 'The closing date must be on or after the date it opens',
      });
  });
export type IntakeInput = z.output<typeof intakeInput>;

export const intakeOut = z.object({
  id: z.number(),
  regionCode: z.string(),
  name: z.string(),
  opensOn: z.string(),
  closesOn: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  applications: z.number(),
});
