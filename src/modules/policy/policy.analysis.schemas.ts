import { z } from 'zod';
import { textField } from '../../platform/schemas.ts';

/** Caps on the analysis' text inputs. */
export const ANALYSIS_LIMITS = { themeName: 120, description: 1000, excerpt: 2000, splitAssignments: 500 };

const id = (message: string) =>
  z.coerce.number({ error: message }).int(message).positive(message).max(2_147_483_647, message);

/** Empty optional text (a blank form field) is null. */
const optionalText = (label: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z
      .string()
      .trim()
      .max(max, `${label} must be ${max} characters or fewer`)
      .nullable()
      .optional()
      .transform((v) => v ?? null),
  );

/** A checkbox: "yes" when ticked, absent when not; the API sends a boolean. */
const checkbox = z
  .union([z.literal('yes'), z.literal(''), z.boolean()])
  .optional()
  .transform((v) => v === 'yes' || v === true);

export const SENTIMENTS = ['agree', 'disagree', 'mixed'] as const;
export const SENTIMENT_LABELS: Record<(typeof SENTIMENTS)[number], string> = {
  agree: 'Agrees',
  disagree: 'Disagrees',
  mixed: 'Mixed',
};
const sentiment = z.preprocess(
  (v) => (v === '' || v === undefined ? null : v),
  z.enum(SENTIMENTS, { error: 'Choose agree, disagree or mixed (or leave it blank)' }).nullable(),
);

export const themeInput = z.strictObject({
  name: textField('a name for the theme', ANALYSIS_LIMITS.themeName),
  description: optionalText('The description', ANALYSIS_LIMITS.description),
});
export type ThemeInput = z.output<typeof themeInput>;

export const newThemeInput = z.strictObject({
  questionId: id('Choose a question of this call'),
  name: textField('a name for the theme', ANALYSIS_LIMITS.themeName),
  description: optionalText('The description', ANALYSIS_LIMITS.description),
});

export const mergeInput = z.strictObject({ intoThemeId: id('Choose the theme to merge into') });
export type MergeInput = z.output<typeof mergeInput>;

const idList = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
  z
    .array(id('Choose the answers to move'))
    .min(1, 'Choose at least one answer to move to the new theme')
    .max(ANALYSIS_LIMITS.splitAssignments, `Choose no more than ${ANALYSIS_LIMITS.splitAssignments} answers`),
);

export const splitInput = z.strictObject({
  name: textField('a name for the new theme', ANALYSIS_LIMITS.themeName),
  description: optionalText('The description', ANALYSIS_LIMITS.description),
  assignmentIds: idList,
});
export type SplitInput = z.output<typeof splitInput>;

const assignmentFields = {
  excerpt: optionalText('The excerpt', ANALYSIS_LIMITS.excerpt),
  sentiment: sentiment.optional().transform((v) => v ?? null),
  evidenceRich: checkbox,
};

/** A response's answer (or an excerpt of it) put under a theme of the question. */
export const assignInput = z.strictObject({
  responseId: id('Choose a response'),
  themeId: id('Choose a theme'),
  ...assignmentFields,
});
export type AssignInput = z.output<typeof assignInput>;

/** The same, with the theme named by the API's path. */
export const assignToThemeInput = z.strictObject({
  responseId: id('Choose a response'),
  ...assignmentFields,
});

export const assignmentUpdate = z.strictObject(assignmentFields);
export type AssignmentUpdate = z.output<typeof assignmentUpdate>;

/** The API's change of an assignment: only the fields sent change (null clears excerpt or sentiment). */
export const assignmentPatch = z.strictObject({
  excerpt: z
    .string()
    .trim()
    .max(ANALYSIS_LIMITS.excerpt, `The excerpt must be ${ANALYSIS_LIMITS.excerpt} characters or fewer`)
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v)),
  sentiment: z.enum(SENTIMENTS, { error: 'Choose agree, disagree or mixed (or null)' }).nullable().optional(),
  evidenceRich: z.boolean().optional(),
});
export type AssignmentPatch = z.output<typeof assignmentPatch>;

/** Accepting a suggestion: into a new theme (named as suggested unless told) or an existing one. */
export const acceptInput = z.strictObject({
  themeId: z.preprocess((v) => (v === '' || v === 'new' ? undefined : v), id('Choose a theme').optional()),
  name: optionalText('The theme’s name', ANALYSIS_LIMITS.themeName),
});
export type AcceptInput = z.output<typeof acceptInput>;

export const startSuggestionsInput = z.strictObject({ questionId: id('Choose a question of this call') });

export const questionParams = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647),
  questionId: z.coerce.number().int().positive().max(2_147_483_647),
});

export const answersQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  refresh: z.string().max(10).optional(),
});

export const suggestionsQuery = z.object({
  questionId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  status: z.enum(['pending', 'accepted', 'rejected']).default('pending'),
});
