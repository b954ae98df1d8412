import { z } from 'zod';

export const ACKNOWLEDGEMENT_MAX = 2000;

export const acknowledgeInput = z.strictObject({
  note: z
    .string({ error: 'Enter a note to the person who raised the concern' })
    .trim()
    .min(1, 'Enter a note to the person who raised the concern')
    .max(ACKNOWLEDGEMENT_MAX, `The note must be ${ACKNOWLEDGEMENT_MAX} characters or fewer`),
});
export type AcknowledgeInput = z.output<typeof acknowledgeInput>;

const concernOut = z.object({
  id: z.number().int(),
  source: z.enum(['response', 'question']),
  responseId: z.number().int().nullable(),
  questionId: z.number().int().nullable(),
  summary: z.string(),
  raisedBy: z.string(),
  raisedAt: z.date(),
  overdue: z.boolean(),
  hoursWaiting: z.number().int(),
  acknowledgedAt: z.date().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgement: z.string().nullable(),
});
export const concernListOut = z.object({
  open: z.array(concernOut),
  openTotal: z.number().int(),
  acknowledged: z.array(concernOut),
  acknowledgedTotal: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export const concernDetailOut = concernOut.extend({
  lead: z.string().nullable(),
  sourceTitle: z.string(),
  sourceText: z.array(z.object({ prompt: z.string(), answer: z.string() })),
});
