import { z } from 'zod';
import { emailField } from '../../platform/schemas.ts';

export const regionOut = z.object({
  code: z.string().describe('ODS code of the strategic health authority, Q30 to Q39'),
  name: z.string(),
  onsCode: z.string().nullable(),
  phase: z.object({ key: z.string(), name: z.string() }),
  recruitmentTarget: z.number().int(),
  status: z.string(),
});

export const REGION_STATUSES = ['planning', 'recruiting', 'launched'] as const;
export const CONTRACT_KINDS = [
  { key: 'training', label: 'Training sessions' },
  { key: 'action-learning', label: 'Action learning sessions' },
  { key: 'leadership-development', label: 'Leadership development sessions' },
] as const;

const emptyToNull = (v: unknown) => (v === '' || v === undefined ? null : v);
const optionalDate = (label: string) =>
  z.preprocess(
    emptyToNull,
    z.iso.date({ error: `Enter the ${label} as a real date, like 2027-03-31` }).nullable(),
  );
const money = (label: string) =>
  z.coerce
    .number({ error: `Enter the ${label} in pounds, like 25000 or 1250.50` })
    .min(0, `The ${label} cannot be negative`)
    .max(9_999_999_999, `The ${label} is too large`)
    .refine((v) => Math.round(v * 100) === v * 100, `Enter the ${label} to the nearest penny`);

export const targetInput = z.object({
  target: z.coerce
    .number({ error: 'Enter the recruitment target as a whole number' })
    .int('Enter the recruitment target as a whole number')
    .min(0, 'The recruitment target cannot be negative')
    .max(10_000, 'The recruitment target must be 10000 or less'),
  reason: z
    .string()
    .trim()
    .max(500, 'Reason must be 500 characters or fewer')
    .optional()
    .transform((v) => v || undefined),
});

export const regionPlanInput = z.object({
  status: z.enum(REGION_STATUSES, { error: 'Choose planning, recruiting or launched' }),
  firstEventTarget: optionalDate('first event target date'),
  goLiveTarget: optionalDate('go-live target date'),
  firstEventActual: optionalDate('date of the first event'),
  goLiveActual: optionalDate('go-live date'),
});

export const regionPeopleInput = z.object({
  leadFacilitatorUserId: z.preprocess(emptyToNull, z.coerce.number().int().positive().nullable()),
  seniorManagerName: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .max(120, 'Name must be 120 characters or fewer')
      .refine((v) => !/[<>]/.test(v), 'Name must not contain < or >')
      .nullable(),
  ),
  seniorManagerEmail: z.preprocess(emptyToNull, emailField.nullable()),
});

export const fundingInput = z.object({
  amount: money('amount'),
  allocatedOn: z.iso.date({ error: 'Enter the date of the allocation, like 2026-10-01' }),
  receivedOn: optionalDate('date received'),
  reference: z.preprocess(
    emptyToNull,
    z.string().trim().max(100, 'Reference must be 100 characters or fewer').nullable(),
  ),
});

export const receivedInput = z.object({
  receivedOn: z.iso.date({ error: 'Enter the date received, like 2026-10-15' }),
});

export const spendInput = z.object({
  amount: money('amount'),
  spentOn: z.iso.date({ error: 'Enter the date of the spend, like 2026-11-02' }),
  description: z
    .string()
    .trim()
    .min(1, 'Describe what the money was spent on')
    .max(200, 'Description must be 200 characters or fewer'),
});

export const readinessInput = z.object({
  done: z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string().max(60)).max(50),
  ),
});

export const readinessItemInput = z.object({
  label: z
    .string()
    .trim()
    .min(1, 'Enter the checklist item')
    .max(120, 'Checklist item must be 120 characters or fewer'),
});

const sessions = (label: string) =>
  z.coerce
    .number({ error: `Enter the ${label} as a whole number` })
    .int(`Enter the ${label} as a whole number`)
    .min(0, `The ${label} cannot be negative`)
    .max(10_000, `The ${label} must be 10000 or less`);

export const contractInput = z.object(
  Object.fromEntries(
    CONTRACT_KINDS.flatMap((k) => [
      [`${k.key}.promised`, sessions(`${k.label.toLowerCase()} promised`)],
      [`${k.key}.delivered`, sessions(`${k.label.toLowerCase()} delivered`)],
    ]),
  ) as Record<string, ReturnType<typeof sessions>>,
);

export const phaseInput = z.object({
  firstEventTarget: optionalDate('first event target date'),
  goLiveTarget: optionalDate('go-live target date'),
});

const milestoneOut = z.object({
  target: z.string().nullable(),
  actual: z.string().nullable(),
  state: z.enum(['not-set', 'due', 'late', 'done-on-time', 'done-late']),
});

export const dashboardRegionOut = z.object({
  code: z.string(),
  name: z.string(),
  phase: z.object({ key: z.string(), name: z.string() }),
  status: z.string(),
  target: z.number().int(),
  recruited: z.number().int(),
  offered: z.number().int(),
  recruitedPercent: z.number(),
  firstEvent: milestoneOut,
  goLive: milestoneOut,
  readiness: z.object({ done: z.number().int(), total: z.number().int() }),
  funding: z.object({ allocated: z.number(), received: z.number(), spent: z.number() }),
  contract: z.object({ promised: z.number().int(), delivered: z.number().int() }),
});

export const dashboardOut = z.object({
  asOf: z.string(),
  regions: z.array(dashboardRegionOut),
  national: z.object({
    target: z.number().int(),
    recruited: z.number().int(),
    recruitedPercent: z.number(),
    regionsLaunched: z.number().int(),
    regionsTotal: z.number().int(),
    fundingAllocated: z.number(),
    fundingReceived: z.number(),
    fundingSpent: z.number(),
  }),
  phases: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      firstEventTarget: z.string().nullable(),
      goLiveTarget: z.string().nullable(),
      late: z.array(z.string()).describe('Regions late against a target date of this phase'),
    }),
  ),
});
