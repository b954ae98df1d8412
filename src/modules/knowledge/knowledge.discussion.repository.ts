import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { PostKind } from './knowledge.table.ts';

// The SQL of discussion: posts and their replies, mentions and reports. Follows are in
// knowledge.follows.repository.ts, the moderation queue in knowledge.moderation.repository.ts.

const postColumns = [
  'p.id',
  'p.item_id',
  'p.parent_id',
  'p.kind',
  'p.author_user_id',
  'p.body',
  'p.accepted_reply_id',
  'p.status',
  'p.hidden_reason',
  'p.created_at',
  'p.edited_at',
  'u.name as author_name',
] as const;

export async function listTopLevelPosts(
  x: Executor,
  itemId: number,
  page: { limit: number; offset: number },
) {
  const [rows, total] = await Promise.all([
    x
      .selectFrom('knowledge_posts as p')
      .leftJoin('users as u', 'u.id', 'p.author_user_id')
      .select(postColumns)
      .where('p.item_id', '=', itemId)
      .where('p.parent_id', 'is', null)
      .orderBy('p.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    x
      .selectFrom('knowledge_posts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('item_id', '=', itemId)
      .where('parent_id', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** The replies to these posts, oldest first (the page shows the accepted answer first itself). */
export async function listReplies(x: Executor, itemId: number, parentIds: number[]) {
  if (!parentIds.length) return [];
  return x
    .selectFrom('knowledge_posts as p')
    .leftJoin('users as u', 'u.id', 'p.author_user_id')
    .select(postColumns)
    .where('p.item_id', '=', itemId)
    .where('p.parent_id', 'in', parentIds)
    .orderBy('p.id')
    .limit(5_000)
    .execute();
}

export async function listMentions(x: Executor, postIds: number[]) {
  if (!postIds.length) return [];
  return x
    .selectFrom('knowledge_post_mentions as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.post_id', 'm.user_id', 'u.name'])
    .where('m.post_id', 'in', postIds)
    .orderBy('u.name')
    .execute();
}

export function findPost(x: Executor, id: number) {
  return x
    .selectFrom('knowledge_posts as p')
    .leftJoin('users as u', 'u.id', 'p.author_user_id')
    .select(postColumns)
    .where('p.id', '=', id)
    .executeTakeFirst();
}

/** The post, locked for a change (reports, edits, moderation of one post happen one at a time). */
export async function lockPost(x: Executor, id: number) {
  const locked = await x
    .selectFrom('knowledge_posts')
    .select('id')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return locked ? findPost(x, id) : undefined;
}

export async function insertPost(
  x: Executor,
  v: {
    itemId: number;
    parentId: number | null;
    kind: PostKind;
    authorUserId: number;
    body: string;
  },
): Promise<number> {
  const row = await x
    .insertInto('knowledge_posts')
    .values({
      item_id: v.itemId,
      parent_id: v.parentId,
      kind: v.kind,
      author_user_id: v.authorUserId,
      body: v.body,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The post's new words (the caller re-indexes it for search in the same transaction). */
export async function updatePostBody(x: Executor, id: number, body: string): Promise<void> {
  await x
    .updateTable('knowledge_posts')
    .set({ body, edited_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** The post and its replies (which go with it when it is deleted). */
export async function listPostAndReplyIds(x: Executor, id: number): Promise<number[]> {
  const rows = await x
    .selectFrom('knowledge_posts')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', id), eb('parent_id', '=', id)]))
    .execute();
  return rows.map((r) => r.id);
}

export async function deletePost(x: Executor, id: number): Promise<void> {
  await x.deleteFrom('knowledge_posts').where('id', '=', id).execute();
}

/** How many replies others have written to the post (the author's own go with it). */
export async function countRepliesByOthers(x: Executor, postId: number, authorUserId: number) {
  const row = await x
    .selectFrom('knowledge_posts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('parent_id', '=', postId)
    .where((eb) => eb.or([eb('author_user_id', 'is', null), eb('author_user_id', '<>', authorUserId)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countPostsOnItem(x: Executor, itemId: number): Promise<number> {
  const row = await x
    .selectFrom('knowledge_posts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('item_id', '=', itemId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setAcceptedReply(x: Executor, questionId: number, replyId: number | null) {
  await x
    .updateTable('knowledge_posts')
    .set({ accepted_reply_id: replyId })
    .where('id', '=', questionId)
    .execute();
}

/** Sets the post's mentions to these people; returns those who were not mentioned before. */
export async function replaceMentions(x: Executor, postId: number, userIds: number[]): Promise<number[]> {
  const before = await x
    .selectFrom('knowledge_post_mentions')
    .select('user_id')
    .where('post_id', '=', postId)
    .execute();
  const had = new Set(before.map((r) => r.user_id));
  const keep = new Set(userIds);
  const gone = [...had].filter((id) => !keep.has(id));
  if (gone.length)
    await x
      .deleteFrom('knowledge_post_mentions')
      .where('post_id', '=', postId)
      .where('user_id', 'in', gone)
      .execute();
  const added = userIds.filter((id) => !had.has(id));
  if (added.length)
    await x
      .insertInto('knowledge_post_mentions')
      .values(added.map((user_id) => ({ post_id: postId, user_id })))
      .execute();
  return added;
}

/** Accounts by email address (lower case), with their roles: to check who may be mentioned. */
export async function findPeopleByEmails(x: Executor, emails: string[]) {
  if (!emails.length) return [];
  const users = await x
    .selectFrom('users')
    .select(['id', 'email', 'name', 'disabled_at'])
    .where('email', 'in', emails)
    .execute();
  const roles = users.length
    ? await x
        .selectFrom('role_assignments')
        .select(['user_id', 'role', 'region_code'])
        .where(
          'user_id',
          'in',
          users.map((u) => u.id),
        )
        .execute()
    : [];
  return users.map((u) => ({
    ...u,
    roles: roles.filter((r) => r.user_id === u.id).map((r) => ({ role: r.role, regionCode: r.region_code })),
  }));
}

/** Accounts by id, with their roles: to check that the people told of a post may still read it. */
export async function findPeopleByIds(x: Executor, ids: number[]) {
  if (!ids.length) return [];
  const users = await x
    .selectFrom('users')
    .select(['id', 'email', 'name', 'disabled_at'])
    .where('id', 'in', ids)
    .execute();
  const roles = users.length
    ? await x
        .selectFrom('role_assignments')
        .select(['user_id', 'role', 'region_code'])
        .where('user_id', 'in', ids)
        .execute()
    : [];
  return users.map((u) => ({
    ...u,
    roles: roles.filter((r) => r.user_id === u.id).map((r) => ({ role: r.role, regionCode: r.region_code })),
  }));
}

export async function hasOpenReportBy(x: Executor, postId: number, reporterUserId: number) {
  const row = await x
    .selectFrom('knowledge_post_reports')
    .select('id')
    .where('post_id', '=', postId)
    .where('reporter_user_id', '=', reporterUserId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return !!row;
}

export async function insertReport(x: Executor, postId: number, reporterUserId: number, reason: string) {
  const row = await x
    .insertInto('knowledge_post_reports')
    .values({ post_id: postId, reporter_user_id: reporterUserId, reason })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
