import type { DB } from '../../db/database.ts';
import { londonDate } from '../../platform/dates.ts';
import type { Actor } from '../../platform/permissions.ts';
import { findPolicyFacts } from '../members/index.ts';
import { canManageCall, isPolicyTeam } from './policy.access.ts';
import * as repo from './policy.ledger.repository.ts';
import { loadOutcomeViews, type OutcomeView } from './policy.outcomes.ts';
import { DECISION_LABELS, OUTCOME_DECISIONS } from './policy.outcomes.schemas.ts';

export const LEDGER_PAGE_SIZE = 20;

export type LedgerEntry = {
  callId: number;
  kind: string;
  title: string;
  summary: string;
  status: string;
  isPublic: boolean;
  closesOn: string;
  responseDueOn: string;
  publishedAt: string | null;
  overdue: boolean;
  daysSinceClose: number;
  /** Days until the response is due (negative once past it). */
  daysToDue: number;
  responses: number;
  decisions: { decision: (typeof OUTCOME_DECISIONS)[number]; label: string; count: number }[];
  outcomes: OutcomeView[];
  /** True when the viewer runs the call (its owner, the national team): the ledger links to its outcomes. */
  manage: boolean;
};

/**
 * The ledger ("you said, we did"): every closed or concluded call with the days since it closed
 * against its response-due date, overdue ones first (no published response and past the date),
 * then those due soonest, with what was decided. The policy team sees every call; a member those
 * aimed at them and the public ones; a signed-out visitor the public ones only. No names of
 * respondents and no response text appear in it.
 */
export function createLedger(deps: { db: DB }) {
  const { db } = deps;

  async function reachOf(actor: Actor | null): Promise<repo.LedgerReach> {
    if (!actor) return { kind: 'public' };
    if (isPolicyTeam(actor)) return { kind: 'all' };
    const facts = await findPolicyFacts(db, actor.userId);
    if (!facts) return { kind: 'public' };
    return {
      kind: 'member',
      regionCode: facts.regionCode,
      profession: facts.profession,
      specialtyId: facts.specialtyId,
      intakeId: facts.intakeId,
    };
  }

  async function ledger(actor: Actor | null, page: number) {
    const reach = await reachOf(actor);
    const today = londonDate();
    const [{ n }, rows] = await Promise.all([
      repo.countLedger(db, reach),
      repo.listLedger(db, reach, today, page, LEDGER_PAGE_SIZE),
    ]);
    const outcomes = await loadOutcomeViews(
      db,
      rows.map((r) => r.id),
    );
    const entries: LedgerEntry[] = rows.map((r) => {
      const mine = outcomes.filter((o) => o.callId === r.id);
      return {
        callId: r.id,
        kind: r.kind,
        title: r.title,
        summary: r.summary,
        status: r.status,
        isPublic: r.is_public,
        closesOn: r.closes_on,
        responseDueOn: r.response_due_on,
        publishedAt: r.published_at ? r.published_at.toISOString() : null,
        overdue: r.overdue,
        daysSinceClose: Number(r.days_since_close),
        daysToDue: Number(r.days_to_due),
        responses: Number(r.responses ?? 0),
        decisions: OUTCOME_DECISIONS.map((d) => ({
          decision: d,
          label: DECISION_LABELS[d],
          count: mine.filter((o) => o.decision === d).length,
        })),
        outcomes: mine,
        manage: actor !== null && canManageCall(actor, r),
      };
    });
    return { entries, total: Number(n), page, pageSize: LEDGER_PAGE_SIZE, reach: reach.kind, today };
  }

  return { ledger };
}
export type PolicyLedger = ReturnType<typeof createLedger>;
