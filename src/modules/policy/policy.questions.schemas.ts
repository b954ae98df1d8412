import { z } from 'zod';

export const QUESTION_TITLE_MAX = 150;
export const QUESTION_BODY_MAX = 3000;
export const ANSWER_MAX = 5000;
export const SEARCH_MAX = 200;

const yes = z.preprocess(
  (v) => (v === undefined || v === '' ? false : v === 'yes' || v === 'true' ? true : v),
  z.boolean({ error: 'Say yes or no' }),
);

export const questionInput = z.strictObject({
  title: z
    .string({ error: 'Enter your question in a line' })
    .trim()
    .min(1, 'Enter your question in a line')
    .max(QUESTION_TITLE_MAX, `Your question in a line must be ${QUESTION_TITLE_MAX} characters or fewer`),
  body: z
    .string({ error: 'Enter the detail of your question' })
    .trim()
    .min(1, 'Enter the detail of your question')
    .max(QUESTION_BODY_MAX, `The detail must be ${QUESTION_BODY_MAX} characters or fewer`),
  visibility: z.enum(['network', 'private'], {
    error: 'Choose who can read your question: the whole network, or the policy team only',
  }),
  safetyConcern: yes.default(false),
});
export type QuestionInput = z.output<typeof questionInput>;

export const answerInput = z.strictObject({
  answer: z
    .string({ error: 'Enter your answer' })
    .trim()
    .min(1, 'Enter your answer')
    .max(ANSWER_MAX, `The answer must be ${ANSWER_MAX} characters or fewer`),
});
export type AnswerInput = z.output<typeof answerInput>;

export const QUESTION_TABS = ['waiting', 'answered', 'mine'] as const;
export type QuestionTab = (typeof QUESTION_TABS)[number];

export const questionListQuery = z.object({
  tab: z.enum(QUESTION_TABS, { error: 'Choose waiting, answered or mine' }).default('waiting'),
  q: z
    .string()
    .trim()
    .max(SEARCH_MAX, `Search words must be ${SEARCH_MAX} characters or fewer`)
    .optional()
    .transform((v) => (v ? v : null)),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

const questionSummaryOut = z.object({
  id: z.number().int(),
  title: z.string(),
  visibility: z.enum(['network', 'private']),
  status: z.enum(['open', 'answered', 'withdrawn']),
  supports: z.number().int(),
  askedBy: z.string(),
  askedAt: z.date(),
  daysWaiting: z.number().int().nullable(),
  answeredRole: z.string().nullable(),
  answeredAt: z.date().nullable(),
});
export const questionListOut = z.object({
  tab: z.enum(QUESTION_TABS),
  q: z.string().nullable(),
  questions: z.array(questionSummaryOut),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export const questionOut = questionSummaryOut.extend({
  body: z.string(),
  safetyConcern: z.boolean(),
  answer: z.string().nullable(),
  callId: z.number().int().nullable(),
  mine: z.boolean(),
  supportedByMe: z.boolean(),
  canSupport: z.boolean(),
  canAnswer: z.boolean(),
  canWithdraw: z.boolean(),
  canMakeCall: z.boolean(),
});
export const toCallOut = z.object({ callId: z.number().int(), questionId: z.number().int() });
