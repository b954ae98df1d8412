import { z } from 'zod';
import { PROFESSIONS } from '../../platform/registration.ts';
import { emailField, regionCodeField } from '../../platform/schemas.ts';
import { AREA_KEYS } from './mentoring.scoring.ts';

const PROFESSION_KEYS = PROFESSIONS.map((p) => p.key) as [string, ...string[]];
export const FORMATS = ['online', 'in-person', 'either'] as const;
export const FORMAT_LABELS: Record<(typeof FORMATS)[number], string> = {
  online: 'Online',
  'in-person': 'In person',
  either: 'Either online or in person',
};
export const GOAL_STATUSES = ['not-started', 'in-progress', 'achieved'] as const;
export const GOAL_STATUS_LABELS: Record<(typeof GOAL_STATUSES)[number], string> = {
  'not-started': 'Not started',
  'in-progress': 'In progress',
  achieved: 'Achieved',
};

/** A form sends one checkbox as a string, several as an array, none as nothing. */
const list = <T extends z.ZodType>(item: T, max: number, message: string) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(item).max(max, message),
  );
const areas = list(
  z.enum(AREA_KEYS, { error: 'Choose areas from the list' }),
  AREA_KEYS.length,
  'Too many areas',
);
const professions = list(
  z.enum(PROFESSION_KEYS, { error: 'Choose professions from the list' }),
  PROFESSION_KEYS.length,
  'Too many professions',
);
const optionalText = (label: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.string().trim().max(max, `${label} must be ${max} characters or fewer`).nullable().default(null),
  );
const boolField = z.preprocess((v) => v === true || v === 'true' || v === 'yes', z.boolean());

export const offerInput = z.strictObject({
  capacity: z.coerce
    .number({ error: 'Enter how many mentees you can take, from 0 to 5' })
    .int('Enter how many mentees you can take as a whole number, from 0 to 5')
    .min(0, 'Capacity must be between 0 and 5 mentees (0 pauses your offer)')
    .max(5, 'Capacity must be between 0 and 5 mentees (0 pauses your offer)'),
  areas: areas.refine((a) => a.length > 0, 'Choose at least one area you can mentor in'),
  format: z.enum(FORMATS, { error: 'Choose how you would like to meet' }),
  menteeProfessions: professions,
  notes: optionalText('Notes', 1000),
});
export type OfferInput = z.output<typeof offerInput>;

export const requestInput = z.strictObject({
  goals: z
    .string({ error: 'Enter your goals for mentoring' })
    .trim()
    .min(1, 'Enter your goals for mentoring')
    .max(2000, 'Goals must be 2000 characters or fewer')
    .refine((g) => g.split('\n').filter((l) => l.trim()).length <= 8, 'Enter at most 8 goals, one a line'),
  goalAreas: areas.refine((a) => a.length > 0, 'Choose at least one area your goals are about'),
  format: z.enum(FORMATS, { error: 'Choose how you would like to meet' }),
  mentorProfessions: professions,
  sameRegion: boolField.default(false),
  planGoals: z
    .preprocess(
      (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
      z.array(z.coerce.number().int().positive().max(2_147_483_647)).max(20, 'Choose at most 20 goals'),
    )
    .default([]),
});
export type RequestInput = z.output<typeof requestInput>;

export const conflictInput = z.strictObject({
  email: emailField,
  kind: z.enum(['line-management', 'conflict'], { error: 'Choose line management or another conflict' }),
});

export const runInput = z.strictObject({
  regionCode: z.preprocess(
    (v) => (v === '' || v === 'all' ? null : v),
    regionCodeField.nullable().default(null),
  ),
});

export const adjustmentInput = z.strictObject({
  requestId: z.coerce
    .number({ error: 'Choose a mentee' })
    .int()
    .positive('Choose a mentee')
    .max(2_147_483_647),
  mentorUserId: z.coerce
    .number({ error: 'Choose a mentor' })
    .int()
    .positive('Choose a mentor')
    .max(2_147_483_647),
  kind: z.enum(['pin', 'forbid', 'clear'], { error: 'Choose pin, forbid or clear' }),
});

export const agreementInput = z.strictObject({
  groundRules: z
    .string()
    .trim()
    .min(1, 'Enter your ground rules')
    .max(2000, 'Ground rules must be 2000 characters or fewer'),
  meetingFrequency: z
    .string()
    .trim()
    .min(1, 'Enter how often you will meet, for example Every four weeks')
    .max(100, 'How often you will meet must be 100 characters or fewer'),
  durationMonths: z.coerce
    .number({ error: 'Enter how many months the mentoring will last, from 1 to 24' })
    .int('Enter a whole number of months')
    .min(1, 'Duration must be between 1 and 24 months')
    .max(24, 'Duration must be between 1 and 24 months'),
});

export const meetingInput = z.strictObject({
  metOn: z.iso.date({ error: 'Enter the date of the meeting, like 2027-01-15' }),
  format: z.enum(['online', 'in-person'], { error: 'Choose online or in person' }),
  notes: optionalText('Notes', 5000),
});

export const goalProgressInput = z.strictObject({
  goalId: z.coerce.number().int().positive().max(2_147_483_647),
  status: z.enum(GOAL_STATUSES, { error: 'Choose not started, in progress or achieved' }),
});

export const reviewInput = z.strictObject({
  review: z.string().trim().min(1, 'Enter your review').max(3000, 'Review must be 3000 characters or fewer'),
});

export const endingInput = z.strictObject({
  feedback: z
    .string()
    .trim()
    .min(1, 'Enter your feedback on the mentoring')
    .max(3000, 'Feedback must be 3000 characters or fewer'),
});

// API output shapes.
export const offerOut = z.object({
  userId: z.number().int(),
  capacity: z.number().int(),
  areas: z.array(z.string()),
  format: z.enum(FORMATS),
  menteeProfessions: z.array(z.string()),
  notes: z.string().nullable(),
  activeMentees: z.number().int(),
});
export const requestOut = z.object({
  id: z.number().int(),
  status: z.enum(['waiting', 'matched', 'withdrawn', 'closed']),
  goals: z.string(),
  goalAreas: z.array(z.string()),
  format: z.enum(FORMATS),
  mentorProfessions: z.array(z.string()),
  sameRegion: z.boolean(),
  waitlistReason: z.string().nullable(),
});
const breakdownOut = z.array(z.object({ label: z.string(), points: z.number() }));
export const runOut = z.object({
  id: z.number().int(),
  regionCode: z.string().nullable(),
  status: z.enum(['draft', 'approved', 'discarded']),
  mentees: z.number().int(),
  matched: z.number().int(),
  objective: z.number(),
  createdAt: z.string(),
  computingJobUrl: z
    .string()
    .nullable()
    .describe('A matching job computing this draft again now: its results replace the pairs below'),
  pairs: z.array(
    z.object({
      requestId: z.number().int(),
      mentee: z.object({ userId: z.number().int(), name: z.string() }),
      mentor: z.object({ userId: z.number().int(), name: z.string() }),
      score: z.number(),
      pinned: z.boolean(),
      breakdown: breakdownOut,
    }),
  ),
  unmatched: z.array(z.object({ requestId: z.number().int(), name: z.string(), reason: z.string() })),
  adjustments: z.array(
    z.object({
      requestId: z.number().int(),
      mentorUserId: z.number().int(),
      kind: z.enum(['pin', 'forbid']),
    }),
  ),
});
export const pairOut = z.object({
  id: z.number().int(),
  status: z.enum(['active', 'declined', 'ended']),
  mentee: z.object({ userId: z.number().int(), name: z.string() }),
  mentor: z.object({ userId: z.number().int(), name: z.string() }),
  startedOn: z.string(),
  reviewDueOn: z.string(),
  agreement: z
    .object({ groundRules: z.string(), meetingFrequency: z.string(), durationMonths: z.number().int() })
    .nullable(),
  goals: z.array(z.object({ id: z.number().int(), title: z.string(), status: z.enum(GOAL_STATUSES) })),
  review: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export const meetingOut = z.object({
  id: z.number().int(),
  metOn: z.string(),
  format: z.enum(['online', 'in-person']),
  notes: z.string().nullable(),
  loggedBy: z.string().nullable(),
});
export const healthOut = z.object({
  id: z.number().int(),
  mentee: z.string(),
  mentor: z.string(),
  regionCode: z.string(),
  startedOn: z.string(),
  meetings: z.number().int(),
  lastMeetingOn: z.string().nullable(),
  health: z.enum(['on-track', 'needs-check-in', 'review-due']),
  agreed: z.boolean(),
});
