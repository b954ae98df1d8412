import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { KnowledgeAccess } from './knowledge.access.ts';
import * as repo from './knowledge.follows.repository.ts';

/**
 * Makes the person follow the item, inside the caller's transaction (an item's owner follows it
 * from when it is made; an author follows the item they post on). Nothing happens if they already do.
 */
export async function followItemInTransaction(trx: Executor, itemId: number, userId: number): Promise<void> {
  await repo.insertFollow(trx, itemId, userId);
}

/** Following an item: its followers are emailed about each new post on it (not their own). */
export function createFollows(deps: { db: DB; access: KnowledgeAccess }) {
  const { db, access } = deps;

  async function isFollowing(actor: Actor, itemId: number, x: Executor = db): Promise<boolean> {
    return repo.isFollowing(x, itemId, actor.userId);
  }

  async function followItem(actor: Actor, itemId: number): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const { item } = await access.loadItemFor(actor, itemId, trx);
      if (await repo.insertFollow(trx, itemId, actor.userId))
        await recordAudit(trx, actor, {
          action: 'knowledge.item.follow',
          entityType: 'knowledge_item',
          entityId: itemId,
          summary: `Followed the discussion of: ${item.title}`,
        });
    });
  }

  async function unfollowItem(actor: Actor, itemId: number): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const { item } = await access.loadItemFor(actor, itemId, trx);
      if (await repo.deleteFollow(trx, itemId, actor.userId))
        await recordAudit(trx, actor, {
          action: 'knowledge.item.unfollow',
          entityType: 'knowledge_item',
          entityId: itemId,
          summary: `Stopped following the discussion of: ${item.title}`,
        });
    });
  }

  return { isFollowing, followItem, unfollowItem };
}
export type KnowledgeFollows = ReturnType<typeof createFollows>;
