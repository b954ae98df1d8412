import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, type TestContext, signedInAgent, visibleText } from '../../../test/app.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';

let ctx: TestContext;
let owner: { agent: Agent; user: { id: number } };

beforeAll(async () => {
  ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  owner = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q35' }]);
});
afterAll(async () => {
  await ctx?.close();
});

async function makeLink(itemId: number) {
  await owner.agent.get(`/knowledge/items/${itemId}/share-links`);
  const res = await owner.agent.post(`/knowledge/items/${itemId}/share-links`);
  const url = /value="(http:\/\/cln\.test\/knowledge\/shared\/[A-Za-z0-9_-]{43})"/.exec(res.body)?.[1];
  return { res, path: url ? new URL(url).pathname : null };
}

describe('share links', () => {
  it('opens a public item signed out, with its files, until the link is withdrawn', async () => {
    const itemId = await seedItem(ctx.db, {
      ownerUserId: owner.user.id,
      visibility: 'public',
      title: 'Discharge before noon',
      body: 'Read **this** <script>alert(1)</script> [x](javascript:alert(1))',
      problem: 'Late discharges',
    });
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    await ctx.db
      .insertInto('knowledge_files')
      .values({
        item_id: itemId,
        storage: 'disk',
        storage_key: 'f'.repeat(32),
        filename: 'chart.png',
        media_type: 'image/png',
        size_bytes: png.length,
        sha256: 'x',
        uploaded_by: owner.user.id,
      })
      .execute();
    const { res, path } = await makeLink(itemId);
    expect(res.statusCode).toBe(201);
    expect(path).not.toBeNull();
    const stored = await ctx.db
      .selectFrom('knowledge_share_links')
      .select('token_hash')
      .where('item_id', '=', itemId)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toMatch(/^[a-f0-9]{64}$/);
    expect(path).not.toContain(stored[0]!.token_hash);

    const stranger = new Agent(ctx.app);
    const page = await stranger.get(path!);
    expect(page.statusCode).toBe(200);
    const text = visibleText(page.body);
    expect(text).toContain('Discharge before noon');
    expect(text).toContain('Late discharges');
    expect(page.body).toContain('<strong>this</strong>');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).not.toMatch(/href="javascript/i);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain(`${path}/files/`);

    // Withdrawn: a 404 with a clear message, for the page and its files.
    const link = await ctx.db
      .selectFrom('knowledge_share_links')
      .select('id')
      .where('item_id', '=', itemId)
      .executeTakeFirstOrThrow();
    await owner.agent.get(`/knowledge/items/${itemId}/share-links`);
    expect(
      (await owner.agent.post(`/knowledge/items/${itemId}/share-links/${link.id}/revoke`)).statusCode,
    ).toBe(303);
    const gone = await stranger.get(path!);
    expect(gone.statusCode).toBe(404);
    expect(visibleText(gone.body)).toContain('This share link does not work');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'in', ['knowledge.share.create', 'knowledge.share.revoke'])
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['knowledge.share.create', 'knowledge.share.revoke']);
  });

  it('cannot be made for an item that is not public, and stops when an item stops being public', async () => {
    const networkItem = await seedItem(ctx.db, { ownerUserId: owner.user.id, visibility: 'network' });
    const refused = await makeLink(networkItem);
    expect(refused.res.statusCode).toBe(409);
    expect(visibleText(refused.res.body)).toContain('Only a published item that is visible to the public');
    expect(
      await ctx.db
        .selectFrom('knowledge_share_links')
        .select('id')
        .where('item_id', '=', networkItem)
        .execute(),
    ).toHaveLength(0);

    const publicItem = await seedItem(ctx.db, { ownerUserId: owner.user.id, visibility: 'public' });
    const { path } = await makeLink(publicItem);
    const stranger = new Agent(ctx.app);
    expect((await stranger.get(path!)).statusCode).toBe(200);
    await ctx.db
      .updateTable('knowledge_items')
      .set({ status: 'archived' })
      .where('id', '=', publicItem)
      .execute();
    expect((await stranger.get(path!)).statusCode).toBe(404);
    expect((await stranger.get('/knowledge/shared/not-a-token')).statusCode).toBe(404);
    expect((await stranger.get(`/knowledge/shared/${'a'.repeat(43)}`)).statusCode).toBe(404);
  });

  it('is managed by the owner only, in the JSON API too', async () => {
    const itemId = await seedItem(ctx.db, { ownerUserId: owner.user.id, visibility: 'public' });
    const other = (await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q35' }])).agent;
    expect((await other.get(`/knowledge/items/${itemId}/share-links`)).statusCode).toBe(403);
    const made = await owner.agent.api('POST', `/api/v1/knowledge/items/${itemId}/share-links`, {});
    expect(made.statusCode).toBe(201);
    const { id, url } = made.json() as { id: number; url: string };
    expect(url).toMatch(/\/knowledge\/shared\/[A-Za-z0-9_-]{43}$/);
    const list = await owner.agent.api('GET', `/api/v1/knowledge/items/${itemId}/share-links`);
    expect(list.body).not.toContain(url.split('/').pop()!);
    expect(
      (await owner.agent.api('DELETE', `/api/v1/knowledge/items/${itemId}/share-links/${id}`)).statusCode,
    ).toBe(204);
    expect(
      (await owner.agent.api('DELETE', `/api/v1/knowledge/items/${itemId}/share-links/${id}`)).statusCode,
    ).toBe(409);
  });
});
