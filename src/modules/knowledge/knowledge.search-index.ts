import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import { markdownText } from '../../platform/markdown.ts';

// What search reads of an item, kept up to date by every part that changes the item's words: the
// title weighs most, then the summary, then the case study's structured fields and its PDSA cycles,
// then the body. The items service calls this after each save; the discussion calls indexPost after
// each post is written, edited, hidden or restored. Both also keep the library's words counted
// (knowledge_words), which typo tolerance corrects a query word to.

/**
 * The search vector of the item `i` (a `knowledge_items` row under that alias) from its row and its
 * PDSA cycles: what indexItem stores, and what a bulk load (bench:data) stores for many items in one
 * statement.
 */
export const ITEM_SEARCH_VECTOR = sql<string>`(setweight(to_tsvector('english', i.title), 'A') ||
      setweight(to_tsvector('english', i.summary), 'B') ||
      setweight(to_tsvector('english', concat_ws(' ', i.problem, i.baseline, i.aim, i.results, i.cost,
        (select string_agg(concat_ws(' ', c.plan, c.prediction, c.happened), ' ')
           from knowledge_pdsa_cycles c where c.item_id = i.id))), 'C') ||
      setweight(to_tsvector('english', coalesce(i.body, '')), 'D'))`;

/** Rebuilds the item's search vector from its row and its PDSA cycles, and the words it holds. */
export async function indexItem(x: Executor, itemId: number): Promise<void> {
  const before = await sql<{ lexemes: string[] }>`select tsvector_to_array(search_vector) as lexemes
    from knowledge_items where id = ${itemId}`.execute(x);
  if (!before.rows[0]) return;
  const after = await sql<{ lexemes: string[]; text: string }>`update knowledge_items i set search_vector =
      ${ITEM_SEARCH_VECTOR}
    where i.id = ${itemId}
    returning tsvector_to_array(i.search_vector) as lexemes,
      concat_ws(' ', i.title, i.summary, i.problem, i.baseline, i.aim, i.results, i.cost, i.body,
        (select string_agg(concat_ws(' ', c.plan, c.prediction, c.happened), ' ')
           from knowledge_pdsa_cycles c where c.item_id = i.id)) as text`.execute(x);
  const row = after.rows[0]!;
  await countWords(x, row.text, before.rows[0].lexemes, row.lexemes);
}

/**
 * Rebuilds a discussion post's search vector from its text (Markdown read as plain text; empty
 * while the post is hidden, so a hidden post is never found) and the words it holds. Call it in
 * the transaction that writes, edits, hides or restores the post.
 */
export async function indexPost(x: Executor, postId: number): Promise<void> {
  await writePostVector(x, postId, false);
}

/**
 * Empties a post's search vector and takes its words out of the counts: call it for a post (and
 * each of its replies) in the transaction that deletes it.
 */
export async function unindexPost(x: Executor, postId: number): Promise<void> {
  await writePostVector(x, postId, true);
}

async function writePostVector(x: Executor, postId: number, empty: boolean): Promise<void> {
  const before = await sql<{ lexemes: string[]; body: string; status: string }>`select
      tsvector_to_array(search_vector) as lexemes, body, status from knowledge_posts where id = ${postId}`.execute(
    x,
  );
  const post = before.rows[0];
  if (!post) return;
  const text = !empty && post.status === 'visible' ? markdownText(post.body) : '';
  const after = await sql<{ lexemes: string[] }>`update knowledge_posts
    set search_vector = to_tsvector('english', ${text}) where id = ${postId}
    returning tsvector_to_array(search_vector) as lexemes`.execute(x);
  await countWords(x, text, post.lexemes, after.rows[0]!.lexemes);
}

/**
 * Takes out of the word counts the documents a person's erasure removes or empties: their own
 * items, the posts on those items and their posts elsewhere. Call it before they go, in the
 * erasure's transaction; a word no document holds any more is forgotten.
 */
export async function forgetWordsOf(x: Executor, userId: number): Promise<void> {
  await sql`with docs as (
      select tsvector_to_array(search_vector) as lexemes from knowledge_items where owner_user_id = ${userId}
      union all
      select tsvector_to_array(p.search_vector) from knowledge_posts p
      where p.author_user_id = ${userId}
         or p.item_id in (select id from knowledge_items where owner_user_id = ${userId})
    ), counts as (
      select l as lexeme, count(*)::int as n from docs, unnest(docs.lexemes) l group by l
    )
    update knowledge_words w set documents = w.documents - c.n from counts c where w.lexeme = c.lexeme`.execute(
    x,
  );
  await sql`delete from knowledge_words where documents <= 0`.execute(x);
}

/**
 * Keeps knowledge_words: every word of the text is known (with its lexeme); a word's count of
 * documents moves with the lexemes the document gained or lost, so re-indexing an unchanged
 * document changes nothing.
 */
async function countWords(x: Executor, text: string, before: string[], after: string[]): Promise<void> {
  const old = new Set(before);
  const now = new Set(after);
  const added = after.filter((l) => !old.has(l));
  const removed = before.filter((l) => !now.has(l));
  if (text.trim()) {
    await sql`insert into knowledge_words (word, lexeme, documents)
      select w.word, w.lexeme, 0 from (
        select word, (tsvector_to_array(to_tsvector('english', word)))[1] as lexeme
        from (select distinct t as word from regexp_split_to_table(lower(${text}), '[^[:alpha:]]+') t
              where char_length(t) between 3 and 30) s
      ) w where w.lexeme is not null
      on conflict (word) do nothing`.execute(x);
  }
  if (added.length)
    await sql`update knowledge_words set documents = documents + 1
      where lexeme = any(${added}::text[])`.execute(x);
  if (removed.length) {
    await sql`update knowledge_words set documents = documents - 1
      where lexeme = any(${removed}::text[])`.execute(x);
    await sql`delete from knowledge_words where documents <= 0 and lexeme = any(${removed}::text[])`.execute(
      x,
    );
  }
}
