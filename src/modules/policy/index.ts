import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { createPolicyAccess } from './policy.access.ts';

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
  void access;
  // Each part of the channel registers its pages and API here.
}
