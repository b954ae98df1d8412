import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, ForbiddenError } from '../../platform/errors.ts';
import { markdownText, renderMarkdown } from '../../platform/markdown.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import type { KnowledgeAccess } from './knowledge.access.ts';
import type { KnowledgeDiscussion } from './knowledge.discussion.ts';
import * as people from './knowledge.discussion.repository.ts';
import * as repo from './knowledge.moderation.repository.ts';
import { indexPost } from './knowledge.search-index.ts';

export const QUEUE_PAGE_SIZE = 20;

/**
 * Moderation of library discussion: the national team everywhere, a regional lead on items of
 * their region. Reported and hidden posts wait in a queue; a moderator hides a post (its author is
 * told why), restores it, or keeps it (closing the reports). Every action is audited with the post.
 */
export function createModeration(deps: {
  db: DB;
  access: KnowledgeAccess;
  discussion: KnowledgeDiscussion;
  baseUrl: string;
}) {
  const { db, access, discussion, baseUrl } = deps;

  async function listQueue(actor: Actor, page = 1) {
    requireRole(actor, ['regional-lead']);
    const reader = await access.readerFor(actor);
    const list = await repo.listQueue(
      db,
      { regions: reader.moderates, readerUserId: actor.userId, groupIds: reader.groupIds },
      { limit: QUEUE_PAGE_SIZE, offset: (page - 1) * QUEUE_PAGE_SIZE },
    );
    const reports = await repo.listOpenReports(
      db,
      list.rows.map((r) => r.id),
    );
    return {
      entries: list.rows.map((r) => {
        const text = markdownText(r.body);
        return {
          postId: r.id,
          itemId: r.item_id,
          itemTitle: r.item_title,
          regionCode: r.region_code,
          author: r.author_name ?? 'A former member',
          excerpt: text.length > 200 ? `${text.slice(0, 197)}…` : text,
          hidden: r.status === 'hidden',
          hiddenReason: r.hidden_reason,
          openReports: Number(r.open_reports),
          reasons: reports.filter((x) => x.post_id === r.id).map((x) => x.reason),
          createdAt: r.created_at,
        };
      }),
      total: list.total,
      page,
      pageSize: QUEUE_PAGE_SIZE,
    };
  }

  async function loadToModerate(
    actor: Actor,
    postId: number,
    x: Parameters<KnowledgeDiscussion['loadPostFor']>[2],
    lock = false,
  ) {
    const found = await discussion.loadPostFor(actor, postId, x, { lock });
    if (!found.moderate)
      throw new ForbiddenError(
        'Only the national team and the regional leads of the item’s region moderate its discussion',
      );
    return found;
  }

  /** A post with its open reports, for a moderator. */
  async function getForModeration(actor: Actor, postId: number) {
    const { post, item } = await loadToModerate(actor, postId, db);
    const reports = await repo.listOpenReports(db, [postId]);
    return {
      post: {
        id: post.id,
        kind: post.kind,
        author: post.author_name ?? 'A former member',
        createdAt: post.created_at,
        hidden: post.status === 'hidden',
        hiddenReason: post.hidden_reason,
        bodyHtml: renderMarkdown(post.body, { below: 2 }),
      },
      item: { id: item.id, title: item.title },
      reports: reports.map((r) => ({
        id: r.id,
        reason: r.reason,
        reporter: r.reporter_name ?? 'A former member',
        createdAt: r.created_at,
      })),
    };
  }

  async function hidePost(actor: Actor, postId: number, reason: string): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const { post, item } = await loadToModerate(actor, postId, trx, true);
      if (post.status === 'hidden') throw new ConflictError('This post is already hidden');
      await repo.hidePost(trx, postId, actor.userId, reason);
      await indexPost(trx, postId);
      const closed = await repo.resolveReports(trx, postId, actor.userId, 'hidden');
      if (post.author_user_id !== null && post.author_user_id !== actor.userId) {
        const [author] = await people.findPeopleByIds(trx, [post.author_user_id]);
        if (author && author.disabled_at === null)
          await enqueueEmail(
            trx,
            letter({
              to: author.email,
              name: author.name,
              subject: 'A moderator has hidden your post',
              kind: 'knowledge-post-hidden',
              body: [
                `A moderator has hidden your ${post.kind} on "${item.title}". Others now see "This post was hidden by a moderator" in its place.`,
                `The reason given: ${reason}`,
                {
                  text: 'See the discussion:',
                  link: `${baseUrl}/knowledge/items/${item.id}/discussion#post-${postId}`,
                },
                'If you think this is a mistake, contact your regional lead or the national team.',
              ],
            }),
          );
      }
      await recordAudit(trx, actor, {
        action: 'knowledge.post.hide',
        entityType: 'knowledge_post',
        entityId: postId,
        summary: `Hid a post on "${item.title}" (${closed} open ${closed === 1 ? 'report' : 'reports'} closed): ${reason}`,
        details: { itemId: item.id, reportsClosed: closed },
      });
      return item.id;
    });
  }

  async function restorePost(actor: Actor, postId: number): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const { post, item } = await loadToModerate(actor, postId, trx, true);
      if (post.status !== 'hidden') throw new ConflictError('This post is not hidden');
      await repo.restorePost(trx, postId);
      await indexPost(trx, postId);
      await recordAudit(trx, actor, {
        action: 'knowledge.post.restore',
        entityType: 'knowledge_post',
        entityId: postId,
        summary: `Restored a hidden post on "${item.title}"`,
        details: { itemId: item.id },
      });
      return item.id;
    });
  }

  /** Keeps the post as it is: its open reports are closed. */
  async function keepPost(actor: Actor, postId: number): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const { item } = await loadToModerate(actor, postId, trx, true);
      const closed = await repo.resolveReports(trx, postId, actor.userId, 'kept');
      if (!closed) throw new ConflictError('There are no open reports on this post');
      await recordAudit(trx, actor, {
        action: 'knowledge.post.keep',
        entityType: 'knowledge_post',
        entityId: postId,
        summary: `Kept a reported post on "${item.title}" (${closed} ${closed === 1 ? 'report' : 'reports'} closed)`,
        details: { itemId: item.id, reportsClosed: closed },
      });
      return item.id;
    });
  }

  return { listQueue, getForModeration, hidePost, restorePost, keepPost };
}
export type KnowledgeModeration = ReturnType<typeof createModeration>;
