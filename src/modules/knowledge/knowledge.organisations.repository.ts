import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { Reader } from './knowledge.access.ts';
import { readableBy } from './knowledge.items.repository.ts';

const COLUMNS = ['id', 'kind', 'status', 'title', 'summary', 'review_by', 'published_at'] as const;

/** Items that name the organisation, readable by the reader, newest first: a page and the total. */
export async function listItemsOfOrganisation(
  x: Executor,
  reader: Reader,
  organisationId: number,
  page: { limit: number; offset: number },
) {
  const q = x
    .selectFrom('knowledge_items')
    .where(readableBy(reader))
    .where(sql<boolean>`organisation_ids @> array[${organisationId}]::integer[]`);
  const [rows, total] = await Promise.all([
    q
      .select(COLUMNS)
      .orderBy(sql`coalesce(published_at, created_at)`, 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Items owned by these people (an organisation's members), readable by the reader, newest first. */
export async function listItemsOwnedBy(x: Executor, reader: Reader, ownerIds: number[], limit: number) {
  if (!ownerIds.length) return [];
  return x
    .selectFrom('knowledge_items')
    .where(readableBy(reader))
    .where('owner_user_id', 'in', ownerIds)
    .select([...COLUMNS, 'owner_user_id'])
    .orderBy(sql`coalesce(published_at, created_at)`, 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** What the organisation took up from elsewhere, on items the reader may read, latest first. */
export function listAdoptionsByOrganisation(
  x: Executor,
  reader: Reader,
  organisationId: number,
  limit: number,
) {
  return (
    x
      .selectFrom('knowledge_adoptions as a')
      .innerJoin('knowledge_items as i', 'i.id', 'a.item_id')
      .where('a.organisation_id', '=', organisationId)
      // A subquery: the access rule names the items' columns unqualified (an adoption has a status too).
      .where('a.item_id', 'in', (eb) =>
        eb.selectFrom('knowledge_items').select('id').where(readableBy(reader)),
      )
      .select(['a.id', 'a.item_id', 'a.status', 'a.adopted_on', 'i.title', 'i.kind'])
      .orderBy('a.adopted_on', 'desc')
      .orderBy('a.id', 'desc')
      .limit(limit)
      .execute()
  );
}
