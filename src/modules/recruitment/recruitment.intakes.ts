import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { longDate } from '../../platform/dates.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import * as repo from './recruitment.repository.ts';
import type { IntakeInput } from './recruitment.schemas.ts';

export type IntakeView = {
  id: number;
  regionCode: string;
  name: string;
  opensOn: string;
  closesOn: string | null;
  status: 'open' | 'closed';
  applications: number;
};

/**
 * A region's intakes: the cohorts applications go to, with the dates between which an open intake
 * takes applications (the public pages and the application follow them). The region's lead and the
 * national team add and change them; two open intakes of a region never overlap, so an applicant
 * always has exactly one to go to. Every change is audited.
 */
export function createIntakes(deps: { db: DB }) {
  const { db } = deps;

  async function listIntakes(actor: Actor, regionCode: string): Promise<IntakeView[]> {
    requireRole(actor, ['regional-lead'], regionCode);
    const region = await repo.findRegion(db, regionCode);
    if (!region) throw new NotFoundError('Region not found');
    return (await repo.listRegionIntakes(db, regionCode)).map((r) => ({
      id: r.id,
      regionCode: r.region_code,
      name: r.name,
      opensOn: r.opens_on,
      closesOn: r.closes_on,
      status: r.status === 'closed' ? 'closed' : 'open',
      applications: Number(r.applications ?? 0),
    }));
  }

  async function getIntake(actor: Actor, id: number): Promise<IntakeView> {
    const row = await repo.findIntake(db, id);
    if (!row) throw new NotFoundError('Intake not found');
    // Someone outside the region learns nothing of it: the same answer as an unknown intake.
    try {
      requireRole(actor, ['regional-lead'], row.region_code);
    } catch {
      throw new NotFoundError('Intake not found');
    }
    const found = (await listIntakes(actor, row.region_code)).find((i) => i.id === id);
    if (!found) throw new NotFoundError('Intake not found');
    return found;
  }

  /** Checks, inside the transaction that writes, the rules no schema can: unique name, no overlap. */
  async function checkRules(
    trx: Executor,
    regionCode: string,
    input: IntakeInput,
    exceptId: number | null,
  ): Promise<void> {
    const named = await repo.findIntakeByName(trx, regionCode, input.name);
    if (named && named.id !== exceptId)
      throw new ValidationError([
        { field: 'name', message: `This region already has an intake called ${input.name}` },
      ]);
    if (input.status === 'open') {
      const other = await repo.findOverlappingOpenIntake(
        trx,
        regionCode,
        input.opensOn,
        input.closesOn,
        exceptId,
      );
      if (other)
        throw new ValidationError([
          {
            field: 'opensOn',
            message:
              `These dates overlap ${other.name}, which takes applications from ${longDate(other.opens_on)}` +
              (other.closes_on ? ` to ${longDate(other.closes_on)}` : ' with no closing date') +
              ': change its dates or close it first',
          },
        ]);
    }
  }

  async function addIntake(actor: Actor, regionCode: string, input: IntakeInput): Promise<number> {
    requireRole(actor, ['regional-lead'], regionCode);
    return db.transaction().execute(async (trx) => {
      // One writer of a region's intakes at a time, so two overlapping ones cannot both pass.
      const region = await repo.lockRegion(trx, regionCode);
      if (!region) throw new NotFoundError('Region not found');
      await checkRules(trx, regionCode, input, null);
      const { id } = await repo.insertIntake(trx, {
        region_code: regionCode,
        name: input.name,
        opens_on: input.opensOn,
        closes_on: input.closesOn,
        status: input.status,
      });
      await recordAudit(trx, actor, {
        action: 'intake.create',
        entityType: 'intake',
        entityId: id,
        summary: `Added the intake ${input.name} to ${region.name} (${describeDates(input)})`,
      });
      return id;
    });
  }

  /** Changes an intake; returns its region, which the caller shows next. */
  async function updateIntake(actor: Actor, id: number, input: IntakeInput): Promise<{ regionCode: string }> {
    const current = await getIntake(actor, id);
    await db.transaction().execute(async (trx) => {
      const region = await repo.lockRegion(trx, current.regionCode);
      if (!region) throw new NotFoundError('Region not found');
      await checkRules(trx, current.regionCode, input, id);
      await repo.updateIntake(trx, id, {
        name: input.name,
        opens_on: input.opensOn,
        closes_on: input.closesOn,
        status: input.status,
      });
      await recordAudit(trx, actor, {
        action: 'intake.update',
        entityType: 'intake',
        entityId: id,
        summary: `Changed the intake ${current.name} of ${region.name} to ${input.name} (${describeDates(input)})`,
      });
    });
    return { regionCode: current.regionCode };
  }

  return { listIntakes, getIntake, addIntake, updateIntake };
}

function describeDates(input: IntakeInput): string {
  return (
    `${input.status}, from ${longDate(input.opensOn)}` +
    (input.closesOn ? ` to ${longDate(input.closesOn)}` : ', no closing date')
  );
}
