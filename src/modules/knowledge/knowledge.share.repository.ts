import type { Executor } from '../../db/database.ts';

// The SQL of share links: a public item opened by a secret link, signed out.

/** At most this many links listed on one item (the newest). */
export const LINKS_LISTED = 100;

export function listItemLinks(x: Executor, itemId: number) {
  return x
    .selectFrom('knowledge_share_links as l')
    .leftJoin('users as c', 'c.id', 'l.created_by')
    .leftJoin('users as r', 'r.id', 'l.revoked_by')
    .select([
      'l.id',
      'l.created_at',
      'l.revoked_at',
      'c.name as created_by_name',
      'r.name as revoked_by_name',
    ])
    .where('l.item_id', '=', itemId)
    .orderBy('l.id', 'desc')
    .limit(LINKS_LISTED)
    .execute();
}

export async function insertLink(
  x: Executor,
  row: { itemId: number; tokenHash: string; createdBy: number },
): Promise<number> {
  const out = await x
    .insertInto('knowledge_share_links')
    .values({ item_id: row.itemId, token_hash: row.tokenHash, created_by: row.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return out.id;
}

export function findLink(x: Executor, itemId: number, linkId: number) {
  return x
    .selectFrom('knowledge_share_links')
    .select(['id', 'item_id', 'revoked_at'])
    .where('id', '=', linkId)
    .where('item_id', '=', itemId)
    .executeTakeFirst();
}

export async function revokeLink(x: Executor, linkId: number, by: number): Promise<boolean> {
  const out = await x
    .updateTable('knowledge_share_links')
    .set({ revoked_at: new Date(), revoked_by: by })
    .where('id', '=', linkId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(out.numUpdatedRows) > 0;
}

/**
 * The item a live link opens: the link is not revoked and the item is still published and public
 * (an item made private or archived stops every link to it).
 */
export function findSharedItem(x: Executor, tokenHash: string) {
  return x
    .selectFrom('knowledge_share_links as l')
    .innerJoin('knowledge_items as i', 'i.id', 'l.item_id')
    .select([
      'l.id as link_id',
      'i.id',
      'i.kind',
      'i.title',
      'i.summary',
      'i.body',
      'i.resource_url',
      'i.problem',
      'i.baseline',
      'i.aim',
      'i.results',
      'i.cost',
      'i.care_setting',
      'i.spread_stage',
      'i.evidence_level',
      'i.reviewed_on',
      'i.review_by',
      'i.published_at',
      'i.updated_at',
    ])
    .where('l.token_hash', '=', tokenHash)
    .where('l.revoked_at', 'is', null)
    .where('i.status', '=', 'published')
    .where('i.visibility', '=', 'public')
    .executeTakeFirst();
}
