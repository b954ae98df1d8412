import type { z } from 'zod';
import { type FieldError, ValidationError } from './errors.ts';

/** Turns Zod issues into messages a person understands, one per field, in form order. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.join('.') : 'form';
    if (seen.has(field)) continue;
    seen.add(field);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    }
    out.push({ field, message });
  }
  return out;
}

/** Validates a form body (without its CSRF token) with the same schema the JSON API uses. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const { _csrf: _ignored, ...fields } = (body ?? {}) as Record<string, unknown>;
  const result = schema.safeParse(fields);
  if (!result.success) throw new ValidationError(toFieldErrors(result.error));
  return result.data;
}

/** Parses a positive page number from a query string, defaulting to 1. */
export function pageNumber(value: unknown): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

/** NHS pagination component parameters for a list. */
export function paginationFor(page: number, pageSize: number, total: number, hrefFor: (p: number) => string) {
  const last = Math.max(1, Math.ceil(total / pageSize));
  // A page past the end (an old link, a list that shrank): say so, and lead back to the last page.
  if (total > 0 && page > last)
    return {
      previous: { href: hrefFor(last), labelText: `${last} of ${last}` },
      next: undefined,
      summary: `Page ${page} is past the end: there are ${last} pages of ${total}`,
    };
  return {
    previous: page > 1 ? { href: hrefFor(page - 1), labelText: `${page - 1} of ${last}` } : undefined,
    next: page < last ? { href: hrefFor(page + 1), labelText: `${page + 1} of ${last}` } : undefined,
    summary:
      total === 0
        ? 'No results'
        : `Showing ${(page - 1) * pageSize + 1} to ${Math.min(page * pageSize, total)} of ${total}`,
  };
}
