import { describe, expect, it } from 'vitest';
import { paginationFor } from './forms.ts';

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
