import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { createPolicyAccess } from './policy.access.ts';
import { policyAnalysisApi } from './policy.analysis.api.ts';
import { policyAnalysisPages } from './policy.analysis.pages.ts';
import { createPolicyAnalysis } from './policy.analysis.ts';
import { createContributions } from './policy.contributions.ts';
import { contributionsPages } from './policy.contributions.pages.ts';
import { createPolicyDashboard, createPolicyHomeFigures } from './policy.dashboard.ts';
import { createExports } from './policy.exports.ts';
import { exportsApi } from './policy.exports.api.ts';
import { exportsPages } from './policy.exports.pages.ts';
import { createLedger } from './policy.ledger.ts';
import { ledgerPages } from './policy.ledger.pages.ts';
import { createOutcomes } from './policy.outcomes.ts';
import { outcomesApi } from './policy.outcomes.api.ts';
import { outcomesPages } from './policy.outcomes.pages.ts';
import { questionsApi } from './policy.questions.api.ts';
import { questionsPages } from './policy.questions.pages.ts';
import { createQuestions } from './policy.questions.ts';
import { safetyApi } from './policy.safety.api.ts';
import { safetyPages } from './policy.safety.pages.ts';
import { createSafety, type PolicySafety } from './policy.safety.ts';
import { staffApi } from './policy.staff.api.ts';
import { staffPages } from './policy.staff.pages.ts';
import { createStaff } from './policy.staff.ts';
import { createPolicySuggestions } from './policy.suggestions.ts';

import { callsApi } from './policy.calls.api.ts';
import { callPages } from './policy.calls.pages.ts';
import { createCalls } from './policy.calls.ts';
import { createNotices } from './policy.notices.ts';
import { createParticipation } from './policy.participation.ts';
import { responsePages } from './policy.responses.pages.ts';
import { createResponses, type OnSafetyConcern } from './policy.responses.ts';

export { themesForResponse } from './policy.analysis.repository.ts';
export type { PolicyDashboard, PolicyHomeFigures } from './policy.dashboard.ts';
export type { CallKind, CallStatus, QuestionKind } from './policy.table.ts';
export { policyDataRights } from './policy.data-rights.ts';
export { policyDemoStep } from './policy.demo.ts';
export type { OnSafetyConcern } from './policy.responses.ts';
export type { SafetyConcernInput } from './policy.safety.ts';

/**
 * The policy channel's figures for the national dashboard (calls by state, responses per region,
 * response times, overdue calls and milestones), kept for a minute: the programme module shows
 * them through the function app.ts passes it, so it never imports this module.
 */
export function createPolicyDashboardFigures(opts: { db: DB }) {
  return createPolicyDashboard(opts).policyDashboard;
}

/**
 * The counts a policy maker's home cards show (open safety concerns for a safety lead, their calls
 * awaiting analysis): the home module shows them through the function app.ts passes it.
 */
export { createPolicyHomeFigures };

/**
 * The policy channel, both ways: calls for clinical input and members' responses, the policy
 * team's analysis into themes, outcomes and the public ledger ("you said, we did"), questions to
 * policy makers, and the patient-safety fast lane.
 */
export async function policyModule(
  app: FastifyInstance,
  opts: { db: DB; config: Config; pool: WorkerPool; jobs: EngineJobs },
) {
  const { db } = opts;
  const baseUrl = opts.config.baseUrl;
  const access = createPolicyAccess({ db });
  // Questions, the patient-safety fast lane and policy staff.
  const safety: PolicySafety = createSafety({ db, baseUrl });
  const staff = createStaff({ db });
  const questions = createQuestions({ db, baseUrl, safety });
  await staffPages(app, { staff });
  await staffApi(app, { staff });
  await questionsPages(app, { questions });
  await questionsApi(app, { questions });
  await safetyPages(app, { safety });
  await safetyApi(app, { safety });

  // Calls and responses. A response sent flagged as a patient-safety concern is handed, inside its
  // transaction, to the safety fast lane: the named safety leads hear of it at once.
  const onSafetyConcern: OnSafetyConcern = async (trx, concern) => {
    await safety.raiseSafetyConcern(trx, concern);
  };
  const calls = createCalls({ db, access });
  const responses = createResponses({ db, access, onSafetyConcern });
  const participation = createParticipation({ db, access, baseUrl });
  const notices = createNotices({ db, baseUrl });
  // Opens and closes calls on their dates and tells their audiences (once each, across processes).
  app.scheduledTasks.push({ name: 'policy.call-clock', everyMinutes: 5, run: () => notices.runCallClock() });
  await callPages(app, { calls });
  await responsePages(app, { responses, participation });
  await callsApi(app, { calls, responses, participation });

  // Analysis: themes, assignments, live counts and suggested themes (engine in a worker thread).
  const analysis = createPolicyAnalysis({ db, access });
  const suggestions = createPolicySuggestions({ db, access, analysis, pool: opts.pool, jobs: opts.jobs });
  await policyAnalysisPages(app, { analysis, suggestions });
  await policyAnalysisApi(app, { analysis, suggestions });

  // Outcomes, the ledger, closing the loop for each contributor, and the exports.
  const outcomes = createOutcomes({ db, access, baseUrl });
  const contributions = createContributions({ db, access, baseUrl });
  const ledger = createLedger({ db });
  const exports = createExports({ db, access });
  await outcomesPages(app, { outcomes });
  await contributionsPages(app, { contributions });
  await ledgerPages(app, { ledger });
  await exportsPages(app, { exports });
  await outcomesApi(app, { outcomes, contributions });
  await exportsApi(app, { exports, ledger });
}
