import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { createPolicyAccess } from './policy.access.ts';
import { createContributions } from './policy.contributions.ts';
import { contributionsPages } from './policy.contributions.pages.ts';
import { createPolicyDashboard } from './policy.dashboard.ts';
import { createExports } from './policy.exports.ts';
import { exportsApi } from './policy.exports.api.ts';
import { exportsPages } from './policy.exports.pages.ts';
import { createLedger } from './policy.ledger.ts';
import { ledgerPages } from './policy.ledger.pages.ts';
import { createOutcomes } from './policy.outcomes.ts';
import { outcomesApi } from './policy.outcomes.api.ts';
import { outcomesPages } from './policy.outcomes.pages.ts';

export type { PolicyDashboard } from './policy.dashboard.ts';
export type { CallKind, CallStatus, QuestionKind } from './policy.table.ts';

/**
 * The policy channel's figures for the national dashboard (calls by state, responses per region,
 * response times, overdue calls and milestones), kept for a minute: the programme module shows
 * them through the function app.ts passes it, so it never imports this module.
 */
export function createPolicyDashboardFigures(opts: { db: DB }) {
  return createPolicyDashboard(opts).policyDashboard;
}

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

  // Outcomes, the ledger, closing the loop for each contributor, and the exports.
  const outcomes = createOutcomes({ db: opts.db, access, baseUrl: opts.config.baseUrl });
  const contributions = createContributions({ db: opts.db, access, baseUrl: opts.config.baseUrl });
  const ledger = createLedger({ db: opts.db });
  const exports = createExports({ db: opts.db, access });
  await outcomesPages(app, { outcomes });
  await contributionsPages(app, { contributions });
  await ledgerPages(app, { ledger });
  await exportsPages(app, { exports });
  await outcomesApi(app, { outcomes, contributions });
  await exportsApi(app, { exports, ledger });
}
