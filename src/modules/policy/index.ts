import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { createPolicyAccess } from './policy.access.ts';
import { callsApi } from './policy.calls.api.ts';
import { callPages } from './policy.calls.pages.ts';
import { createCalls } from './policy.calls.ts';
import { createNotices } from './policy.notices.ts';
import { createParticipation } from './policy.participation.ts';
import { responsePages } from './policy.responses.pages.ts';
import { createResponses, type OnSafetyConcern } from './policy.responses.ts';

export type { OnSafetyConcern } from './policy.responses.ts';

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
  // Each part of the channel registers its pages and API here.

  // Calls and responses. A response sent flagged as a patient-safety concern is handed, inside its
  // transaction, to the safety fast lane (wired here by the part that owns it).
  const onSafetyConcern: OnSafetyConcern | undefined = undefined;
  const calls = createCalls({ db, access });
  const responses = createResponses({ db, access, onSafetyConcern });
  const participation = createParticipation({ db, access, baseUrl });
  const notices = createNotices({ db, baseUrl });
  // Opens and closes calls on their dates and tells their audiences (once each, across processes).
  app.scheduledTasks.push({ name: 'policy.call-clock', everyMinutes: 5, run: () => notices.runCallClock() });
  await callPages(app, { calls });
  await responsePages(app, { responses, participation });
  await callsApi(app, { calls, responses, participation });
}
