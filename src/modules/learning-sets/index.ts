import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { learningSetsApi } from './learning-sets.api.ts';
import { learningSetsPages } from './learning-sets.pages.ts';
import { createLearningSetsService } from './learning-sets.service.ts';

export { registerLearningSetsCli } from './learning-sets.cli.ts';
export { learningSetsDemoStep } from './learning-sets.demo.ts';
export { learningSetsDataRights } from './learning-sets.data-rights.ts';
export { findGroups, type KnowledgeGroup, listGroupsOf } from './learning-sets.knowledge-queries.ts';
export {
  createLearningSetsService,
  type LearningSetsService,
  type SessionReturnsSummary,
  summariseSessionReturns,
} from './learning-sets.service.ts';

/**
 * Action learning: facilitators, set formation (the engine plus hand edits), publishing, sessions,
 * attendance, actions, facilitator notes, session returns and calendar feeds.
 */
export async function learningSetsModule(
  app: FastifyInstance,
  opts: { db: DB; config: Config; pool: WorkerPool; jobs: EngineJobs; solveTimeMs?: number },
) {
  const sets = createLearningSetsService({
    db: opts.db,
    pool: opts.pool,
    jobs: opts.jobs,
    baseUrl: opts.config.baseUrl,
    solveTimeMs: opts.solveTimeMs ?? opts.config.formationMs,
  });
  await learningSetsPages(app, { sets, baseUrl: opts.config.baseUrl });
  await learningSetsApi(app, { sets });
}
