import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, ForbiddenError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { Access } from './learning-sets.access.ts';
import * as repo from './learning-sets.repository.ts';
import { fail } from './learning-sets.shared.ts';

/** A region's facilitators (from the consultancy) and their capacity in sets. */
export function createFacilitators(deps: { db: DB; access: Pick<Access, 'requireLead' | 'isStaffOf'> }) {
  const { db } = deps;
  const { requireLead, isStaffOf } = deps.access;

  async function listFacilitators(actor: Actor, regionCode: string) {
    if (!isStaffOf(actor, regionCode)) throw new ForbiddenError();
    const rows = await repo.listFacilitators(db, regionCode);
    return rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      email: r.email,
      disabled: r.disabled_at !== null,
      isLead: r.is_lead,
      maxSets: r.max_sets,
      publishedSets: Number(r.published_sets ?? 0),
      organisation: r.organisation_name,
    }));
  }

  async function saveFacilitator(
    actor: Actor,
    regionCode: string,
    input: { email: string; maxSets: number; isLead: boolean },
  ) {
    requireLead(actor, regionCode);
    return db.transaction().execute(async (trx) => {
      const user = await repo.findUserByEmail(trx, input.email);
      if (!user) return fail('email', `There is no account with the email address ${input.email}`);
      if (!(await repo.holdsRole(trx, user.id, 'facilitator', regionCode)))
        return fail(
          'email',
          `${user.name} is not a facilitator in ${regionCode}: give them the facilitator role for this region first`,
        );
      const supplier = await repo.findSupplier(trx);
      if (!supplier) throw new ConflictError('The consultancy supplier organisation is not set up');
      const existing = await repo.findFacilitator(trx, user.id);
      if (existing && existing.region_code !== regionCode)
        throw new ConflictError(`${user.name} already facilitates in ${existing.region_code}`);
      await repo.upsertFacilitator(trx, {
        userId: user.id,
        regionCode,
        organisationId: supplier.id,
        isLead: input.isLead,
        maxSets: input.maxSets,
      });
      await recordAudit(trx, actor, {
        action: existing ? 'learning-sets.facilitator.update' : 'learning-sets.facilitator.add',
        entityType: 'facilitator',
        entityId: user.id,
        summary: `${existing ? 'Updated' : 'Added'} facilitator ${user.email} in ${regionCode} (${supplier.name}), capacity ${input.maxSets} sets${input.isLead ? ', lead facilitator' : ''}`,
        details: { regionCode, maxSets: input.maxSets, isLead: input.isLead },
      });
      return user;
    });
  }

  return { listFacilitators, saveFacilitator };
}
