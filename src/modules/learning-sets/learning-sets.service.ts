import type { DB } from '../../db/database.ts';
import { cachedFor, REFERENCE_TTL_MS } from '../../platform/cache.ts';
import { createEngineJobs, type EngineJobs } from '../../platform/engine-jobs.ts';
import { type Actor, hasRole, isNational } from '../../platform/permissions.ts';
import { cores, createWorkerPool, type WorkerPool } from '../../platform/workers.ts';
import { createAccess } from './learning-sets.access.ts';
import { createCalendarFeeds } from './learning-sets.calendar-feeds.ts';
import { createDraftEdits } from './learning-sets.draft-edits.ts';
import { createDrafts } from './learning-sets.drafts.ts';
import { createFacilitators } from './learning-sets.facilitators.ts';
import { createFormation } from './learning-sets.formation.ts';
import { createFormationJobs } from './learning-sets.formation-jobs.ts';
import { createFormationPlanning } from './learning-sets.formation-plan.ts';
import * as repo from './learning-sets.repository.ts';
import { createReturns, summariseSessionReturns } from './learning-sets.returns.ts';
import { createSessions } from './learning-sets.sessions.ts';
import { createSets } from './learning-sets.sets.ts';
import { MAX_PARALLEL_SEARCHES } from './learning-sets.solve.ts';

export { FORMATION_JOB } from './learning-sets.formation-jobs.ts';
export { seniorityFromJobTitle } from './learning-sets.formation-plan.ts';
export {
  MIN_RATE_BASE,
  type SessionReturnsSummary,
  summariseSessionReturns,
} from './learning-sets.returns.ts';
export { londonTime } from './learning-sets.sessions.ts';

export type LearningSetsServiceOptions = {
  db: DB;
  baseUrl: string;
  /** Engine time budget per formation; the issue asks for about 2 s. */
  solveTimeMs: number;
  /** Worker threads the engine runs in, off the request thread (the app passes its own). */
  pool?: WorkerPool;
  /** Formations started from the pages and the API run as jobs the lead watches. */
  jobs?: EngineJobs;
  /** Independent searches per formation, each on its own thread; the best is kept. */
  searches?: number;
};

/**
 * Action learning, composed from its sections: who may reach a set, a session or a formation
 * (learning-sets.access.ts, internal), facilitators (learning-sets.facilitators.ts), forming a
 * cohort's sets: the request checked and the cohort read (learning-sets.formation-plan.ts), the
 * solve and the locked write (learning-sets.formation.ts) and the same as a watched job
 * (learning-sets.formation-jobs.ts); draft formations shown, published and discarded
 * (learning-sets.drafts.ts) and edited by hand (learning-sets.draft-edits.ts); published sets
 * (learning-sets.sets.ts), their sessions, attendance, actions and notes
 * (learning-sets.sessions.ts), session returns (learning-sets.returns.ts) and calendar feeds
 * (learning-sets.calendar-feeds.ts); the SQL lives in learning-sets.repository.ts.
 */
export function createLearningSetsService(opts: LearningSetsServiceOptions) {
  const { db, baseUrl, solveTimeMs } = opts;
  // Idle pool threads do not keep a process alive, so a service made on its own (the CLI, the
  // demo seed, tests) may own a pool without closing it.
  const pool = opts.pool ?? createWorkerPool();
  const jobs = opts.jobs ?? createEngineJobs({ db });
  const searches = Math.max(
    1,
    Math.min(opts.searches ?? Math.min(cores(), pool.threads), MAX_PARALLEL_SEARCHES),
  );
  const regionsList = cachedFor(REFERENCE_TTL_MS, () => repo.listRegions(db));
  const access = createAccess({ db });
  const { requireLead } = access;
  const { planFormation } = createFormationPlanning({ db, solveTimeMs, requireLead });
  const { solveFormation, writeFormation, ...formation } = createFormation({
    db,
    solveTimeMs,
    pool,
    searches,
    requireLead,
    planFormation,
  });
  return {
    ...createFacilitators({ db, access }),
    ...formation,
    ...createFormationJobs({
      db,
      jobs,
      solveTimeMs,
      searches,
      planFormation,
      solveFormation,
      writeFormation,
    }),
    ...createDrafts({ db, baseUrl, access }),
    ...createDraftEdits({ db, access }),
    ...createSets({ db, access }),
    ...createSessions({ db, access }),
    ...createReturns({ db, access }),
    ...createCalendarFeeds({ db, baseUrl }),
    isStaffOf: access.isStaffOf,
    isLeadOf: (actor: Actor, regionCode: string) =>
      isNational(actor) || hasRole(actor, 'regional-lead', regionCode),
    // Regions change only through migrations (see platform/cache.ts).
    listRegions: () => regionsList.get(),
    summariseReturns: (regionCode: string | 'all') => summariseSessionReturns(db, regionCode),
  };
}
export type LearningSetsService = ReturnType<typeof createLearningSetsService>;
