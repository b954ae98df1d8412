import { type ExpressionBuilder, type Insertable, sql } from 'kysely';
import type { Database, Executor } from '../../db/database.ts';
import type { Reader } from './knowledge.access.ts';
import type { ItemKind, KnowledgeItemsTable } from './knowledge.table.ts';

export type ItemValues = Omit<
  Insertable<KnowledgeItemsTable>,
  | 'id'
  | 'status'
  | 'version'
  | 'search_vector'
  | 'created_at'
  | 'updated_at'
  | 'published_at'
  | 'review_asked_for'
  | 'contact_asked_at'
  | 'owner_user_id'
>;

/**
 * The access rule of `canReadItem` (knowledge.access.ts) in SQL, for lists: the reader's own items,
 * everything for the national team, else published items that are public, for the network, for one
 * of the reader's regions, or shared with one of their learning sets.
 */
export function readableBy(reader: Reader) {
  return (eb: ExpressionBuilder<Database, 'knowledge_items'>) => {
    if (reader.national)
      return eb.or([eb('status', '=', 'published'), eb('owner_user_id', '=', reader.userId)]);
    const shared = [eb('visibility', 'in', ['public', 'network'])];
    if (reader.regions === 'all') shared.push(eb('visibility', '=', 'region'));
    else if (reader.regions.length)
      shared.push(eb.and([eb('visibility', '=', 'region'), eb('region_code', 'in', reader.regions)]));
    if (reader.groupIds.length)
      shared.push(
        eb.and([
          eb('visibility', '=', 'groups'),
          eb.exists(
            eb
              .selectFrom('knowledge_item_groups as g')
              .select('g.set_id')
              .whereRef('g.item_id', '=', 'knowledge_items.id')
              .where('g.set_id', 'in', reader.groupIds),
          ),
        ]),
      );
    return eb.or([
      eb('owner_user_id', '=', reader.userId),
      eb.and([eb('status', '=', 'published'), eb.or(shared)]),
    ]);
  };
}

const LIST_COLUMNS = [
  'id',
  'kind',
  'status',
  'visibility',
  'region_code',
  'title',
  'summary',
  'topic_ids',
  'published_at',
  'updated_at',
  'review_by',
] as const;

export async function listReadableItems(
  x: Executor,
  reader: Reader,
  f: { kind: ItemKind | null; topic: number | null; limit: number; offset: number },
) {
  let q = x.selectFrom('knowledge_items').where(readableBy(reader));
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.topic) q = q.where(sql<boolean>`topic_ids @> array[${f.topic}]::integer[]`);
  const [rows, total] = await Promise.all([
    q
      .select(LIST_COLUMNS)
      .orderBy(sql`coalesce(published_at, created_at)`, 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Every item the reader may read, for the CSV export, newest first, up to `limit`. */
export function listReadableForExport(x: Executor, reader: Reader, limit: number) {
  return x
    .selectFrom('knowledge_items')
    .where(readableBy(reader))
    .leftJoin('users as c', 'c.id', 'knowledge_items.contact_user_id')
    .select([
      'knowledge_items.id',
      'kind',
      'status',
      'visibility',
      'region_code',
      'title',
      'summary',
      'resource_url',
      'care_setting',
      'spread_stage',
      'evidence_level',
      'topic_ids',
      'organisation_ids',
      'reviewed_on',
      'review_by',
      'published_at',
      'knowledge_items.updated_at',
      'version',
      'c.name as contact_name',
    ])
    .orderBy(sql`coalesce(published_at, knowledge_items.created_at)`, 'desc')
    .orderBy('knowledge_items.id', 'desc')
    .limit(limit)
    .execute();
}

export async function insertItem(x: Executor, ownerUserId: number, values: ItemValues): Promise<number> {
  const row = await x
    .insertInto('knowledge_items')
    .values({ ...values, owner_user_id: ownerUserId, status: 'draft' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function lockItem(x: Executor, id: number) {
  return x.selectFrom('knowledge_items').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateItem(x: Executor, id: number, values: Partial<ItemValues>) {
  await x
    .updateTable('knowledge_items')
    .set({ ...values, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function setStatus(
  x: Executor,
  id: number,
  status: 'draft' | 'published' | 'archived',
  version?: number,
) {
  await x
    .updateTable('knowledge_items')
    .set({
      status,
      updated_at: sql`now()`,
      ...(status === 'published' ? { published_at: sql`coalesce(published_at, now())` } : {}),
      ...(version === undefined ? {} : { version }),
    })
    .where('id', '=', id)
    .execute();
}

export async function setVersion(x: Executor, id: number, version: number) {
  await x.updateTable('knowledge_items').set({ version }).where('id', '=', id).execute();
}

/** Replaces the item's organisations, keeping the facet array on the row in step. */
export async function setOrganisations(x: Executor, itemId: number, organisationIds: number[]) {
  await x.deleteFrom('knowledge_item_organisations').where('item_id', '=', itemId).execute();
  if (organisationIds.length)
    await x
      .insertInto('knowledge_item_organisations')
      .values(organisationIds.map((organisation_id) => ({ item_id: itemId, organisation_id })))
      .execute();
  await x
    .updateTable('knowledge_items')
    .set({ organisation_ids: organisationIds })
    .where('id', '=', itemId)
    .execute();
}

export async function listOrganisationIds(x: Executor, itemId: number): Promise<number[]> {
  const rows = await x
    .selectFrom('knowledge_item_organisations')
    .select('organisation_id')
    .where('item_id', '=', itemId)
    .execute();
  return rows.map((r) => r.organisation_id);
}

export async function setGroups(x: Executor, itemId: number, setIds: number[]) {
  await x.deleteFrom('knowledge_item_groups').where('item_id', '=', itemId).execute();
  if (setIds.length)
    await x
      .insertInto('knowledge_item_groups')
      .values(setIds.map((set_id) => ({ item_id: itemId, set_id })))
      .execute();
}

export async function nextVersion(x: Executor, itemId: number): Promise<number> {
  const row = await x
    .selectFrom('knowledge_item_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('item_id', '=', itemId)
    .executeTakeFirst();
  return Number(row?.v ?? 0) + 1;
}

export async function insertVersion(
  x: Executor,
  v: {
    itemId: number;
    version: number;
    snapshot: Record<string, unknown>;
    changedBy: number;
    note: string | null;
  },
) {
  await x
    .insertInto('knowledge_item_versions')
    .values({
      item_id: v.itemId,
      version: v.version,
      snapshot: JSON.stringify(v.snapshot),
      changed_by: v.changedBy,
      note: v.note,
    })
    .execute();
}

export function listVersions(x: Executor, itemId: number) {
  return x
    .selectFrom('knowledge_item_versions as v')
    .leftJoin('users as u', 'u.id', 'v.changed_by')
    .select(['v.version', 'v.changed_at', 'v.note', 'u.name as changed_by_name'])
    .where('v.item_id', '=', itemId)
    .orderBy('v.version', 'desc')
    .limit(500)
    .execute();
}

/** The version and the one before it (the nearest lower number), for a diff. */
export async function findVersionPair(x: Executor, itemId: number, version: number) {
  const rows = await x
    .selectFrom('knowledge_item_versions as v')
    .leftJoin('users as u', 'u.id', 'v.changed_by')
    .select(['v.version', 'v.snapshot', 'v.changed_at', 'v.note', 'u.name as changed_by_name'])
    .where('v.item_id', '=', itemId)
    .where('v.version', '<=', version)
    .orderBy('v.version', 'desc')
    .limit(2)
    .execute();
  if (!rows[0] || rows[0].version !== version) return undefined;
  return { current: rows[0], previous: rows[1] };
}

// PDSA cycles.

export function listCycles(x: Executor, itemId: number) {
  return x
    .selectFrom('knowledge_pdsa_cycles')
    .selectAll()
    .where('item_id', '=', itemId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export function findCycle(x: Executor, itemId: number, cycleId: number) {
  return x
    .selectFrom('knowledge_pdsa_cycles')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('id', '=', cycleId)
    .executeTakeFirst();
}

export async function countCycles(x: Executor, itemId: number): Promise<number> {
  const row = await x
    .selectFrom('knowledge_pdsa_cycles')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('item_id', '=', itemId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

type CycleValues = {
  plan: string;
  prediction: string | null;
  happened: string | null;
  decision: 'adopt' | 'adapt' | 'abandon' | null;
  started_on: string | null;
};

export async function insertCycle(x: Executor, itemId: number, v: CycleValues): Promise<number> {
  const pos = await x
    .selectFrom('knowledge_pdsa_cycles')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('item_id', '=', itemId)
    .executeTakeFirst();
  const row = await x
    .insertInto('knowledge_pdsa_cycles')
    .values({ ...v, item_id: itemId, position: Number(pos?.p ?? 0) + 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateCycle(x: Executor, cycleId: number, v: CycleValues) {
  await x.updateTable('knowledge_pdsa_cycles').set(v).where('id', '=', cycleId).execute();
}

export async function deleteCycle(x: Executor, cycleId: number) {
  await x.deleteFrom('knowledge_pdsa_cycles').where('id', '=', cycleId).execute();
}

export async function setCyclePosition(x: Executor, cycleId: number, position: number) {
  await x.updateTable('knowledge_pdsa_cycles').set({ position }).where('id', '=', cycleId).execute();
}

// Topics.

export function listTopics(x: Executor) {
  return x.selectFrom('knowledge_topics').select(['id', 'name']).orderBy('name').limit(1000).execute();
}

export function findTopicByName(x: Executor, name: string) {
  return x
    .selectFrom('knowledge_topics')
    .select(['id', 'name'])
    .where(sql`lower(name)`, '=', name.toLowerCase())
    .executeTakeFirst();
}

export function findTopic(x: Executor, id: number) {
  return x.selectFrom('knowledge_topics').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

export async function insertTopic(x: Executor, name: string): Promise<number> {
  const row = await x
    .insertInto('knowledge_topics')
    .values({ name })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function renameTopic(x: Executor, id: number, name: string) {
  await x.updateTable('knowledge_topics').set({ name }).where('id', '=', id).execute();
}

// People and regions named on an item.

export function findUserNames(x: Executor, ids: number[]) {
  if (!ids.length) return Promise.resolve([] as { id: number; name: string; email: string }[]);
  return x.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', ids).execute();
}

export function listRegions(x: Executor) {
  return x.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute();
}

export function findRegion(x: Executor, code: string) {
  return x.selectFrom('network_regions').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
}
