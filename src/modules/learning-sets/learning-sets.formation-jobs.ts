import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { formatLongDate } from '../../platform/dates.ts';
import type { EngineJob, EngineJobs } from '../../platform/engine-jobs.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { type Actor, hasRole, isNational } from '../../platform/permissions.ts';
import type { createFormation } from './learning-sets.formation.ts';
import type { FormationPlan } from './learning-sets.formation-plan.ts';
import * as repo from './learning-sets.repository.ts';
import type { FormationInput } from './learning-sets.schemas.ts';
import { londonTimeOfDay } from './learning-sets.shared.ts';
import type { FormationProgress } from './learning-sets.solve.ts';

export const FORMATION_JOB = 'learning-sets.formation';

type Formation = ReturnType<typeof createFormation>;

/** Forming sets as a job the lead watches (the pages and the API), over the same solve and write as formSets. */
export function createFormationJobs(deps: {
  db: DB;
  jobs: EngineJobs;
  solveTimeMs: number;
  searches: number;
  planFormation: (actor: Actor, regionCode: string, input: FormationInput) => Promise<FormationPlan>;
  solveFormation: Formation['solveFormation'];
  writeFormation: Formation['writeFormation'];
}) {
  const { db, jobs, solveTimeMs, searches, planFormation, solveFormation, writeFormation } = deps;

  const subjectKey = (intakeId: number) => `learning-sets.intake:${intakeId}`;

  /**
   * Starts forming sets as a job (the pages and the API): the request is checked and the cohort
   * read now, so a broken rule is refused at once; the engine then runs in worker threads while the
   * lead watches the job's page, and the draft is written with the same locked re-check as
   * formSets. One job per cohort at a time: a second is refused naming the first.
   */
  async function startFormation(actor: Actor, regionCode: string, input: FormationInput) {
    const plan = await planFormation(actor, regionCode, input);
    const refuseWhileRunning = async () => {
      const running = await jobs.findRunning(subjectKey(plan.intake.id));
      if (running)
        throw new ConflictError(
          `Sets for ${plan.intake.name} are being formed by ${running.startedByName ?? 'someone'}, who started at ${londonTimeOfDay(running.startedAt)} on ${formatLongDate(running.startedAt)}: follow the progress at /learning-sets/formation-jobs/${running.id}`,
        );
    };
    await refuseWhileRunning();
    const started = jobs.start(
      {
        kind: FORMATION_JOB,
        regionCode,
        subjectKey: subjectKey(plan.intake.id),
        subjectId: plan.intake.id,
        startedBy: actor.userId,
      },
      async ({ signal, progress }) => {
        progress({ elapsedMs: 0, budgetMs: solveTimeMs, bestObjective: null, searches });
        const result = await solveFormation(plan, {
          signal,
          onProgress: (p) => progress({ ...p, searches }),
        });
        signal.throwIfAborted();
        const id = await writeFormation(actor, plan, result);
        progress({
          elapsedMs: solveTimeMs,
          budgetMs: solveTimeMs,
          bestObjective: result.objective,
          searches,
        });
        return id;
      },
    );
    // Two leads starting at the same moment: the database lets one job run; name it to the other.
    return started.catch(async (err) => {
      if (err instanceof ConflictError) await refuseWhileRunning();
      throw err;
    });
  }

  /** A formation job, for the region's lead and the national team only (anyone else: 404). */
  async function getFormationJob(actor: Actor, id: number) {
    const job = await jobs.find(id);
    if (
      !job ||
      job.kind !== FORMATION_JOB ||
      (!isNational(actor) && !hasRole(actor, 'regional-lead', job.regionCode ?? ''))
    )
      throw new NotFoundError('There is no such set formation');
    const intake = job.subjectId === null ? undefined : await repo.findIntake(db, job.subjectId);
    return { ...describeFormationJob(job), intakeName: intake?.name ?? null };
  }

  function describeFormationJob(job: EngineJob) {
    const p = (job.progress ?? {}) as Partial<FormationProgress & { searches: number }>;
    const budgetMs = p.budgetMs ?? solveTimeMs;
    const elapsedMs = Math.min(p.elapsedMs ?? 0, budgetMs);
    return {
      id: job.id,
      status: job.status,
      regionCode: job.regionCode!,
      intakeId: job.subjectId,
      startedBy: job.startedByName,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      cancelRequested: job.cancelRequested,
      formationId: job.status === 'succeeded' ? job.resultId : null,
      error: job.error,
      progress: {
        percent: job.status === 'succeeded' ? 100 : Math.round((100 * elapsedMs) / Math.max(1, budgetMs)),
        elapsedMs,
        budgetMs,
        bestObjective: p.bestObjective ?? null,
        searches: p.searches ?? searches,
      },
    };
  }

  async function cancelFormationJob(actor: Actor, id: number) {
    const job = await getFormationJob(actor, id);
    if (job.status !== 'running') throw new ConflictError('This formation has already finished');
    await jobs.requestCancel(id);
    await recordAudit(db, actor, {
      action: 'learning-sets.formation.cancel',
      entityType: 'engine-job',
      entityId: id,
      summary: `Cancelled forming sets (job ${id}) in ${job.regionCode}`,
      details: { intakeId: job.intakeId },
    });
  }

  return { startFormation, getFormationJob, cancelFormationJob };
}
