import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import { tablesText } from '../../../test/db.ts';
import { describeSubject } from '../../platform/data-rights.ts';
import { londonDate } from '../../platform/dates.ts';
import type { Actor } from '../../platform/permissions.ts';
import { developmentDataRights } from './development.data-rights.ts';
import { rebuildProfileTotals } from './development.profile-totals.ts';
import { isMentorOf } from '../mentoring/index.ts';
import { createDevelopmentService, type DevelopmentService } from './index.ts';

let ctx: TestContext;
let dev: DevelopmentService;
beforeAll(async () => {
  ctx = await buildTestApp();
  dev = createDevelopmentService({ db: ctx.db, baseUrl: 'http://cln.test', isMentorOf });
});
afterAll(async () => {
  await ctx?.close();
});

const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

const TABLES = [
  'dev_self_assessments',
  'dev_self_ratings',
  'dev_feedback_rounds',
  'dev_raters',
  'dev_feedback_responses',
  'dev_feedback_ratings',
  'dev_plans',
  'dev_plan_goals',
  'dev_plan_reviews',
  'dev_profile_members',
] as const;

const moduleText = () => tablesText(ctx.db, TABLES);

async function member(name: string, email: string): Promise<Actor> {
  const u = await createUser(ctx, [{ role: 'member', regionCode: 'Q30' }], { name, email });
  return { userId: u.id, name: u.name, email: u.email, roles: u.roles, ip: null, requestId: null };
}

async function assessEverything(actor: Actor, evidence: string) {
  const { version } = await dev.prepareSelfAssessment(actor);
  const ratings = version.domains.flatMap((d) =>
    d.elements.map((e, i) => ({ elementId: e.id, rating: 1 + (i % 4), evidence: i === 0 ? evidence : null })),
  );
  await dev.saveSelfAssessment(actor, { versionId: version.id, ratings });
  return version;
}

/** Raters answer through their links (the token is only in the invitation email). */
async function answerAll(roundId: number, comment: string) {
  const emails = await ctx.db
    .selectFrom('dev_raters as r')
    .innerJoin('outbox as o', 'o.to_address', 'r.email')
    .select(['o.body_text'])
    .where('r.round_id', '=', roundId)
    .execute();
  for (const [i, e] of emails.entries()) {
    const token = /\/feedback\/(\S+)/.exec(e.body_text)![1]!;
    const link = await dev.openRaterLink(token);
    const ratings = link.version.domains.flatMap((d) =>
      d.elements.map((el) => ({ elementId: el.id, rating: 3 })),
    );
    await dev.submitFeedback(
      token,
      { ratings, strengths: `${comment} strength ${i}`, development: `${comment} growth ${i}` },
      { userId: null, label: 'rater', ip: null, requestId: null },
    );
  }
}

describe('development data rights', () => {
  it('exports what the person may see and erases it, keeping others’ records and the profile totals right', async () => {
    const zara = await member('Zara Quillfeather', 'zara.quillfeather@nhs.test');
    const other = await member('Olu Brightwater', 'olu.brightwater@nhs.test');
    const version = await assessEverything(zara, 'Evidence-zq-led the sepsis audit');
    await assessEverything(other, 'Evidence-ob-own work');

    const round = await dev.createRound(zara, { title: 'Round-zq feedback', closesOn: soon });
    await dev.inviteRaters(zara, round.id, [
      { name: 'Rhea Ratersmith', email: 'rhea.ratersmith@nhs.test', group: 'peer' },
      { name: 'Pim Peerwhistle', email: 'pim.peerwhistle@nhs.test', group: 'peer' },
      { name: 'Lou Linemanager', email: 'lou.linemanager@nhs.test', group: 'line-manager' },
    ]);
    await answerAll(round.id, 'Comment-zq');
    await dev.closeRound(zara, round.id);

    // Zara rates Olu: her name and address are on Olu's round.
    const otherRound = await dev.createRound(other, { title: 'Round-ob feedback', closesOn: soon });
    await dev.inviteRaters(other, otherRound.id, [
      { name: 'Zara Quillfeather', email: 'zara.quillfeather@nhs.test', group: 'peer' },
      { name: 'Kit Keeprater', email: 'kit.keeprater@nhs.test', group: 'peer' },
    ]);

    const plan = await dev.createPlan(zara, { title: 'Plan-zq become a clinical director' });
    const elementId = version.domains[0]!.elements[0]!.id;
    await dev.addGoal(zara, plan.id, {
      elementId,
      title: 'Goal-zq chair the board',
      actions: 'Actions-zq shadow the chair',
      evidence: 'GoalEvidence-zq minutes',
      status: 'in-progress',
    });
    const otherPlan = await dev.createPlan(other, { title: 'Plan-ob' });
    await dev.addGoal(other, otherPlan.id, { elementId, title: 'Goal-ob keep', status: 'not-started' });

    const subject = await describeSubject(ctx.db, [developmentDataRights], zara.userId);
    subject.names.push(zara.name);
    subject.emails.push(zara.email);
    expect(subject.entities).toEqual(
      expect.arrayContaining([
        { type: 'dev_feedback_round', id: String(round.id) },
        { type: 'dev_plan', id: String(plan.id) },
      ]),
    );

    const sections = await developmentDataRights.exportFor(ctx.db, subject);
    const byKey = Object.fromEntries(sections.map((s) => [s.key, s.records]));
    const text = JSON.stringify(sections);
    expect(text).toContain('Evidence-zq-led the sepsis audit');
    expect(text).toContain('Goal-zq chair the board');
    expect(text).toContain('GoalEvidence-zq minutes');
    expect(text).toContain('Rhea Ratersmith <rhea.ratersmith@nhs.test>');
    expect(byKey.feedbackRounds![0]).toMatchObject({ title: 'Round-zq feedback', responses: 3 });
    expect(byKey.feedbackRounds![0]!.strengthsComments).toEqual([
      'Comment-zq strength 0',
      'Comment-zq strength 1',
      'Comment-zq strength 2',
    ]);
    expect(byKey.feedbackInvitations).toEqual([expect.objectContaining({ forMember: 'Olu Brightwater' })]);
    // Nothing of Olu's own development, and no response tied to a rater.
    expect(text).not.toContain('Evidence-ob');
    expect(text).not.toContain('Goal-ob');
    expect(text).not.toContain('Kit Keeprater');
    expect(JSON.stringify(byKey.feedbackRounds)).not.toMatch(/Rhea[^"]*strength/);
    // Every value is plain.
    for (const s of sections)
      for (const r of s.records)
        for (const v of Object.values(r))
          expect(
            v === null ||
              ['string', 'number', 'boolean'].includes(typeof v) ||
              v instanceof Date ||
              Array.isArray(v),
          ).toBe(true);

    const othersBefore = await ctx.db
      .selectFrom('dev_plan_goals')
      .select('title')
      .where('plan_id', '=', otherPlan.id)
      .execute();
    await ctx.db.transaction().execute((trx) => developmentDataRights.erase(trx, subject));

    const after = await moduleText();
    for (const s of [
      'Zara',
      'Quillfeather',
      'zara.quillfeather',
      '-zq',
      'Rhea',
      'rhea.ratersmith',
      'Pim Peerwhistle',
      'Lou Linemanager',
    ])
      expect(after).not.toContain(s);
    // Olu's records are intact, and their round still counts Zara's (anonymous) invitation.
    expect(after).toContain('Evidence-ob-own work');
    expect(after).toContain('Kit Keeprater');
    expect(
      await ctx.db.selectFrom('dev_plan_goals').select('title').where('plan_id', '=', otherPlan.id).execute(),
    ).toEqual(othersBefore);
    expect((await dev.getRound(other, otherRound.id)).raters).toHaveLength(2);

    // The totals kept on write equal a rebuild from the ratings that remain.
    const kept = await ctx.db
      .selectFrom('dev_profile_totals')
      .selectAll()
      .where('rows', '>', 0)
      .orderBy('version_id')
      .orderBy('kind')
      .orderBy('region_code')
      .orderBy('level')
      .orderBy('item_id')
      .execute();
    await ctx.db.transaction().execute((trx) => rebuildProfileTotals(trx, londonDate()));
    const rebuilt = await ctx.db
      .selectFrom('dev_profile_totals')
      .selectAll()
      .orderBy('version_id')
      .orderBy('kind')
      .orderBy('region_code')
      .orderBy('level')
      .orderBy('item_id')
      .execute();
    expect(kept.map((r) => ({ ...r, total: Math.round(r.total * 1e9) }))).toEqual(
      rebuilt.map((r) => ({ ...r, total: Math.round(r.total * 1e9) })),
    );
    expect(
      await ctx.db
        .selectFrom('dev_profile_members')
        .select('user_id')
        .where('user_id', '=', zara.userId)
        .execute(),
    ).toEqual([]);
  });
});
