import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { type Actor, isNational } from '../../platform/permissions.ts';
import { findPolicyFacts, listOrganisationsByIds } from '../members/index.ts';
import { requireContributor, type KnowledgeAccess } from './knowledge.access.ts';
import * as repo from './knowledge.adoptions.repository.ts';
import { ADOPTION_STATUS_LABELS, type AdoptionInput } from './knowledge.adoptions.schemas.ts';

type Organisation = { id: number; odsCode: string | null; name: string };

function present(r: repo.AdoptionRow, organisations: Map<number, Organisation>) {
  const o = organisations.get(r.organisation_id);
  return {
    id: r.id,
    itemId: r.item_id,
    organisation: { id: r.organisation_id, odsCode: o?.odsCode ?? null, name: o?.name ?? 'An organisation' },
    regionCode: r.region_code,
    regionName: r.region_name ?? r.region_code,
    status: r.status,
    statusLabel: ADOPTION_STATUS_LABELS[r.status],
    adoptedOn: r.adopted_on,
    notes: r.notes,
    recordedBy: r.recorded_by_name,
    recordedByUserId: r.recorded_by,
  };
}
export type AdoptionView = ReturnType<typeof present>;

/** Adoptions by region: how many organisations, and the first and latest dates, first-reached first. */
export function summariseByRegion(adoptions: readonly AdoptionView[]) {
  const byRegion = new Map<string, { regionCode: string | null; regionName: string; dates: string[] }>();
  for (const a of adoptions) {
    const key = a.regionCode ?? '';
    const entry = byRegion.get(key) ?? {
      regionCode: a.regionCode,
      regionName: a.regionName ?? 'Region not known',
      dates: [],
    };
    entry.dates.push(a.adoptedOn);
    byRegion.set(key, entry);
  }
  return [...byRegion.values()]
    .map((r) => {
      const dates = [...r.dates].sort();
      return {
        regionCode: r.regionCode,
        regionName: r.regionName,
        organisations: dates.length,
        first: dates[0]!,
        latest: dates[dates.length - 1]!,
      };
    })
    .sort((a, b) =>
      a.first < b.first ? -1 : a.first > b.first ? 1 : a.regionName.localeCompare(b.regionName),
    );
}

/**
 * Adopt and adapt: a member of another organisation records that their organisation adopted (or
 * adapted, is exploring, or stopped) an item, with a date, notes and measures of its own; the spread
 * view lists where the idea has travelled. Everyone who may read the item reads its adoptions; the
 * person who recorded one and the national team change it.
 */
export function createAdoptions(deps: { db: DB; access: KnowledgeAccess }) {
  const { db, access } = deps;

  async function organisationsOf(x: Executor, ids: number[]) {
    const found = await listOrganisationsByIds(x, ids);
    return new Map(found.map((o) => [o.id, o]));
  }

  /** Whether (and for which organisation) the actor may record an adoption of the item. */
  async function recordingFor(
    actor: Actor,
    item: { id: number; owner_user_id: number | null; organisation_ids: number[]; status: string },
    x: Executor,
  ) {
    const facts = await findPolicyFacts(x, actor.userId);
    if (!facts?.organisationId)
      return {
        organisation: null,
        reason: 'Only a current member whose profile names their organisation can record its adoption',
      };
    const organisation = (await listOrganisationsByIds(x, [facts.organisationId]))[0];
    if (!organisation) return { organisation: null, reason: 'Your profile’s organisation is not on record' };
    if (item.status !== 'published')
      return { organisation: null, reason: 'Only a published item can be adopted' };
    if (item.owner_user_id === actor.userId || item.organisation_ids.includes(organisation.id))
      return {
        organisation: null,
        reason: 'This item comes from your organisation: adoptions are recorded by other organisations',
      };
    const existing = await repo.adoptionExists(x, item.id, organisation.id);
    if (existing !== null)
      return {
        organisation: null,
        existing,
        reason: `${organisation.name}’s adoption of this item is already recorded`,
      };
    return {
      organisation: { ...organisation, regionCode: organisation.regionCode ?? facts.regionCode },
      reason: null,
    };
  }

  /** The spread view: the item's adoptions by date, a summary by region, and the actor's own part. */
  async function getSpread(actor: Actor, itemId: number) {
    const found = await access.loadItemFor(actor, itemId);
    const rows = await repo.listAdoptionsOfItem(db, itemId);
    const organisations = await organisationsOf(db, [
      ...rows.map((r) => r.organisation_id),
      ...found.item.organisation_ids,
    ]);
    const adoptions = rows.map((r) => present(r, organisations));
    const recording = await recordingFor(actor, found.item, db);
    return {
      item: found.item,
      origin: found.item.organisation_ids
        .map((id) => organisations.get(id))
        .filter((o): o is NonNullable<typeof o> => !!o),
      adoptions,
      regions: summariseByRegion(adoptions),
      canRecord: recording.organisation !== null,
      recordingOrganisation: recording.organisation,
      recordingRefusal: recording.reason,
      existingAdoptionId: 'existing' in recording ? (recording.existing ?? null) : null,
    };
  }

  async function load(actor: Actor, itemId: number, adoptionId: number, x: Executor = db) {
    const found = await access.loadItemFor(actor, itemId, x);
    const row = await repo.findAdoption(x, itemId, adoptionId);
    if (!row) throw new NotFoundError('There is no such adoption of this item');
    const organisations = await organisationsOf(x, [row.organisation_id]);
    return {
      item: found.item,
      adoption: present(row, organisations),
      manage: isNational(actor) || row.recorded_by === actor.userId,
    };
  }

  async function getAdoption(actor: Actor, itemId: number, adoptionId: number) {
    return load(actor, itemId, adoptionId);
  }

  async function loadToManage(actor: Actor, itemId: number, adoptionId: number, x: Executor) {
    requireContributor(actor);
    const found = await load(actor, itemId, adoptionId, x);
    if (!found.manage)
      throw new ForbiddenError(
        'Only the person who recorded the adoption or the national team can change it',
      );
    return found;
  }

  async function recordAdoption(actor: Actor, itemId: number, input: AdoptionInput) {
    requireContributor(actor);
    const id = await db.transaction().execute(async (trx) => {
      const { item } = await access.loadItemFor(actor, itemId, trx);
      const recording = await recordingFor(actor, item, trx);
      if (!recording.organisation) throw new ConflictError(recording.reason);
      const row = await repo.insertAdoption(trx, {
        item_id: itemId,
        organisation_id: recording.organisation.id,
        region_code: recording.organisation.regionCode,
        status: input.status,
        adopted_on: input.adoptedOn,
        notes: input.notes,
        recorded_by: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'knowledge.adoption.record',
        entityType: 'knowledge_adoption',
        entityId: row.id,
        summary: `Recorded that ${recording.organisation.name} ${input.status === 'exploring' ? 'is exploring' : input.status} item ${itemId} on ${input.adoptedOn}`,
      });
      return row.id;
    });
    return (await load(actor, itemId, id)).adoption;
  }

  async function editAdoption(actor: Actor, itemId: number, adoptionId: number, input: AdoptionInput) {
    await db.transaction().execute(async (trx) => {
      const found = await loadToManage(actor, itemId, adoptionId, trx);
      await repo.updateAdoption(trx, adoptionId, {
        status: input.status,
        adopted_on: input.adoptedOn,
        notes: input.notes,
      });
      await recordAudit(trx, actor, {
        action: 'knowledge.adoption.edit',
        entityType: 'knowledge_adoption',
        entityId: adoptionId,
        summary: `Changed ${found.adoption.organisation.name}’s adoption of item ${itemId} (${found.adoption.status} on ${found.adoption.adoptedOn} to ${input.status} on ${input.adoptedOn})`,
      });
    });
    return (await load(actor, itemId, adoptionId)).adoption;
  }

  async function removeAdoption(actor: Actor, itemId: number, adoptionId: number) {
    await db.transaction().execute(async (trx) => {
      const found = await loadToManage(actor, itemId, adoptionId, trx);
      await repo.deleteAdoption(trx, adoptionId);
      await recordAudit(trx, actor, {
        action: 'knowledge.adoption.remove',
        entityType: 'knowledge_adoption',
        entityId: adoptionId,
        summary: `Removed ${found.adoption.organisation.name}’s adoption of item ${itemId} and its measures`,
      });
    });
  }

  return { getSpread, getAdoption, recordAdoption, editAdoption, removeAdoption };
}
export type KnowledgeAdoptions = ReturnType<typeof createAdoptions>;
