import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import { tablesText } from '../../../test/db.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';
import { DATA_RIGHTS_CONTRIBUTORS } from '../../data-rights.ts';
import { describeSubject } from '../../platform/data-rights.ts';
import { knowledgeDataRights } from './index.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const TABLES = [
  'knowledge_items',
  'knowledge_item_versions',
  'knowledge_pdsa_cycles',
  'knowledge_adoptions',
  'knowledge_measures',
  'knowledge_measure_values',
  'knowledge_files',
  'knowledge_posts',
  'knowledge_post_reports',
  'knowledge_post_mentions',
  'knowledge_follows',
  'knowledge_share_links',
  'knowledge_words',
] as const;

const moduleText = () => tablesText(ctx.db, TABLES);

async function post(itemId: number, authorId: number, body: string, parentId: number | null = null) {
  const row = await ctx.db
    .insertInto('knowledge_posts')
    .values({
      item_id: itemId,
      parent_id: parentId,
      kind: parentId ? 'reply' : 'question',
      author_user_id: authorId,
      body,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`update knowledge_posts set search_vector = to_tsvector('english', body) where id = ${row.id}`.execute(
    ctx.db,
  );
  return row.id;
}

describe('knowledge data rights', () => {
  it('exports what the library holds about the person and erases it, keeping other people’s threads whole', async () => {
    const subject = await createUser(ctx, [{ role: 'member', regionCode: 'Q35' }], { name: 'Zara Quenby' });
    const other = await createUser(ctx, [{ role: 'member', regionCode: 'Q35' }], { name: 'Otto Bystander' });
    const org = await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'trust')
      .executeTakeFirstOrThrow();

    const own = await seedItem(ctx.db, {
      ownerUserId: subject.id,
      title: 'Zq-own frailty pathway',
      body: 'Written by Zara Quenby about Quenbyshire',
      problem: 'Zq-problem long waits',
    });
    await ctx.db
      .insertInto('knowledge_pdsa_cycles')
      .values({
        item_id: own,
        position: 1,
        plan: 'Zq-plan a frailty huddle',
        prediction: null,
        happened: null,
        decision: 'adopt',
        started_on: null,
      })
      .execute();
    const theirs = await seedItem(ctx.db, {
      ownerUserId: other.id,
      title: 'Otto’s ward round',
      contactUserId: subject.id,
    });
    const question = await post(theirs, other.id, 'How did you staff the huddle?');
    const reply = await post(theirs, subject.id, 'Zq-reply we used two nurses', question);
    await post(theirs, other.id, 'Thanks, that helps', question);
    await ctx.db
      .insertInto('knowledge_post_reports')
      .values({ post_id: question, reporter_user_id: subject.id, reason: 'Zq-report reason' })
      .execute();
    await ctx.db.insertInto('knowledge_follows').values({ item_id: theirs, user_id: subject.id }).execute();
    await ctx.db
      .insertInto('knowledge_adoptions')
      .values({
        item_id: theirs,
        organisation_id: org.id,
        adopted_on: '2026-10-01',
        notes: 'Zq-adoption notes',
        recorded_by: subject.id,
      })
      .execute();
    await ctx.db
      .insertInto('knowledge_words')
      .values(['quenbi', 'quenby', 'huddl'].map((word) => ({ word, lexeme: word, documents: 1 })))
      .onConflict((oc) => oc.doNothing())
      .execute();

    const who = await describeSubject(ctx.db, DATA_RIGHTS_CONTRIBUTORS, subject.id);
    const sections = await knowledgeDataRights.exportFor(ctx.db, who);
    const byKey = Object.fromEntries(sections.map((s) => [s.key, s.records]));
    expect(byKey.knowledgeItems).toHaveLength(1);
    expect(byKey.knowledgeItems![0]).toMatchObject({
      itemId: own,
      title: 'Zq-own frailty pathway',
      problem: 'Zq-problem long waits',
    });
    expect(byKey.knowledgeContactFor).toEqual([
      { itemId: theirs, title: 'Otto’s ward round', status: 'published' },
    ]);
    expect(byKey.knowledgePosts).toEqual([
      expect.objectContaining({ postId: reply, body: 'Zq-reply we used two nurses' }),
    ]);
    expect(byKey.knowledgeReports).toEqual([expect.objectContaining({ reason: 'Zq-report reason' })]);
    expect(byKey.knowledgeAdoptions).toEqual([expect.objectContaining({ notes: 'Zq-adoption notes' })]);
    expect(byKey.knowledgeFollows).toEqual([expect.objectContaining({ itemId: theirs })]);
    expect(who.entities).toContainEqual({ type: 'knowledge_item', id: String(own) });
    // Nothing of the other person's own words is in the subject's download.
    expect(JSON.stringify(sections)).not.toContain('How did you staff');

    await ctx.db.transaction().execute((trx) => knowledgeDataRights.erase(trx, who));

    const text = await moduleText();
    for (const trace of ['Zq-', 'Zara', 'Quenby', 'quenbi', 'quenby']) expect(text).not.toContain(trace);
    // The other person's item and thread stay whole, with the reply's place kept.
    const thread = await ctx.db
      .selectFrom('knowledge_posts')
      .select(['id', 'body', 'author_user_id'])
      .where('item_id', '=', theirs)
      .orderBy('id')
      .execute();
    expect(thread.map((p) => p.body)).toEqual([
      'How did you staff the huddle?',
      'This post was removed at its author’s request.',
      'Thanks, that helps',
    ]);
    expect(thread[1]!.author_user_id).toBeNull();
    const kept = await ctx.db
      .selectFrom('knowledge_items')
      .select(['id', 'contact_user_id'])
      .where('id', '=', theirs)
      .executeTakeFirstOrThrow();
    expect(kept.contact_user_id).toBeNull();
    expect(
      await ctx.db.selectFrom('knowledge_items').select('id').where('id', '=', own).executeTakeFirst(),
    ).toBeUndefined();
    const adoption = await ctx.db
      .selectFrom('knowledge_adoptions')
      .select(['notes', 'recorded_by'])
      .where('item_id', '=', theirs)
      .executeTakeFirstOrThrow();
    expect(adoption).toEqual({ notes: null, recorded_by: null });
    expect(
      await ctx.db
        .selectFrom('knowledge_words')
        .select('word')
        .where('word', '=', 'huddl')
        .executeTakeFirst(),
    ).toBeDefined();
  });
});
