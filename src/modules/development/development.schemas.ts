import { z } from 'zod';
import { emailField, nameField, textField } from '../../platform/schemas.ts';
import type { GoalStatus, RaterGroup } from './development.table.ts';

export const RATER_GROUPS = [
  'line-manager',
  'peer',
  'direct-report',
  'other',
] as const satisfies readonly RaterGroup[];
export const RATER_GROUP_LABELS: Record<RaterGroup, string> = {
  'line-manager': 'Line manager',
  peer: 'Peers',
  'direct-report': 'Direct reports',
  other: 'Others',
};
export const GOAL_STATUSES = [
  'not-started',
  'in-progress',
  'achieved',
  'dropped',
] as const satisfies readonly GoalStatus[];
export const GOAL_STATUS_LABELS: Record<GoalStatus, string> = {
  'not-started': 'Not started',
  'in-progress': 'In progress',
  achieved: 'Achieved',
  dropped: 'Dropped',
};

/** A calendar date as YYYY-MM-DD that exists (no 31 February). */
export const isoDate = (label: string) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${capitalise(label)} must be a real date`)
    .refine(
      (v) => {
        const d = new Date(`${v}T00:00:00Z`);
        return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
      },
      `${capitalise(label)} must be a real date`,
    );

const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`)
    .nullable()
    .optional()
    .transform((v) => (v ? v : null));

const id = z.coerce.number().int().positive().max(2_147_483_647);

export const ratingInput = z.strictObject({
  elementId: id,
  rating: z.number({ error: 'Enter a rating' }).int('Enter a whole-number rating'),
  evidence: optionalText('evidence', 2000),
});
export const selfAssessmentInput = z.strictObject({
  versionId: id.describe('The framework version being assessed against (your framework’s current version)'),
  ratings: z.array(ratingInput).max(200),
});
export type SelfAssessmentInput = z.output<typeof selfAssessmentInput>;

export const roundInput = z.strictObject({
  title: textField('a title', 120),
  closesOn: isoDate('the closing date'),
});
export type RoundInput = z.output<typeof roundInput>;

export const raterInput = z.strictObject({
  name: nameField,
  email: emailField,
  group: z.enum(RATER_GROUPS, { error: 'Choose how this person works with you' }),
});
export type RaterInput = z.output<typeof raterInput>;
export const ratersInput = z.strictObject({ raters: z.array(raterInput).min(1).max(30) });

export const feedbackInput = z.strictObject({
  ratings: z
    .array(z.strictObject({ elementId: id, rating: z.number().int() }))
    .max(200)
    .default([]),
  strengths: optionalText('what they do well', 2000),
  development: optionalText('what they could develop', 2000),
});
export type FeedbackInput = z.output<typeof feedbackInput>;

export const planInput = z.strictObject({ title: textField('a title for the plan', 120) });
export const sharingInput = z.strictObject({
  shareWithMentor: z.boolean(),
  shareWithFacilitator: z.boolean(),
});
export type SharingInput = z.output<typeof sharingInput>;

export const goalInput = z.strictObject({
  elementId: z.coerce
    .number({ error: 'Choose the competency this goal develops' })
    .int()
    .positive('Choose the competency this goal develops')
    .max(2_147_483_647),
  title: textField('the goal', 200),
  actions: optionalText('actions', 4000),
  evidence: optionalText('evidence', 4000),
  targetDate: z
    .union([z.literal(''), isoDate('the target date')])
    .nullable()
    .optional()
    .transform((v) => (v ? v : null)),
  status: z.enum(GOAL_STATUSES, { error: 'Choose a status' }).default('not-started'),
});
export type GoalInput = z.output<typeof goalInput>;

export const reviewInput = z.strictObject({ notes: textField('your review notes', 4000) });

const elementInput = z.strictObject({
  name: textField('the element name', 150),
  description: optionalText('the element description', 1000),
});
export const frameworkStructureInput = z.strictObject({
  edition: textField('the edition', 120),
  note: optionalText('the note', 1000),
  scale: z
    .array(
      z.strictObject({
        label: textField('the scale label', 60),
        descriptor: textField('the descriptor', 500),
      }),
    )
    .min(2, 'The rating scale needs at least 2 points')
    .max(10, 'The rating scale can have at most 10 points'),
  domains: z
    .array(
      z.strictObject({
        name: textField('the domain name', 150),
        optional: z.boolean().default(false),
        elements: z.array(elementInput).min(1, 'Each domain needs at least one element').max(30),
      }),
    )
    .min(1, 'A framework needs at least one domain')
    .max(20, 'A framework can have at most 20 domains'),
});
export type FrameworkStructureInput = z.output<typeof frameworkStructureInput>;

export const newFrameworkInput = frameworkStructureInput.extend({
  key: z
    .string({ error: 'Enter a short key' })
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'The key must be 2 to 40 letters, digits or hyphens, like hlm-2026'),
  name: textField('the framework name', 150),
  publisher: textField('the publisher', 150),
});
export type NewFrameworkInput = z.output<typeof newFrameworkInput>;

export const choiceInput = z.strictObject({
  scope: z.enum(['network', 'region', 'intake']),
  scopeKey: z.string().trim().min(1).max(40),
  frameworkId: z.coerce.number().int().positive({ error: 'Choose a framework' }).nullable(),
});

export const versionQuery = z.object({
  version: z.coerce.number().int().positive().max(2_147_483_647).optional(),
});

// ---- API output shapes ----
export const scalePointOut = z.object({ value: z.number(), label: z.string(), descriptor: z.string() });
export const versionOut = z.object({
  id: z.number(),
  frameworkId: z.number(),
  frameworkKey: z.string(),
  frameworkName: z.string(),
  versionNumber: z.number(),
  edition: z.string(),
  note: z.string().nullable(),
  scale: z.array(scalePointOut),
  domains: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      optional: z.boolean(),
      elements: z.array(z.object({ id: z.number(), name: z.string(), description: z.string().nullable() })),
    }),
  ),
});
export const frameworkOut = z.object({
  id: z.number(),
  key: z.string(),
  name: z.string(),
  publisher: z.string(),
  currentVersion: z.object({ id: z.number(), versionNumber: z.number(), edition: z.string() }),
});
export const selfAssessmentOut = z.object({
  id: z.number(),
  versionId: z.number(),
  createdAt: z.date(),
  previousId: z.number().nullable(),
  ratings: z.array(
    z.object({
      elementId: z.number(),
      element: z.string(),
      domain: z.string(),
      rating: z.number(),
      label: z.string(),
      evidence: z.string().nullable(),
      previousRating: z.number().nullable(),
      change: z.number().nullable(),
    }),
  ),
});
const figure = z.number().nullable().describe('Mean rating; null when suppressed or absent');
const notAbleToSay = z
  .number()
  .nullable()
  .describe('Raters who chose "not able to say" (a count, never a score); null when too few answered');
export const reportOut = z.object({
  roundId: z.number(),
  title: z.string(),
  closesOn: z.string().describe('The planned closing date'),
  closedOn: z.string().nullable().describe('The date feedback actually closed'),
  closedEarly: z.boolean().describe('Closed by the member before the planned date'),
  responses: z.number(),
  columns: z.array(z.object({ key: z.string(), label: z.string(), responses: z.number() })),
  domains: z.array(
    z.object({
      name: z.string(),
      self: figure,
      raters: figure,
      byColumn: z.record(z.string(), figure),
      notAbleToSay,
    }),
  ),
  elements: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      domain: z.string(),
      self: figure,
      raters: figure,
      byColumn: z.record(z.string(), figure),
      notAbleToSay,
    }),
  ),
  strengths: z.array(z.string()),
  gaps: z.array(z.string()),
  comments: z.object({ strengths: z.array(z.string()), development: z.array(z.string()) }),
});
export const goalOut = z.object({
  id: z.number(),
  elementId: z.number(),
  element: z.string(),
  domain: z.string(),
  title: z.string(),
  actions: z.string().nullable(),
  evidence: z.string().nullable(),
  targetDate: z.string().nullable(),
  status: z.enum(GOAL_STATUSES),
});
export const planOut = z.object({
  id: z.number(),
  title: z.string(),
  versionId: z.number(),
  framework: z.string(),
  shareWithMentor: z.boolean(),
  shareWithFacilitator: z.boolean(),
  owner: z.object({ id: z.number(), name: z.string() }),
  goals: z.array(goalOut),
  reviews: z.array(z.object({ id: z.number(), author: z.string(), notes: z.string(), createdAt: z.date() })),
});
const profileCell = z.object({
  people: z.number().nullable().describe('Number of people; null when fewer than 5 (suppressed)'),
  mean: figure,
  suppressed: z.boolean(),
});
export const profileRowOut = z.object({
  scope: z.string().describe('"national" or a region code'),
  name: z.string(),
  selfPeople: z.number().nullable(),
  raterPeople: z.number().nullable(),
  domains: z.array(
    z.object({ domainId: z.number(), name: z.string(), self: profileCell, raters: profileCell }),
  ),
  elements: z.array(
    z.object({ elementId: z.number(), name: z.string(), self: profileCell, raters: profileCell }),
  ),
});
export const profilesOut = z.object({
  versionId: z.number(),
  framework: z.string(),
  minimumPeople: z.number(),
  rows: z.array(profileRowOut),
});

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
