import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { markdownText, renderMarkdown } from '../../platform/markdown.ts';
import { enqueueEmails } from '../../platform/outbox.ts';
import { type Actor, type Role } from '../../platform/permissions.ts';
import { canReadItem, type KnowledgeAccess, requireContributor, requireReader } from './knowledge.access.ts';
import * as repo from './knowledge.discussion.repository.ts';
import type { EditPostInput, NewPostInput, ReplyInput } from './knowledge.discussion.schemas.ts';
import * as follows from './knowledge.follows.repository.ts';
import { indexPost, unindexPost } from './knowledge.search-index.ts';
import type { KnowledgeItemRow, PostKind } from './knowledge.table.ts';

export const DISCUSSION_PAGE_SIZE = 20;
const NO_POST = 'There is no such post';
const FORMER_MEMBER = 'A former member';

type PostRow = NonNullable<Awaited<ReturnType<typeof repo.findPost>>>;
type Viewer = { userId: number; moderate: boolean; manage: boolean };
type Mention = { post_id: number; user_id: number; name: string };

/** One post as a reader sees it: a hidden post's words only for moderators and its author. */
function present(row: PostRow, viewer: Viewer, mentions: Mention[], acceptedReplyId: number | null) {
  const mine = row.author_user_id !== null && row.author_user_id === viewer.userId;
  const hidden = row.status === 'hidden';
  const shown = !hidden || viewer.moderate || mine;
  return {
    id: row.id,
    kind: row.kind,
    parentId: row.parent_id,
    author: row.author_user_id === null ? FORMER_MEMBER : (row.author_name ?? FORMER_MEMBER),
    authorUserId: row.author_user_id,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    hidden,
    hiddenReason: hidden && shown ? row.hidden_reason : null,
    body: shown ? row.body : null,
    bodyHtml: shown ? renderMarkdown(row.body, { below: 3 }) : null,
    accepted: acceptedReplyId !== null && acceptedReplyId === row.id,
    mentions: shown
      ? mentions.filter((m) => m.post_id === row.id).map((m) => ({ userId: m.user_id, name: m.name }))
      : [],
    mine,
    canEdit: mine && !hidden,
    canReport: !mine && !hidden,
    canModerate: viewer.moderate,
  };
}
export type PostView = ReturnType<typeof present>;

/**
 * Discussion on a library item: comments and questions with their replies, an accepted answer for a
 * question, mentions of people who can read the item, and reports of posts to the moderators.
 * Everyone who may read the item reads its discussion; contributors post. Followers (the item's
 * owner, everyone who posted, and whoever chose to follow) are emailed about each new post.
 */
export function createDiscussion(deps: { db: DB; access: KnowledgeAccess; baseUrl: string }) {
  const { db, access, baseUrl } = deps;
  const link = (itemId: number, postId?: number) =>
    `${baseUrl}/knowledge/items/${itemId}/discussion${postId ? `#post-${postId}` : ''}`;

  /** The post and its item, for someone who may read the item; one 404 for both, so nothing leaks. */
  async function loadPostFor(actor: Actor, postId: number, x: Executor, opts: { lock?: boolean } = {}) {
    const post = opts.lock ? await repo.lockPost(x, postId) : await repo.findPost(x, postId);
    if (!post) throw new NotFoundError(NO_POST);
    try {
      const found = await access.loadItemFor(actor, post.item_id, x);
      return { post, ...found };
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(NO_POST);
      throw err;
    }
  }

  /** Whether this person (not the actor) may read the item: for mentions and notices. */
  async function personCanRead(
    x: Executor,
    person: { id: number; name: string; email: string; roles: { role: string; regionCode: string | null }[] },
    item: KnowledgeItemRow,
    groupIds: number[],
  ): Promise<boolean> {
    const other: Actor = {
      userId: person.id,
      name: person.name,
      email: person.email,
      roles: person.roles as { role: Role; regionCode: string | null }[],
      ip: null,
      requestId: null,
    };
    try {
      return canReadItem(await access.readerFor(other, x), item, groupIds);
    } catch {
      return false;
    }
  }

  /**
   * The people a post mentions, each of whom must be able to read the item. Someone who cannot, or
   * an address no account has, gets the same message, so it tells nothing about who exists.
   */
  async function resolveMentions(
    x: Executor,
    actor: Actor,
    item: KnowledgeItemRow,
    groupIds: number[],
    emails: string[],
  ) {
    const people = await repo.findPeopleByEmails(x, emails);
    const ok: typeof people = [];
    const refused: string[] = [];
    for (const email of emails) {
      const person = people.find((p) => p.email === email);
      if (
        !person ||
        person.disabled_at !== null ||
        person.id === actor.userId ||
        !(await personCanRead(x, person, item, groupIds))
      )
        refused.push(email);
      else ok.push(person);
    }
    if (refused.length)
      throw new ValidationError([
        {
          field: 'mentions',
          message: `You can mention only other people who can read this item: ${refused.join(', ')} cannot be mentioned`,
        },
      ]);
    return ok;
  }

  /** Emails the newly mentioned, and every other follower who may still read the item. */
  async function tellPeople(
    trx: Executor,
    actor: Actor,
    item: KnowledgeItemRow,
    groupIds: number[],
    post: { id: number; kind: PostKind; text: string },
    mentioned: { id: number; name: string; email: string }[],
    opts: { followers: boolean },
  ) {
    const excerpt = post.text.length > 300 ? `${post.text.slice(0, 297)}…` : post.text;
    const what = post.kind === 'question' ? 'a question' : post.kind === 'reply' ? 'a reply' : 'a comment';
    const emails = mentioned.map((p) =>
      letter({
        to: p.email,
        name: p.name,
        subject: `${actor.name} mentioned you in a discussion`,
        kind: 'knowledge-mention',
        body: [
          `${actor.name} mentioned you in ${what} on "${item.title}":`,
          excerpt,
          { text: 'Read the discussion:', link: link(item.id, post.id) },
        ],
      }),
    );
    if (opts.followers) {
      const told = new Set([actor.userId, ...mentioned.map((m) => m.id)]);
      const ids = (await follows.listFollowerIds(trx, item.id)).filter((id) => !told.has(id));
      for (const person of await repo.findPeopleByIds(trx, ids)) {
        if (person.disabled_at !== null || !(await personCanRead(trx, person, item, groupIds))) continue;
        emails.push(
          letter({
            to: person.email,
            name: person.name,
            subject: `New ${post.kind === 'reply' ? 'reply' : post.kind} on "${item.title}"`,
            kind: 'knowledge-new-post',
            body: [
              `${actor.name} posted ${what} on "${item.title}", which you follow:`,
              excerpt,
              { text: 'Read the discussion:', link: link(item.id, post.id) },
              'You are told because you follow this item. You can stop following it on the discussion page.',
            ],
          }),
        );
      }
    }
    await enqueueEmails(trx, emails);
  }

  async function getDiscussion(actor: Actor, itemId: number, page = 1) {
    const { item, manage, moderate } = await access.loadItemFor(actor, itemId);
    const viewer = { userId: actor.userId, manage, moderate };
    const list = await repo.listTopLevelPosts(db, itemId, {
      limit: DISCUSSION_PAGE_SIZE,
      offset: (page - 1) * DISCUSSION_PAGE_SIZE,
    });
    const replies = await repo.listReplies(
      db,
      itemId,
      list.rows.map((r) => r.id),
    );
    const mentions = await repo.listMentions(
      db,
      [...list.rows, ...replies].map((r) => r.id),
    );
    const posts = list.rows.map((row) => shape(row, replies, mentions, viewer));
    let canPost = true;
    try {
      requireContributor(actor);
    } catch {
      canPost = false;
    }
    return {
      item: { id: item.id, title: item.title },
      following: await follows.isFollowing(db, itemId, actor.userId),
      canPost,
      canModerate: moderate,
      posts,
      total: list.total,
      page,
      pageSize: DISCUSSION_PAGE_SIZE,
    };
  }

  /** A top-level post with its replies, the accepted answer first. */
  function shape(row: PostRow, replies: PostRow[], mentions: Mention[], viewer: Viewer) {
    const own = replies
      .filter((r) => r.parent_id === row.id)
      .map((r) => present(r, viewer, mentions, row.accepted_reply_id));
    own.sort((a, b) => Number(b.accepted) - Number(a.accepted));
    const base = present(row, viewer, mentions, null);
    return {
      ...base,
      itemId: row.item_id,
      acceptedReplyId: row.accepted_reply_id,
      canAccept: row.kind === 'question' && !base.hidden && (base.mine || viewer.manage),
      replies: own,
    };
  }

  /** One post (a reply is shown within its thread) with its item: for the post's own pages and the API. */
  async function getPost(actor: Actor, postId: number) {
    const { post, item, manage, moderate } = await loadPostFor(actor, postId, db);
    const top = post.parent_id === null ? post : await repo.findPost(db, post.parent_id);
    if (!top) throw new NotFoundError(NO_POST);
    const replies = await repo.listReplies(db, item.id, [top.id]);
    const mentions = await repo.listMentions(db, [top.id, ...replies.map((r) => r.id)]);
    const viewer = { userId: actor.userId, manage, moderate };
    const thread = shape(top, replies, mentions, viewer);
    const self = top.id === post.id ? thread : thread.replies.find((r) => r.id === post.id)!;
    return { item: { id: item.id, title: item.title }, post: self, thread };
  }

  /** The actor's own post, for its edit and delete pages. */
  async function getOwnPost(actor: Actor, postId: number) {
    const found = await getPost(actor, postId);
    if (!found.post.mine) throw new ForbiddenError('Only its author can change a post');
    return found;
  }

  async function createPost(actor: Actor, itemId: number, input: NewPostInput): Promise<number> {
    requireContributor(actor);
    return db.transaction().execute(async (trx) => {
      const { item, groupIds } = await access.loadItemFor(actor, itemId, trx);
      const mentioned = await resolveMentions(trx, actor, item, groupIds, input.mentions);
      return insertAndTell(
        trx,
        actor,
        item,
        groupIds,
        { kind: input.kind, parentId: null, body: input.body },
        mentioned,
      );
    });
  }

  async function replyTo(actor: Actor, postId: number, input: ReplyInput): Promise<number> {
    requireContributor(actor);
    return db.transaction().execute(async (trx) => {
      const { post, item, groupIds, moderate } = await loadPostFor(actor, postId, trx);
      const mine = post.author_user_id === actor.userId;
      if (post.status === 'hidden' && !moderate && !mine)
        throw new ConflictError('This post was hidden by a moderator, so it cannot be replied to');
      const mentioned = await resolveMentions(trx, actor, item, groupIds, input.mentions);
      // Replies are one level deep: a reply to a reply joins the same thread.
      const parentId = post.parent_id ?? post.id;
      return insertAndTell(
        trx,
        actor,
        item,
        groupIds,
        { kind: 'reply', parentId, body: input.body },
        mentioned,
      );
    });
  }

  async function insertAndTell(
    trx: Executor,
    actor: Actor,
    item: KnowledgeItemRow,
    groupIds: number[],
    post: { kind: PostKind; parentId: number | null; body: string },
    mentioned: { id: number; name: string; email: string }[],
  ): Promise<number> {
    const first = (await repo.countPostsOnItem(trx, item.id)) === 0;
    const text = markdownText(post.body);
    const id = await repo.insertPost(trx, {
      itemId: item.id,
      parentId: post.parentId,
      kind: post.kind,
      authorUserId: actor.userId,
      body: post.body,
    });
    await indexPost(trx, id);
    await repo.replaceMentions(
      trx,
      id,
      mentioned.map((m) => m.id),
    );
    // The owner follows their item (from its first post, when the items part has not already made
    // them follow it); authors follow what they post on.
    if (first && item.owner_user_id !== null) await follows.insertFollow(trx, item.id, item.owner_user_id);
    await follows.insertFollow(trx, item.id, actor.userId);
    await tellPeople(trx, actor, item, groupIds, { id, kind: post.kind, text }, mentioned, {
      followers: true,
    });
    await recordAudit(trx, actor, {
      action: `knowledge.post.${post.kind === 'reply' ? 'reply' : 'create'}`,
      entityType: 'knowledge_post',
      entityId: id,
      summary: `Posted ${post.kind === 'reply' ? `a reply to post ${post.parentId}` : `a ${post.kind}`} on "${item.title}"${mentioned.length ? `, mentioning ${mentioned.length} ${mentioned.length === 1 ? 'person' : 'people'}` : ''}`,
      details: { itemId: item.id, mentioned: mentioned.map((m) => m.id) },
    });
    return id;
  }

  async function editPost(actor: Actor, postId: number, input: EditPostInput): Promise<number> {
    requireContributor(actor);
    return db.transaction().execute(async (trx) => {
      const { post, item, groupIds } = await loadPostFor(actor, postId, trx, { lock: true });
      if (post.author_user_id !== actor.userId) throw new ForbiddenError('Only its author can change a post');
      if (post.status === 'hidden')
        throw new ConflictError('A moderator has hidden this post, so it cannot be changed');
      const mentioned = await resolveMentions(trx, actor, item, groupIds, input.mentions);
      const text = markdownText(input.body);
      await repo.updatePostBody(trx, postId, input.body);
      await indexPost(trx, postId);
      // Mentions are added to a post, never taken away by an edit: the people were told.
      const had = (await repo.listMentions(trx, [postId])).map((m) => m.user_id);
      const added = await repo.replaceMentions(trx, postId, [
        ...new Set([...had, ...mentioned.map((m) => m.id)]),
      ]);
      await tellPeople(
        trx,
        actor,
        item,
        groupIds,
        { id: postId, kind: post.kind, text },
        mentioned.filter((m) => added.includes(m.id)),
        { followers: false },
      );
      await recordAudit(trx, actor, {
        action: 'knowledge.post.edit',
        entityType: 'knowledge_post',
        entityId: postId,
        summary: `Edited their post on "${item.title}"`,
        details: { itemId: item.id },
      });
      return item.id;
    });
  }

  async function deletePost(actor: Actor, postId: number): Promise<number> {
    requireReader(actor);
    return db.transaction().execute(async (trx) => {
      const { post, item } = await loadPostFor(actor, postId, trx, { lock: true });
      if (post.author_user_id !== actor.userId) throw new ForbiddenError('Only its author can delete a post');
      if (post.parent_id === null && (await repo.countRepliesByOthers(trx, postId, actor.userId)) > 0)
        throw new ConflictError(
          'Other people have replied to this post, so it cannot be deleted: edit it instead',
        );
      for (const id of await repo.listPostAndReplyIds(trx, postId)) await unindexPost(trx, id);
      await repo.deletePost(trx, postId);
      await recordAudit(trx, actor, {
        action: 'knowledge.post.delete',
        entityType: 'knowledge_post',
        entityId: postId,
        summary: `Deleted their ${post.kind} on "${item.title}"`,
        details: { itemId: item.id },
      });
      return item.id;
    });
  }

  /** Marks (or with null, unmarks) a reply as the question's accepted answer. */
  async function setAcceptedAnswer(
    actor: Actor,
    questionId: number,
    replyId: number | null,
  ): Promise<number> {
    requireReader(actor);
    return db.transaction().execute(async (trx) => {
      const { post, item, manage } = await loadPostFor(actor, questionId, trx, { lock: true });
      if (post.kind !== 'question') throw new ConflictError('Only a question has an accepted answer');
      if (post.author_user_id !== actor.userId && !manage)
        throw new ForbiddenError(
          'Only the person who asked, the item’s owner or the national team can choose the accepted answer',
        );
      if (replyId === null) {
        if (post.accepted_reply_id === null) throw new ConflictError('No reply to this question is accepted');
      } else {
        const reply = await repo.findPost(trx, replyId);
        if (!reply || reply.parent_id !== questionId || reply.status === 'hidden')
          throw new ConflictError('Choose one of the replies to this question');
        if (post.accepted_reply_id === replyId)
          throw new ConflictError('That reply is already the accepted answer');
      }
      await repo.setAcceptedReply(trx, questionId, replyId);
      await recordAudit(trx, actor, {
        action: replyId === null ? 'knowledge.post.unaccept' : 'knowledge.post.accept',
        entityType: 'knowledge_post',
        entityId: questionId,
        summary:
          replyId === null
            ? `Unmarked the accepted answer of a question on "${item.title}"`
            : `Marked reply ${replyId} as the accepted answer of a question on "${item.title}"`,
        details: { itemId: item.id, replyId },
      });
      return item.id;
    });
  }

  async function reportPost(actor: Actor, postId: number, reason: string): Promise<number> {
    requireReader(actor);
    return db.transaction().execute(async (trx) => {
      const { post, item } = await loadPostFor(actor, postId, trx, { lock: true });
      if (post.author_user_id === actor.userId) throw new ConflictError('You cannot report your own post');
      if (post.status === 'hidden') throw new ConflictError('A moderator has already hidden this post');
      if (await repo.hasOpenReportBy(trx, postId, actor.userId))
        throw new ConflictError('You have already reported this post. A moderator will look at it.');
      const id = await repo.insertReport(trx, postId, actor.userId, reason);
      await recordAudit(trx, actor, {
        action: 'knowledge.post.report',
        entityType: 'knowledge_post',
        entityId: postId,
        summary: `Reported a post on "${item.title}" to the moderators`,
        details: { itemId: item.id, reportId: id },
      });
      return id;
    });
  }

  return {
    getDiscussion,
    getPost,
    getOwnPost,
    createPost,
    replyTo,
    editPost,
    deletePost,
    setAcceptedAnswer,
    reportPost,
    loadPostFor,
  };
}
export type KnowledgeDiscussion = ReturnType<typeof createDiscussion>;
