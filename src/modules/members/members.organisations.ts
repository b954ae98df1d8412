import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import * as repo from './members.repository.ts';
import { fail } from './members.shared.ts';

/** Organisations (ODS): one with its parent, successor, predecessors and children; search; mergers. */
export function createOrganisations(deps: { db: DB }) {
  const { db } = deps;

  async function getOrganisation(odsCode: string) {
    const org = await repo.findOrganisationByOds(db, odsCode.toUpperCase());
    if (!org) throw new NotFoundError(`No organisation has the ODS code ${odsCode}`);
    const [parent, successor, predecessors, children, region] = await Promise.all([
      org.parent_id ? repo.findOrganisationById(db, org.parent_id) : undefined,
      org.successor_id ? repo.findOrganisationById(db, org.successor_id) : undefined,
      repo.listPredecessors(db, org.id),
      repo.listChildren(db, org.id, 200),
      org.sha_code ? repo.findRegion(db, org.sha_code) : undefined,
    ]);
    return { org, parent, successor, predecessors, children, region };
  }

  async function getOrganisationById(id: number) {
    return repo.findOrganisationById(db, id);
  }

  async function searchOrganisations(f: { q?: string; kind?: string; page: number; pageSize: number }) {
    return repo.searchOrganisations(db, f);
  }

  /** Records a merger: the organisation closes on a date and names its successor; nothing is deleted. */
  async function recordMerger(actor: Actor, odsCode: string, successorOds: string, validTo: string) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const org = await repo.findOrganisationByOds(trx, odsCode);
      if (!org) throw new NotFoundError(`No organisation has the ODS code ${odsCode}`);
      const successor = await repo.findOrganisationByOds(trx, successorOds);
      if (!successor) fail('successorOds', `No organisation has the ODS code ${successorOds}`);
      if (successor.id === org.id) fail('successorOds', 'An organisation cannot be its own successor');
      if (successor.successor_id === org.id)
        fail('successorOds', `${successor.name} already merged into ${org.name}`);
      if (org.valid_from && validTo < org.valid_from)
        fail('validTo', `The closing date must be on or after the opening date, ${org.valid_from}`);
      await repo.recordMerger(trx, org.id, successor.id, validTo);
      await recordAudit(trx, actor, {
        action: 'organisation.merge',
        entityType: 'organisation',
        entityId: org.id,
        summary: `Recorded that ${org.name} (${org.ods_code}) merged into ${successor.name} (${successor.ods_code}) on ${validTo}`,
        details: { successorId: successor.id, validTo, previousValidTo: org.valid_to },
      });
    });
  }

  return { getOrganisation, searchOrganisations, getOrganisationById, recordMerger };
}
