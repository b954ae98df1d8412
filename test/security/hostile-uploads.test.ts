import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, buildTestApp, createUser, type TestContext, visibleText } from '../app.ts';
import { addMember, organisationIdOf, signedIn } from '../journeys/support.ts';
import { seedItem } from '../knowledge-fixtures.ts';
import { changedTables, internalDetail, rowCounts } from './hostile-values.ts';

/**
 * Hostile multipart on every upload route (the forms with enctype="multipart/form-data"): the wrong
 * content type, a body over the size cap, a file whose declared type lies about its bytes, a path
 * traversal or markup in the filename, empty and nameless parts, too many parts and files, and a
 * body cut short. Never a 5xx or internal detail; a refusal is a 4xx that changes no table (a form
 * refusal shows the NHS error summary); the filename is never used or shown.
 */

type Part = { name?: string; filename?: string; type?: string; data: Buffer | string; raw?: string };

function multipart(parts: Part[], opts: { boundary?: string; close?: boolean } = {}) {
  const boundary = opts.boundary ?? `----clnfuzz${Math.random().toString(36).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      p.raw ??
      `Content-Disposition: form-data${p.name === undefined ? '' : `; name="${p.name}"`}${
        p.filename === undefined ? '' : `; filename="${p.filename}"`
      }${p.type ? `\r\nContent-Type: ${p.type}` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\n${disposition}\r\n\r\n`),
      Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  if (opts.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

let ctx: TestContext;
let member: { id: number; agent: Agent };
let lead: Agent;
let png: Buffer;
let itemId: number;

beforeAll(async () => {
  ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
  const m = await addMember(ctx, {
    regionCode: 'Q37',
    name: 'Upload Member',
    profession: 'nurse',
    organisationId: await organisationIdOf(ctx, 'RA2'),
    jobTitle: 'Lead nurse',
  });
  member = { id: m.id, agent: await signedIn(ctx, m.email) };
  lead = await signedIn(ctx, (await createUser(ctx, [{ role: 'regional-lead', regionCode: 'Q37' }])).email);
  itemId = await seedItem(ctx.db, { ownerUserId: m.id, title: 'Upload case study', regionCode: 'Q37' });
  png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#005eb8' } })
    .png()
    .toBuffer();
});
afterAll(async () => {
  await ctx?.close();
});

const CSV_HEADER = 'email,name,profession,registration_number,employer_ods,job_title,region_code\n';

/**
 * The upload routes, each with the persona allowed to use it, its page, the name of its file field,
 * the form's action as its view writes it, and which cases it may accept. The library keeps a
 * file's name (cleaned: no folders, controls or markup) to show it; the others never use it.
 */
const UPLOADS: {
  form: string;
  action: () => string;
  page: () => string;
  field: string;
  who: () => Agent;
  mayAccept: RegExp | null;
  showsName: boolean;
}[] = [
  {
    form: '/profile/photo',
    action: () => '/profile/photo',
    page: () => '/profile/photo',
    field: 'photo',
    who: () => member.agent,
    mayAccept: /filename|two files|twenty fields|a PNG declared as CSV/,
    showsName: false,
  },
  {
    form: '/members/import',
    action: () => '/members/import',
    page: () => '/members/import',
    field: 'file',
    who: () => lead,
    mayAccept: null,
    showsName: false,
  },
  {
    form: '/knowledge/items/{{ item.id }}/files',
    action: () => `/knowledge/items/${itemId}/files`,
    page: () => `/knowledge/items/${itemId}/files`,
    field: 'file',
    who: () => member.agent,
    // A real PNG under a hostile name is taken, stored under a cleaned name; so is a 3 MB CSV.
    mayAccept: /filename|twenty fields|three megabytes/,
    showsName: true,
  },
];

type Case = {
  label: string;
  build: (field: string, csrf: string) => { payload: Buffer | string; contentType: string };
};

const MB = 1024 * 1024;
const csrfPart = (csrf: string): Part => ({ name: '_csrf', data: csrf });

const CASES: Case[] = [
  // The wrong content type: no multipart parser for it on these routes.
  { label: 'text/plain', build: (f, c) => ({ payload: `${f}=x&_csrf=${c}`, contentType: 'text/plain' }) },
  {
    label: 'urlencoded',
    build: (f, c) => ({
      payload: `${f}=x&_csrf=${encodeURIComponent(c)}`,
      contentType: 'application/x-www-form-urlencoded',
    }),
  },
  {
    label: 'json',
    build: (f, c) => ({ payload: JSON.stringify({ [f]: 'x', _csrf: c }), contentType: 'application/json' }),
  },
  { label: 'raw image/png', build: () => ({ payload: png, contentType: 'image/png' }) },
  {
    label: 'multipart without a boundary',
    build: (f, c) => ({
      ...multipart([csrfPart(c), { name: f, filename: 'a.png', data: png }]),
      contentType: 'multipart/form-data',
    }),
  },
  {
    label: 'multipart with the wrong boundary',
    build: (f, c) => ({
      payload: multipart([csrfPart(c), { name: f, filename: 'a.png', data: png }]).payload,
      contentType: 'multipart/form-data; boundary=not-the-one-used',
    }),
  },
  // Over the size caps: the stream cap (5 MB) and the photo's own (2 MB).
  {
    label: 'six megabytes',
    build: (f, c) =>
      multipart([
        csrfPart(c),
        { name: f, filename: 'big.png', type: 'image/png', data: Buffer.alloc(6 * MB, 1) },
      ]),
  },
  {
    label: 'three megabytes',
    build: (f, c) =>
      multipart([
        csrfPart(c),
        { name: f, filename: 'big.csv', type: 'text/csv', data: Buffer.alloc(3 * MB, 65) },
      ]),
  },
  // A file lying about its type.
  {
    label: 'markup declared as a PNG',
    build: (f, c) =>
      multipart([
        csrfPart(c),
        {
          name: f,
          filename: 'me.png',
          type: 'image/png',
          data: '<svg onload=alert(1)><script>alert(1)</script>',
        },
      ]),
  },
  {
    label: 'a PNG declared as CSV',
    build: (f, c) =>
      multipart([csrfPart(c), { name: f, filename: 'members.csv', type: 'text/csv', data: png }]),
  },
  {
    label: 'NUL and invalid UTF-8 declared as CSV',
    build: (f, c) =>
      multipart([
        csrfPart(c),
        {
          name: f,
          filename: 'members.csv',
          type: 'text/csv',
          data: Buffer.concat([Buffer.from(CSV_HEADER), Buffer.from([0, 0xed, 0xa0, 0x80, 0xff, 10])]),
        },
      ]),
  },
  {
    label: 'a truncated PNG',
    build: (f, c) =>
      multipart([csrfPart(c), { name: f, filename: 'me.png', type: 'image/png', data: png.subarray(0, 40) }]),
  },
  // Filenames that try to escape or to be shown.
  ...[
    '../../../../etc/passwd',
    '..\\..\\windows\\win.ini',
    '%2e%2e%2f%2e%2e%2fx.png',
    '<script>alert(1)</script>.png',
    'nul\u0000.png',
    'rtl\u202egnp.exe',
  ].map((filename): Case => ({
    label: `filename ${JSON.stringify(filename)}`,
    build: (f, c) =>
      multipart([
        csrfPart(c),
        { name: f, filename, type: 'image/png', data: f === 'photo' ? png : 'not,a,csv\n' },
      ]),
  })),
  // Empty and nameless parts, and bodies with nothing in them.
  {
    label: 'an empty file',
    build: (f, c) =>
      multipart([csrfPart(c), { name: f, filename: 'empty.png', type: 'image/png', data: '' }]),
  },
  { label: 'no file part', build: (_f, c) => multipart([csrfPart(c)]) },
  {
    label: 'a nameless part',
    build: (_f, c) => multipart([csrfPart(c), { filename: 'a.png', type: 'image/png', data: png }]),
  },
  {
    label: 'the file as a plain field',
    build: (f, c) => multipart([csrfPart(c), { name: f, data: 'just text' }]),
  },
  { label: 'an empty body', build: () => ({ payload: '', contentType: 'multipart/form-data; boundary=x' }) },
  {
    label: 'only the closing boundary',
    build: () => ({ payload: '--x--\r\n', contentType: 'multipart/form-data; boundary=x' }),
  },
  {
    label: 'a part without headers',
    build: (_f, c) => multipart([csrfPart(c), { raw: '', data: 'orphan' }]),
  },
  {
    label: 'a body cut short',
    build: (f, c) =>
      multipart([csrfPart(c), { name: f, filename: 'a.png', type: 'image/png', data: png }], {
        close: false,
      }),
  },
  // Over the part and file counts.
  {
    label: 'two files',
    build: (f, c) =>
      multipart([
        csrfPart(c),
        { name: f, filename: 'a.png', type: 'image/png', data: png },
        { name: f, filename: 'b.png', type: 'image/png', data: png },
      ]),
  },
  {
    label: 'twenty fields',
    build: (f, c) =>
      multipart([
        csrfPart(c),
        ...Array.from({ length: 20 }, (_, i) => ({ name: `x${i}`, data: 'y' })),
        { name: f, filename: 'a.png', data: png },
      ]),
  },
  // The CSRF token missing, or hostile.
  {
    label: 'no CSRF token',
    build: (f) => multipart([{ name: f, filename: 'a.png', type: 'image/png', data: png }]),
  },
  {
    label: 'a hostile CSRF token',
    build: (f) =>
      multipart([
        { name: '_csrf', data: '<script>alert(1)</script>\u0000' },
        { name: f, filename: 'a.png', type: 'image/png', data: png },
      ]),
  },
];

// eslint-disable-next-line no-control-regex -- a NUL must never reach a page
const UNESCAPED = [/<script>alert\(1\)/, /<svg onload/i, /\u202e/, /\u0000/, /etc\/passwd/, /win\.ini/];

describe('hostile multipart on every upload route', () => {
  it('covers every form that uploads a file', () => {
    const views: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.njk')) views.push(join(dir, e.name));
    };
    walk('src');
    const actions = views.flatMap((v) =>
      [
        ...readFileSync(v, 'utf8').matchAll(/<form[^>]*action="([^"]+)"[^>]*enctype="multipart\/form-data"/g),
      ].map((m) => m[1]!),
    );
    expect(actions.sort()).toEqual(UPLOADS.map((u) => u.form).sort());
  });

  for (const upload of UPLOADS)
    it(`${upload.form}: never 5xx, refusals change nothing, the filename is never used or shown`, async () => {
      const failures: string[] = [];
      const agent = upload.who();
      let accepted = 0;
      const statuses: Record<string, number> = {};
      for (const c of CASES) {
        await agent.get(upload.page());
        const { payload, contentType } = c.build(upload.field, agent.csrfToken);
        const before = await rowCounts(ctx.db);
        const photoBefore = await ctx.db
          .selectFrom('member_photos')
          .select(['user_id', 'content_type'])
          .execute();
        const res = await ctx.app.inject({
          method: 'POST',
          url: upload.action(),
          payload,
          headers: {
            'content-type': contentType,
            accept: 'text/html',
            cookie: (agent as unknown as { cookieHeader(): string }).cookieHeader(),
          },
        });
        const where = `${upload.form} [${c.label}]`;
        const unescaped = upload.showsName
          ? UNESCAPED.filter((re) => !/passwd|win/.test(re.source))
          : UNESCAPED;
        statuses[c.label] = res.statusCode;
        const after = await rowCounts(ctx.db);
        if (res.statusCode >= 500)
          failures.push(`${where}: ${res.statusCode} ${visibleText(res.body).slice(0, 200)}`);
        const leak = internalDetail(res.body);
        if (leak) failures.push(`${where}: internal detail "${leak}"`);
        for (const re of unescaped) if (re.test(res.body)) failures.push(`${where}: shows ${re}`);
        if (res.statusCode >= 400) {
          const changed = changedTables(before, after);
          if (changed.length)
            failures.push(`${where}: refused (${res.statusCode}) but changed ${changed.join(', ')}`);
          const photoAfter = await ctx.db
            .selectFrom('member_photos')
            .select(['user_id', 'content_type'])
            .execute();
          if (JSON.stringify(photoAfter) !== JSON.stringify(photoBefore))
            failures.push(`${where}: refused (${res.statusCode}) but changed a photo`);
          if (
            [400, 413, 422].includes(res.statusCode) &&
            res.body.includes('<html') &&
            !res.body.includes('nhsuk-error-summary')
          )
            failures.push(`${where}: ${res.statusCode} page without the NHS error summary`);
        } else {
          accepted++;
          // Only a real file is accepted: a PNG as the photo, or (dry-run-free) nothing for the import.
          const next = String(res.headers.location ?? '');
          if (next.startsWith('/')) {
            const shown = await agent.get(next);
            if (shown.statusCode >= 500) failures.push(`${where}: ${next} gave ${shown.statusCode}`);
            for (const re of unescaped)
              if (re.test(shown.body)) failures.push(`${where}: ${next} shows ${re}`);
          }
          if (!upload.mayAccept?.test(c.label)) failures.push(`${where}: accepted (${res.statusCode})`);
        }
      }
      if (upload.field === 'photo') {
        // A real photo with a traversal filename is stored from its bytes alone, re-encoded.
        const stored = await ctx.db
          .selectFrom('member_photos')
          .select('content_type')
          .where('user_id', '=', member.id)
          .executeTakeFirst();
        if (accepted) expect(stored?.content_type).toMatch(/^image\/(jpeg|png|webp)$/);
      }
      if (upload.showsName) {
        // Kept names have no folders, controls, bidi overrides or markup, and no leading dot.
        const names = await ctx.db
          .selectFrom('knowledge_files')
          .select('filename')
          .where('item_id', '=', itemId)
          .execute();
        expect(names.length).toBeGreaterThan(0);
        for (const { filename } of names)
          // eslint-disable-next-line no-control-regex -- controls are what is looked for
          if (/[/\\<>\u0000-\u001f\u202e]|^\./.test(filename))
            failures.push(`kept the name ${JSON.stringify(filename)}`);
      }
      expect(failures).toEqual([]);
      console.info(`${upload.form}: ${JSON.stringify(statuses)}`);
      // The fuzz reaches the route's own checks, not only the CSRF check.
      expect(Object.values(statuses).filter((s) => s === 400 || s === 413).length).toBeGreaterThan(10);
      expect(statuses['no CSRF token']).toBe(403);
      if (upload.mayAccept) expect(accepted).toBeGreaterThan(0);
    }, 120_000);
});
