import type { Executor } from '../../db/database.ts';

export type KnowledgeGroup = { id: number; name: string; regionCode: string };

/**
 * The published learning sets a person belongs to or facilitates: the named groups a knowledge
 * item can be shared with, and the groups whose items they may read.
 */
export async function listGroupsOf(executor: Executor, userId: number): Promise<KnowledgeGroup[]> {
  const rows = await executor
    .selectFrom('ls_sets as s')
    .innerJoin('ls_formations as f', 'f.id', 's.formation_id')
    .where('f.status', '=', 'published')
    .where((eb) =>
      eb.or([
        eb('s.facilitator_user_id', '=', userId),
        eb.exists(
          eb
            .selectFrom('ls_set_members as m')
            .whereRef('m.set_id', '=', 's.id')
            .where('m.user_id', '=', userId)
            .select('m.set_id'),
        ),
      ]),
    )
    .select(['s.id', 's.name', 's.region_code'])
    .orderBy('s.name')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, regionCode: r.region_code }));
}

/** Published learning sets by id, with their names: the groups named on a knowledge item. */
export async function findGroups(executor: Executor, ids: number[]): Promise<KnowledgeGroup[]> {
  if (ids.length === 0) return [];
  const rows = await executor
    .selectFrom('ls_sets as s')
    .innerJoin('ls_formations as f', 'f.id', 's.formation_id')
    .where('f.status', '=', 'published')
    .where('s.id', 'in', ids)
    .select(['s.id', 's.name', 's.region_code'])
    .orderBy('s.name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, regionCode: r.region_code }));
}
