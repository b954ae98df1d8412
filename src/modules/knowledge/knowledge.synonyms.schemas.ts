import { z } from 'zod';

export const SYNONYM_LIMITS = { term: 80, terms: 20, form: 2_000, filter: 100 } as const;
export const SYNONYMS_PAGE_SIZE = 25;

const term = z
  .string({ error: 'Enter each term as text' })
  .trim()
  .min(1, 'Remove the empty term, or fill it in')
  .max(SYNONYM_LIMITS.term, `Each term must be ${SYNONYM_LIMITS.term} characters or fewer`);

const terms = z
  .array(term, { error: 'Enter the terms as a list' })
  .min(2, 'Enter at least two terms that mean the same')
  .max(SYNONYM_LIMITS.terms, `A group can hold up to ${SYNONYM_LIMITS.terms} terms`);

/** A group's terms in the JSON API. */
export const synonymGroupInput = z.strictObject({ terms });
export type SynonymGroupInput = z.output<typeof synonymGroupInput>;

/**
 * The form's one text box: terms separated by commas or on lines of their own. A blank line is
 * ignored; an empty term between commas is an error, as in the API, so nothing is dropped silently.
 */
export const synonymGroupForm = z.strictObject({
  terms: z
    .string({ error: 'Enter the terms' })
    .max(SYNONYM_LIMITS.form, `The terms must be ${SYNONYM_LIMITS.form} characters or fewer in all`)
    .transform((v) =>
      v
        .split(/\r?\n/)
        .filter((line) => line.trim())
        .flatMap((line) => line.split(','))
        .map((t) => t.trim()),
    )
    .pipe(
      z
        .array(z.string())
        .min(1, 'Enter the terms')
        .refine(
          (list) => list.every(Boolean),
          'Remove the empty term (two commas together, or one at the end)',
        )
        .pipe(terms),
    ),
});

export const synonymListQuery = z.object({
  q: z
    .string({ error: 'Enter a word to filter by' })
    .trim()
    .max(SYNONYM_LIMITS.filter, `The filter must be ${SYNONYM_LIMITS.filter} characters or fewer`)
    .optional()
    .transform((v) => v ?? ''),
  page: z.coerce
    .number({ error: 'Enter a page number' })
    .int('Enter a page number')
    .min(1, 'Enter a page number')
    .max(10_000, 'Enter a page number')
    .default(1),
});
export type SynonymListQuery = z.output<typeof synonymListQuery>;

export const synonymGroupOut = z.object({
  id: z.number().int(),
  terms: z.array(z.string()),
  updatedAt: z.string(),
});
export type SynonymGroupOut = z.output<typeof synonymGroupOut>;

export const synonymListOut = z.object({
  q: z.string(),
  groups: z.array(synonymGroupOut),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type SynonymListOut = z.output<typeof synonymListOut>;
