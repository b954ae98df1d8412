import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB, Executor } from '../../db/database.ts';
import type { EngineJobs } from '../../platform/engine-jobs.ts';
import type { WorkerPool } from '../../platform/workers.ts';
import { mentoringApi } from './mentoring.api.ts';
import { mentoringPages } from './mentoring.pages.ts';
import { hasActiveRelationship } from './mentoring.repository.ts';
import { createMentoringService } from './mentoring.service.ts';

export type { MentoringService } from './mentoring.service.ts';
export { createMentoringService };
export { mentoringDemoStep } from './mentoring.demo.ts';
export { registerMentoringCli } from './mentoring.cli.ts';
export { mentoringDataRights } from './mentoring.data-rights.ts';

/**
 * True when this mentor currently mentors this member: for plans a member shares "with my mentor".
 * Runs on the executor given: inside a transaction, pass its `trx` (PGlite has one connection).
 */
export function isMentorOf(x: Executor, mentorUserId: number, memberUserId: number): Promise<boolean> {
  return hasActiveRelationship(x, mentorUserId, memberUserId);
}

/** Mentoring: offers, requests, matching runs, relationships, meetings and pair health. */
export async function mentoringModule(
  app: FastifyInstance,
  opts: { db: DB; config: Config; pool?: WorkerPool; jobs?: EngineJobs },
) {
  const mentoring = createMentoringService({
    db: opts.db,
    baseUrl: opts.config.baseUrl,
    pool: opts.pool,
    jobs: opts.jobs,
  });
  // Reminds pairs with no meeting logged for the set number of weeks (at most once per window).
  app.scheduledTasks.push({
    name: 'mentoring.meeting-reminders',
    everyMinutes: 60,
    run: () => mentoring.sendReminders(),
  });
  await mentoringPages(app, { mentoring });
  await mentoringApi(app, { mentoring });
}
