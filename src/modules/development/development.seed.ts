import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import type { RaterGroup } from './development.table.ts';

type DemoPerson = {
  userId: number;
  email: string;
  name: string;
  roles: { role: string; regionCode: string | null }[];
};

/**
 * Demo development data: two self-assessments for most members (so change over time and the
 * regional profiles show), and for the named demo member a closed 360 with responses and a plan.
 */
export async function seedDevelopmentDemo(ctx: { db: DB; people: DemoPerson[]; random: () => number }) {
  const { db, random } = ctx;
  const framework = await db
    .selectFrom('dev_framework_choices as c')
    .innerJoin('dev_framework_versions as v', 'v.framework_id', 'c.framework_id')
    .select('v.id')
    .where('c.scope', '=', 'network')
    .orderBy('v.version_number', 'desc')
    .executeTakeFirstOrThrow();
  const versionId = framework.id;
  const elements = await db
    .selectFrom('dev_elements')
    .select(['id', 'name'])
    .where('version_id', '=', versionId)
    .orderBy('position')
    .execute();
  const rate = (base: number) => Math.max(1, Math.min(4, Math.round(base + (random() - 0.5) * 2)));
  const members = ctx.people.filter((p) => p.roles.some((g) => g.role === 'member'));
  const monthsAgo = (n: number) => new Date(Date.now() - n * 30 * 86_400_000);

  for (const [i, person] of members.entries()) {
    if (i % 4 === 3 && !person.email.startsWith('member@')) continue;
    const regionCode = person.roles.find((g) => g.role === 'member')?.regionCode ?? null;
    await db.transaction().execute(async (trx) => {
      for (const [when, base] of [
        [monthsAgo(6), 2],
        [monthsAgo(1), 2.6],
      ] as const) {
        const a = await trx
          .insertInto('dev_self_assessments')
          .values({
            user_id: person.userId,
            version_id: versionId,
            region_code: regionCode,
            created_at: when,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('dev_self_ratings')
          .values(
            elements.map((e) => ({
              assessment_id: a.id,
              element_id: e.id,
              rating: rate(base),
              evidence: null,
            })),
          )
          .execute();
      }
      await recordAudit(trx, 'system', {
        action: 'development.self-assessment.create',
        entityType: 'user',
        entityId: person.userId,
        summary: 'Demo: two self-assessments',
      });
    });
  }

  const maya = members.find((p) => p.email.startsWith('member@')) ?? members[0];
  if (!maya) return;
  const regionCode = maya.roles.find((g) => g.role === 'member')?.regionCode ?? null;
  await db.transaction().execute(async (trx) => {
    const round = await trx
      .insertInto('dev_feedback_rounds')
      .values({
        user_id: maya.userId,
        version_id: versionId,
        region_code: regionCode,
        title: 'Feedback before my appraisal',
        closes_on: monthsAgo(1).toISOString().slice(0, 10),
        closed_at: monthsAgo(1),
        created_at: monthsAgo(2),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const raters: [string, RaterGroup][] = [
      ['Priya Peer', 'peer'],
      ['Paul Peer', 'peer'],
      ['Petra Peer', 'peer'],
      ['Lorna Line-Manager', 'line-manager'],
      ['Omar Other', 'other'],
      ['Dana Report', 'direct-report'],
    ];
    const comments = [
      'Brings people together across professions',
      'Listens before deciding',
      'Clear about patient safety',
      'Could delegate more',
      'Could share plans earlier with the wider team',
    ];
    for (const [n, [name, group]] of raters.entries()) {
      const answered = n < 5;
      await trx
        .insertInto('dev_raters')
        .values({
          round_id: round.id,
          name,
          email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@demo-rater.cln.example`,
          rater_group: group,
          token_hash: hashToken(createToken()),
          responded_at: answered ? monthsAgo(1.5) : null,
        })
        .execute();
      if (!answered) continue;
      const response = await trx
        .insertInto('dev_feedback_responses')
        .values({
          round_id: round.id,
          rater_group: group,
          strengths_comment: n < 3 ? comments[n]! : null,
          development_comment: n >= 3 ? comments[n]! : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('dev_feedback_ratings')
        .values(elements.map((e) => ({ response_id: response.id, element_id: e.id, rating: rate(2.8) })))
        .execute();
    }
    const plan = await trx
      .insertInto('dev_plans')
      .values({
        user_id: maya.userId,
        version_id: versionId,
        region_code: regionCode,
        title: 'Leadership development 2026 to 2027',
        share_with_facilitator: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pick = (name: string) => elements.find((e) => e.name === name)?.id ?? elements[0]!.id;
    await trx
      .insertInto('dev_plan_goals')
      .values([
        {
          plan_id: plan.id,
          element_id: pick('Encouraging Improvement and Innovation'),
          title: 'Lead a quality improvement project on discharge delays',
          actions: 'Complete the QI foundations course; form a project team with pharmacy and therapy leads',
          target_date: `${new Date().getFullYear() + 1}-03-31`,
          status: 'in-progress',
        },
        {
          plan_id: plan.id,
          element_id: pick('Managing People'),
          title: 'Delegate rota management to the deputy',
          actions: 'Agree the handover with the deputy; review monthly',
          target_date: `${new Date().getFullYear() + 1}-01-31`,
          status: 'not-started',
        },
      ])
      .execute();
    await recordAudit(trx, 'system', {
      action: 'development.plan.create',
      entityType: 'dev_plan',
      entityId: plan.id,
      summary: 'Demo: a closed 360 with responses and a development plan',
    });
  });
}
