import type { DB } from '../../db/database.ts';
import { cachedFor } from '../../platform/cache.ts';
import { londonDate } from '../../platform/dates.ts';
import { type Actor, isNational } from '../../platform/permissions.ts';
import { countClosedCallsUpTo } from './policy.calls.repository.ts';
import * as repo from './policy.ledger.repository.ts';
import { countOpenConcernsUpTo, isSafetyLead } from './policy.safety.repository.ts';
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

/** What a policy maker's home cards count; a count above `cap` is shown as "more than cap". */
export type PolicyHomeFigures = {
  cap: number;
  /** Unacknowledged patient-safety concerns; null for someone who does not see them (not a safety lead). */
  openSafetyConcerns: number | null;
  /** The person's calls (everyone's, for the national team) that have closed and are being analysed. */
  callsAwaitingAnalysis: number;
};

/** Home cards show a count up to this and "more than" beyond it, so a card never adds up a long list. */
const HOME_COUNT_CAP = 99;

/**
 * The counts on a policy maker's home cards, read on each view (both are capped reads over small
 * indexed sets: open concerns have a partial index, calls are counted by owner and state).
 */
export function createPolicyHomeFigures(deps: { db: DB }) {
  const { db } = deps;
  return async function policyHomeFigures(actor: Actor): Promise<PolicyHomeFigures> {
    const national = isNational(actor);
    const [readsSafety, callsAwaitingAnalysis] = await Promise.all([
      national ? Promise.resolve(true) : isSafetyLead(db, actor.userId),
      countClosedCallsUpTo(db, national ? null : actor.userId, HOME_COUNT_CAP),
    ]);
    return {
      cap: HOME_COUNT_CAP,
      openSafetyConcerns: readsSafety ? await countOpenConcernsUpTo(db, HOME_COUNT_CAP) : null,
      callsAwaitingAnalysis,
    };
  };
}
