import { z } from 'zod';

/** Reusable field schemas with person-readable messages and length caps. */
export const emailField = z
  .string({ error: 'Enter an email address' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter an email address')
  .max(254, 'Email address must be 254 characters or fewer')
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@nhs.net' }));

export const nameField = z
  .string({ error: 'Enter a name' })
  .trim()
  .min(1, 'Enter a name')
  .max(120, 'Name must be 120 characters or fewer')
  .refine((v) => !/[<>]/.test(v), 'Name must not contain < or >');

/** A short single line of text, with a cap. */
export function textField(label: string, max: number, opts: { optional?: boolean } = {}) {
  const base = z
    .string({ error: `Enter ${label}` })
    .trim()
    .max(max, `${capitalise(label)} must be ${max} characters or fewer`);
  return opts.optional ? base : base.min(1, `Enter ${label}`);
}

export const regionCodeField = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^Q3\d$/, 'Choose a region (a code from Q30 to Q39)');

export const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

export const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) });

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The body of every API error response. */
export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    requestId: z.string().optional(),
  }),
});
