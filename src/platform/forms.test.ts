import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import {
  paginationFor,
  parseForm,
  parsePathParams,
  parseQuery,
  queryString,
  withFormErrors,
} from './forms.ts';

describe('paginationFor', () => {
  const href = (p: number) => `?page=${p}`;

  it('summarises a page within the list and links both ways', () => {
    expect(paginationFor(2, 20, 85, href)).toEqual({
      previous: { href: '?page=1', labelText: '1 of 5' },
      next: { href: '?page=3', labelText: '3 of 5' },
      summary: 'Showing 21 to 40 of 85',
    });
    expect(paginationFor(5, 20, 85, href).summary).toBe('Showing 81 to 85 of 85');
    expect(paginationFor(1, 20, 0, href)).toMatchObject({
      previous: undefined,
      next: undefined,
      summary: 'No results',
    });
  });

  it('says a page past the end is past the end, and leads back to the last page', () => {
    expect(paginationFor(999, 20, 85, href)).toEqual({
      previous: { href: '?page=5', labelText: '5 of 5' },
      next: undefined,
      summary: 'Page 999 is past the end: there are 5 pages of 85',
    });
  });
});

describe('parsing parameters and forms', () => {
  const idParam = z.object({ id: z.coerce.number().int().positive() });
  const listQuery = z.object({
    sort: z.enum(['name', 'recent']).default('name'),
    page: z.coerce.number().int().min(1).default(1),
  });

  it('turns a path parameter that cannot name a record into a 404', () => {
    expect(parsePathParams(idParam, { id: '12' })).toEqual({ id: 12 });
    for (const id of ['abc', '0', '-1', '1.5', ''])
      expect(() => parsePathParams(idParam, { id })).toThrow(NotFoundError);
  });

  it('says in words what is wrong with a query parameter', () => {
    expect(parseQuery(listQuery, {})).toEqual({ sort: 'name', page: 1 });
    const error = (() => {
      try {
        parseQuery(listQuery, { sort: 'bogus', page: 'x' });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.errors).toEqual([
      { field: 'sort', message: 'Choose one of: name, recent' },
      { field: 'page', message: 'Enter a number' },
    ]);
  });

  it('keeps a schema’s own message over the readable default', () => {
    const s = z.object({ name: z.string().min(2, 'Enter your full name') });
    expect(() => parseForm(s, { name: 'a' })).toThrow('Enter your full name');
    expect(() => parseForm(z.object({ n: z.string().max(3) }), { n: 'abcd' })).toThrow(
      'Enter no more than 3 characters',
    );
  });

  it('builds a query string that keeps filters and leaves out empty values', () => {
    expect(queryString({ q: 'a b', region: '', tag: ['x', 'y'], page: 3 }, 2)).toBe(
      '?q=a+b&tag=x&tag=y&page=2',
    );
    expect(queryString({})).toBe('');
  });
});

describe('withFormErrors', () => {
  const reply = () => {
    const r = { statusCode: 200, status: (s: number) => ((r.statusCode = s), r) };
    return r as unknown as FastifyReply & { statusCode: number };
  };

  it('renders the page again with the field errors at 400', async () => {
    const r = reply();
    const out = await withFormErrors(
      r,
      (errors) => ({ rendered: errors }),
      async () => {
        throw new ValidationError([{ field: 'email', message: 'Enter an email address' }]);
      },
    );
    expect(r.statusCode).toBe(400);
    expect(out).toEqual({ rendered: [{ field: 'email', message: 'Enter an email address' }] });
  });

  it('shows a broken rule (conflict) as a message on the form, at 409', async () => {
    const r = reply();
    const out = await withFormErrors(
      r,
      (errors) => errors,
      async () => {
        throw new ConflictError('Already decided');
      },
    );
    expect(r.statusCode).toBe(409);
    expect(out).toEqual([{ field: 'form', message: 'Already decided' }]);
  });

  it('passes other errors to the error handler and returns the action’s result otherwise', async () => {
    await expect(
      withFormErrors(
        reply(),
        () => 'page',
        async () => {
          throw new NotFoundError();
        },
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(
      await withFormErrors(
        reply(),
        () => 'page',
        async () => 'redirected',
      ),
    ).toBe('redirected');
  });
});
