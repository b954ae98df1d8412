import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import { forgetWordsOf } from './knowledge.search-index.ts';

// The SQL of the knowledge module's data-rights contributor: rows about one person only.

export function listItemsOwnedBy(x: Executor, userId: number) {
  return x
    .selectFrom('knowledge_items')
    .select([
      'id',
      'kind',
      'status',
      'visibility',
      'title',
      'summary',
      'body',
      'resource_url',
      'problem',
      'baseline',
      'aim',
      'results',
      'cost',
      'reviewed_on',
      'review_by',
      'published_at',
      'created_at',
      'updated_at',
    ])
    .where('owner_user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function listItemsWithContact(x: Executor, userId: number) {
  return x
    .selectFrom('knowledge_items')
    .select(['id', 'title', 'status'])
    .where('contact_user_id', '=', userId)
    .where((eb) => eb.or([eb('owner_user_id', 'is', null), eb('owner_user_id', '<>', userId)]))
    .orderBy('id')
    .execute();
}

export function listPostsBy(x: Executor, userId: number) {
  return x
    .selectFrom('knowledge_posts as p')
    .innerJoin('knowledge_items as i', 'i.id', 'p.item_id')
    .select([
      'p.id',
      'p.item_id',
      'i.title as item_title',
      'p.kind',
      'p.body',
      'p.status',
      'p.created_at',
      'p.edited_at',
    ])
    .where('p.author_user_id', '=', userId)
    .orderBy('p.created_at')
    .orderBy('p.id')
    .execute();
}

export function listReportsBy(x: Executor, userId: number) {
  return x
    .selectFrom('knowledge_post_reports')
    .select(['id', 'post_id', 'reason', 'created_at', 'resolved_at', 'resolution'])
    .where('reporter_user_id', '=', userId)
    .orderBy('id')
    .execute();
}

export function listAdoptionsRecordedBy(x: Executor, userId: number) {
  return x
    .selectFrom('knowledge_adoptions as a')
    .innerJoin('knowledge_items as i', 'i.id', 'a.item_id')
    .innerJoin('organisations as o', 'o.id', 'a.organisation_id')
    .select([
      'a.id',
      'i.title as item_title',
      'o.name as organisation',
      'a.status',
      'a.adopted_on',
      'a.notes',
      'a.created_at',
    ])
    .where('a.recorded_by', '=', userId)
    .orderBy('a.id')
    .execute();
}

export function listFollowsOf(x: Executor, userId: number) {
  return x
    .selectFrom('knowledge_follows as f')
    .innerJoin('knowledge_items as i', 'i.id', 'f.item_id')
    .select(['f.item_id', 'i.title', 'f.created_at'])
    .where('f.user_id', '=', userId)
    .orderBy('f.created_at')
    .execute();
}

export function listFilesUploadedBy(x: Executor, userId: number) {
  return x
    .selectFrom('knowledge_files as f')
    .innerJoin('knowledge_items as i', 'i.id', 'f.item_id')
    .select([
      'f.id',
      'f.item_id',
      'i.title as item_title',
      'f.filename',
      'f.media_type',
      'f.size_bytes',
      'f.uploaded_at',
    ])
    .where('f.uploaded_by', '=', userId)
    .orderBy('f.id')
    .execute();
}

const REMOVED_POST = 'This post was removed at its author’s request.';

/**
 * Erases the person's rows; returns the stored files of the items it deleted (their rows go with
 * the items), for the caller to delete from the file store once the erasure has committed.
 */
export async function erase(x: Executor, userId: number, names: string[]) {
  // The words only their documents held leave the typo-tolerance word list with them.
  await forgetWordsOf(x, userId);
  const files = await x
    .selectFrom('knowledge_files as f')
    .innerJoin('knowledge_items as i', 'i.id', 'f.item_id')
    .select(['f.storage', 'f.storage_key'])
    .where('i.owner_user_id', '=', userId)
    .orderBy('f.id')
    .execute();
  // Their own items go, with their versions, cycles, measures, files, discussion and links: the
  // text is theirs. Items they are only the contact for lose the contact (the owner names another).
  await x.deleteFrom('knowledge_items').where('owner_user_id', '=', userId).execute();
  await x
    .updateTable('knowledge_items')
    .set({ contact_user_id: null })
    .where('contact_user_id', '=', userId)
    .execute();
  // Their posts on other people's items keep their place in the thread (replies hang off them) but
  // lose their words and their author.
  await x
    .updateTable('knowledge_posts')
    .set({
      body: REMOVED_POST,
      author_user_id: null,
      search_vector: sql`''::tsvector` as never,
      edited_at: null,
    })
    .where('author_user_id', '=', userId)
    .execute();
  await x.deleteFrom('knowledge_post_reports').where('reporter_user_id', '=', userId).execute();
  await x.deleteFrom('knowledge_post_mentions').where('user_id', '=', userId).execute();
  await x.deleteFrom('knowledge_follows').where('user_id', '=', userId).execute();
  // Adoptions stay the organisation's record; the notes were the person's words.
  await x
    .updateTable('knowledge_adoptions')
    .set({ notes: null, recorded_by: null })
    .where('recorded_by', '=', userId)
    .execute();
  // What they did as staff (moderation, versions of others' items, links, synonyms) keeps no name.
  await x
    .updateTable('knowledge_posts')
    .set({ hidden_by: null, hidden_reason: 'Hidden by a moderator' })
    .where('hidden_by', '=', userId)
    .execute();
  await x
    .updateTable('knowledge_post_reports')
    .set({ resolved_by: null })
    .where('resolved_by', '=', userId)
    .execute();
  await x
    .updateTable('knowledge_item_versions')
    .set({ changed_by: null })
    .where('changed_by', '=', userId)
    .execute();
  await x
    .updateTable('knowledge_files')
    .set({ uploaded_by: null })
    .where('uploaded_by', '=', userId)
    .execute();
  await x
    .updateTable('knowledge_share_links')
    .set({ created_by: null })
    .where('created_by', '=', userId)
    .execute();
  await x
    .updateTable('knowledge_share_links')
    .set({ revoked_by: null })
    .where('revoked_by', '=', userId)
    .execute();
  await x
    .updateTable('knowledge_synonyms')
    .set({ updated_by: null })
    .where('updated_by', '=', userId)
    .execute();
  // The library's word list (for typo tolerance) must not keep their name as a word.
  if (names.length > 0) {
    await sql`delete from knowledge_words
      where word in (select unnest(tsvector_to_array(to_tsvector('english', ${names.join(' ')}))))
         or word in (select lower(unnest(regexp_split_to_array(${names.join(' ')}, '\\s+'))))`.execute(x);
  }
  return files;
}
