import { z } from 'zod';

export const regionOut = z.object({
  code: z.string().describe('ODS code of the strategic health authority, Q30 to Q39'),
  name: z.string(),
  onsCode: z.string().nullable(),
  phase: z.object({ key: z.string(), name: z.string() }),
  recruitmentTarget: z.number().int(),
  status: z.string(),
});
