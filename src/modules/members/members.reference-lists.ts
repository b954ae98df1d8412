import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { cachedFor, REFERENCE_TTL_MS } from '../../platform/cache.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import * as repo from './members.repository.ts';
import { professionLabel } from './members.shared.ts';

/**
 * The regions and specialties profiles and the directory name, kept for a minute at most. The two
 * lists themselves (specialtiesList, regionsList) are for the directory, not the service's interface.
 */
export function createReferenceLists(deps: { db: DB }) {
  const { db } = deps;

  // Reference lists every directory view shows in its filters. Regions change only through
  // migrations and specialties only through addSpecialty below, so each is read once a minute at
  // most (issue 8: two queries fewer on every directory page).
  const specialtiesList = cachedFor(REFERENCE_TTL_MS, () => repo.listSpecialties(db));
  const regionsList = cachedFor(REFERENCE_TTL_MS, () => repo.listRegions(db));

  async function listSpecialties(profession?: string) {
    const all = await specialtiesList.get();
    return profession ? all.filter((s) => s.profession === profession) : all;
  }

  async function addSpecialty(actor: Actor, profession: string, name: string) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const id = await repo.insertSpecialty(trx, profession, name);
      if (id === null)
        throw new ConflictError(`${name} is already a specialty of ${professionLabel(profession)}`);
      await recordAudit(trx, actor, {
        action: 'member.specialty.add',
        entityType: 'specialty',
        entityId: id,
        summary: `Added the specialty ${name} for ${professionLabel(profession)}`,
      });
    });
    specialtiesList.clear();
  }

  async function getRegion(code: string) {
    const upper = code.toUpperCase();
    const region = (await listRegions()).find((r) => r.code === upper);
    if (!region) throw new NotFoundError(`There is no region ${code}`);
    return region;
  }

  async function listRegions() {
    return regionsList.get();
  }

  return { specialtiesList, regionsList, listSpecialties, addSpecialty, getRegion, listRegions };
}
export type ReferenceLists = ReturnType<typeof createReferenceLists>;
