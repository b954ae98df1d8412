import { describe, expect, it } from 'vitest';
import { findUnsafeText, unsafeTextReason } from './input.ts';

describe('text no field may hold', () => {
  it('refuses NUL and other controls, lone surrogates and bidi overrides; allows the rest', () => {
    expect(unsafeTextReason('a\u0000b')).toMatch(/control characters/);
    expect(unsafeTextReason('a\u001bb')).toMatch(/control characters/);
    expect(unsafeTextReason('a\u0085b')).toMatch(/control characters/);
    expect(unsafeTextReason('a\ud800b')).toMatch(/lone UTF-16 surrogate/);
    expect(unsafeTextReason('\udc00')).toMatch(/lone UTF-16 surrogate/);
    expect(unsafeTextReason('evil\u202etxt.exe')).toMatch(/right-to-left override/);
    expect(unsafeTextReason('\u2067isolate\u2069')).toMatch(/text-direction/);
    for (const ok of [
      'line one\nline two\r\n\ttabbed',
      'Zoë Ōkubo 😀',
      'שלום \u200f عربى',
      '<script>',
      "'; --",
    ])
      expect(unsafeTextReason(ok), ok).toBeNull();
  });

  it('names each field, walking nested objects, lists and keys, but not buffers', () => {
    const errors = findUnsafeText({
      givenName: 'A\u0000',
      raters: [{ name: 'ok' }, { name: 'b\u202e' }],
      ['bad\u0000key']: 'x',
      photo: Buffer.from([0, 0, 0]),
    });
    expect(errors).toEqual([
      { field: 'givenName', message: 'Given name must not contain control characters (such as a NUL byte)' },
      {
        field: 'raters.1.name',
        message: 'Name must not contain hidden text-direction controls (such as a right-to-left override)',
      },
      { field: 'body', message: 'A field name must not contain control characters (such as a NUL byte)' },
    ]);
    expect(findUnsafeText('\u0000')).toHaveLength(1);
    // What the form and query-string parser builds: an object whose prototype has no prototype.
    const parsed = Object.create(Object.create(null) as object) as Record<string, string>;
    parsed.q = 'a\u0000';
    expect(findUnsafeText(parsed)).toHaveLength(1);
    expect(findUnsafeText(undefined)).toEqual([]);
  });
});
