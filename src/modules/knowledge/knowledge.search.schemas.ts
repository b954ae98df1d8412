import { z } from 'zod';

export const SEARCH_MAX = 200;
export const FACET_VALUES_MAX = 20;
// The library's own words for kinds, settings and stages, so search and the items agree.
export {
  CARE_SETTINGS,
  ITEM_KINDS,
  KIND_LABELS,
  CARE_SETTING_LABELS as SETTING_LABELS,
  SPREAD_STAGES,
  SPREAD_STAGE_LABELS as STAGE_LABELS,
} from './knowledge.items.schemas.ts';
import { CARE_SETTINGS, ITEM_KINDS, SPREAD_STAGES } from './knowledge.items.schemas.ts';

/** A facet given once (`kind=x`) or several times (`kind=x&kind=y`); empty values dropped. */
function many<T extends z.ZodType>(item: T, label: string) {
  return z.preprocess(
    (v) => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).filter((x) => x !== '')),
    z.array(item).max(FACET_VALUES_MAX, `Choose no more than ${FACET_VALUES_MAX} ${label}`),
  );
}

const id = (what: string) =>
  z.coerce
    .number({ error: `Choose ${what} from the list` })
    .int(`Choose ${what} from the list`)
    .positive(`Choose ${what} from the list`)
    .max(2_147_483_647, `Choose ${what} from the list`);

const isoDate = (what: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${what} date as YYYY-MM-DD, for example 2026-04-01`)
        .refine(
          (v) =>
            !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
            new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
          {
            message: `Enter a real ${what} date`,
          },
        )
        .nullable(),
    );

export const searchQuery = z
  .object({
    q: z
      .string({ error: 'Enter words to search for' })
      .max(SEARCH_MAX, `Search words must be ${SEARCH_MAX} characters or fewer`)
      .optional()
      .transform((v) => v ?? ''),
    kind: many(z.enum(ITEM_KINDS, { error: 'Choose a kind of item from the list' }), 'kinds'),
    topic: many(id('a topic'), 'topics'),
    setting: many(z.enum(CARE_SETTINGS, { error: 'Choose a care setting from the list' }), 'care settings'),
    region: many(
      z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[A-Z0-9]{1,10}$/, 'Choose a region from the list'),
      'regions',
    ),
    organisation: many(id('an organisation'), 'organisations'),
    stage: many(z.enum(SPREAD_STAGES, { error: 'Choose a spread stage from the list' }), 'spread stages'),
    from: isoDate('from'),
    to: isoDate('to'),
    /** Search for the words exactly as typed, without correcting a misspelt word. */
    exact: z
      .enum(['1', 'true', 'yes', '0', 'false', 'no', ''], { error: 'Say yes or no' })
      .optional()
      .transform((v) => v === '1' || v === 'true' || v === 'yes'),
    page: z.coerce
      .number({ error: 'Enter a page number' })
      .int()
      .min(1)
      .max(100, 'Enter a page from 1 to 100')
      .default(1),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, {
    message: 'The from date must be on or before the to date',
    path: ['to'],
  });
export type SearchQuery = z.output<typeof searchQuery>;

const facetOut = z.array(
  z.object({ value: z.string(), label: z.string(), count: z.number().int(), selected: z.boolean() }),
);
export const searchResultOut = z.object({
  type: z.enum(['item', 'post']),
  itemId: z.number().int(),
  postId: z.number().int().nullable(),
  href: z.string(),
  title: z.string(),
  kind: z.enum(ITEM_KINDS),
  stale: z.boolean(),
  rank: z.number(),
  matchedField: z.string().nullable(),
  /** HTML: the text escaped, the matched words in <mark>. */
  highlight: z.string(),
  synonyms: z.array(z.object({ typed: z.string(), matched: z.array(z.string()) })),
});
export const searchOut = z.object({
  q: z.string(),
  searchedFor: z.string(),
  correctedFrom: z.string().nullable(),
  results: z.array(searchResultOut),
  total: z.number().int(),
  capped: z.boolean(),
  page: z.number().int(),
  pageSize: z.number().int(),
  facets: z.object({
    kind: facetOut,
    topic: facetOut,
    setting: facetOut,
    region: facetOut,
    organisation: facetOut,
    stage: facetOut,
  }),
});
export type SearchOut = z.output<typeof searchOut>;
