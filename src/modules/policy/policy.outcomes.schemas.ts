import { z } from 'zod';

// Input and output schemas of outcomes, milestones, the published response, the ledger and
// "this misses my point": the same schema checks a form and the JSON API.

export const OUTCOME_DECISIONS = ['adopted', 'adapted', 'not-adopted', 'deferred'] as const;
export const DECISION_LABELS: Record<(typeof OUTCOME_DECISIONS)[number], string> = {
  adopted: 'Adopted',
  adapted: 'Adapted',
  'not-adopted': 'Not adopted',
  deferred: 'Deferred',
};
export const MILESTONE_STATUSES = ['planned', 'in-progress', 'done', 'dropped'] as const;
export const MILESTONE_LABELS: Record<(typeof MILESTONE_STATUSES)[number], string> = {
  planned: 'Planned',
  'in-progress': 'In progress',
  done: 'Done',
  dropped: 'Dropped',
};

export const LIMITS = {
  summary: 4000,
  reason: 2000,
  ownerRole: 120,
  milestoneTitle: 200,
  milestoneNote: 2000,
  publishedResponse: 50_000,
  challenge: 2000,
  answer: 4000,
} as const;

/** A real calendar date (no 31 February) in a year the database and a person would mean: 2000 to 2100. */
const dateIn = (message: string) =>
  z.iso
    .date({ error: message })
    .refine((v) => v >= '2000-01-01' && v <= '2100-12-31', 'Enter a date between the years 2000 and 2100');

const emptyToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : (v ?? null));

const decisionFields = {
  decision: z.enum(OUTCOME_DECISIONS, { error: 'Choose what was decided' }),
  summary: z
    .string({ error: 'Enter a summary of what was decided' })
    .trim()
    .min(1, 'Enter a summary of what was decided')
    .max(LIMITS.summary, `The summary must be ${LIMITS.summary} characters or fewer`),
  reason: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .max(LIMITS.reason, `The reason must be ${LIMITS.reason} characters or fewer`)
      .nullable()
      .describe('Why it was not adopted: required when the decision is not-adopted'),
  ),
  ownerRole: z
    .string({ error: 'Enter the role that owns it, like Deputy Director, Urgent Care' })
    .trim()
    .min(1, 'Enter the role that owns it, like Deputy Director, Urgent Care')
    .max(LIMITS.ownerRole, `The owner must be ${LIMITS.ownerRole} characters or fewer`)
    .describe('A named role (not a person), like Deputy Director, Urgent Care'),
  decidedOn: dateIn('Enter the date it was decided as a real date, like 2027-03-01'),
};

function reasonRequired(v: { decision: string; reason: string | null }, ctx: z.RefinementCtx) {
  if (v.decision === 'not-adopted' && !v.reason)
    ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Enter the reason it was not adopted' });
}

/** A new outcome: what it is about (a theme or a question of the call) and what was decided. */
export const outcomeInput = z
  .strictObject({
    target: z
      .string({ error: 'Choose the theme or question it is about' })
      .regex(/^(theme|question)-[1-9]\d{0,9}$/, 'Choose the theme or question it is about')
      .describe('theme-<id> for a theme of the call, question-<id> for one of its questions'),
    ...decisionFields,
  })
  .superRefine(reasonRequired);
export type OutcomeInput = z.output<typeof outcomeInput>;

/** A change to an outcome's decision (what it is about stays). */
export const outcomeChange = z.strictObject(decisionFields).superRefine(reasonRequired);
export type OutcomeChange = z.output<typeof outcomeChange>;

export const milestoneInput = z.strictObject({
  title: z
    .string({ error: 'Enter the milestone' })
    .trim()
    .min(1, 'Enter the milestone')
    .max(LIMITS.milestoneTitle, `The milestone must be ${LIMITS.milestoneTitle} characters or fewer`),
  dueOn: z.preprocess(emptyToNull, dateIn('Enter the due date as a real date, like 2027-06-30').nullable()),
  status: z.enum(MILESTONE_STATUSES, { error: 'Choose planned, in progress, done or dropped' }),
  progress: z.coerce
    .number({ error: 'Enter the progress as a whole number from 0 to 100' })
    .int('Enter the progress as a whole number from 0 to 100')
    .min(0, 'Enter the progress as a whole number from 0 to 100')
    .max(100, 'Enter the progress as a whole number from 0 to 100'),
  note: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .max(LIMITS.milestoneNote, `The note must be ${LIMITS.milestoneNote} characters or fewer`)
      .nullable(),
  ),
});
export type MilestoneInput = z.output<typeof milestoneInput>;

export const publishedResponseInput = z.strictObject({
  publishedResponse: z
    .string({ error: 'Enter the published response' })
    .trim()
    .min(1, 'Enter the published response')
    .max(
      LIMITS.publishedResponse,
      `The published response must be ${LIMITS.publishedResponse.toLocaleString('en-GB')} characters or fewer`,
    ),
});

export const challengeInput = z.strictObject({
  body: z
    .string({ error: 'Say how the decision misses your point' })
    .trim()
    .min(1, 'Say how the decision misses your point')
    .max(LIMITS.challenge, `Your message must be ${LIMITS.challenge} characters or fewer`),
});

export const challengeAnswerInput = z.strictObject({
  answer: z
    .string({ error: 'Enter your answer' })
    .trim()
    .min(1, 'Enter your answer')
    .max(LIMITS.answer, `The answer must be ${LIMITS.answer} characters or fewer`),
});

export const callOutcomeParams = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647),
  outcomeId: z.coerce.number().int().positive().max(2_147_483_647),
});
export const callMilestoneParams = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647),
  milestoneId: z.coerce.number().int().positive().max(2_147_483_647),
});
export const callChallengeParams = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647),
  challengeId: z.coerce.number().int().positive().max(2_147_483_647),
});

// ---- outputs ----

export const milestoneOut = z.object({
  id: z.number(),
  title: z.string(),
  dueOn: z.string().nullable(),
  status: z.enum(MILESTONE_STATUSES),
  progress: z.number(),
  note: z.string().nullable(),
});

export const outcomeOut = z.object({
  id: z.number(),
  themeId: z.number().nullable(),
  themeName: z.string().nullable(),
  questionId: z.number().nullable(),
  question: z.string().nullable(),
  decision: z.enum(OUTCOME_DECISIONS),
  summary: z.string(),
  reason: z.string().nullable(),
  ownerRole: z.string(),
  decidedOn: z.string(),
  milestones: z.array(milestoneOut),
});

export const callOutcomesOut = z.object({
  callId: z.number(),
  title: z.string(),
  status: z.string(),
  publishedResponse: z.string().nullable(),
  publishedAt: z.string().nullable(),
  outcomes: z.array(outcomeOut),
});
