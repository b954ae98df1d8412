import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { createPolicyAccess } from './policy.access.ts';
import { createPolicyAnalysis } from './policy.analysis.ts';
import { policyAnalysisApi } from './policy.analysis.api.ts';
import { policyAnalysisPages } from './policy.analysis.pages.ts';
import { createPolicySuggestions } from './policy.suggestions.ts';

export { themesForResponse } from './policy.analysis.repository.ts';

/**
 * The policy channel, both ways: calls for clinical input and members' responses, the policy
 * team's analysis into themes, outcomes and the public ledger ("you said, we did"), questions to
 * policy makers, and the patient-safety fast lane.
 */
export async function policyModule(
  app: FastifyInstance,
  opts: { db: DB; config: Config; pool: WorkerPool; jobs: EngineJobs },
) {
  const access = createPolicyAccess({ db: opts.db });
  // Each part of the channel registers its pages and API here.
  // Analysis: themes, assignments, live counts and suggested themes (engine in a worker thread).
  const analysis = createPolicyAnalysis({ db: opts.db, access });
  const suggestions = createPolicySuggestions({
    db: opts.db,
    access,
    analysis,
    pool: opts.pool,
    jobs: opts.jobs,
  });
  await policyAnalysisPages(app, { analysis, suggestions });
  await policyAnalysisApi(app, { analysis, suggestions });
}
