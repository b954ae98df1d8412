import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, isNational } from '../../platform/permissions.ts';
import { requireContributor, type KnowledgeAccess } from './knowledge.access.ts';
import { analyseRunChart, chartGeometry, formatNumber } from './engine/run-chart.ts';
import { findAdoptionRecorder } from './knowledge.adoptions.repository.ts';
import * as repo from './knowledge.measures.repository.ts';
import {
  MEASURE_KIND_LABELS,
  MEASURE_LIMITS,
  type MeasureInput,
  type ValueInput,
} from './knowledge.measures.schemas.ts';

/** Whose measures: a case study's own (adoptionId null) or one adoption's of it. */
export type MeasureHolder = { itemId: number; adoptionId: number | null };

type MeasureRow = Awaited<ReturnType<typeof repo.listMeasures>>[number];
type ValueRow = Awaited<ReturnType<typeof repo.listValues>>[number];

function present(m: MeasureRow, values: ValueRow[]) {
  const points = values.map((v) => ({ date: v.measured_on, value: v.value }));
  const chart = analyseRunChart(points);
  return {
    id: m.id,
    itemId: m.item_id,
    adoptionId: m.adoption_id,
    kind: m.kind,
    name: m.name,
    unit: m.unit,
    description: m.description,
    values: values.map((v) => ({ id: v.id, measuredOn: v.measured_on, value: v.value, note: v.note })),
    median: chart.median,
    signals: chart.signals.map((s) => ({
      kind: s.kind,
      direction: s.direction,
      from: points[s.from]!.date,
      to: points[s.to]!.date,
    })),
    findings: chart.findings,
    // For the page only (the API schema leaves these out).
    kindLabel: MEASURE_KIND_LABELS[m.kind],
    medianLabel: chart.median === null ? null : formatNumber(chart.median),
    geometry: chartGeometry(points, chart),
  };
}
export type MeasureView = ReturnType<typeof present>;

/**
 * Measures (outcome, process, balancing) with their values over time, drawn as run charts: a case
 * study's own, managed by its owner and the national team, and an adoption's own, managed by the
 * person who recorded the adoption and the national team. Everyone who may read the item reads them.
 */
export function createMeasures(deps: { db: DB; access: KnowledgeAccess }) {
  const { db, access } = deps;

  /** Checks the actor may read (or manage) the holder's measures; 404 when the item is unreadable. */
  async function reach(actor: Actor, h: MeasureHolder, mode: 'read' | 'manage', x: Executor = db) {
    if (mode === 'manage') requireContributor(actor);
    const found = await access.loadItemFor(actor, h.itemId, x);
    if (h.adoptionId === null) {
      if (mode === 'manage' && !found.manage)
        throw new ForbiddenError('Only the item’s owner or the national team can change its measures');
      return { item: found.item, manage: found.manage };
    }
    const adoption = await findAdoptionRecorder(x, h.itemId, h.adoptionId);
    if (!adoption) throw new NotFoundError('There is no such adoption of this item');
    const manage = isNational(actor) || adoption.recorded_by === actor.userId;
    if (mode === 'manage' && !manage)
      throw new ForbiddenError(
        'Only the person who recorded the adoption or the national team can change its measures',
      );
    return { item: found.item, manage };
  }

  async function listFor(x: Executor, h: MeasureHolder) {
    const measures = await repo.listMeasures(x, h.itemId, h.adoptionId);
    const values = await repo.listValues(
      x,
      measures.map((m) => m.id),
    );
    return measures.map((m) =>
      present(
        m,
        values.filter((v) => v.measure_id === m.id),
      ),
    );
  }

  async function listMeasures(actor: Actor, h: MeasureHolder) {
    const { item, manage } = await reach(actor, h, 'read');
    return { item, manage, measures: await listFor(db, h) };
  }

  async function getMeasure(
    actor: Actor,
    h: MeasureHolder,
    measureId: number,
    mode: 'read' | 'manage' = 'read',
  ) {
    const { item, manage } = await reach(actor, h, mode);
    const m = await repo.findMeasure(db, h.itemId, h.adoptionId, measureId);
    if (!m) throw new NotFoundError('There is no such measure');
    return { item, manage, measure: present(m, await repo.listValues(db, [m.id])) };
  }

  const where = (h: MeasureHolder) =>
    h.adoptionId === null ? `item ${h.itemId}` : `adoption ${h.adoptionId} of item ${h.itemId}`;

  async function addMeasure(actor: Actor, h: MeasureHolder, input: MeasureInput) {
    const id = await db.transaction().execute(async (trx) => {
      await reach(actor, h, 'manage', trx);
      await repo.lockItem(trx, h.itemId);
      const { count, top } = await repo.countMeasures(trx, h.itemId, h.adoptionId);
      if (count >= MEASURE_LIMITS.measures)
        throw new ValidationError([
          { field: 'name', message: `An item can have at most ${MEASURE_LIMITS.measures} measures` },
        ]);
      const row = await repo.insertMeasure(trx, {
        item_id: h.itemId,
        adoption_id: h.adoptionId,
        position: top + 1,
        kind: input.kind,
        name: input.name,
        unit: input.unit,
        description: input.description,
      });
      await recordAudit(trx, actor, {
        action: 'knowledge.measure.add',
        entityType: 'knowledge_measure',
        entityId: row.id,
        summary: `Added the ${input.kind} measure "${input.name}" to ${where(h)}`,
      });
      return row.id;
    });
    return (await getMeasure(actor, h, id)).measure;
  }

  async function editMeasure(actor: Actor, h: MeasureHolder, measureId: number, input: MeasureInput) {
    await db.transaction().execute(async (trx) => {
      await reach(actor, h, 'manage', trx);
      const m = await repo.findMeasure(trx, h.itemId, h.adoptionId, measureId);
      if (!m) throw new NotFoundError('There is no such measure');
      await repo.updateMeasure(trx, measureId, input);
      await recordAudit(trx, actor, {
        action: 'knowledge.measure.edit',
        entityType: 'knowledge_measure',
        entityId: measureId,
        summary: `Changed the measure "${input.name}" of ${where(h)}`,
      });
    });
    return (await getMeasure(actor, h, measureId)).measure;
  }

  async function removeMeasure(actor: Actor, h: MeasureHolder, measureId: number) {
    await db.transaction().execute(async (trx) => {
      await reach(actor, h, 'manage', trx);
      const m = await repo.findMeasure(trx, h.itemId, h.adoptionId, measureId);
      if (!m) throw new NotFoundError('There is no such measure');
      await repo.deleteMeasure(trx, measureId);
      await recordAudit(trx, actor, {
        action: 'knowledge.measure.remove',
        entityType: 'knowledge_measure',
        entityId: measureId,
        summary: `Removed the measure "${m.name}" and its values from ${where(h)}`,
      });
    });
  }

  const duplicateDate = (date: string) =>
    new ValidationError([{ field: 'measuredOn', message: `This measure already has a value for ${date}` }]);

  async function addValue(actor: Actor, h: MeasureHolder, measureId: number, input: ValueInput) {
    await db.transaction().execute(async (trx) => {
      await reach(actor, h, 'manage', trx);
      const m = await repo.findMeasure(trx, h.itemId, h.adoptionId, measureId);
      if (!m) throw new NotFoundError('There is no such measure');
      await repo.lockItem(trx, h.itemId);
      if ((await repo.countValues(trx, measureId)) >= MEASURE_LIMITS.values)
        throw new ValidationError([
          { field: 'measuredOn', message: `A measure can have at most ${MEASURE_LIMITS.values} values` },
        ]);
      if (await repo.valueOnDate(trx, measureId, input.measuredOn, null))
        throw duplicateDate(input.measuredOn);
      const row = await repo.insertValue(trx, {
        measure_id: measureId,
        measured_on: input.measuredOn,
        value: input.value,
        note: input.note,
      });
      await recordAudit(trx, actor, {
        action: 'knowledge.measure.value.add',
        entityType: 'knowledge_measure_value',
        entityId: row.id,
        summary: `Added ${input.value} on ${input.measuredOn} to the measure "${m.name}" of ${where(h)}`,
      });
    });
    return (await getMeasure(actor, h, measureId)).measure;
  }

  async function getValue(actor: Actor, h: MeasureHolder, measureId: number, valueId: number) {
    const found = await getMeasure(actor, h, measureId, 'manage');
    const value = found.measure.values.find((v) => v.id === valueId);
    if (!value) throw new NotFoundError('There is no such value');
    return { ...found, value };
  }

  async function editValue(
    actor: Actor,
    h: MeasureHolder,
    measureId: number,
    valueId: number,
    input: ValueInput,
  ) {
    await db.transaction().execute(async (trx) => {
      await reach(actor, h, 'manage', trx);
      const m = await repo.findMeasure(trx, h.itemId, h.adoptionId, measureId);
      const v = m && (await repo.findValue(trx, measureId, valueId));
      if (!m || !v) throw new NotFoundError('There is no such value');
      if (await repo.valueOnDate(trx, measureId, input.measuredOn, valueId))
        throw duplicateDate(input.measuredOn);
      await repo.updateValue(trx, valueId, {
        measured_on: input.measuredOn,
        value: input.value,
        note: input.note,
      });
      await recordAudit(trx, actor, {
        action: 'knowledge.measure.value.edit',
        entityType: 'knowledge_measure_value',
        entityId: valueId,
        summary: `Changed the value of ${v.measured_on} (${v.value}) to ${input.value} on ${input.measuredOn}, measure "${m.name}" of ${where(h)}`,
      });
    });
    return (await getMeasure(actor, h, measureId)).measure;
  }

  async function removeValue(actor: Actor, h: MeasureHolder, measureId: number, valueId: number) {
    await db.transaction().execute(async (trx) => {
      await reach(actor, h, 'manage', trx);
      const m = await repo.findMeasure(trx, h.itemId, h.adoptionId, measureId);
      const v = m && (await repo.findValue(trx, measureId, valueId));
      if (!m || !v) throw new NotFoundError('There is no such value');
      await repo.deleteValue(trx, valueId);
      await recordAudit(trx, actor, {
        action: 'knowledge.measure.value.remove',
        entityType: 'knowledge_measure_value',
        entityId: valueId,
        summary: `Removed the value of ${v.measured_on} (${v.value}) from the measure "${m.name}" of ${where(h)}`,
      });
    });
    return (await getMeasure(actor, h, measureId)).measure;
  }

  return {
    listMeasures,
    getMeasure,
    addMeasure,
    editMeasure,
    removeMeasure,
    addValue,
    getValue,
    editValue,
    removeValue,
  };
}
export type KnowledgeMeasures = ReturnType<typeof createMeasures>;
