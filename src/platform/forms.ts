import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import {
  ConflictError,
  type FieldError,
  NotFoundError,
  TooManyRequestsError,
  ValidationError,
} from './errors.ts';
import { idParam } from './schemas.ts';

/**
 * Messages a person understands for the checks a schema leaves to Zod's defaults ("expected number,
 * received NaN" means nothing to a clinician). A schema's own message always wins over these.
 */
function readableIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_value':
      return issue.values.length <= 12
        ? `Choose one of: ${issue.values.map(String).join(', ')}`
        : 'Choose one of the options';
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null || issue.input === '') return 'Enter a value';
      if (issue.expected === 'number' || issue.expected === 'int') return 'Enter a number';
      if (issue.expected === 'date') return 'Enter a real date';
      return 'Enter a valid value';
    case 'too_small':
      if (issue.origin === 'string') return `Enter at least ${issue.minimum} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Choose at least ${issue.minimum}`;
      return `Enter a number that is ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `Enter no more than ${issue.maximum} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Choose no more than ${issue.maximum}`;
      return `Enter a number that is ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'email'
        ? 'Enter an email address in the right format, like name@nhs.net'
        : 'Enter a value in the right format';
    default:
      return undefined;
  }
}

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
  const result = schema.safeParse(fields, { error: readableIssue });
  if (!result.success) throw new ValidationError(toFieldErrors(result.error));
  return result.data;
}

/**
 * Path parameters (`/sets/:id`, `/regions/:code`): a value that cannot name a record, such as `abc`
 * or `0` for an id, names a page that does not exist, so it is a 404 like any unknown record.
 */
export function parsePathParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params);
  if (!result.success) throw new NotFoundError();
  return result.data;
}

/** Query parameters (filters, sorting, paging): a bad value is a 400 that says what is wrong with it. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query ?? {}, { error: readableIssue });
  if (!result.success) throw new ValidationError(toFieldErrors(result.error));
  return result.data;
}

/** Query parameters for a page that shows its own errors: the parsed values, or messages in words. */
export function checkQuery<S extends z.ZodType>(
  schema: S,
  query: unknown,
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldError[] } {
  const result = schema.safeParse(query ?? {}, { error: readableIssue });
  return result.success
    ? { ok: true, data: result.data }
    : { ok: false, errors: toFieldErrors(result.error) };
}

/** A query string for links that keep a list's filters: empty values left out, `page` last. */
export function queryString(params: Record<string, unknown>, page?: number): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || k === 'page') continue;
    if (Array.isArray(v)) for (const item of v) qs.append(k, String(item));
    else qs.set(k, String(v));
  }
  if (page !== undefined) qs.set('page', String(page));
  const s = qs.toString();
  return s ? `?${s}` : '';
}

/**
 * The one way a form route handles a broken rule: runs the action (which parses the form, calls the
 * service, flashes and redirects) and, when it throws a `ValidationError`, `ConflictError` or
 * `TooManyRequestsError`, renders the same page again at that status with the NHS error summary.
 * Errors that are not about the input (not found, forbidden, a fault) go to the error handler.
 */
export async function withFormErrors(
  reply: FastifyReply,
  render: (errors: FieldError[]) => unknown,
  action: () => Promise<unknown>,
  opts: { messageField?: string } = {},
): Promise<unknown> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof ValidationError) {
      reply.status(err.status);
      return render(err.errors);
    }
    if (err instanceof ConflictError || err instanceof TooManyRequestsError) {
      reply.status(err.status);
      return render([{ field: opts.messageField ?? 'form', message: err.message }]);
    }
    throw err;
  }
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

/** The `:id` of a route's path; anything but a positive whole number is a 404. */
export function pathId(params: unknown): number {
  return parsePathParams(idParam, params).id;
}
