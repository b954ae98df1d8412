import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { MeasureKind } from './knowledge.table.ts';

export function listMeasures(x: Executor, itemId: number, adoptionId: number | null) {
  return x
    .selectFrom('knowledge_measures')
    .selectAll()
    .where('item_id', '=', itemId)
    .where('adoption_id', adoptionId === null ? 'is' : '=', adoptionId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

export async function listValues(x: Executor, measureIds: number[]) {
  if (!measureIds.length) return [];
  return x
    .selectFrom('knowledge_measure_values')
    .selectAll()
    .where('measure_id', 'in', measureIds)
    .orderBy('measured_on')
    .orderBy('id')
    .execute();
}

export function findMeasure(x: Executor, itemId: number, adoptionId: number | null, measureId: number) {
  return x
    .selectFrom('knowledge_measures')
    .selectAll()
    .where('id', '=', measureId)
    .where('item_id', '=', itemId)
    .where('adoption_id', adoptionId === null ? 'is' : '=', adoptionId)
    .executeTakeFirst();
}

export async function countMeasures(x: Executor, itemId: number, adoptionId: number | null) {
  const r = await x
    .selectFrom('knowledge_measures')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('position').as('top')])
    .where('item_id', '=', itemId)
    .where('adoption_id', adoptionId === null ? 'is' : '=', adoptionId)
    .executeTakeFirstOrThrow();
  return { count: Number(r.n), top: Number(r.top ?? 0) };
}

export function insertMeasure(
  x: Executor,
  v: {
    item_id: number;
    adoption_id: number | null;
    position: number;
    kind: MeasureKind;
    name: string;
    unit: string | null;
    description: string | null;
  },
) {
  return x.insertInto('knowledge_measures').values(v).returning('id').executeTakeFirstOrThrow();
}

export function updateMeasure(
  x: Executor,
  id: number,
  v: { kind: MeasureKind; name: string; unit: string | null; description: string | null },
) {
  return x.updateTable('knowledge_measures').set(v).where('id', '=', id).execute();
}

export function deleteMeasure(x: Executor, id: number) {
  return x.deleteFrom('knowledge_measures').where('id', '=', id).execute();
}

export function findValue(x: Executor, measureId: number, valueId: number) {
  return x
    .selectFrom('knowledge_measure_values')
    .selectAll()
    .where('id', '=', valueId)
    .where('measure_id', '=', measureId)
    .executeTakeFirst();
}

export async function countValues(x: Executor, measureId: number) {
  const r = await x
    .selectFrom('knowledge_measure_values')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('measure_id', '=', measureId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function valueOnDate(x: Executor, measureId: number, date: string, exceptId: number | null) {
  let q = x
    .selectFrom('knowledge_measure_values')
    .select('id')
    .where('measure_id', '=', measureId)
    .where('measured_on', '=', date);
  if (exceptId !== null) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export function insertValue(
  x: Executor,
  v: { measure_id: number; measured_on: string; value: number; note: string | null },
) {
  return x.insertInto('knowledge_measure_values').values(v).returning('id').executeTakeFirstOrThrow();
}

export function updateValue(
  x: Executor,
  id: number,
  v: { measured_on: string; value: number; note: string | null },
) {
  return x.updateTable('knowledge_measure_values').set(v).where('id', '=', id).execute();
}

export function deleteValue(x: Executor, id: number) {
  return x.deleteFrom('knowledge_measure_values').where('id', '=', id).execute();
}

/** Locks the item row so that two people adding at once cannot pass the caps together. */
export function lockItem(x: Executor, itemId: number) {
  return sql`select id from knowledge_items where id = ${itemId} for update`.execute(x);
}
