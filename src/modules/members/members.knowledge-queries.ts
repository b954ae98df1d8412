import type { Executor } from '../../db/database.ts';

export type KnowledgeOrganisation = { id: number; odsCode: string; name: string; kind: string };

/**
 * Organisations by ODS code (any case), for the organisations a knowledge item names. Codes that
 * name no organisation are simply absent from the answer: the caller says which were not found.
 */
export async function findOrganisationsByOds(
  executor: Executor,
  odsCodes: readonly string[],
): Promise<KnowledgeOrganisation[]> {
  const codes = [...new Set(odsCodes.map((c) => c.trim().toUpperCase()).filter(Boolean))];
  if (codes.length === 0) return [];
  const rows = await executor
    .selectFrom('organisations')
    .select(['id', 'ods_code', 'name', 'kind'])
    .where('ods_code', 'in', codes)
    .execute();
  return rows.map((r) => ({ id: r.id, odsCode: r.ods_code ?? '', name: r.name, kind: r.kind }));
}

/** Organisations by id, in name order: the organisations shown on a knowledge item. */
export async function listOrganisationsByIds(
  executor: Executor,
  ids: readonly number[],
): Promise<KnowledgeOrganisation[]> {
  if (ids.length === 0) return [];
  const rows = await executor
    .selectFrom('organisations')
    .select(['id', 'ods_code', 'name', 'kind'])
    .where('id', 'in', [...ids])
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, odsCode: r.ods_code ?? '', name: r.name, kind: r.kind }));
}
