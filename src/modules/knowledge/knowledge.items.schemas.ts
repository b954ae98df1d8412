import { z } from 'zod';

export const ITEM_KINDS = ['resource', 'case-study', 'innovation', 'guidance'] as const;
export const KIND_LABELS: Record<(typeof ITEM_KINDS)[number], string> = {
  resource: 'Resource',
  'case-study': 'Improvement case study',
  innovation: 'Innovation',
  guidance: 'Guidance summary',
};
export const VISIBILITIES = ['public', 'network', 'region', 'groups'] as const;
export const VISIBILITY_LABELS: Record<(typeof VISIBILITIES)[number], string> = {
  public: 'Anyone (public)',
  network: 'Everyone in the network',
  region: 'One region only',
  groups: 'Named learning sets only',
};
export const CARE_SETTINGS = [
  'acute',
  'community',
  'primary-care',
  'mental-health',
  'ambulance',
  'social-care',
  'other',
] as const;
export const CARE_SETTING_LABELS: Record<(typeof CARE_SETTINGS)[number], string> = {
  acute: 'Acute hospital',
  community: 'Community',
  'primary-care': 'Primary care',
  'mental-health': 'Mental health',
  ambulance: 'Ambulance',
  'social-care': 'Social care',
  other: 'Other',
};
export const SPREAD_STAGES = ['idea', 'pilot', 'local', 'spreading', 'national'] as const;
export const SPREAD_STAGE_LABELS: Record<(typeof SPREAD_STAGES)[number], string> = {
  idea: 'Idea',
  pilot: 'Pilot',
  local: 'Used locally',
  spreading: 'Spreading to other teams',
  national: 'Adopted nationally',
};
export const EVIDENCE_LEVELS = [
  'anecdotal',
  'before-after',
  'controlled',
  'evaluated',
  'peer-reviewed',
] as const;
export const EVIDENCE_LEVEL_LABELS: Record<(typeof EVIDENCE_LEVELS)[number], string> = {
  anecdotal: 'Anecdotal',
  'before-after': 'Before and after measures',
  controlled: 'Controlled comparison',
  evaluated: 'Independently evaluated',
  'peer-reviewed': 'Peer-reviewed publication',
};
export const PDSA_DECISIONS = ['adopt', 'adapt', 'abandon'] as const;
export const DECISION_LABELS: Record<(typeof PDSA_DECISIONS)[number], string> = {
  adopt: 'Adopt',
  adapt: 'Adapt',
  abandon: 'Abandon',
};

export const LIMITS = {
  title: 200,
  summary: 1000,
  body: 50_000,
  url: 2000,
  field: 5000,
  note: 500,
  organisations: 20,
  topics: 20,
  groups: 20,
  topicName: 80,
  plan: 5000,
} as const;

const emptyToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
/** A checkbox list arrives as one value, several, or none at all. */
const asList = (v: unknown) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

const required = (label: string, max: number) =>
  z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `The ${label} must be ${max} characters or fewer`);
const optionalText = (label: string, max: number) =>
  z.preprocess(
    emptyToNull,
    z
      .string({ error: `Enter ${label} as text` })
      .trim()
      .max(max, `The ${label} must be ${max} characters or fewer`)
      .transform((v) => v || null)
      .nullable(),
  );
const optionalDate = (label: string) =>
  z.preprocess(
    emptyToNull,
    z.iso.date({ error: `Enter the ${label} as a real date, like 2027-03-31` }).nullable(),
  );
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess(emptyToNull, z.enum(values, { error: message }).nullable());
const idList = (what: string, max: number) =>
  z.preprocess(
    asList,
    z
      .array(
        z.coerce
          .number({ error: `Choose ${what} from the list` })
          .int()
          .positive()
          .max(2_147_483_647),
        {
          error: `Choose ${what} from the list`,
        },
      )
      .max(max, `Choose no more than ${max} ${what}`),
  );

/** ODS codes typed in one box (commas, spaces or new lines between them) or sent as a list. */
const odsCodes = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : asList(v)),
  z
    .array(
      z
        .string({ error: 'Enter ODS codes, like RA2 or Y56' })
        .trim()
        .toUpperCase()
        .regex(/^[A-Z0-9]{2,10}$/, 'Enter ODS codes of letters and numbers, like RA2 or Y56'),
      { error: 'Enter ODS codes, like RA2 or Y56' },
    )
    .max(LIMITS.organisations, `Name no more than ${LIMITS.organisations} organisations`),
);

/** A library item as its author writes it: the same fields on the form and in the API. */
export const itemInput = z.strictObject({
  kind: z.enum(ITEM_KINDS, { error: 'Choose what kind of item this is' }),
  title: required('title', LIMITS.title),
  summary: required('summary', LIMITS.summary),
  body: optionalText('body', LIMITS.body),
  resourceUrl: z.preprocess(
    emptyToNull,
    z
      .string({ error: 'Enter the link as a web address' })
      .trim()
      .max(LIMITS.url, `The link must be ${LIMITS.url} characters or fewer`)
      .refine((v) => {
        try {
          const u = new URL(v);
          return u.protocol === 'https:' && u.hostname.length > 0 && !u.username && !u.password;
        } catch {
          return false;
        }
      }, 'Enter the link as a secure web address starting with https://')
      .nullable(),
  ),
  problem: optionalText('problem', LIMITS.field),
  baseline: optionalText('baseline', LIMITS.field),
  aim: optionalText('aim', LIMITS.field),
  results: optionalText('results', LIMITS.field),
  cost: optionalText('cost', LIMITS.field),
  careSetting: optionalEnum(CARE_SETTINGS, 'Choose a care setting from the list'),
  spreadStage: optionalEnum(SPREAD_STAGES, 'Choose a spread stage from the list'),
  evidenceLevel: optionalEnum(EVIDENCE_LEVELS, 'Choose an evidence level from the list'),
  contactEmail: z.preprocess(
    emptyToNull,
    z
      .string({ error: 'Enter the contact’s email address' })
      .trim()
      .toLowerCase()
      .max(254, 'The contact’s email address must be 254 characters or fewer')
      .pipe(z.email({ error: 'Enter the contact’s email address, like name@nhs.net' }))
      .nullable(),
  ),
  organisations: odsCodes.default([]),
  regionCode: z.preprocess(
    emptyToNull,
    z
      .string({ error: 'Choose a region' })
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{1,10}$/, 'Choose a region from the list')
      .nullable(),
  ),
  topicIds: idList('topics', LIMITS.topics).default([]),
  reviewedOn: optionalDate('reviewed-on date'),
  reviewBy: optionalDate('review-by date'),
  visibility: z.enum(VISIBILITIES, { error: 'Choose who can read this item' }),
  groupIds: idList('learning sets', LIMITS.groups).default([]),
  note: optionalText('note of what changed', LIMITS.note),
});
export type ItemInput = z.output<typeof itemInput>;

export const cycleInput = z.strictObject({
  plan: required('plan', LIMITS.plan),
  prediction: optionalText('prediction', LIMITS.field),
  happened: optionalText('description of what happened', LIMITS.field),
  decision: optionalEnum(PDSA_DECISIONS, 'Choose adopt, adapt or abandon'),
  startedOn: optionalDate('start date'),
});
export type CycleInput = z.output<typeof cycleInput>;

export const cycleMoveInput = z.strictObject({
  direction: z.enum(['up', 'down'], { error: 'Choose up or down' }),
});

export const emptyInput = z.strictObject({});

export const statusNoteInput = z.strictObject({
  note: optionalText('note of what changed', LIMITS.note).optional(),
});

export const topicInput = z.strictObject({
  name: z
    .string({ error: 'Enter the topic’s name' })
    .trim()
    .min(1, 'Enter the topic’s name')
    .max(LIMITS.topicName, `The topic’s name must be ${LIMITS.topicName} characters or fewer`),
});

export const libraryQuery = z.object({
  kind: z
    .preprocess(emptyToNull, z.enum(ITEM_KINDS, { error: 'Choose a kind from the list' }).nullable())
    .default(null),
  topic: z
    .preprocess(
      emptyToNull,
      z.coerce
        .number({ error: 'Choose a topic from the list' })
        .int()
        .positive()
        .max(2_147_483_647)
        .nullable(),
    )
    .default(null),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
export type LibraryQuery = z.output<typeof libraryQuery>;

export const cycleParams = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647),
  cycleId: z.coerce.number().int().positive().max(2_147_483_647),
});
export const versionParams = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647),
  version: z.coerce.number().int().positive().max(2_147_483_647),
});

// What leaves through the API.
const cycleOut = z.object({
  id: z.number().int(),
  position: z.number().int(),
  plan: z.string(),
  prediction: z.string().nullable(),
  happened: z.string().nullable(),
  decision: z.enum(PDSA_DECISIONS).nullable(),
  startedOn: z.string().nullable(),
});
export const itemSummaryOut = z.object({
  id: z.number().int(),
  kind: z.enum(ITEM_KINDS),
  status: z.enum(['draft', 'published', 'archived']),
  visibility: z.enum(VISIBILITIES),
  regionCode: z.string().nullable(),
  title: z.string(),
  summary: z.string(),
  topicIds: z.array(z.number().int()),
  publishedAt: z.date().nullable(),
  updatedAt: z.date(),
  reviewBy: z.string().nullable(),
  reviewDue: z.boolean(),
});
export const itemListOut = z.object({
  items: z.array(itemSummaryOut),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export const itemOut = itemSummaryOut.extend({
  body: z.string().nullable(),
  resourceUrl: z.string().nullable(),
  problem: z.string().nullable(),
  baseline: z.string().nullable(),
  aim: z.string().nullable(),
  results: z.string().nullable(),
  cost: z.string().nullable(),
  careSetting: z.enum(CARE_SETTINGS).nullable(),
  spreadStage: z.enum(SPREAD_STAGES).nullable(),
  evidenceLevel: z.enum(EVIDENCE_LEVELS).nullable(),
  contact: z.object({ userId: z.number().int(), name: z.string() }).nullable(),
  owner: z.object({ userId: z.number().int(), name: z.string() }).nullable(),
  organisations: z.array(
    z.object({ id: z.number().int(), odsCode: z.string().nullable(), name: z.string() }),
  ),
  topics: z.array(z.object({ id: z.number().int(), name: z.string() })),
  groups: z.array(z.object({ id: z.number().int(), name: z.string() })),
  reviewedOn: z.string().nullable(),
  version: z.number().int(),
  cycles: z.array(cycleOut),
  canManage: z.boolean(),
});
const versionSummaryOut = z.object({
  version: z.number().int(),
  changedAt: z.date(),
  changedBy: z.string(),
  note: z.string().nullable(),
});
export const versionListOut = z.object({ versions: z.array(versionSummaryOut) });
/** One item as the API gives it: its fields, PDSA cycles, organisations, topics and versions. */
export const itemDetailOut = itemOut.extend({ versions: z.array(versionSummaryOut) });
export const cycleDetailOut = cycleOut;
export const versionOut = z.object({
  version: z.number().int(),
  previous: z.number().int().nullable(),
  changedAt: z.date(),
  changedBy: z.string(),
  note: z.string().nullable(),
  fields: z.array(
    z.object({
      field: z.string(),
      label: z.string(),
      changed: z.boolean(),
      parts: z.array(z.object({ kind: z.enum(['same', 'ins', 'del']), text: z.string() })),
    }),
  ),
});
export const topicOut = z.object({ id: z.number().int(), name: z.string() });
export const topicListOut = z.object({ topics: z.array(topicOut) });
