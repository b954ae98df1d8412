import type { Executor } from '../../db/database.ts';
import type { GoalStatus, RaterGroup } from './development.table.ts';

// ---- frameworks ----

export async function selectFrameworksWithCurrentVersion(x: Executor) {
  return x
    .selectFrom('dev_frameworks as f')
    .innerJoin('dev_framework_versions as v', 'v.framework_id', 'f.id')
    .where('v.version_number', '=', (eb) =>
      eb
        .selectFrom('dev_framework_versions as v2')
        .select((e) => e.fn.max('v2.version_number').as('n'))
        .whereRef('v2.framework_id', '=', 'f.id'),
    )
    .select(['f.id', 'f.key', 'f.name', 'f.publisher', 'v.id as version_id', 'v.version_number', 'v.edition'])
    .orderBy('f.id')
    .execute();
}

export async function selectFramework(x: Executor, frameworkId: number) {
  return x.selectFrom('dev_frameworks').selectAll().where('id', '=', frameworkId).executeTakeFirst();
}

export async function selectFrameworkByKey(x: Executor, key: string) {
  return x.selectFrom('dev_frameworks').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function selectVersionsOf(x: Executor, frameworkId: number) {
  return x
    .selectFrom('dev_framework_versions')
    .selectAll()
    .where('framework_id', '=', frameworkId)
    .orderBy('version_number', 'desc')
    .execute();
}

export async function selectVersion(x: Executor, versionId: number) {
  return x
    .selectFrom('dev_framework_versions as v')
    .innerJoin('dev_frameworks as f', 'f.id', 'v.framework_id')
    .select([
      'v.id',
      'v.framework_id',
      'v.version_number',
      'v.edition',
      'v.note',
      'v.created_at',
      'f.key as framework_key',
      'f.name as framework_name',
      'f.publisher',
    ])
    .where('v.id', '=', versionId)
    .executeTakeFirst();
}

export async function selectScale(x: Executor, versionId: number) {
  return x
    .selectFrom('dev_scale_points')
    .select(['value', 'label', 'descriptor'])
    .where('version_id', '=', versionId)
    .orderBy('value')
    .execute();
}

export async function selectDomains(x: Executor, versionId: number) {
  return x
    .selectFrom('dev_domains')
    .select(['id', 'name', 'optional', 'position'])
    .where('version_id', '=', versionId)
    .orderBy('position')
    .execute();
}

export async function selectElements(x: Executor, versionId: number) {
  return x
    .selectFrom('dev_elements')
    .select(['id', 'domain_id', 'name', 'description', 'position'])
    .where('version_id', '=', versionId)
    .orderBy('position')
    .execute();
}

export async function selectLatestVersionOf(x: Executor, frameworkId: number) {
  return x
    .selectFrom('dev_framework_versions')
    .select(['id', 'version_number'])
    .where('framework_id', '=', frameworkId)
    .orderBy('version_number', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertFramework(x: Executor, f: { key: string; name: string; publisher: string }) {
  return x.insertInto('dev_frameworks').values(f).returning('id').executeTakeFirstOrThrow();
}

/** Writes a complete version (scale, domains, elements); versions are never changed afterwards. */
export async function insertVersion(
  x: Executor,
  v: {
    frameworkId: number;
    versionNumber: number;
    edition: string;
    note: string | null;
    createdBy: number | null;
    scale: { label: string; descriptor: string }[];
    domains: { name: string; optional: boolean; elements: { name: string; description: string | null }[] }[];
  },
) {
  const version = await x
    .insertInto('dev_framework_versions')
    .values({
      framework_id: v.frameworkId,
      version_number: v.versionNumber,
      edition: v.edition,
      note: v.note,
      created_by: v.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await x
    .insertInto('dev_scale_points')
    .values(v.scale.map((s, i) => ({ version_id: version.id, value: i + 1, ...s })))
    .execute();
  let position = 0;
  for (const [i, d] of v.domains.entries()) {
    const domain = await x
      .insertInto('dev_domains')
      .values({ version_id: version.id, position: i + 1, name: d.name, optional: d.optional })
      .returning('id')
      .executeTakeFirstOrThrow();
    await x
      .insertInto('dev_elements')
      .values(
        d.elements.map((e) => ({
          domain_id: domain.id,
          version_id: version.id,
          position: ++position,
          name: e.name,
          description: e.description,
        })),
      )
      .execute();
  }
  return version.id;
}

export async function selectChoices(x: Executor) {
  return x.selectFrom('dev_framework_choices').selectAll().execute();
}

export async function upsertChoice(
  x: Executor,
  c: { scope: 'network' | 'region' | 'intake'; scopeKey: string; frameworkId: number },
) {
  await x
    .insertInto('dev_framework_choices')
    .values({ scope: c.scope, scope_key: c.scopeKey, framework_id: c.frameworkId })
    .onConflict((oc) =>
      oc.columns(['scope', 'scope_key']).doUpdateSet({ framework_id: c.frameworkId, updated_at: new Date() }),
    )
    .execute();
}

export async function deleteChoice(x: Executor, scope: 'region' | 'intake', scopeKey: string) {
  await x
    .deleteFrom('dev_framework_choices')
    .where('scope', '=', scope)
    .where('scope_key', '=', scopeKey)
    .execute();
}

/** The member's region (their member role) and intake (from their profile, when the members module has one). */
export async function selectMemberPlacement(x: Executor, userId: number) {
  const role = await x
    .selectFrom('role_assignments')
    .select('region_code')
    .where('user_id', '=', userId)
    .where('role', '=', 'member')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const profile = await x
    .selectFrom('member_profiles')
    .select(['intake_id', 'region_code'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return {
    regionCode: role?.region_code ?? profile?.region_code ?? null,
    intakeId: profile?.intake_id ?? null,
  };
}

export async function selectRegions(x: Executor) {
  return x.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute();
}

export async function selectIntakes(x: Executor) {
  return x
    .selectFrom('intakes')
    .select(['id', 'region_code', 'name', 'status'])
    .orderBy('region_code')
    .orderBy('opens_on', 'desc')
    .execute();
}

// ---- self-assessment ----

export async function insertSelfAssessment(
  x: Executor,
  a: { userId: number; versionId: number; regionCode: string | null },
  ratings: { elementId: number; rating: number; evidence: string | null }[],
) {
  const row = await x
    .insertInto('dev_self_assessments')
    .values({ user_id: a.userId, version_id: a.versionId, region_code: a.regionCode })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  await x
    .insertInto('dev_self_ratings')
    .values(
      ratings.map((r) => ({
        assessment_id: row.id,
        element_id: r.elementId,
        rating: r.rating,
        evidence: r.evidence,
      })),
    )
    .execute();
  return row;
}

export async function selectSelfAssessmentsOf(x: Executor, userId: number, limit: number, offset: number) {
  const [rows, count] = await Promise.all([
    x
      .selectFrom('dev_self_assessments as a')
      .innerJoin('dev_framework_versions as v', 'v.id', 'a.version_id')
      .innerJoin('dev_frameworks as f', 'f.id', 'v.framework_id')
      .select([
        'a.id',
        'a.created_at',
        'a.version_id',
        'v.version_number',
        'f.name as framework_name',
        (eb) =>
          eb
            .selectFrom('dev_self_ratings as r')
            .select((e) => e.fn.avg<number>('r.rating').as('m'))
            .whereRef('r.assessment_id', '=', 'a.id')
            .as('mean_rating'),
      ])
      .where('a.user_id', '=', userId)
      .orderBy('a.created_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    x
      .selectFrom('dev_self_assessments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function selectSelfAssessment(x: Executor, id: number) {
  return x.selectFrom('dev_self_assessments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The member's assessment against the same framework made just before this one. */
export async function selectPreviousSelfAssessment(
  x: Executor,
  a: { userId: number; frameworkId: number; before: { createdAt: Date; id: number } | null },
) {
  let q = x
    .selectFrom('dev_self_assessments as a')
    .innerJoin('dev_framework_versions as v', 'v.id', 'a.version_id')
    .select(['a.id', 'a.created_at', 'a.version_id'])
    .where('a.user_id', '=', a.userId)
    .where('v.framework_id', '=', a.frameworkId);
  if (a.before) {
    const { createdAt, id } = a.before;
    q = q.where((eb) =>
      eb.or([
        eb('a.created_at', '<', createdAt),
        eb.and([eb('a.created_at', '=', createdAt), eb('a.id', '<', id)]),
      ]),
    );
  }
  return q.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(1).executeTakeFirst();
}

export async function selectSelfRatings(x: Executor, assessmentId: number) {
  return x
    .selectFrom('dev_self_ratings as r')
    .innerJoin('dev_elements as e', 'e.id', 'r.element_id')
    .innerJoin('dev_domains as d', 'd.id', 'e.domain_id')
    .select(['r.element_id', 'r.rating', 'r.evidence', 'e.name as element', 'd.name as domain', 'e.position'])
    .where('r.assessment_id', '=', assessmentId)
    .orderBy('e.position')
    .execute();
}

/** The member's latest self-assessment on a framework version (for the 360 report). */
export async function selectLatestSelfOnVersion(x: Executor, userId: number, versionId: number) {
  return x
    .selectFrom('dev_self_assessments')
    .select(['id', 'created_at'])
    .where('user_id', '=', userId)
    .where('version_id', '=', versionId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

// ---- 360-degree feedback ----

export async function insertRound(
  x: Executor,
  r: { userId: number; versionId: number; regionCode: string | null; title: string; closesOn: string },
) {
  return x
    .insertInto('dev_feedback_rounds')
    .values({
      user_id: r.userId,
      version_id: r.versionId,
      region_code: r.regionCode,
      title: r.title,
      closes_on: r.closesOn,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function selectRound(x: Executor, id: number, opts: { forUpdate?: boolean } = {}) {
  let q = x.selectFrom('dev_feedback_rounds').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function selectRoundsOf(x: Executor, userId: number, limit: number, offset: number) {
  const [rows, count] = await Promise.all([
    x
      .selectFrom('dev_feedback_rounds as r')
      .select([
        'r.id',
        'r.title',
        'r.closes_on',
        'r.closed_at',
        'r.created_at',
        (eb) =>
          eb
            .selectFrom('dev_raters as ra')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('ra.round_id', '=', 'r.id')
            .as('invited'),
        (eb) =>
          eb
            .selectFrom('dev_feedback_responses as fr')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('fr.round_id', '=', 'r.id')
            .as('responses'),
      ])
      .where('r.user_id', '=', userId)
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    x
      .selectFrom('dev_feedback_rounds')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function closeRound(x: Executor, id: number) {
  await x
    .updateTable('dev_feedback_rounds')
    .set({ closed_at: new Date() })
    .where('id', '=', id)
    .where('closed_at', 'is', null)
    .execute();
}

export async function selectRaters(x: Executor, roundId: number) {
  return x
    .selectFrom('dev_raters')
    .select([
      'id',
      'name',
      'email',
      'rater_group',
      'invited_at',
      'responded_at',
      'reminders_sent',
      'last_reminded_at',
    ])
    .where('round_id', '=', roundId)
    .orderBy('id')
    .execute();
}

export async function selectRaterByEmail(x: Executor, roundId: number, email: string) {
  return x
    .selectFrom('dev_raters')
    .select('id')
    .where('round_id', '=', roundId)
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function insertRater(
  x: Executor,
  r: { roundId: number; name: string; email: string; group: RaterGroup; tokenHash: string },
) {
  return x
    .insertInto('dev_raters')
    .values({
      round_id: r.roundId,
      name: r.name,
      email: r.email,
      rater_group: r.group,
      token_hash: r.tokenHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function selectRaterByTokenHash(
  x: Executor,
  tokenHash: string,
  opts: { forUpdate?: boolean } = {},
) {
  let q = x
    .selectFrom('dev_raters as ra')
    .innerJoin('dev_feedback_rounds as r', 'r.id', 'ra.round_id')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select([
      'ra.id',
      'ra.round_id',
      'ra.email',
      'ra.rater_group',
      'ra.responded_at',
      'r.version_id',
      'r.closes_on',
      'r.closed_at',
      'r.title',
      'u.name as member_name',
    ])
    .where('ra.token_hash', '=', tokenHash);
  if (opts.forUpdate) q = q.forUpdate(['ra']);
  return q.executeTakeFirst();
}

export async function markRaterResponded(x: Executor, raterId: number) {
  await x.updateTable('dev_raters').set({ responded_at: new Date() }).where('id', '=', raterId).execute();
}

export async function insertResponse(
  x: Executor,
  r: {
    roundId: number;
    group: RaterGroup;
    strengths: string | null;
    development: string | null;
    ratings: { elementId: number; rating: number }[];
  },
) {
  const row = await x
    .insertInto('dev_feedback_responses')
    .values({
      round_id: r.roundId,
      rater_group: r.group,
      strengths_comment: r.strengths,
      development_comment: r.development,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (r.ratings.length) {
    await x
      .insertInto('dev_feedback_ratings')
      .values(r.ratings.map((x2) => ({ response_id: row.id, element_id: x2.elementId, rating: x2.rating })))
      .execute();
  }
  return row.id;
}

export async function selectResponses(x: Executor, roundId: number) {
  return x
    .selectFrom('dev_feedback_responses')
    .select(['id', 'rater_group', 'strengths_comment', 'development_comment'])
    .where('round_id', '=', roundId)
    .execute();
}

export async function selectResponseRatings(x: Executor, roundId: number) {
  return x
    .selectFrom('dev_feedback_ratings as fr')
    .innerJoin('dev_feedback_responses as r', 'r.id', 'fr.response_id')
    .select(['fr.response_id', 'fr.element_id', 'fr.rating'])
    .where('r.round_id', '=', roundId)
    .execute();
}

/** Rounds whose closing date has passed but are not yet marked closed. */
export async function closeExpiredRounds(x: Executor, today: string) {
  return x
    .updateTable('dev_feedback_rounds')
    .set({ closed_at: new Date() })
    .where('closed_at', 'is', null)
    .where('closes_on', '<', today)
    .returning(['id', 'user_id'])
    .execute();
}

/** Raters of open rounds who have not answered, were invited at least `days` ago and not reminded since. */
export async function selectRatersDueReminder(
  x: Executor,
  opts: { today: string; before: Date; maxReminders: number; limit: number; roundId?: number },
) {
  let q = x
    .selectFrom('dev_raters as ra')
    .innerJoin('dev_feedback_rounds as r', 'r.id', 'ra.round_id')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select([
      'ra.id',
      'ra.round_id',
      'ra.name',
      'ra.email',
      'r.closes_on',
      'r.title',
      'u.name as member_name',
    ])
    .where('ra.responded_at', 'is', null)
    .where('r.closed_at', 'is', null)
    .where('r.closes_on', '>=', opts.today)
    .where('ra.reminders_sent', '<', opts.maxReminders)
    .where((eb) =>
      eb.and([
        eb('ra.invited_at', '<=', opts.before),
        eb.or([eb('ra.last_reminded_at', 'is', null), eb('ra.last_reminded_at', '<=', opts.before)]),
      ]),
    );
  if (opts.roundId !== undefined) q = q.where('ra.round_id', '=', opts.roundId);
  return q.orderBy('ra.id').limit(opts.limit).forUpdate(['ra']).skipLocked().execute();
}

export async function rotateRaterToken(x: Executor, raterId: number, tokenHash: string) {
  await x
    .updateTable('dev_raters')
    .set((eb) => ({
      token_hash: tokenHash,
      last_reminded_at: new Date(),
      reminders_sent: eb('reminders_sent', '+', 1),
    }))
    .where('id', '=', raterId)
    .execute();
}

// ---- development plans ----

export async function insertPlan(
  x: Executor,
  p: { userId: number; versionId: number; regionCode: string | null; title: string },
) {
  return x
    .insertInto('dev_plans')
    .values({ user_id: p.userId, version_id: p.versionId, region_code: p.regionCode, title: p.title })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function selectPlan(x: Executor, id: number) {
  return x
    .selectFrom('dev_plans as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .innerJoin('dev_framework_versions as v', 'v.id', 'p.version_id')
    .innerJoin('dev_frameworks as f', 'f.id', 'v.framework_id')
    .select([
      'p.id',
      'p.user_id',
      'p.version_id',
      'p.region_code',
      'p.title',
      'p.share_with_mentor',
      'p.share_with_facilitator',
      'p.created_at',
      'p.updated_at',
      'u.name as owner_name',
      'f.name as framework_name',
      'v.version_number',
    ])
    .where('p.id', '=', id)
    .executeTakeFirst();
}

export async function selectPlansOf(x: Executor, userId: number, limit: number, offset: number) {
  const [rows, count] = await Promise.all([
    x
      .selectFrom('dev_plans as p')
      .select([
        'p.id',
        'p.title',
        'p.share_with_mentor',
        'p.share_with_facilitator',
        'p.updated_at',
        (eb) =>
          eb
            .selectFrom('dev_plan_goals as g')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('g.plan_id', '=', 'p.id')
            .as('goals'),
      ])
      .where('p.user_id', '=', userId)
      .orderBy('p.created_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    x
      .selectFrom('dev_plans')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Plans shared with a mentor or facilitator: by sharing flag and region ('all' for any region). */
export async function selectSharedPlans(
  x: Executor,
  f: { mentorRegions: 'all' | string[]; facilitatorRegions: 'all' | string[]; limit: number; offset: number },
) {
  const base = x
    .selectFrom('dev_plans as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .where((eb) => {
      const parts = [];
      for (const [flag, regions] of [
        ['p.share_with_mentor', f.mentorRegions],
        ['p.share_with_facilitator', f.facilitatorRegions],
      ] as const) {
        if (regions === 'all') parts.push(eb(flag, '=', true));
        else if (regions.length)
          parts.push(eb.and([eb(flag, '=', true), eb('p.region_code', 'in', regions)]));
      }
      return parts.length ? eb.or(parts) : eb.val(false);
    });
  const [rows, count] = await Promise.all([
    base
      .select(['p.id', 'p.title', 'p.region_code', 'p.updated_at', 'u.name as owner_name'])
      .orderBy('p.updated_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function updatePlanSharing(
  x: Executor,
  id: number,
  s: { shareWithMentor: boolean; shareWithFacilitator: boolean },
) {
  await x
    .updateTable('dev_plans')
    .set({
      share_with_mentor: s.shareWithMentor,
      share_with_facilitator: s.shareWithFacilitator,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function touchPlan(x: Executor, id: number) {
  await x.updateTable('dev_plans').set({ updated_at: new Date() }).where('id', '=', id).execute();
}

export async function selectElementInVersion(x: Executor, elementId: number, versionId: number) {
  return x
    .selectFrom('dev_elements')
    .select(['id', 'name'])
    .where('id', '=', elementId)
    .where('version_id', '=', versionId)
    .executeTakeFirst();
}

export async function insertGoal(
  x: Executor,
  g: {
    planId: number;
    elementId: number;
    title: string;
    actions: string | null;
    evidence: string | null;
    targetDate: string | null;
    status: GoalStatus;
  },
) {
  return x
    .insertInto('dev_plan_goals')
    .values({
      plan_id: g.planId,
      element_id: g.elementId,
      title: g.title,
      actions: g.actions,
      evidence: g.evidence,
      target_date: g.targetDate,
      status: g.status,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function updateGoal(
  x: Executor,
  id: number,
  g: {
    elementId: number;
    title: string;
    actions: string | null;
    evidence: string | null;
    targetDate: string | null;
    status: GoalStatus;
  },
) {
  await x
    .updateTable('dev_plan_goals')
    .set({
      element_id: g.elementId,
      title: g.title,
      actions: g.actions,
      evidence: g.evidence,
      target_date: g.targetDate,
      status: g.status,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function selectGoal(x: Executor, id: number) {
  return x.selectFrom('dev_plan_goals').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function selectGoals(x: Executor, planId: number) {
  return x
    .selectFrom('dev_plan_goals as g')
    .innerJoin('dev_elements as e', 'e.id', 'g.element_id')
    .innerJoin('dev_domains as d', 'd.id', 'e.domain_id')
    .select([
      'g.id',
      'g.element_id',
      'g.title',
      'g.actions',
      'g.evidence',
      'g.target_date',
      'g.status',
      'e.name as element',
      'd.name as domain',
    ])
    .where('g.plan_id', '=', planId)
    .orderBy('g.id')
    .execute();
}

export async function insertReview(
  x: Executor,
  r: { planId: number; authorUserId: number; authorName: string; notes: string },
) {
  return x
    .insertInto('dev_plan_reviews')
    .values({ plan_id: r.planId, author_user_id: r.authorUserId, author_name: r.authorName, notes: r.notes })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function selectReviews(x: Executor, planId: number) {
  return x
    .selectFrom('dev_plan_reviews')
    .select(['id', 'author_name', 'notes', 'created_at'])
    .where('plan_id', '=', planId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
}

// ---- regional and national profiles ----

export type ProfileFigure = {
  region_code: string | null;
  is_national: boolean;
  item_id: number;
  people: number;
  mean: number;
};
