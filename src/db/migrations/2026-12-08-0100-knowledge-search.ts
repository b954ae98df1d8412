import { type Kysely, sql } from 'kysely';
import { readCsv } from './2026-11-27-0002-reference-structure.ts';

// Library search (issue 18): the clinical synonym and acronym groups shipped in
// reference-data/clinical-synonyms.csv, and what typo tolerance needs to keep the words of the
// library counted (each word's lexeme, so that a re-indexed document's removed and added lexemes
// move the counts without keeping a second copy of its text).
export async function up(db: Kysely<any>): Promise<void> {
  const groups = readCsv<{ terms: string }>('clinical-synonyms.csv')
    .map((r) =>
      r.terms
        .split('|')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .filter((terms) => terms.length >= 2);
  for (const terms of groups) {
    await sql`insert into knowledge_synonyms (terms) values (${terms}::text[])`.execute(db);
  }
  await sql`alter table knowledge_words add column lexeme text`.execute(db);
  await sql`create index knowledge_words_lexeme on knowledge_words (lexeme)`.execute(db);
  // Search reads only published items: the partial index keeps drafts and archived items out of
  // the candidates' bitmap.
  await sql`create index knowledge_items_published_search on knowledge_items using gin (search_vector)
    where status = 'published'`.execute(db);
  await sql`create index knowledge_posts_visible_search on knowledge_posts using gin (search_vector)
    where status = 'visible'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists knowledge_posts_visible_search`.execute(db);
  await sql`drop index if exists knowledge_items_published_search`.execute(db);
  await sql`alter table knowledge_words drop column if exists lexeme`.execute(db);
  await sql`delete from knowledge_synonyms`.execute(db);
}
