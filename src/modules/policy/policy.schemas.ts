import { z } from 'zod';
import { PROFESSION_KEYS } from '../../platform/registration.ts';

// Schemas of calls for input and responses, shared by the HTML forms and the JSON API.

export const LIMITS = {
  title: 200,
  summary: 1000,
  background: 10_000,
  note: 500,
  reason: 500,
  documentTitle: 200,
  url: 2000,
  prompt: 500,
  help: 1000,
  option: 200,
  options: 20,
  questions: 50,
  documents: 20,
  textAnswer: 20_000,
  scaleLabel: 60,
  safetySummary: 1000,
  nudgeMessage: 1000,
  audienceValues: 50,
} as const;

export const CALL_KINDS = ['consultation', 'evidence', 'pulse'] as const;
export const CALL_KIND_LABELS: Record<(typeof CALL_KINDS)[number], string> = {
  consultation: 'Consultation',
  evidence: 'Call for evidence',
  pulse: 'Quick pulse',
};
export const CALL_STATUSES = ['draft', 'scheduled', 'open', 'closed', 'concluded'] as const;
export const CALL_STATUS_LABELS: Record<(typeof CALL_STATUSES)[number], string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  open: 'Open',
  closed: 'Closed',
  concluded: 'Concluded',
};
export const QUESTION_KINDS = ['text', 'single', 'multiple', 'scale', 'ranking'] as const;
export const QUESTION_KIND_LABELS: Record<(typeof QUESTION_KINDS)[number], string> = {
  text: 'Open text',
  single: 'Single choice',
  multiple: 'Multiple choice',
  scale: 'Scale',
  ranking: 'Ranking',
};
export const GROUP_DIMENSIONS = ['profession', 'region', 'specialty', 'setting'] as const;

const emptyToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
/** A form's checkbox group: absent is none, one ticked box is a string, several an array. */
const asList = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
/** A form's single checkbox ("yes") or the API's boolean. */
const asBoolean = (v: unknown) => v === true || v === 'yes' || v === 'true' || v === 'on';

/**
 * A list of choices (a form's checkboxes or the API's array), refused as a whole with one message,
 * so the error summary links to the checkboxes rather than to one item.
 */
function listOf(valid: (v: string) => boolean, message: string) {
  return z.preprocess(
    (v) => (Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? String(x) : x)) : asList(v)),
    z
      .array(z.string({ error: message }), { error: message })
      .refine((l) => l.length <= LIMITS.audienceValues && l.every(valid), message),
  );
}

function text(label: string, max: number) {
  return z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`);
}
function optionalText(label: string, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : (v ?? null)),
    z
      .string({ error: `Enter ${label}` })
      .trim()
      .max(max, `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)
      .nullable(),
  );
}
const date = (label: string) => z.iso.date({ error: `Enter ${label} as a real date, like 2027-03-01` });

/** A call's details, audience and dates, as its owner sets them. */
export const callInput = z
  .strictObject({
    kind: z.enum(CALL_KINDS, {
      error: 'Choose the kind of call: consultation, call for evidence or quick pulse',
    }),
    title: text('a title', LIMITS.title),
    summary: text('a summary', LIMITS.summary),
    background: optionalText('the background', LIMITS.background),
    isPublic: z.preprocess(asBoolean, z.boolean()).default(false),
    opensOn: date('the date it opens'),
    closesOn: date('the date it closes'),
    responseDueOn: z.preprocess(emptyToNull, date('the response-due date').nullable()).default(null),
    responseDueReason: optionalText('the reason for the response-due date', LIMITS.reason).default(null),
    audienceRegions: listOf((v) => /^Q3\d$/.test(v), 'Choose regions from the list'),
    audienceProfessions: listOf(
      (v) => (PROFESSION_KEYS as readonly string[]).includes(v),
      'Choose professions from the list',
    ),
    audienceSpecialtyIds: listOf(
      (v) => /^[1-9]\d{0,8}$/.test(v),
      'Choose specialties from the list',
    ).transform((l) => l.map(Number)),
    audienceIntakeId: z
      .preprocess(
        emptyToNull,
        z.coerce
          .number({ error: 'Choose a cohort from the list' })
          .int()
          .positive()
          .max(2_147_483_647)
          .nullable(),
      )
      .default(null),
  })
  .superRefine((v, ctx) => {
    if (v.closesOn < v.opensOn)
      ctx.addIssue({
        code: 'custom',
        path: ['closesOn'],
        message: 'The call must close on or after the day it opens',
      });
    if (v.responseDueOn !== null && v.responseDueOn < v.closesOn)
      ctx.addIssue({
        code: 'custom',
        path: ['responseDueOn'],
        message: 'The response-due date must be on or after the day the call closes',
      });
  });
export type CallInput = z.output<typeof callInput>;

/** A new response-due date, with the reason for the change (kept, shown and audited). */
export const responseDueInput = z.strictObject({
  responseDueOn: date('the response-due date'),
  reason: text('the reason for the change', LIMITS.reason),
});
export type ResponseDueInput = z.output<typeof responseDueInput>;

export const statusChangeInput = z.strictObject({
  to: z.enum(CALL_STATUSES, { error: 'Choose the state to move the call to' }),
  note: optionalText('a note', LIMITS.note).default(null),
});
export type StatusChangeInput = z.output<typeof statusChangeInput>;

/** One question of a call. Options come one a line from the form, as a list from the API. */
export const questionInput = z
  .strictObject({
    kind: z.enum(QUESTION_KINDS, { error: 'Choose the kind of question' }),
    prompt: text('the question', LIMITS.prompt),
    help: optionalText('the hint', LIMITS.help).default(null),
    required: z.preprocess(asBoolean, z.boolean()).default(false),
    maxLength: z
      .preprocess(
        emptyToNull,
        z.coerce
          .number({ error: 'Enter the length limit as a number' })
          .int('Enter the length limit as a whole number')
          .min(1, 'The length limit must be at least 1 character')
          .max(LIMITS.textAnswer, `The length limit must be ${LIMITS.textAnswer} characters or fewer`)
          .nullable(),
      )
      .default(null),
    options: z.preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(/\r?\n/)
              .map((s) => s.trim())
              .filter(Boolean)
          : (v ?? []),
      z
        .array(text('an option', LIMITS.option))
        .max(LIMITS.options, `Give no more than ${LIMITS.options} options`),
    ),
    scaleMin: z
      .preprocess(
        emptyToNull,
        z.coerce
          .number({ error: 'Enter the lowest point as a number' })
          .int('Enter the lowest point as a whole number')
          .min(-100)
          .max(100)
          .nullable(),
      )
      .default(null),
    scaleMax: z
      .preprocess(
        emptyToNull,
        z.coerce
          .number({ error: 'Enter the highest point as a number' })
          .int('Enter the highest point as a whole number')
          .min(-100)
          .max(100)
          .nullable(),
      )
      .default(null),
    scaleMinLabel: optionalText('the label of the lowest point', LIMITS.scaleLabel).default(null),
    scaleMaxLabel: optionalText('the label of the highest point', LIMITS.scaleLabel).default(null),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'text' && v.maxLength === null)
      ctx.addIssue({ code: 'custom', path: ['maxLength'], message: 'Enter the length limit of the answer' });
    if (['single', 'multiple', 'ranking'].includes(v.kind)) {
      if (v.options.length < 2)
        ctx.addIssue({ code: 'custom', path: ['options'], message: 'Give at least 2 options, one a line' });
      else if (new Set(v.options.map((o) => o.toLowerCase())).size !== v.options.length)
        ctx.addIssue({ code: 'custom', path: ['options'], message: 'Give each option only once' });
    }
    if (v.kind === 'scale') {
      if (v.scaleMin === null)
        ctx.addIssue({ code: 'custom', path: ['scaleMin'], message: 'Enter the lowest point of the scale' });
      if (v.scaleMax === null)
        ctx.addIssue({ code: 'custom', path: ['scaleMax'], message: 'Enter the highest point of the scale' });
      if (v.scaleMin !== null && v.scaleMax !== null && v.scaleMax <= v.scaleMin)
        ctx.addIssue({
          code: 'custom',
          path: ['scaleMax'],
          message: 'The highest point must be above the lowest',
        });
      else if (v.scaleMin !== null && v.scaleMax !== null && v.scaleMax - v.scaleMin > 20)
        ctx.addIssue({ code: 'custom', path: ['scaleMax'], message: 'A scale has at most 21 points' });
    }
  });
export type QuestionInput = z.output<typeof questionInput>;

export const documentInput = z.strictObject({
  title: text('the document’s title', LIMITS.documentTitle),
  url: z
    .string({ error: 'Enter the document’s address' })
    .trim()
    .min(1, 'Enter the document’s address')
    .max(LIMITS.url, `The address must be ${LIMITS.url} characters or fewer`)
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' && !!u.hostname;
      } catch {
        return false;
      }
    }, 'Enter an address that starts with https://, like https://www.gov.uk/...'),
});
export type DocumentInput = z.output<typeof documentInput>;

export const questionsInput = z.strictObject({
  questions: z.array(questionInput).max(LIMITS.questions, `A call has at most ${LIMITS.questions} questions`),
});
export const documentsInput = z.strictObject({
  documents: z.array(documentInput).max(LIMITS.documents, `A call has at most ${LIMITS.documents} documents`),
});

/** A removal from the owner's list pages (the row's id in the body). */
export const removeInput = z.strictObject({
  itemId: z.coerce.number({ error: 'Choose what to remove' }).int().positive().max(2_147_483_647),
});

/** One answer: text, the chosen options (single and multiple), the order of options (ranking) or a point on a scale. */
export const answerValue = z.union([
  z.string().max(LIMITS.textAnswer, `Answers must be ${LIMITS.textAnswer} characters or fewer`),
  z.array(z.string().max(LIMITS.option)).max(LIMITS.options),
  z.number().int().min(-100).max(100),
  z.null(),
]);
export type AnswerValue = z.output<typeof answerValue>;

/**
 * A response as the member sends it. The answers are checked against the call's questions in the
 * service (required, length, options, scale, ranking), since no static schema knows them.
 */
export const responseInput = z.strictObject({
  intent: z.enum(['draft', 'submit'], { error: 'Choose to save a draft or send your response' }),
  onBehalf: z
    .enum(['self', 'organisation'], {
      error: 'Choose whether you respond as yourself or for your organisation',
    })
    .default('self'),
  confidential: z.boolean().default(false),
  safetyConcern: z.boolean().default(false),
  safetySummary: optionalText('a short summary of the concern', LIMITS.safetySummary).default(null),
  answers: z
    .record(z.string().regex(/^\d{1,10}$/, 'Answers are keyed by question id'), answerValue)
    .default({}),
});
export type ResponseInput = z.output<typeof responseInput>;

export const nudgeInput = z.strictObject({
  dimension: z.enum(GROUP_DIMENSIONS, { error: 'Choose the group to nudge' }),
  value: text('the group', 200),
  message: optionalText('a message', LIMITS.nudgeMessage).default(null),
});
export type NudgeInput = z.output<typeof nudgeInput>;

export const callListQuery = z.object({
  status: z.preprocess(
    emptyToUndefined,
    z.enum(CALL_STATUSES, { error: 'Choose a state from the list' }).optional(),
  ),
  page: z.coerce.number({ error: 'Enter a page number' }).int().min(1).max(100_000).default(1),
});
export const pageOnlyQuery = z.object({
  page: z.coerce.number({ error: 'Enter a page number' }).int().min(1).max(100_000).default(1),
});

// ---- what the API returns ----
export const questionOut = z.object({
  id: z.number(),
  position: z.number(),
  kind: z.enum(QUESTION_KINDS),
  prompt: z.string(),
  help: z.string().nullable(),
  required: z.boolean(),
  maxLength: z.number().nullable(),
  options: z.array(z.string()),
  scaleMin: z.number().nullable(),
  scaleMax: z.number().nullable(),
  scaleMinLabel: z.string().nullable(),
  scaleMaxLabel: z.string().nullable(),
});
export const documentOut = z.object({
  id: z.number(),
  position: z.number(),
  title: z.string(),
  url: z.string(),
});
export const statusChangeOut = z.object({
  fromStatus: z.enum(CALL_STATUSES).nullable(),
  toStatus: z.enum(CALL_STATUSES),
  changedBy: z.string().describe('The person, or "the system" for the scheduled opening and closing'),
  changedAt: z.string(),
  note: z.string().nullable(),
});
export const callSummaryOut = z.object({
  id: z.number(),
  kind: z.enum(CALL_KINDS),
  title: z.string(),
  summary: z.string(),
  status: z.enum(CALL_STATUSES),
  opensOn: z.string(),
  closesOn: z.string(),
  responseDueOn: z.string(),
  daysLeft: z.number().nullable().describe('Days until the call closes (0 on its last day), while open'),
  isPublic: z.boolean(),
  myResponse: z.enum(['draft', 'submitted']).nullable(),
});
export const callOut = callSummaryOut.extend({
  background: z.string().nullable(),
  responseDueReason: z.string().nullable(),
  publishedResponse: z.string().nullable(),
  owner: z.string().nullable(),
  audience: z.object({
    regions: z.array(z.string()),
    professions: z.array(z.string()),
    specialtyIds: z.array(z.number()),
    intakeId: z.number().nullable(),
    description: z.string(),
  }),
  questions: z.array(questionOut),
  documents: z.array(documentOut),
  timeline: z.array(statusChangeOut),
  canManage: z.boolean(),
});
export const responseOut = z.object({
  id: z.number(),
  callId: z.number(),
  status: z.enum(['draft', 'submitted']),
  respondent: z.string(),
  onBehalfOf: z.string().nullable().describe('The organisation the member responded for, if any'),
  confidential: z.boolean(),
  safetyConcern: z.boolean(),
  safetySummary: z.string().nullable(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string(),
  answers: z.array(
    z.object({
      questionId: z.number(),
      prompt: z.string(),
      value: z.union([z.string(), z.array(z.string()), z.number(), z.null()]),
    }),
  ),
});
export const participationCellOut = z.object({
  value: z.string(),
  label: z.string(),
  responses: z
    .number()
    .nullable()
    .describe('Null when fewer than 5 or suppressed so others cannot be worked out'),
  audience: z.number().nullable(),
  shareOfResponses: z.number().nullable(),
  responseRate: z.number().nullable(),
  suppressed: z.boolean(),
});
export const participationOut = z.object({
  callId: z.number(),
  totalResponses: z.number().nullable().describe('Null when fewer than 5'),
  totalAudience: z.number().nullable().describe('Null when fewer than 5'),
  dimensions: z.array(
    z.object({
      dimension: z.enum(GROUP_DIMENSIONS),
      label: z.string(),
      cells: z.array(participationCellOut),
    }),
  ),
  nudges: z.array(
    z.object({
      dimension: z.string(),
      value: z.string(),
      recipients: z.number(),
      sentAt: z.string(),
      sentBy: z.string().nullable(),
    }),
  ),
});
