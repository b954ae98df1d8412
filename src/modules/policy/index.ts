import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { createPolicyAccess } from './policy.access.ts';
import { questionsApi } from './policy.questions.api.ts';
import { questionsPages } from './policy.questions.pages.ts';
import { createQuestions } from './policy.questions.ts';
import { safetyApi } from './policy.safety.api.ts';
import { safetyPages } from './policy.safety.pages.ts';
import { createSafety, type PolicySafety } from './policy.safety.ts';
import { staffApi } from './policy.staff.api.ts';
import { staffPages } from './policy.staff.pages.ts';
import { createStaff } from './policy.staff.ts';

export { policyDataRights } from './policy.data-rights.ts';
export type { SafetyConcernInput } from './policy.safety.ts';

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
  // Questions, the patient-safety fast lane and policy staff. `safety.raiseSafetyConcern(trx, {...})`
  // is what a flagged response calls inside its own transaction.
  const safety: PolicySafety = createSafety({ db: opts.db, baseUrl: opts.config.baseUrl });
  const staff = createStaff({ db: opts.db });
  const questions = createQuestions({ db: opts.db, baseUrl: opts.config.baseUrl, safety });
  await staffPages(app, { staff });
  await staffApi(app, { staff });
  await questionsPages(app, { questions });
  await questionsApi(app, { questions });
  await safetyPages(app, { safety });
  await safetyApi(app, { safety });
}
