import type { Executor } from '../../db/database.ts';

export type PlanGoalSummary = {
  id: number;
  title: string;
  planTitle: string;
  competency: string;
  domain: string;
};

/**
 * The goals of a member's development plans still being worked on, for other modules to offer
 * (a mentoring request can be about them). Only ever called for the member's own goals.
 */
export async function listOpenPlanGoals(x: Executor, userId: number): Promise<PlanGoalSummary[]> {
  const rows = await x
    .selectFrom('dev_plan_goals as g')
    .innerJoin('dev_plans as p', 'p.id', 'g.plan_id')
    .innerJoin('dev_elements as e', 'e.id', 'g.element_id')
    .innerJoin('dev_domains as d', 'd.id', 'e.domain_id')
    .select(['g.id', 'g.title', 'p.title as plan_title', 'e.name as competency', 'd.name as domain'])
    .where('p.user_id', '=', userId)
    .where('g.status', 'in', ['not-started', 'in-progress'])
    .orderBy('p.created_at', 'desc')
    .orderBy('g.id')
    .limit(50)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    planTitle: r.plan_title,
    competency: r.competency,
    domain: r.domain,
  }));
}
