// Organisations are the members module's: their names come through its index (listOrganisationsByIds).
import type { Executor } from '../../db/database.ts';
import type { AdoptionStatus } from './knowledge.table.ts';

const columns = [
  'a.id',
  'a.item_id',
  'a.organisation_id',
  'a.region_code',
  'a.status',
  'a.adopted_on',
  'a.notes',
  'a.recorded_by',
  'a.created_at',
  'r.name as region_name',
  'u.name as recorded_by_name',
] as const;

function adoptions(x: Executor) {
  return x
    .selectFrom('knowledge_adoptions as a')
    .leftJoin('network_regions as r', 'r.code', 'a.region_code')
    .leftJoin('users as u', 'u.id', 'a.recorded_by')
    .select(columns);
}
export type AdoptionRow = NonNullable<Awaited<ReturnType<typeof findAdoption>>>;

/** An item's adoptions in the order they happened (capped: the page shows the first `limit`). */
export function listAdoptionsOfItem(x: Executor, itemId: number, limit = 1000) {
  return adoptions(x)
    .where('a.item_id', '=', itemId)
    .orderBy('a.adopted_on')
    .orderBy('a.id')
    .limit(limit)
    .execute();
}

export function findAdoption(x: Executor, itemId: number, adoptionId: number) {
  return adoptions(x).where('a.id', '=', adoptionId).where('a.item_id', '=', itemId).executeTakeFirst();
}

/** Who recorded the adoption, for the measures of it: the row is the adoption's, under its item. */
export function findAdoptionRecorder(x: Executor, itemId: number, adoptionId: number) {
  return x
    .selectFrom('knowledge_adoptions')
    .select(['id', 'recorded_by'])
    .where('id', '=', adoptionId)
    .where('item_id', '=', itemId)
    .executeTakeFirst();
}

export async function adoptionExists(x: Executor, itemId: number, organisationId: number) {
  const row = await x
    .selectFrom('knowledge_adoptions')
    .select('id')
    .where('item_id', '=', itemId)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return row?.id ?? null;
}

export function insertAdoption(
  x: Executor,
  v: {
    item_id: number;
    organisation_id: number;
    region_code: string | null;
    status: AdoptionStatus;
    adopted_on: string;
    notes: string | null;
    recorded_by: number;
  },
) {
  return x.insertInto('knowledge_adoptions').values(v).returning('id').executeTakeFirstOrThrow();
}

export function updateAdoption(
  x: Executor,
  id: number,
  v: { status: AdoptionStatus; adopted_on: string; notes: string | null },
) {
  return x
    .updateTable('knowledge_adoptions')
    .set({ ...v, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export function deleteAdoption(x: Executor, id: number) {
  return x.deleteFrom('knowledge_adoptions').where('id', '=', id).execute();
}
