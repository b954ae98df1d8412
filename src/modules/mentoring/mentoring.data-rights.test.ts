import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import { tablesText } from '../../../test/db.ts';
import { createMemberProfile } from '../members/index.ts';
import { describeSubject } from '../../platform/data-rights.ts';
import type { Actor, RoleGrant } from '../../platform/permissions.ts';
import { createMentoringService, mentoringDataRights } from './index.ts';

const REGION = 'Q37';
let ctx: TestContext;
let mentoring: ReturnType<typeof createMentoringService>;
beforeAll(async () => {
  ctx = await buildTestApp();
  mentoring = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test' });
});
afterAll(async () => {
  await ctx?.close();
});

const TABLES = [
  'mentoring_offers',
  'mentoring_requests',
  'mentoring_conflicts',
  'mentoring_runs',
  'mentoring_run_pairs',
  'mentoring_run_adjustments',
  'mentoring_relationships',
  'mentoring_goals',
  'mentoring_meetings',
] as const;

const moduleText = () => tablesText(ctx.db, TABLES);

async function person(name: string, email: string, roles: RoleGrant[], ods?: string): Promise<Actor> {
  const u = await createUser(ctx, roles, { name, email });
  if (ods) {
    const org = await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('ods_code', '=', ods)
      .executeTakeFirstOrThrow();
    await ctx.db.transaction().execute((trx) =>
      createMemberProfile(
        trx,
        {
          userId: u.id,
          regionCode: REGION,
          profession: 'doctor',
          registrationNumber: null,
          organisationId: org.id,
          jobTitle: 'Consultant',
        },
        'system',
      ),
    );
  }
  return { userId: u.id, name: u.name, email: u.email, roles: u.roles, ip: null, requestId: null };
}

const member = (): RoleGrant[] => [{ role: 'member', regionCode: REGION }];
const mentorRoles = (): RoleGrant[] => [...member(), { role: 'mentor', regionCode: REGION }];

describe('mentoring data rights', () => {
  it('exports the person’s mentoring and erases it, ending the relationship and keeping the other’s part', async () => {
    const lead = await person('Lee Lead', 'lee.lead@nhs.test', [
      { role: 'regional-lead', regionCode: REGION },
    ]);
    const mentor = await person('Mira Mentorwell', 'mira.mentorwell@nhs.test', mentorRoles(), 'RPA');
    const mentee = await person('Zed Quillmentee', 'zed.quillmentee@nhs.test', member(), 'RVV');
    const bystander = await person('Bea Bystander', 'bea.bystander@nhs.test', member(), 'RVV');

    await mentoring.saveOffer(mentor, {
      capacity: 2,
      areas: ['management'],
      format: 'either',
      menteeProfessions: [],
      notes: 'Offer-mm notes',
    });
    await mentoring.saveRequest(mentee, {
      goals: 'Goal-zq lead a service change\nGoal-zq write a business case',
      goalAreas: ['management'],
      format: 'online',
      mentorProfessions: [],
      sameRegion: false,
      planGoals: [],
    });
    await mentoring.declareConflict(mentee, { email: bystander.email, kind: 'conflict' });
    await mentoring.declareConflict(bystander, { email: mentee.email, kind: 'line-management' });
    const runId = await mentoring.createRun(lead, REGION);
    await mentoring.approveRun(lead, runId);
    const [pair] = await mentoring.listMyPairs(mentee);
    expect(pair).toBeDefined();
    await mentoring.saveAgreement(mentee, pair!.id, {
      groundRules: 'Rules-zq confidential',
      meetingFrequency: 'monthly',
      durationMonths: 6,
    });
    const today = new Date().toISOString().slice(0, 10);
    await mentoring.logMeeting(mentor, pair!.id, {
      metOn: today,
      format: 'online',
      notes: 'Notes-mm about Zed',
    });
    await mentoring.logMeeting(mentee, pair!.id, {
      metOn: today,
      format: 'online',
      notes: 'Notes-zq my reflections',
    });

    const subject = await describeSubject(ctx.db, [mentoringDataRights], mentee.userId);
    expect(subject.entities).toContainEqual({ type: 'mentoring_relationship', id: String(pair!.id) });
    const sections = await mentoringDataRights.exportFor(ctx.db, subject);
    const byKey = Object.fromEntries(sections.map((s) => [s.key, s.records]));
    const text = JSON.stringify(sections);
    expect(text).toContain('Goal-zq lead a service change');
    expect(text).toContain('Rules-zq confidential');
    expect(text).toContain('Notes-mm about Zed');
    expect(text).toContain('Notes-zq my reflections');
    expect(byKey.mentoringRelationships![0]).toMatchObject({
      mentor: 'Mira Mentorwell',
      role: 'mentee',
      status: 'active',
    });
    expect(byKey.mentoringConflicts).toEqual([
      expect.objectContaining({ declaredBy: 'You', with: 'Bea Bystander' }),
      expect.objectContaining({ declaredBy: 'Other members', with: 'You' }),
    ]);
    // The mentor's offer is theirs, not the mentee's.
    expect(text).not.toContain('Offer-mm');
    expect(byKey.mentoringOffer).toEqual([]);

    await ctx.db.transaction().execute((trx) => mentoringDataRights.erase(trx, subject));

    const after = await moduleText();
    for (const s of ['-zq', 'Notes-mm', 'Zed', 'Quillmentee']) expect(after).not.toContain(s);
    const rel = await ctx.db
      .selectFrom('mentoring_relationships')
      .selectAll()
      .where('id', '=', pair!.id)
      .executeTakeFirstOrThrow();
    expect(rel.status).toBe('ended');
    expect(rel.ended_at).not.toBeNull();
    // The mentor keeps their offer and the record that they met (dates), with their capacity freed.
    expect(after).toContain('Offer-mm notes');
    expect(
      await ctx.db
        .selectFrom('mentoring_meetings')
        .select('met_on')
        .where('relationship_id', '=', pair!.id)
        .execute(),
    ).toHaveLength(2);
    expect(await ctx.db.selectFrom('mentoring_conflicts').selectAll().execute()).toEqual([]);
    const req = await ctx.db
      .selectFrom('mentoring_requests')
      .select(['status', 'goals'])
      .where('user_id', '=', mentee.userId)
      .execute();
    expect(req).toHaveLength(1);
    expect(req[0]!.goals).toBe('');
    expect(req[0]!.status).not.toMatch(/waiting|matched/);
  });

  it('erasing a mentor ends the mentee’s match and puts the mentee back in the pool', async () => {
    const lead = await person('Lou Lead', 'lou.lead@nhs.test', [
      { role: 'regional-lead', regionCode: REGION },
    ]);
    const mentor = await person('Quin Mentorgone', 'quin.mentorgone@nhs.test', mentorRoles(), 'RPA');
    const mentee = await person('Tam Stays', 'tam.stays@nhs.test', member(), 'RVV');
    await mentoring.saveOffer(mentor, {
      capacity: 1,
      areas: ['management'],
      format: 'either',
      menteeProfessions: [],
      notes: 'Offer-qm',
    });
    await mentoring.saveRequest(mentee, {
      goals: 'Goal-ts keep',
      goalAreas: ['management'],
      format: 'online',
      mentorProfessions: [],
      sameRegion: false,
      planGoals: [],
    });
    // Only this mentor has a free place (the first test's mentor is paused).
    await ctx.db
      .updateTable('mentoring_offers')
      .set({ capacity: 0 })
      .where('user_id', '!=', mentor.userId)
      .execute();
    const runId = await mentoring.createRun(lead, REGION);
    await mentoring.approveRun(lead, runId);
    const [pair] = await mentoring.listMyPairs(mentee);
    expect(pair!.mentor.userId).toBe(mentor.userId);
    await mentoring.saveAgreement(mentee, pair!.id, {
      groundRules: 'Rules-qm',
      meetingFrequency: 'monthly',
      durationMonths: 6,
    });
    const subject = await describeSubject(ctx.db, [mentoringDataRights], mentor.userId);
    await ctx.db.transaction().execute((trx) => mentoringDataRights.erase(trx, subject));
    const after = await moduleText();
    expect(after).not.toContain('Offer-qm');
    expect(after).not.toContain('Rules-qm');
    expect(after).toContain('Goal-ts keep');
    const rel = await ctx.db
      .selectFrom('mentoring_relationships')
      .select(['status'])
      .where('id', '=', pair!.id)
      .executeTakeFirstOrThrow();
    expect(rel.status).toBe('ended');
    const request = await ctx.db
      .selectFrom('mentoring_requests')
      .select(['status', 'waitlist_reason'])
      .where('user_id', '=', mentee.userId)
      .executeTakeFirstOrThrow();
    expect(request.status).toBe('waiting');
    expect(request.waitlist_reason).toMatch(/back in the pool/);
    // The mentee's own record of the match is theirs to keep.
    expect(await mentoring.listMyPairs(mentee)).toHaveLength(1);
  });
});
