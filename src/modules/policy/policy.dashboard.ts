import type { DB } from '../../db/database.ts';
import { cachedFor } from '../../platform/cache.ts';
import { londonDate } from '../../platform/dates.ts';
import * as repo from './policy.ledger.repository.ts';
import type { CallStatus } from './policy.table.ts';

/** The policy channel's figures for the national dashboard (the programme module shows them). */
export type PolicyDashboard = {
  callsByStatus: { status: CallStatus; label: string; count: number }[];
  responsesByRegion: { regionCode: string | null; count: number }[];
  responses: number;
  /** Median days from a call's close to its published response, over the calls that have one. */
  medianDaysToResponse: number | null;
  publishedResponses: number;
  overdueCalls: number;
  overdueMilestones: number;
};

const STATUS_LABELS: Record<CallStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  open: 'Open',
  closed: 'Closed (analysing)',
  concluded: 'Concluded',
};

/** How long a process keeps the figures: the dashboard shows them on every view, they add up whole tables. */
const DASHBOARD_TTL_MS = 60_000;

export function createPolicyDashboard(deps: { db: DB }) {
  const { db } = deps;
  const figures = cachedFor(DASHBOARD_TTL_MS, async (): Promise<PolicyDashboard> => {
    const today = londonDate();
    const [byStatus, byRegion, times, milestones] = await Promise.all([
      repo.countCallsByStatus(db),
      repo.countResponsesByRegion(db),
      repo.responseTimes(db, today),
      repo.countOverdueMilestones(db, today),
    ]);
    const responsesByRegion = byRegion.map((r) => ({ regionCode: r.region_code, count: Number(r.n) }));
    return {
      callsByStatus: (Object.keys(STATUS_LABELS) as CallStatus[]).map((s) => ({
        status: s,
        label: STATUS_LABELS[s],
        count: Number(byStatus.find((b) => b.status === s)?.n ?? 0),
      })),
      responsesByRegion,
      responses: responsesByRegion.reduce((a, r) => a + r.count, 0),
      medianDaysToResponse: times.median_days === null ? null : Math.round(Number(times.median_days)),
      publishedResponses: Number(times.published),
      overdueCalls: Number(times.overdue_calls),
      overdueMilestones: Number(milestones.n),
    };
  });
  return { policyDashboard: () => figures.get(), forgetDashboard: () => figures.clear() };
}
