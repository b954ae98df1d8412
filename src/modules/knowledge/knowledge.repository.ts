import type { Executor } from '../../db/database.ts';

// The SQL shared by every part of the library. Each part keeps the rest of its SQL in its own
// repository file (knowledge.<part>.repository.ts).

export function findItem(x: Executor, itemId: number) {
  return x.selectFrom('knowledge_items').selectAll().where('id', '=', itemId).executeTakeFirst();
}

export async function listItemGroupIds(x: Executor, itemId: number): Promise<number[]> {
  const rows = await x
    .selectFrom('knowledge_item_groups')
    .select('set_id')
    .where('item_id', '=', itemId)
    .orderBy('set_id')
    .execute();
  return rows.map((r) => r.set_id);
}
