import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, buildTestApp, type TestContext, signedInAgent, visibleText } from '../../../test/app.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';

let ctx: TestContext;
let owner: { agent: Agent; user: { id: number } };
let reader: Agent;
let png: Buffer;

/** A multipart form with the CSRF token of the agent's last page and one file. */
export async function uploadAs(
  agent: Agent,
  itemId: number,
  file: { filename: string; type?: string; data: Buffer | string },
) {
  await agent.get(`/knowledge/items/${itemId}/files`);
  const boundary = `----clntest${Math.random().toString(36).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${agent.csrfToken}\r\n`,
    ),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\n` +
        `Content-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
    ),
    Buffer.from(file.data),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return ctx.app.inject({
    method: 'POST',
    url: `/knowledge/items/${itemId}/files`,
    payload,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      accept: 'text/html',
      cookie: (agent as unknown as { cookieHeader(): string }).cookieHeader(),
    },
  });
}

const fileCount = async (itemId: number) =>
  (await ctx.db.selectFrom('knowledge_files').select('id').where('item_id', '=', itemId).execute()).length;

beforeAll(async () => {
  ctx = await buildTestApp({ FILE_MAX_MB: '1', RATE_LIMIT_PER_MINUTE: '100000' });
  owner = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q35' }]);
  reader = (await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q34' }])).agent;
  png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#005eb8' } })
    .png()
    .toBuffer();
});
afterAll(async () => {
  await ctx?.close();
});

describe('files on library items', () => {
  it('uploads a real file, records its checksum, and serves it as a download nothing runs', async () => {
    const itemId = await seedItem(ctx.db, { ownerUserId: owner.user.id, visibility: 'network' });
    const res = await uploadAs(owner.agent, itemId, {
      filename: '../../etc/Team chart.png',
      type: 'image/png',
      data: png,
    });
    expect(res.statusCode).toBe(303);
    const row = await ctx.db
      .selectFrom('knowledge_files')
      .selectAll()
      .where('item_id', '=', itemId)
      .executeTakeFirstOrThrow();
    expect(row.filename).toBe('Team chart.png');
    expect(row.media_type).toBe('image/png');
    expect(row.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    expect(row.storage_key).toMatch(/^[a-f0-9]{32}$/);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'knowledge.file.upload')
      .execute();
    expect(audit.length).toBeGreaterThan(0);

    const list = await reader.get(`/knowledge/items/${itemId}/files`);
    expect(list.statusCode).toBe(200);
    expect(visibleText(list.body)).toContain('Team chart.png');
    expect(list.body).not.toContain('Upload the file');

    const dl = await reader.get(`/knowledge/files/${row.id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(png)).toBe(true);
    expect(dl.headers['content-type']).toBe('image/png');
    expect(dl.headers['content-disposition']).toBe(
      `attachment; filename="Team chart.png"; filename*=UTF-8''Team%20chart.png`,
    );
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(String(dl.headers['cache-control'])).toMatch(/^private/);
  });

  it('refuses a PNG renamed .pdf, saying what it really is, and stores nothing', async () => {
    const itemId = await seedItem(ctx.db, { ownerUserId: owner.user.id });
    const res = await uploadAs(owner.agent, itemId, {
      filename: 'report.pdf',
      type: 'application/pdf',
      data: png,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('nhsuk-error-summary');
    expect(visibleText(res.body)).toContain(
      'The file’s name says it is a PDF document but it is really a PNG image',
    );
    expect(await fileCount(itemId)).toBe(0);
  });

  it('refuses HTML declared as plain text, and takes real text and CSV', async () => {
    const itemId = await seedItem(ctx.db, { ownerUserId: owner.user.id });
    const html = await uploadAs(owner.agent, itemId, {
      filename: 'notes.txt',
      type: 'text/plain',
      data: 'Hello\n<script>alert(1)</script>\n',
    });
    expect(html.statusCode).toBe(400);
    expect(visibleText(html.body)).toContain('web page');
    expect(html.body).not.toContain('<script>alert(1)');
    const nul = await uploadAs(owner.agent, itemId, {
      filename: 'a.csv',
      type: 'text/csv',
      data: Buffer.from([65, 0, 66]),
    });
    expect(nul.statusCode).toBe(400);
    const csv = await uploadAs(owner.agent, itemId, {
      filename: 'waits.csv',
      type: 'text/csv',
      data: 'week,waits\n1,<5\n',
    });
    expect(csv.statusCode).toBe(303);
    const row = await ctx.db
      .selectFrom('knowledge_files')
      .selectAll()
      .where('item_id', '=', itemId)
      .executeTakeFirstOrThrow();
    expect(row.media_type).toBe('text/csv; charset=utf-8');
  });

  it('refuses an oversize upload with a 413 field error and nothing stored', async () => {
    const itemId = await seedItem(ctx.db, { ownerUserId: owner.user.id });
    const big = Buffer.concat([png, Buffer.alloc(1024 * 1024 + 10, 1)]);
    const res = await uploadAs(owner.agent, itemId, { filename: 'big.png', type: 'image/png', data: big });
    expect(res.statusCode).toBe(413);
    expect(visibleText(res.body)).toContain('The file must be smaller than 1 MB');
    expect(await fileCount(itemId)).toBe(0);
  });

  it('keeps files to the item’s readers and its management to its owner', async () => {
    const itemId = await seedItem(ctx.db, {
      ownerUserId: owner.user.id,
      visibility: 'region',
      regionCode: 'Q35',
    });
    expect((await uploadAs(owner.agent, itemId, { filename: 'a.png', data: png })).statusCode).toBe(303);
    const file = await ctx.db
      .selectFrom('knowledge_files')
      .select('id')
      .where('item_id', '=', itemId)
      .executeTakeFirstOrThrow();
    expect((await reader.get(`/knowledge/files/${file.id}`)).statusCode).toBe(404);
    expect((await reader.get(`/knowledge/items/${itemId}/files`)).statusCode).toBe(404);
    expect((await uploadAs(reader, itemId, { filename: 'b.png', data: png })).statusCode).toBe(404);
    const network = await seedItem(ctx.db, { ownerUserId: owner.user.id });
    expect((await uploadAs(reader, network, { filename: 'b.png', data: png })).statusCode).toBe(403);

    await owner.agent.get(`/knowledge/items/${itemId}/files`);
    const removed = await owner.agent.post(`/knowledge/files/${file.id}/remove`);
    expect(removed.statusCode).toBe(303);
    expect(await fileCount(itemId)).toBe(0);
    expect((await owner.agent.get(`/knowledge/files/${file.id}`)).statusCode).toBe(404);
  });
});
