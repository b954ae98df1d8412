import type { DB, Executor } from '../../db/database.ts';
import { londonDate } from '../../platform/dates.ts';
import { createFeedbackRounds } from './development.feedback.ts';
import { createFeedbackReminders } from './development.feedback-reminders.ts';
import { createFeedbackReport } from './development.feedback-report.ts';
import { createFrameworks } from './development.frameworks.ts';
import { createPlans } from './development.plans.ts';
import { createProfiles } from './development.profiles.ts';
import { createSelfAssessment } from './development.self-assessment.ts';
import { createVersions } from './development.versions.ts';

export { MIN_GROUP_RESPONSES, RaterLinkError } from './development.feedback.ts';
export { MAX_REMINDERS, REMINDER_AFTER_DAYS } from './development.feedback-reminders.ts';
export { anonymiseGroups } from './development.feedback-report.ts';
export { type PlanAccessFacts } from './development.plans.ts';
export { MIN_PEOPLE } from './development.profiles.ts';
export { type VersionStructure } from './development.versions.ts';

export type DevelopmentDeps = {
  db: DB;
  baseUrl: string;
  /**
   * From the mentoring module: whether this mentor currently mentors this member. Required: there is
   * no wider fallback. It runs on the executor it is given, so a check inside a transaction uses
   * that transaction (the embedded database has a single connection).
   */
  isMentorOf: (x: Executor, mentorUserId: number, memberUserId: number) => Promise<boolean>;
  now?: () => Date;
};

/**
 * Development, composed from its sections: competency frameworks (development.frameworks.ts, over
 * the versions every section reads, development.versions.ts), self-assessment
 * (development.self-assessment.ts), 360-degree feedback rounds (development.feedback.ts), their
 * report (development.feedback-report.ts) and reminders (development.feedback-reminders.ts),
 * development plans (development.plans.ts) and the regional and national competency profiles
 * (development.profiles.ts, from the totals kept in development.profile-totals.ts); the SQL lives
 * in development.repository.ts.
 */
export function createDevelopmentService(deps: DevelopmentDeps) {
  const { db, baseUrl } = deps;
  const now = deps.now ?? (() => new Date());
  const clock = { now, today: () => londonDate(now()) };
  const versions = createVersions({ db });
  return {
    ...createFrameworks({ db, versions }),
    ...createSelfAssessment({ db, versions, clock }),
    ...createFeedbackRounds({ db, baseUrl, versions, clock }),
    ...createFeedbackReport({ db, versions, clock }),
    ...createFeedbackReminders({ db, baseUrl, clock }),
    ...createPlans({ db, versions, isMentorOf: deps.isMentorOf }),
    ...createProfiles({ db, versions }),
  };
}

export type DevelopmentService = ReturnType<typeof createDevelopmentService>;
