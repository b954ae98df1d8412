import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

/** The SQL of the development module's data-rights contributor: rows about one person only. */

export async function listOwnEntityIds(x: Executor, userId: number) {
  const [assessments, rounds, plans] = await Promise.all([
    x.selectFrom('dev_self_assessments').select('id').where('user_id', '=', userId).execute(),
    x.selectFrom('dev_feedback_rounds').select('id').where('user_id', '=', userId).execute(),
    x.selectFrom('dev_plans').select('id').where('user_id', '=', userId).execute(),
  ]);
  return {
    assessments: assessments.map((r) => r.id),
    rounds: rounds.map((r) => r.id),
    plans: plans.map((r) => r.id),
  };
}

export async function listSelfRatingsOf(x: Executor, userId: number) {
  return x
    .selectFrom('dev_self_assessments as a')
    .innerJoin('dev_framework_versions as v', 'v.id', 'a.version_id')
    .innerJoin('dev_frameworks as f', 'f.id', 'v.framework_id')
    .innerJoin('dev_self_ratings as r', 'r.assessment_id', 'a.id')
    .innerJoin('dev_elements as e', 'e.id', 'r.element_id')
    .innerJoin('dev_domains as d', 'd.id', 'e.domain_id')
    .leftJoin('dev_scale_points as s', (j) =>
      j.onRef('s.version_id', '=', 'a.version_id').onRef('s.value', '=', 'r.rating'),
    )
    .select([
      'a.id as assessment_id',
      'a.created_at',
      'a.region_code',
      'f.name as framework',
      'v.version_number',
      'd.name as domain',
      'e.name as element',
      'r.rating',
      's.label as rating_label',
      'r.evidence',
    ])
    .where('a.user_id', '=', userId)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .orderBy('e.position')
    .execute();
}

export async function listRoundsOf(x: Executor, userId: number) {
  return x
    .selectFrom('dev_feedback_rounds as fr')
    .innerJoin('dev_framework_versions as v', 'v.id', 'fr.version_id')
    .innerJoin('dev_frameworks as f', 'f.id', 'v.framework_id')
    .select([
      'fr.id',
      'fr.title',
      'fr.closes_on',
      'fr.closed_at',
      'fr.created_at',
      'fr.region_code',
      'f.name as framework',
      'v.version_number',
    ])
    .where('fr.user_id', '=', userId)
    .orderBy('fr.created_at')
    .orderBy('fr.id')
    .execute();
}

export async function listRatersOfRounds(x: Executor, roundIds: number[]) {
  if (!roundIds.length) return [];
  return x
    .selectFrom('dev_raters')
    .select(['round_id', 'name', 'email', 'rater_group', 'invited_at', 'reminders_sent', 'responded_at'])
    .where('round_id', 'in', roundIds)
    .orderBy('round_id')
    .orderBy('id')
    .execute();
}

/** Responses of the rounds: the group and the comments only, never which rater wrote them. */
export async function listResponsesOfRounds(x: Executor, roundIds: number[]) {
  if (!roundIds.length) return [];
  return x
    .selectFrom('dev_feedback_responses')
    .select(['id', 'round_id', 'rater_group', 'strengths_comment', 'development_comment'])
    .where('round_id', 'in', roundIds)
    .execute();
}

export async function listRatingsOfRounds(x: Executor, roundIds: number[]) {
  if (!roundIds.length) return [];
  return x
    .selectFrom('dev_feedback_responses as resp')
    .innerJoin('dev_feedback_ratings as ra', 'ra.response_id', 'resp.id')
    .innerJoin('dev_elements as e', 'e.id', 'ra.element_id')
    .innerJoin('dev_domains as d', 'd.id', 'e.domain_id')
    .select([
      'resp.round_id',
      'e.id as element_id',
      'e.position',
      'e.name as element',
      'd.name as domain',
      'ra.rating',
    ])
    .where('resp.round_id', 'in', roundIds)
    .execute();
}

/** Invitations the person received to rate someone else (by any of their email addresses). */
export async function listInvitationsTo(x: Executor, emails: string[]) {
  if (!emails.length) return [];
  return x
    .selectFrom('dev_raters as r')
    .innerJoin('dev_feedback_rounds as fr', 'fr.id', 'r.round_id')
    .innerJoin('users as u', 'u.id', 'fr.user_id')
    .select([
      'r.id',
      'r.name',
      'r.email',
      'r.rater_group',
      'r.invited_at',
      'r.responded_at',
      'fr.title',
      'fr.closes_on',
      'u.name as member_name',
    ])
    .where(
      sql<string>`lower(r.email)`,
      'in',
      emails.map((e) => e.toLowerCase()),
    )
    .orderBy('r.invited_at')
    .execute();
}

export async function listPlansOf(x: Executor, userId: number) {
  return x
    .selectFrom('dev_plans as p')
    .innerJoin('dev_framework_versions as v', 'v.id', 'p.version_id')
    .innerJoin('dev_frameworks as f', 'f.id', 'v.framework_id')
    .select([
      'p.id',
      'p.title',
      'p.share_with_mentor',
      'p.share_with_facilitator',
      'p.created_at',
      'p.updated_at',
      'f.name as framework',
      'v.version_number',
    ])
    .where('p.user_id', '=', userId)
    .orderBy('p.created_at')
    .orderBy('p.id')
    .execute();
}

export async function listGoalsOfPlans(x: Executor, planIds: number[]) {
  if (!planIds.length) return [];
  return x
    .selectFrom('dev_plan_goals as g')
    .innerJoin('dev_elements as e', 'e.id', 'g.element_id')
    .select([
      'g.plan_id',
      'g.title',
      'e.name as competency',
      'g.actions',
      'g.evidence',
      'g.target_date',
      'g.status',
      'g.created_at',
      'g.updated_at',
    ])
    .where('g.plan_id', 'in', planIds)
    .orderBy('g.plan_id')
    .orderBy('g.id')
    .execute();
}

/** Reviews on the person's plans (they see them on their plan) and reviews they wrote on others'. */
export async function listReviewsOf(x: Executor, userId: number, planIds: number[]) {
  return x
    .selectFrom('dev_plan_reviews as r')
    .innerJoin('dev_plans as p', 'p.id', 'r.plan_id')
    .select([
      'r.plan_id',
      'p.title as plan_title',
      'p.user_id as plan_owner',
      'r.author_user_id',
      'r.author_name',
      'r.notes',
      'r.created_at',
    ])
    .where((eb) =>
      eb.or([
        eb('r.author_user_id', '=', userId),
        ...(planIds.length ? [eb('r.plan_id', 'in', planIds)] : []),
      ]),
    )
    .orderBy('r.created_at')
    .orderBy('r.id')
    .execute();
}

/** The framework versions the person's competency profile rows are kept for. */
export async function listProfileVersionsOf(x: Executor, userId: number) {
  const rows = await x
    .selectFrom('dev_profile_members')
    .select('version_id')
    .distinct()
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.version_id);
}

export async function deleteOwnRecords(x: Executor, userId: number) {
  // Ratings, raters, responses and goals go with their parents (on delete cascade).
  await x.deleteFrom('dev_self_assessments').where('user_id', '=', userId).execute();
  await x.deleteFrom('dev_feedback_rounds').where('user_id', '=', userId).execute();
  await x.deleteFrom('dev_plans').where('user_id', '=', userId).execute();
}

/**
 * The person as a rater in someone else's round: the invitation keeps its group and whether it was
 * answered (the round's counts and report stay right), not their name or address, and its link
 * stops working.
 */
export async function anonymiseInvitationsTo(x: Executor, emails: string[], label: string) {
  if (!emails.length) return;
  await sql`update dev_raters set name = ${label},
      email = 'erased-rater-' || id || '@erased.invalid',
      token_hash = 'erased:' || id
    where lower(email) in (${sql.join(emails.map((e) => e.toLowerCase()))})`.execute(x);
}

/** Reviews the person wrote on other members' plans: the plan owner keeps the notes, not the author. */
export async function anonymiseReviewsBy(x: Executor, userId: number, label: string) {
  await x
    .updateTable('dev_plan_reviews')
    .set({ author_user_id: null, author_name: label })
    .where('author_user_id', '=', userId)
    .execute();
}

export async function detachFrameworkVersionsBy(x: Executor, userId: number) {
  await x
    .updateTable('dev_framework_versions')
    .set({ created_by: null })
    .where('created_by', '=', userId)
    .execute();
}
