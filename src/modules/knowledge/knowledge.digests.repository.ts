import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { ItemVisibility } from './knowledge.table.ts';

export type DigestLine = {
  organisation_id: number;
  item_id: number;
  what: 'published' | 'adopted' | 'taken-up';
  title: string;
  visibility: ItemVisibility;
};

/**
 * What happened in the month [from, to) for each organisation: items published that name it,
 * items it took up, and its items that others took up. One row per organisation and happening.
 */
export async function listMonthActivity(x: Executor, from: string, to: string): Promise<DigestLine[]> {
  const rows = await sql<DigestLine>`
    select unnest(i.organisation_ids) as organisation_id, i.id as item_id, 'published' as what, i.title, i.visibility
      from knowledge_items i
     where i.status = 'published' and i.published_at >= ${from}::date and i.published_at < ${to}::date
    union all
    select a.organisation_id, i.id, 'adopted', i.title, i.visibility
      from knowledge_adoptions a join knowledge_items i on i.id = a.item_id
     where i.status = 'published' and a.created_at >= ${from}::date and a.created_at < ${to}::date
    union all
    select unnest(i.organisation_ids), i.id, 'taken-up', i.title, i.visibility
      from knowledge_adoptions a join knowledge_items i on i.id = a.item_id
     where i.status = 'published' and a.created_at >= ${from}::date and a.created_at < ${to}::date
    order by 1, 3, 2`.execute(x);
  return rows.rows;
}

/** Claims the organisation's digest for the month: false when it was already made (by anyone). */
export async function claimDigest(x: Executor, organisationId: number, month: string, items: number) {
  const row = await x
    .insertInto('knowledge_digests')
    .values({ organisation_id: organisationId, month, items })
    .onConflict((oc) => oc.columns(['organisation_id', 'month']).doNothing())
    .returning('organisation_id')
    .executeTakeFirst();
  return row !== undefined;
}
