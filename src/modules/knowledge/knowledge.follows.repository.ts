import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

// The people following an item: they hear of each new post on it.

export async function isFollowing(x: Executor, itemId: number, userId: number): Promise<boolean> {
  const row = await x
    .selectFrom('knowledge_follows')
    .select('user_id')
    .where('item_id', '=', itemId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return !!row;
}

/** Follows the item; false when the person already followed it. */
export async function insertFollow(x: Executor, itemId: number, userId: number): Promise<boolean> {
  const res = await sql`insert into knowledge_follows (item_id, user_id) values (${itemId}, ${userId})
    on conflict do nothing`.execute(x);
  return Number(res.numAffectedRows ?? 0) > 0;
}

/** Stops following; false when the person did not follow it. */
export async function deleteFollow(x: Executor, itemId: number, userId: number): Promise<boolean> {
  const res = await x
    .deleteFrom('knowledge_follows')
    .where('item_id', '=', itemId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** The item's followers (capped: a notice goes to at most this many people a post). */
export async function listFollowerIds(x: Executor, itemId: number, cap = 2_000): Promise<number[]> {
  const rows = await x
    .selectFrom('knowledge_follows')
    .select('user_id')
    .where('item_id', '=', itemId)
    .orderBy('user_id')
    .limit(cap)
    .execute();
  return rows.map((r) => r.user_id);
}
