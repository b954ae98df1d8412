import { z } from 'zod';

export const ROLE_TITLE_MAX = 200;

const roleTitle = z
  .string({ error: 'Enter the named role, like Deputy Director, Urgent and Emergency Care, DHSC' })
  .trim()
  .min(1, 'Enter the named role, like Deputy Director, Urgent and Emergency Care, DHSC')
  .max(ROLE_TITLE_MAX, `The named role must be ${ROLE_TITLE_MAX} characters or fewer`);

/** A form sends a ticked checkbox as "yes" and an unticked one as nothing; the API sends a boolean. */
const yesNo = z.preprocess(
  (v) => (v === undefined || v === '' ? false : v === 'yes' || v === 'true' ? true : v === 'no' ? false : v),
  z.boolean({ error: 'Say yes or no' }),
);

/** What the national team records about a policy maker. */
export const staffInput = z.strictObject({ roleTitle, safetyLead: yesNo });
export type StaffInput = z.output<typeof staffInput>;

/** What a policy maker may change themselves: the role they answer under. */
export const ownRoleInput = z.strictObject({ roleTitle });
export type OwnRoleInput = z.output<typeof ownRoleInput>;

export const staffOut = z.object({
  userId: z.number().int(),
  name: z.string(),
  email: z.string(),
  roleTitle: z.string().nullable(),
  safetyLead: z.boolean(),
  updatedAt: z.date().nullable(),
});

export const staffListOut = z.object({
  staff: z.array(staffOut),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** True when no safety lead is named: concerns then go to the national team. */
  noSafetyLead: z.boolean(),
});
