import type { z } from 'zod';
import { ValidationError } from '../../platform/errors.ts';
import { toFieldErrors } from '../../platform/forms.ts';

// Small helpers the development service's sections share.

/** The service's clock: the time now, and today's date in London (a test passes its own `now`). */
export type Clock = { now: () => Date; today: () => string };

export const round2 = (n: number) => Math.round(n * 100) / 100;
export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(toFieldErrors(result.error));
  return result.data;
}
