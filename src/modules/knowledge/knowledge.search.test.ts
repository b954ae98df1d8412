import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import { seedItem, seedTopic } from '../../../test/knowledge-fixtures.ts';
import type { SearchOut } from './knowledge.search.schemas.ts';

let ctx: TestContext;
let memberA: Awaited<ReturnType<typeof createUser>>;
let memberB: Awaited<ReturnType<typeof createUser>>;
let agentA: Agent;
let ids: Record<string, number>;

async function json(agent: Agent, url: string) {
  const res = await agent.get(url, { accept: 'application/json' });
  return { status: res.statusCode, body: res.json() as SearchOut };
}

beforeAll(async () => {
  ctx = await buildTestApp();
  const regions = await ctx.db
    .selectFrom('network_regions')
    .select('code')
    .orderBy('code')
    .limit(2)
    .execute();
  const [A, B] = [regions[0]!.code, regions[1]!.code];
  memberA = await createUser(ctx, [{ role: 'member', regionCode: A }]);
  memberB = await createUser(ctx, [{ role: 'member', regionCode: B }]);
  const topic = await seedTopic(ctx.db, 'Urgent care');
  ids = {
    ed: await seedItem(ctx.db, {
      ownerUserId: memberB.id,
      title: 'A front door team in the emergency department',
      summary: 'Geriatricians see frail older people within an hour of arrival.',
      careSetting: 'acute',
      spreadStage: 'spreading',
      topicIds: [topic],
      regionCode: A,
    }),
    copd: await seedItem(ctx.db, {
      ownerUserId: memberB.id,
      title: 'Pulmonary rehabilitation at home',
      summary: 'Chronic obstructive pulmonary disease patients exercise with a video coach.',
      careSetting: 'community',
      kind: 'innovation',
    }),
    secret: await seedItem(ctx.db, {
      ownerUserId: memberB.id,
      title: 'Emergency department frail pathway Marshwick',
      summary: 'Only region B may read about frail people at Marshwick.',
      visibility: 'region',
      regionCode: B,
      careSetting: 'acute',
    }),
    stale: await seedItem(ctx.db, {
      ownerUserId: memberB.id,
      title: 'Frailty emergency department pathway from last year',
      summary: 'Older guidance for frail patients in the emergency department.',
      kind: 'guidance',
      careSetting: 'acute',
      reviewedOn: '2020-01-01',
      reviewBy: '2021-01-01',
    }),
    hostile: await seedItem(ctx.db, {
      ownerUserId: memberB.id,
      title: 'Sepsis screening <script>alert(1)</script>',
      summary: 'Sepsis <img src=x onerror=alert(2)> screening in the ambulance.',
      careSetting: 'ambulance',
    }),
  };
  const post = await ctx.db
    .insertInto('knowledge_posts')
    .values({
      item_id: ids.copd!,
      kind: 'comment',
      author_user_id: memberA.id,
      body: 'We tried the bronchiectasis clinic too.',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { indexPost } = await import('./index.ts');
  await indexPost(ctx.db, post.id);
  ids.post = post.id;
  agentA = new Agent(ctx.app);
  await agentA.signIn(memberA.email);
});
afterAll(() => ctx.close());

describe('knowledge search', () => {
  it('finds "A&E frailty" in items that say "emergency department" and "frail", and says why', async () => {
    const { status, body } = await json(agentA, '/api/v1/knowledge/search?q=A%26E+frailty');
    expect(status).toBe(200);
    const found = body.results.map((r) => r.itemId);
    expect(found).toContain(ids.ed);
    expect(found).not.toContain(ids.secret);
    const ed = body.results.find((r) => r.itemId === ids.ed)!;
    expect(ed.matchedField).toContain('title');
    expect(ed.highlight).toContain('<mark>');
    expect(ed.synonyms.map((s) => s.typed)).toEqual(expect.arrayContaining(['a&e', 'frailty']));
    expect(ed.synonyms.find((s) => s.typed === 'a&e')!.matched).toContain('emergency department');
    expect(body.results.find((r) => r.itemId === ids.stale)!.stale).toBe(true);
  });

  it('expands COPD and finds discussion posts, linking to the discussion', async () => {
    const copd = await json(agentA, '/api/v1/knowledge/search?q=COPD');
    expect(copd.body.results.map((r) => r.itemId)).toEqual([ids.copd]);
    const post = await json(agentA, '/api/v1/knowledge/search?q=bronchiectasis');
    expect(post.body.results).toHaveLength(1);
    expect(post.body.results[0]!.href).toBe(`/knowledge/items/${ids.copd}/discussion#post-${ids.post}`);
  });

  it('counts facets for the query, combines filters (AND across, OR within) and never counts what the reader may not read', async () => {
    const all = await json(agentA, '/api/v1/knowledge/search?q=emergency+department');
    expect(all.body.total).toBe(2);
    const setting = Object.fromEntries(all.body.facets.setting.map((f) => [f.value, f.count]));
    expect(setting.acute).toBe(2); // not 3: region B's item is neither shown nor counted
    const filtered = await json(
      agentA,
      '/api/v1/knowledge/search?q=emergency+department&kind=guidance&setting=acute',
    );
    expect(filtered.body.results.map((r) => r.itemId)).toEqual([ids.stale]);
    // A facet's own counts leave out its own filter: both kinds are still counted.
    const kinds = Object.fromEntries(filtered.body.facets.kind.map((f) => [f.value, f.count]));
    expect(kinds['case-study']).toBe(1);
    expect(kinds.guidance).toBe(1);
    const either = await json(agentA, '/api/v1/knowledge/search?kind=guidance&kind=innovation');
    expect(either.body.results.map((r) => r.itemId).sort()).toEqual([ids.copd, ids.stale].sort());
    const browse = await json(agentA, '/api/v1/knowledge/search');
    expect(browse.body.results.map((r) => r.itemId)).not.toContain(ids.secret);
    const regionCounts = browse.body.facets.region.map((f) => f.value);
    expect(regionCounts).toHaveLength(1);
    const seenByB = new Agent(ctx.app);
    await seenByB.signIn(memberB.email);
    const b = await json(seenByB, '/api/v1/knowledge/search?q=Marshwick');
    expect(b.body.results.map((r) => r.itemId)).toEqual([ids.secret]);
    const a = await json(agentA, '/api/v1/knowledge/search?q=Marshwick');
    expect(a.body.total).toBe(0);
    expect(JSON.stringify(a.body)).not.toContain('Marshwick</');
  });

  it('corrects a misspelt word, and offers the words as typed', async () => {
    const { body } = await json(agentA, '/api/v1/knowledge/search?q=frialty');
    expect(body.correctedFrom).toBe('frialty');
    expect(body.searchedFor).toBe('frailty');
    expect(body.total).toBeGreaterThan(0);
    const exact = await json(agentA, '/api/v1/knowledge/search?q=frialty&exact=1');
    expect(exact.body.total).toBe(0);
    const page = await agentA.get('/knowledge/search?q=frialty');
    expect(page.body).toContain('Showing results for');
    expect(page.body).toContain('Search instead for frialty');
  });

  it('keeps hostile text inert in highlights', async () => {
    const { body } = await json(agentA, '/api/v1/knowledge/search?q=sepsis');
    const hit = body.results[0]!;
    expect(hit.highlight).not.toContain('<img');
    expect(hit.highlight).toContain('&lt;img');
    const page = await agentA.get('/knowledge/search?q=sepsis');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).not.toContain('<img src=x');
  });

  it('answers hostile queries with a 4xx or an empty result, never a 500', async () => {
    for (const q of [
      'a & | ! :*',
      "'&|!():*<->",
      '!!!',
      'the and of',
      '\u0000sepsis\u0000',
      'a'.repeat(199),
      '<->',
      'x:*A',
    ]) {
      const res = await json(agentA, `/api/v1/knowledge/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBeLessThan(500);
      if (res.status === 200) expect(Array.isArray(res.body.results)).toBe(true);
    }
    expect((await json(agentA, `/api/v1/knowledge/search?q=${'a'.repeat(201)}`)).status).toBe(400);
    expect((await json(agentA, '/api/v1/knowledge/search?kind=bogus')).status).toBe(400);
    expect((await json(agentA, '/api/v1/knowledge/search?region=ZZ9')).status).toBe(400);
    expect((await json(agentA, '/api/v1/knowledge/search?topic=abc')).status).toBe(400);
    expect((await json(agentA, '/api/v1/knowledge/search?from=2026-02-30')).status).toBe(400);
    expect((await json(agentA, '/api/v1/knowledge/search?from=2026-02-01&to=2026-01-01')).status).toBe(400);
    const page = await agentA.get('/knowledge/search?kind=bogus&region=ZZ9');
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('There is a problem');
    const nul = await agentA.get('/knowledge/search?q=%00%00');
    expect(nul.statusCode).toBeLessThan(500);
  });

  it('ranks a stale item (past its review-by date) below an equally matching fresh one', async () => {
    const text = {
      title: 'Quillwort ward round checklist',
      summary: 'A Quillwort checklist for the morning ward round.',
    };
    // The stale one is written first, so the newer-first tie-break cannot be what puts it below.
    const stale = await seedItem(ctx.db, {
      ownerUserId: memberB.id,
      ...text,
      reviewedOn: '2020-01-01',
      reviewBy: '2021-01-01',
    });
    const fresh = await seedItem(ctx.db, {
      ownerUserId: memberB.id,
      ...text,
      reviewedOn: '2026-01-01',
      reviewBy: '2099-01-01',
    });
    await sql`update knowledge_items set published_at = now() - interval '1 day' where id = ${fresh}`.execute(
      ctx.db,
    );
    const { body } = await json(agentA, '/api/v1/knowledge/search?q=quillwort');
    expect(body.results.map((r) => r.itemId)).toEqual([fresh, stale]);
    const [first, second] = body.results;
    expect(first!.stale).toBe(false);
    expect(second!.stale).toBe(true);
    expect(second!.rank).toBeCloseTo(first!.rank / 2, 5);
  });

  it('keeps the words of the library counted for typo tolerance', async () => {
    const rows = await sql<{ word: string; documents: number }>`select word, documents from knowledge_words
      where word in ('frail', 'bronchiectasis')`.execute(ctx.db);
    const counts = Object.fromEntries(rows.rows.map((r) => [r.word, r.documents]));
    expect(counts.frail).toBeGreaterThanOrEqual(3);
    expect(counts.bronchiectasis).toBe(1);
  });
});
