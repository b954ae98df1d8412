import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

// The clinical synonym groups search reads (knowledge.search.repository.ts, listSynonymGroups) on
// every search, so an edit here is used by the next search.

export type SynonymGroupRow = { id: number; terms: string[]; updated_at: Date };

/** The groups with a term containing the filter (any case), in id order, and how many there are. */
export async function listGroups(
  x: Executor,
  opts: { q: string; limit: number; offset: number },
): Promise<{ rows: SynonymGroupRow[]; total: number }> {
  const like = `%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const match = opts.q
    ? sql`exists (select 1 from unnest(s.terms) t where lower(t) like ${like})`
    : sql`true`;
  const res = await sql<SynonymGroupRow & { total: number }>`select s.id, s.terms, s.updated_at,
      count(*) over ()::int as total
    from knowledge_synonyms s where ${match}
    order by s.id limit ${opts.limit} offset ${opts.offset}`.execute(x);
  if (res.rows.length || opts.offset === 0)
    return { rows: res.rows.map(({ total: _t, ...r }) => r), total: res.rows[0]?.total ?? 0 };
  // A page past the end: the count still.
  const count = await sql<{
    n: number;
  }>`select count(*)::int as n from knowledge_synonyms s where ${match}`.execute(x);
  return { rows: [], total: count.rows[0]!.n };
}

export async function findGroup(x: Executor, id: number): Promise<SynonymGroupRow | undefined> {
  return x
    .selectFrom('knowledge_synonyms')
    .select(['id', 'terms', 'updated_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Every group, to check a new term against the others. */
export async function allGroups(x: Executor): Promise<{ id: number; terms: string[] }[]> {
  return x.selectFrom('knowledge_synonyms').select(['id', 'terms']).orderBy('id').execute();
}

/**
 * Serialises the writes to the groups for the rest of the transaction, so two people adding the
 * same term at once cannot both pass the check that no other group holds it. Reads are not blocked.
 */
export async function lockGroups(x: Executor): Promise<void> {
  await sql`lock table knowledge_synonyms in share row exclusive mode`.execute(x);
}

export async function insertGroup(x: Executor, terms: string[], userId: number): Promise<SynonymGroupRow> {
  return x
    .insertInto('knowledge_synonyms')
    .values({ terms, updated_by: userId })
    .returning(['id', 'terms', 'updated_at'])
    .executeTakeFirstOrThrow();
}

export async function updateGroup(
  x: Executor,
  id: number,
  terms: string[],
  userId: number,
): Promise<SynonymGroupRow> {
  return x
    .updateTable('knowledge_synonyms')
    .set({ terms, updated_by: userId, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returning(['id', 'terms', 'updated_at'])
    .executeTakeFirstOrThrow();
}

export async function deleteGroup(x: Executor, id: number): Promise<void> {
  await x.deleteFrom('knowledge_synonyms').where('id', '=', id).execute();
}
