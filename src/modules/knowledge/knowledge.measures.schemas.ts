import { z } from 'zod';

export const MEASURE_KINDS = ['outcome', 'process', 'balancing'] as const;
export const MEASURE_KIND_LABELS: Record<(typeof MEASURE_KINDS)[number], string> = {
  outcome: 'Outcome measure',
  process: 'Process measure',
  balancing: 'Balancing measure',
};
export const MEASURE_LIMITS = {
  name: 200,
  unit: 40,
  description: 2000,
  note: 500,
  measures: 30,
  values: 500,
};

const emptyToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : (v ?? null));

export const measureInput = z.strictObject({
  kind: z.enum(MEASURE_KINDS, { error: 'Choose whether it is an outcome, process or balancing measure' }),
  name: z
    .string({ error: 'Enter the measure’s name' })
    .trim()
    .min(1, 'Enter the measure’s name')
    .max(MEASURE_LIMITS.name, `The name must be ${MEASURE_LIMITS.name} characters or fewer`),
  unit: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .max(MEASURE_LIMITS.unit, `The unit must be ${MEASURE_LIMITS.unit} characters or fewer`)
      .nullable(),
  ),
  description: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .max(
        MEASURE_LIMITS.description,
        `The description must be ${MEASURE_LIMITS.description} characters or fewer`,
      )
      .nullable(),
  ),
});
export type MeasureInput = z.output<typeof measureInput>;

export const valueInput = z.strictObject({
  measuredOn: z.iso
    .date({ error: 'Enter the date it was measured as a real date, like 2027-03-01' })
    .refine((v) => v >= '2000-01-01' && v <= '2100-12-31', 'Enter a date between the years 2000 and 2100'),
  value: z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v.trim())) : v),
    z
      .number({ error: 'Enter the value as a number, like 12 or 4.5' })
      .refine(Number.isFinite, 'Enter the value as a number, like 12 or 4.5')
      .refine((v) => Math.abs(v) <= 1e12, 'Enter a number between -1,000,000,000,000 and 1,000,000,000,000'),
  ),
  note: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .max(MEASURE_LIMITS.note, `The note must be ${MEASURE_LIMITS.note} characters or fewer`)
      .nullable(),
  ),
});
export type ValueInput = z.output<typeof valueInput>;

export const measureValueParams = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647),
  measureId: z.coerce.number().int().positive().max(2_147_483_647),
});
export const valueParams = measureValueParams.extend({
  valueId: z.coerce.number().int().positive().max(2_147_483_647),
});

const valueOut = z.object({
  id: z.number().int(),
  measuredOn: z.string(),
  value: z.number(),
  note: z.string().nullable(),
});
export const measureOut = z.object({
  id: z.number().int(),
  itemId: z.number().int(),
  adoptionId: z.number().int().nullable(),
  kind: z.enum(MEASURE_KINDS),
  name: z.string(),
  unit: z.string().nullable(),
  description: z.string().nullable(),
  values: z.array(valueOut),
  median: z.number().nullable(),
  signals: z.array(
    z.object({
      kind: z.enum(['shift', 'trend']),
      direction: z.enum(['up', 'down']),
      from: z.string(),
      to: z.string(),
    }),
  ),
  findings: z.array(z.string()),
});
export const measuresOut = z.object({ itemId: z.number().int(), measures: z.array(measureOut) });
