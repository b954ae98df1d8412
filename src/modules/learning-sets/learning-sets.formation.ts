import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { type CohortMember, listCohortMembers } from '../members/index.ts';
import { InfeasibleError, LearningSetsError } from './engine/index.ts';
import type { Access } from './learning-sets.access.ts';
import { type FormationPlan, requireCohortOpen } from './learning-sets.formation-plan.ts';
import * as repo from './learning-sets.repository.ts';
import type { FormationInput } from './learning-sets.schemas.ts';
import { facilitatorCapacity, fail } from './learning-sets.shared.ts';
import { type FormationProgress, solveInWorkers } from './learning-sets.solve.ts';

/** Who joined and who left a cohort between two readings, or null when the members are the same. */
function describeCohortChange(before: CohortMember[], after: CohortMember[]): string | null {
  const was = new Set(before.map((m) => m.userId));
  const is = new Set(after.map((m) => m.userId));
  const joined = after.filter((m) => !was.has(m.userId)).map((m) => m.name);
  const left = before.filter((m) => !is.has(m.userId)).map((m) => m.name);
  if (joined.length === 0 && left.length === 0) return null;
  const list = (names: string[]) =>
    names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return [joined.length ? `${list(joined)} joined` : '', left.length ? `${list(left)} left` : '']
    .filter(Boolean)
    .join('; ');
}

/**
 * Forming a cohort's sets as a draft: the engine in worker threads, then the locked write.
 * solveFormation and writeFormation are internal (the formation jobs run them too).
 */
export function createFormation(deps: {
  db: DB;
  solveTimeMs: number;
  pool: WorkerPool;
  searches: number;
  requireLead: Access['requireLead'];
  planFormation: (actor: Actor, regionCode: string, input: FormationInput) => Promise<FormationPlan>;
}) {
  const { db, solveTimeMs, pool, searches, requireLead, planFormation } = deps;

  async function cohortOptions(actor: Actor, regionCode: string) {
    requireLead(actor, regionCode);
    const region = await repo.findRegion(db, regionCode);
    if (!region) throw new NotFoundError('There is no such region');
    const intakes = await repo.listIntakes(db, regionCode);
    return { region, intakes: intakes.map((i) => ({ ...i, active_members: Number(i.active_members ?? 0) })) };
  }

  /**
   * Runs the engine on a region's cohort and saves the result as a draft formation. Every rule
   * that cannot be met (sizes, pairs, facilitators) is explained as a ValidationError on the
   * field at fault; nothing is saved unless the whole formation is.
   *
   * The cohort is read and the engine run (seconds of CPU) outside any transaction; the write is
   * one short transaction that locks the cohort and re-checks everything the solve read: no
   * published or draft formation, the same members, the facilitators still within capacity. A
   * second lead forming at the same moment gets a 409 naming the draft the first one made.
   * `seams.afterSolve` runs between the solve and the write (tests change the data there).
   */
  async function formSets(
    actor: Actor,
    regionCode: string,
    input: FormationInput,
    seams: { afterSolve?: () => Promise<void> } = {},
  ) {
    const plan = await planFormation(actor, regionCode, input);
    const result = await solveFormation(plan, {});
    await seams.afterSolve?.();
    return writeFormation(actor, plan, result);
  }

  /** The engine in worker threads: `searches` seeds at once, the best kept. */
  async function solveFormation(
    plan: FormationPlan,
    run: { signal?: AbortSignal; onProgress?: (p: FormationProgress) => void },
  ) {
    try {
      return await solveInWorkers(pool, plan.problem, {
        seed: plan.input.seed,
        timeLimitMs: solveTimeMs,
        searches,
        ...run,
      });
    } catch (err) {
      if (err instanceof InfeasibleError || err instanceof LearningSetsError)
        return fail('keepApart', `The sets cannot be formed with these rules: ${err.message}`);
      throw err;
    }
  }

  async function writeFormation(
    actor: Actor,
    plan: FormationPlan,
    result: Awaited<ReturnType<typeof solveFormation>>,
  ) {
    const { regionCode, input, intake, cohort, people, settings, facilitators, keepApart, keepTogether } =
      plan;
    const { lower, upper, m, n } = plan;
    const { minSize, maxSize } = input;
    // Facilitators: spread the sets over those with spare capacity, lead facilitator first.
    const pool = facilitators.map((f) => ({ ...f }));
    const assigned: number[] = [];
    for (let g = 0; g < m; g++) {
      pool.sort(
        (a, b) => b.spare - a.spare || Number(b.isLead) - Number(a.isLead) || a.name.localeCompare(b.name),
      );
      const f = pool[0]!;
      f.spare--;
      assigned.push(f.userId);
    }

    return db.transaction().execute(async (trx) => {
      await repo.lockIntake(trx, intake.id);
      await repo.lockFacilitators(trx, regionCode);
      await requireCohortOpen(trx, intake);
      const now = await listCohortMembers(trx, regionCode, intake.id);
      const changed = describeCohortChange(cohort, now);
      if (changed)
        throw new ConflictError(
          `The members of ${intake.name} changed while the sets were being formed (${changed}): form the sets again`,
        );
      const capacityNow = new Map((await facilitatorCapacity(trx, regionCode)).map((f) => [f.userId, f]));
      for (const f of facilitators) {
        const wanted = assigned.filter((id) => id === f.userId).length;
        if (wanted === 0) continue;
        const current = capacityNow.get(f.userId);
        if (!current || current.spare < wanted)
          throw new ConflictError(
            `${f.name} can no longer take ${wanted} more set${wanted === 1 ? '' : 's'} (their capacity or account changed while the sets were being formed): form the sets again`,
          );
      }
      const formationId = await repo.insertFormation(trx, {
        regionCode,
        intakeId: intake.id,
        minSize,
        maxSize,
        equalSizes: input.sizing === 'equal',
        separateOrganisations: input.separateOrganisations,
        settings,
        people,
        objective: result.objective,
        unmetPreferences: result.unmetPreferences.length,
        createdBy: actor.userId,
      });
      for (let g = 0; g < m; g++) {
        const setId = await repo.insertSet(trx, {
          formationId,
          regionCode,
          name: `${intake.name} set ${String.fromCharCode(65 + (g % 26))}${g >= 26 ? Math.floor(g / 26) : ''}`,
          position: g,
          facilitatorUserId: assigned[g]!,
          minSize: lower[g]!,
          maxSize: upper[g]!,
        });
        await repo.insertSetMembers(
          trx,
          result.groups[g]!.map((i) => ({ formationId, setId, userId: people[i]!.userId, personIndex: i })),
        );
      }
      await recordAudit(trx, actor, {
        action: 'learning-sets.formation.create',
        entityType: 'set-formation',
        entityId: formationId,
        summary: `Formed ${m} draft sets for ${intake.name} (${regionCode}) from ${n} members`,
        details: {
          minSize,
          maxSize,
          sizing: input.sizing,
          separateOrganisations: input.separateOrganisations,
          attributes: settings.attributes,
          keepApart: keepApart.length,
          keepTogether: keepTogether.length,
          objective: result.objective,
          seed: input.seed,
          searches: result.searches,
          bestSeed: result.seed,
        },
      });
      return formationId;
    });
  }

  return { cohortOptions, formSets, solveFormation, writeFormation };
}
