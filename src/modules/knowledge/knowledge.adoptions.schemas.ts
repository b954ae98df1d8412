import { z } from 'zod';

export const ADOPTION_STATUSES = ['adopted', 'adapted', 'exploring', 'stopped'] as const;
export const ADOPTION_STATUS_LABELS: Record<(typeof ADOPTION_STATUSES)[number], string> = {
  adopted: 'Adopted as it is',
  adapted: 'Adapted to fit',
  exploring: 'Exploring it',
  stopped: 'Tried and stopped',
};
export const ADOPTION_LIMITS = { notes: 4000 };

const emptyToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : (v ?? null));

/** An organisation's adoption of an item, as the form and the API take it. */
export const adoptionInput = z.strictObject({
  status: z.enum(ADOPTION_STATUSES, {
    error: 'Choose whether your organisation adopted it, adapted it, is exploring it or stopped',
  }),
  adoptedOn: z.iso
    .date({ error: 'Enter the date your organisation started as a real date, like 2027-03-01' })
    .refine((v) => v >= '2000-01-01' && v <= '2100-12-31', 'Enter a date between the years 2000 and 2100'),
  notes: z.preprocess(
    emptyToNull,
    z
      .string()
      .trim()
      .max(ADOPTION_LIMITS.notes, `The notes must be ${ADOPTION_LIMITS.notes} characters or fewer`)
      .nullable(),
  ),
});
export type AdoptionInput = z.output<typeof adoptionInput>;

const positive = z.coerce.number().int().positive().max(2_147_483_647);
export const adoptionParams = z.object({ id: positive, adoptionId: positive });
export const adoptionMeasureParams = adoptionParams.extend({ measureId: positive });
export const adoptionValueParams = adoptionMeasureParams.extend({ valueId: positive });

export const adoptionOut = z.object({
  id: z.number().int(),
  itemId: z.number().int(),
  organisation: z.object({ id: z.number().int(), odsCode: z.string().nullable(), name: z.string() }),
  regionCode: z.string().nullable(),
  regionName: z.string().nullable(),
  status: z.enum(ADOPTION_STATUSES),
  adoptedOn: z.string(),
  notes: z.string().nullable(),
  recordedBy: z.string().nullable(),
});
export const spreadOut = z.object({
  itemId: z.number().int(),
  adoptions: z.array(adoptionOut),
  regions: z.array(
    z.object({
      regionCode: z.string().nullable(),
      regionName: z.string(),
      organisations: z.number().int(),
      first: z.string(),
      latest: z.string(),
    }),
  ),
});
