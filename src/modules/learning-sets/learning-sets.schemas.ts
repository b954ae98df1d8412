import { z } from 'zod';
import { emailField, regionCodeField, textField } from '../../platform/schemas.ts';

/** The attributes set formation can diversify on, with the default weight a lead starts from. */
export const ATTRIBUTES = [
  { key: 'profession', label: 'Profession', defaultWeight: 3 },
  { key: 'organisation', label: 'Organisation (employer)', defaultWeight: 2 },
  { key: 'system', label: 'Health system (the employer’s ICB or parent body)', defaultWeight: 1 },
  { key: 'specialty', label: 'Specialty', defaultWeight: 2 },
  { key: 'seniority', label: 'Seniority (from job title)', defaultWeight: 1 },
] as const;
export type AttributeKey = (typeof ATTRIBUTES)[number]['key'];

export const ACTION_STATUSES = ['done', 'partly', 'not-done', 'carried-over'] as const;
export const ACTION_STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  done: 'Done',
  partly: 'Partly done',
  'not-done': 'Not done',
  'carried-over': 'Carried over',
};
export const ATTENDANCE_STATUSES = ['present', 'apologies', 'absent'] as const;
export const ATTENDANCE_LABELS: Record<string, string> = {
  present: 'Present',
  apologies: 'Sent apologies',
  absent: 'Absent',
};

const checkbox = z
  .union([z.literal('yes'), z.literal(''), z.boolean()])
  .optional()
  .transform((v) => v === 'yes' || v === true);

const weightField = (label: string) =>
  z.coerce
    .number({ error: `Enter a weight for ${label} from 0 to 10` })
    .int(`Enter a whole number weight for ${label} from 0 to 10`)
    .min(0, `The weight for ${label} must be 0 or more`)
    .max(10, `The weight for ${label} must be 10 or less`);

const pairsField = textField('the pairs', 5000, { optional: true });

export const formationSchema = z
  .strictObject({
    intakeId: z.coerce
      .number({ error: 'Choose a cohort' })
      .int('Choose a cohort')
      .positive('Choose a cohort')
      .max(2_147_483_647, 'Choose a cohort'),
    minSize: z.coerce
      .number({ error: 'Enter the smallest set size' })
      .int('Enter the smallest set size as a whole number')
      .min(3, 'Sets must have at least 3 members')
      .max(10, 'Sets can have at most 10 members'),
    maxSize: z.coerce
      .number({ error: 'Enter the largest set size' })
      .int('Enter the largest set size as a whole number')
      .min(3, 'Sets must have at least 3 members')
      .max(10, 'Sets can have at most 10 members'),
    setCount: z
      .union([z.literal(''), z.coerce.number().int('Enter a whole number of sets').min(1).max(100)])
      .optional()
      .transform((v) => (v === '' || v === undefined ? null : v)),
    sizing: z.enum(['equal', 'vary'], { error: 'Choose whether sets must be equal in size' }),
    separateOrganisations: checkbox,
    weightProfession: weightField('profession'),
    weightOrganisation: weightField('organisation'),
    weightSystem: weightField('health system'),
    weightSpecialty: weightField('specialty'),
    weightSeniority: weightField('seniority'),
    keepApart: pairsField,
    keepTogether: pairsField,
    seed: z
      .union([z.literal(''), z.coerce.number().int('The seed must be a whole number').min(0).max(1_000_000)])
      .optional()
      .transform((v) => (v === '' || v === undefined ? 1 : v)),
  })
  .refine((v) => v.minSize <= v.maxSize, {
    path: ['maxSize'],
    message: 'The largest set size must be at least the smallest',
  })
  .refine(
    (v) =>
      v.weightProfession + v.weightOrganisation + v.weightSystem + v.weightSpecialty + v.weightSeniority > 0,
    {
      path: ['weightProfession'],
      message: 'Give at least one attribute a weight above 0',
    },
  );
export type FormationInput = z.output<typeof formationSchema>;

export const moveSchema = z.strictObject({
  userId: z.coerce.number({ error: 'Choose a member to move' }).int().positive('Choose a member to move'),
  setId: z.coerce
    .number({ error: 'Choose the set to move them to' })
    .int()
    .positive('Choose the set to move them to'),
});

export const swapSchema = z.strictObject({
  userId: z.coerce.number({ error: 'Choose the first member' }).int().positive('Choose the first member'),
  otherUserId: z.coerce
    .number({ error: 'Choose the second member' })
    .int()
    .positive('Choose the second member'),
});

export const facilitatorSchema = z.strictObject({
  email: emailField,
  maxSets: z.coerce
    .number({ error: 'Enter how many sets they can take' })
    .int('Enter a whole number of sets')
    .min(0, 'Capacity must be 0 or more')
    .max(20, 'Capacity must be 20 sets or fewer'),
  isLead: checkbox,
});

export const setFacilitatorSchema = z.strictObject({
  facilitatorUserId: z.coerce
    .number({ error: 'Choose a facilitator' })
    .int()
    .positive('Choose a facilitator'),
});

const dateField = z
  .string({ error: 'Enter a date' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date like 2027-01-31')
  .refine(
    (v) =>
      !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    'Enter a real date',
  );

export const sessionSchema = z
  .strictObject({
    date: dateField,
    startTime: z
      .string({ error: 'Enter a start time' })
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter a start time like 14:30'),
    durationMinutes: z.coerce
      .number({ error: 'Enter how long the session lasts' })
      .int('Enter the length in whole minutes')
      .min(15, 'A session lasts at least 15 minutes')
      .max(480, 'A session lasts at most 8 hours (480 minutes)'),
    location: textField('a place', 200, { optional: true }).optional().default(''),
    onlineUrl: z
      .string()
      .trim()
      .max(500, 'The online link must be 500 characters or fewer')
      .refine(
        (v) => v === '' || /^https:\/\/[^\s<>"]+$/.test(v),
        'Enter an online link starting with https://',
      )
      .optional()
      .default(''),
  })
  .refine((v) => (v.location ?? '') !== '' || v.onlineUrl !== '', {
    path: ['location'],
    message: 'Enter a place, an online link, or both',
  });
export type SessionInput = z.output<typeof sessionSchema>;

export const attendanceEntrySchema = z.strictObject({
  userId: z.number().int().positive(),
  status: z.enum(ATTENDANCE_STATUSES, { error: 'Choose present, sent apologies or absent' }),
  presented: z.boolean().default(false),
});
export const attendanceSchema = z.strictObject({ entries: z.array(attendanceEntrySchema).max(20) });
export type AttendanceInput = z.output<typeof attendanceSchema>;

export const actionSchema = z.strictObject({
  ownerUserId: z.coerce
    .number({ error: 'Choose who commits to the action' })
    .int()
    .positive('Choose who commits to the action'),
  description: textField('the action', 1000),
  dueOn: dateField,
});
export type ActionInput = z.output<typeof actionSchema>;

export const reviewSchema = z.strictObject({
  sessionId: z.coerce.number({ error: 'Choose the session' }).int().positive(),
  status: z.enum(ACTION_STATUSES, { error: 'Choose done, partly, not done or carried over' }),
  note: textField('a note', 1000, { optional: true }).optional(),
  newDueOn: z
    .union([z.literal(''), dateField])
    .optional()
    .transform((v) => (v ? v : null)),
});
export type ReviewInput = z.output<typeof reviewSchema>;

export const noteSchema = z.strictObject({ body: textField('your notes', 10000, { optional: true }) });

export const returnSchema = z.strictObject({
  themes: textField('the themes of the session', 2000),
});

export const regionParam = z.object({ code: regionCodeField });

// API output schemas

export const setSummaryOut = z.object({
  id: z.number(),
  name: z.string(),
  regionCode: z.string(),
  cohort: z.string(),
  facilitator: z.string().nullable(),
});

export const memberOut = z.object({
  id: z.number(),
  name: z.string(),
  profession: z.string().nullable(),
  jobTitle: z.string().nullable(),
  organisation: z.string().nullable(),
  contact: z.object({ email: z.string().nullable(), phone: z.string().nullable() }).nullable(),
});

export const sessionOut = z.object({
  id: z.number(),
  setId: z.number(),
  startsAt: z.string(),
  endsAt: z.string(),
  location: z.string().nullable(),
  onlineUrl: z.string().nullable(),
});

export const actionOut = z.object({
  id: z.number(),
  sessionId: z.number(),
  ownerId: z.number(),
  owner: z.string(),
  description: z.string(),
  dueOn: z.string(),
  status: z.enum(['open', 'done', 'partly', 'not-done', 'carried-over']),
  reviewedAtSessionId: z.number().nullable(),
  reviewNote: z.string().nullable(),
});

export const attendanceOut = z.object({
  userId: z.number(),
  name: z.string(),
  status: z.enum(ATTENDANCE_STATUSES).nullable(),
  presented: z.boolean(),
});

export const healthOut = z.object({
  attendance: z.array(
    z.object({
      sessionId: z.number(),
      startsAt: z.string(),
      present: z.number(),
      recorded: z.number(),
      rate: z.number(),
    }),
  ),
  actions: z.object({
    total: z.number(),
    reviewed: z.number(),
    done: z.number(),
    partly: z.number(),
    completionRate: z.number().nullable(),
  }),
});
