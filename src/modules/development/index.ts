import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB, Executor } from '../../db/database.ts';
import { developmentApi } from './development.api.ts';
import { developmentPages } from './development.pages.ts';
import { londonDate } from '../../platform/dates.ts';
import { ensureProfileTotals } from './development.profile-totals.ts';
import { createDevelopmentService } from './development.service.ts';

export type { DevelopmentService, PlanAccessFacts } from './development.service.ts';
export { createDevelopmentService };
export { seedDevelopmentDemo } from './development.seed.ts';
export { listOpenPlanGoals, type PlanGoalSummary } from './development.shared-queries.ts';
export { developmentDataRights } from './development.data-rights.ts';

/** Competency frameworks, self and 360-degree assessment, development plans and regional profiles. */
export async function developmentModule(
  app: FastifyInstance,
  opts: {
    db: DB;
    config: Config;
    /**
     * Who mentors whom, from the mentoring module: a plan shared "with my mentor" is shown to that
     * mentor only. Required; it runs on the executor it is given (the transaction's, in a write).
     */
    isMentorOf: (x: Executor, mentorUserId: number, memberUserId: number) => Promise<boolean>;
  },
) {
  const development = createDevelopmentService({
    db: opts.db,
    baseUrl: opts.config.baseUrl,
    isMentorOf: opts.isMentorOf,
  });
  // Competency profile figures, computed once from existing ratings, then kept on write.
  if (await ensureProfileTotals(opts.db, londonDate()))
    app.log.info('Computed the competency profile figures');
  app.navItems.push(
    { href: '/development', text: 'Development', roles: ['member'] },
    { href: '/development/profiles', text: 'Development profiles', roles: ['national', 'regional-lead'] },
    { href: '/development/shared', text: 'Shared plans', roles: ['mentor', 'facilitator'] },
  );
  // Closes rounds past their date and reminds raters who have not answered.
  app.scheduledTasks.push({
    name: 'development.feedback-reminders',
    everyMinutes: 60,
    run: () => development.sendReminders(),
  });
  await developmentPages(app, { development });
  await developmentApi(app, { development });
}
