import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Path parameters and query strings go through schemas, as bodies do. The shared layer gives every
 * route one (its own, or the default in src/platform/input.ts), and API routes must declare their own
 * (the app refuses to start otherwise). On top of that, a handler reads `request.params` and
 * `request.query` only through the shared helpers (`parsePathParams`, `pathId`, `parseQuery`,
 * `checkQuery`) or, in an API file, as the typed output of its route's declared schema.
 *
 * The reads below predate the rule: each already passes the shared default schema (strings capped,
 * no control characters), but checks its meaning by hand. The count may only go down; a new raw read
 * fails this test.
 */
const RAW_READS_KNOWN: Record<string, number> = {
  'src/modules/development/development.pages.ts': 3,
  'src/modules/learning-sets/learning-sets.pages.ts': 2,
  'src/modules/members/members.pages.ts': 8,
  'src/modules/mentoring/mentoring.pages.ts': 1,
  'src/modules/programme/programme.pages.ts': 3,
  'src/modules/recruitment/recruitment.apply.pages.ts': 5,
  'src/modules/recruitment/recruitment.review.pages.ts': 2,
  'src/platform/accounts/accounts.pages.ts': 5,
  'src/platform/admin/admin.pages.ts': 4,
};
/** The shared layer itself checks every request's parameters. */
const SHARED_LAYER = new Set(['src/platform/http.ts', 'src/platform/forms.ts']);
const isApiFile = (f: string) => f.endsWith('.api.ts') || f === 'src/platform/api.ts';

function rawReads(): Record<string, number> {
  const files = execFileSync('git', ['ls-files', 'src/**/*.ts'], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.endsWith('.test.ts') && !SHARED_LAYER.has(f));
  const out: Record<string, number> = {};
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\brequest\.(params|query)\b/g)) {
      const before = text.slice(Math.max(0, m.index - 80), m.index);
      if (/\b(parsePathParams|pathId|parseQuery|checkQuery)\([^()]*$/.test(before)) continue;
      if (isApiFile(f)) continue;
      out[f] = (out[f] ?? 0) + 1;
    }
  }
  return out;
}

describe('path parameters and query strings through schemas', () => {
  it('no handler reads them raw beyond the reads that predate the rule', () => {
    const found = rawReads();
    const grown = Object.entries(found)
      .filter(([f, n]) => n > (RAW_READS_KNOWN[f] ?? 0))
      .map(
        ([f, n]) =>
          `${f}: ${n} raw reads of request.params/request.query (known: ${RAW_READS_KNOWN[f] ?? 0}); ` +
          'read them with parsePathParams/pathId/parseQuery/checkQuery',
      );
    expect(grown).toEqual([]);
  });
});
