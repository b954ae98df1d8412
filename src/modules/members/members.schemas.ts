import { z } from 'zod';
import { PROFESSION_KEYS } from '../../platform/registration.ts';
import { emailField, nameField } from '../../platform/schemas.ts';

export const VISIBILITIES = ['network', 'region', 'staff'] as const;
export const VISIBILITY_LABELS = {
  network: 'Everyone in the network',
  region: 'Members of my region only',
  staff: 'Staff only (the national team and my regional lead and facilitator)',
} as const;
export const STATUSES = ['active', 'on-leave', 'alumnus', 'left'] as const;
export const STATUS_LABELS = {
  active: 'Active',
  'on-leave': 'On leave',
  alumnus: 'Alumnus',
  left: 'Left the network',
} as const;
export const PROJECT_STAGES = ['idea', 'pilot', 'scaling', 'established'] as const;
export const STAGE_LABELS = {
  idea: 'Idea',
  pilot: 'Pilot',
  scaling: 'Scaling up',
  established: 'Established',
} as const;
export const CONTACT_METHODS = ['email', 'phone', 'none'] as const;
/** The profile sections a member chooses an audience for. */
export const SECTIONS = [
  'profile',
  'contact',
  'professional',
  'interests',
  'projects',
  'biography',
  'photo',
] as const;
export type Section = (typeof SECTIONS)[number];
export const SECTION_LABELS: Record<Section, string> = {
  profile: 'Your listing in the directory (name, job title, employer, region)',
  contact: 'Contact details',
  professional: 'Profession, registration and specialty',
  interests: 'Interests, expertise and leadership roles',
  projects: 'Innovation and enterprise projects',
  biography: 'Biography',
  photo: 'Photo',
};

const MAX_TAGS = 20;
const TAG_MAX = 60;

/** Tags arrive as a comma-separated string (forms) or an array (API); kept lower-case, unique, trimmed. */
const tagsField = (label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(/[,\n]/) : v),
    z
      .array(z.string().max(TAG_MAX, `Each ${label} must be ${TAG_MAX} characters or fewer`))
      .max(100, `Enter ${MAX_TAGS} ${label}s or fewer`)
      .transform((tags) => [
        ...new Set(tags.map((t) => t.trim().replace(/\s+/g, ' ').toLowerCase()).filter(Boolean)),
      ])
      .refine((tags) => tags.length <= MAX_TAGS, `Enter ${MAX_TAGS} ${label}s or fewer`)
      .refine((tags) => tags.every((t) => !/[<>]/.test(t)), `A ${label} must not contain < or >`),
  );

const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .refine((v) => !/[<>]/.test(v), `${label} must not contain < or >`)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

const visibilityField = z.enum(VISIBILITIES, { error: 'Choose who may see this' });
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
/** A page of results: a whole number from 1, in words a person understands when it is not. */
const pageNumber = z.coerce
  .number({ error: 'The page must be a number' })
  .int('The page must be a whole number')
  .min(1, 'The page must be 1 or more')
  .max(10_000, 'The page must be 10,000 or less')
  .default(1);
const emptyToNull = (v: unknown) => (v === '' ? null : v);

/** A member's own profile: the same schema for the HTML form and PATCH /api/v1/me/profile. */
export const profileUpdateSchema = z.strictObject({
  name: nameField.optional(),
  profession: z.enum(PROFESSION_KEYS, { error: 'Choose your profession' }).optional(),
  registrationNumber: optionalText('Registration number', 20),
  specialtyId: z.preprocess(
    emptyToNull,
    z.coerce.number({ error: 'Choose a specialty' }).int().positive().nullable().optional(),
  ),
  odsCode: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{3,6}$/, 'Enter an ODS code of 3 to 6 letters and numbers, like RRK')
      .nullable()
      .optional(),
  ),
  jobTitle: optionalText('Job title', 120),
  /** Empty means "the region of my employer". */
  regionCode: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^Q3\d$/, 'Choose a region (a code from Q30 to Q39)')
      .nullable()
      .optional(),
  ),
  interests: tagsField('interest').optional(),
  expertise: tagsField('area of expertise').optional(),
  leadershipRoles: tagsField('leadership role').optional(),
  biography: z
    .string()
    .max(5000, 'Biography must be 5,000 characters or fewer')
    .transform((v) => (v.trim() === '' ? null : v.replace(/\r\n/g, '\n')))
    .nullable()
    .optional(),
  contactEmail: z.preprocess(emptyToNull, emailField.nullable().optional()),
  contactPhone: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{7,20}$/, 'Enter a telephone number, like 0121 496 0000')
      .nullable()
      .optional(),
  ),
  preferredContact: z.enum(CONTACT_METHODS, { error: 'Choose how you prefer to be contacted' }).optional(),
  status: z.enum(STATUSES, { error: 'Choose a membership status' }).optional(),
  visibilityProfile: visibilityField.optional(),
  visibilityContact: visibilityField.optional(),
  visibilityProfessional: visibilityField.optional(),
  visibilityInterests: visibilityField.optional(),
  visibilityProjects: visibilityField.optional(),
  visibilityBiography: visibilityField.optional(),
  visibilityPhoto: visibilityField.optional(),
});
export type ProfileUpdate = z.output<typeof profileUpdateSchema>;

export const projectSchema = z.strictObject({
  title: z
    .string({ error: 'Enter a title' })
    .trim()
    .min(1, 'Enter a title')
    .max(150, 'Title must be 150 characters or fewer'),
  summary: z
    .string({ error: 'Enter a summary' })
    .trim()
    .min(1, 'Enter a summary')
    .max(1000, 'Summary must be 1,000 characters or fewer'),
  stage: z.enum(PROJECT_STAGES, { error: 'Choose a stage' }),
});

const filterText = (max: number, label = 'The search') =>
  z.preprocess(
    emptyToUndefined,
    z
      .string({ error: `${label} must be text` })
      .trim()
      .max(max, `${label} must be ${max} characters or fewer`)
      .optional(),
  );

/** Directory filters: one schema for the page, the API and the CSV export. */
export const directoryQuery = z.object({
  name: filterText(120, 'The name'),
  q: filterText(200, 'The search words'),
  region: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^Q3\d$/, 'Choose a region')
      .optional(),
  ),
  profession: z.preprocess(
    emptyToUndefined,
    z.enum(PROFESSION_KEYS, { error: 'Choose a profession from the list' }).optional(),
  ),
  specialty: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'Choose a specialty from the list' })
      .int('Choose a specialty from the list')
      .positive('Choose a specialty from the list')
      .max(2_147_483_647, 'Choose a specialty from the list')
      .optional(),
  ),
  organisation: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{3,6}$/, 'Enter an ODS code')
      .optional(),
  ),
  interest: filterText(TAG_MAX).transform((v) => v?.toLowerCase()),
  role: filterText(TAG_MAX).transform((v) => v?.toLowerCase()),
  status: z.preprocess(
    emptyToUndefined,
    z.enum(STATUSES, { error: 'Choose a membership status from the list' }).optional(),
  ),
  sort: z.preprocess(
    emptyToUndefined,
    z
      .enum(['relevance', 'name', 'joined'], {
        error: 'Sort by best match, name or newest members',
      })
      .default('relevance'),
  ),
  page: z.preprocess(emptyToUndefined, pageNumber),
});
export type DirectoryQuery = z.output<typeof directoryQuery>;

export const specialtySchema = z.strictObject({
  profession: z.enum(PROFESSION_KEYS, { error: 'Choose a profession' }),
  name: z
    .string({ error: 'Enter the specialty' })
    .trim()
    .min(2, 'Enter the specialty')
    .max(80, 'Specialty must be 80 characters or fewer')
    .refine((v) => !/[<>]/.test(v), 'Specialty must not contain < or >'),
});

export const mergerSchema = z.strictObject({
  successorOds: z
    .string({ error: 'Enter the ODS code of the successor organisation' })
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{3,6}$/, 'Enter the ODS code of the successor organisation, like RRK'),
  validTo: z.iso.date({ error: 'Enter the date the organisation closed as YYYY-MM-DD' }),
});

export const erasureRequestSchema = z.strictObject({
  reason: z
    .string()
    .trim()
    .max(1000, 'Reason must be 1,000 characters or fewer')
    .transform((v) => (v === '' ? null : v))
    .optional(),
  confirm: z.literal('yes', { error: 'Confirm that you want your personal data erased' }),
});

export const erasureDecisionSchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject'], { error: 'Choose approve or reject' }),
    note: z.string().trim().max(1000, 'Note must be 1,000 characters or fewer').optional(),
  })
  .superRefine((v, ctx) => {
    // Erasure cannot be undone: the national team says why, for the audit trail.
    if (v.decision === 'approve' && !v.note)
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'Enter a note on why the data is erased' });
  });

export const organisationQuery = z.object({
  q: filterText(120),
  kind: z.preprocess(
    emptyToUndefined,
    z.enum(['trust', 'gp-practice', 'pharmacy', 'dental-practice', 'icb', 'nhse_region', 'sha']).optional(),
  ),
  page: z.preprocess(emptyToUndefined, pageNumber),
});

const visibilityOut = z.enum(VISIBILITIES);
/** A profile as the viewer may see it: hidden sections are null. */
export const profileOut = z.object({
  id: z.number(),
  name: z.string(),
  jobTitle: z.string().nullable(),
  organisation: z.object({ odsCode: z.string().nullable(), name: z.string() }).nullable(),
  region: z.object({ code: z.string(), name: z.string() }),
  cohort: z.object({ intakeId: z.number(), name: z.string() }).nullable(),
  status: z.enum(STATUSES),
  statusSince: z.string(),
  joinedOn: z.string(),
  professional: z
    .object({
      profession: z.string(),
      professionLabel: z.string(),
      registrationNumber: z.string().nullable(),
      registrationVerified: z.boolean(),
      specialty: z.string().nullable(),
    })
    .nullable(),
  contact: z
    .object({ email: z.string().nullable(), phone: z.string().nullable(), preferred: z.string() })
    .nullable(),
  interests: z
    .object({
      interests: z.array(z.string()),
      expertise: z.array(z.string()),
      leadershipRoles: z.array(z.string()),
    })
    .nullable(),
  projects: z
    .array(z.object({ id: z.number(), title: z.string(), summary: z.string(), stage: z.string() }))
    .nullable(),
  biographyMarkdown: z.string().nullable(),
  biographyHtml: z.string().nullable(),
  photoUrl: z.string().nullable(),
  visibility: z.record(z.string(), visibilityOut).nullable(),
});

export const directoryEntryOut = z.object({
  id: z.number(),
  name: z.string(),
  jobTitle: z.string().nullable(),
  organisation: z.string().nullable(),
  region: z.string(),
  profession: z.string().nullable(),
  specialty: z.string().nullable(),
  status: z.enum(STATUSES),
});
