import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import type { Actor, RoleGrant } from '../../platform/permissions.ts';
import { createMemberProfile } from '../members/index.ts';
import { createMentoringService } from '../mentoring/index.ts';
import { createLearningSetsService } from './index.ts';
import type { FormationInput } from './learning-sets.schemas.ts';

// A member recruited through the web journey has what accepting an offer makes: an account with
// the Member role and a profile from members' createMemberProfile with intake, profession,
// registration number, employer and region, and nothing the demo or an import adds (no specialty,
// interests, expertise, photo or directory choices). They must flow through both modules.

const REGION = 'Q34';
let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

async function actor(roles: RoleGrant[], name?: string): Promise<Actor> {
  const u = await createUser(ctx, roles, { name });
  return { userId: u.id, name: u.name, email: u.email, roles, ip: null, requestId: null };
}

describe('a member recruited through the web journey', () => {
  it('is in the cohort, placed in a set, sees its first session, asks for a mentor, is matched and meets', async () => {
    const sets = createLearningSetsService({ db: ctx.db, baseUrl: 'http://cln.test', solveTimeMs: 150 });
    const mentoring = createMentoringService({ db: ctx.db, baseUrl: 'http://cln.test' });
    const intake = await ctx.db
      .selectFrom('intakes')
      .select(['id', 'name'])
      .where('region_code', '=', REGION)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const trusts = await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'trust')
      .where('sha_code', '=', REGION)
      .orderBy('id')
      .limit(2)
      .execute();
    expect(trusts).toHaveLength(2);
    const profile = (a: Actor, extra: { registrationNumber?: string; organisationId: number }) =>
      ctx.db.transaction().execute((trx) =>
        createMemberProfile(
          trx,
          {
            userId: a.userId,
            regionCode: REGION,
            intakeId: intake.id,
            profession: 'nurse',
            jobTitle: 'Ward sister',
            ...extra,
          },
          'system',
        ),
      );

    // The recruit, exactly as offer acceptance leaves them, and five others in the cohort.
    const recruit = await actor([{ role: 'member', regionCode: REGION }], 'Rita Recruit');
    await profile(recruit, { registrationNumber: '71A2998E', organisationId: trusts[0]!.id });
    for (let i = 0; i < 5; i++)
      await profile(await actor([{ role: 'member', regionCode: REGION }]), {
        organisationId: trusts[i % 2]!.id,
      });

    const lead = await actor([{ role: 'regional-lead', regionCode: REGION }]);
    const facilitatorAccount = await actor([{ role: 'facilitator', regionCode: REGION }], 'Fred Facilitator');
    await sets.saveFacilitator(lead, REGION, { email: facilitatorAccount.email, maxSets: 2, isLead: true });

    const options = await sets.cohortOptions(lead, REGION);
    expect(options.intakes.find((i) => i.id === intake.id)?.active_members).toBe(6);
    const formationId = await sets.formSets(lead, REGION, {
      intakeId: intake.id,
      minSize: 3,
      maxSize: 6,
      setCount: 2,
      sizing: 'equal',
      separateOrganisations: false,
      weightProfession: 3,
      weightOrganisation: 2,
      weightSystem: 1,
      weightSpecialty: 2,
      weightSeniority: 1,
      keepApart: '',
      keepTogether: '',
      seed: 1,
    } as FormationInput);
    const draft = await sets.describeFormation(lead, formationId);
    const recruitSet = draft.sets.find((s) => s.members.some((m) => m.userId === recruit.userId));
    expect(recruitSet).toBeDefined();
    expect(recruitSet!.members.find((m) => m.userId === recruit.userId)).toMatchObject({
      name: 'Rita Recruit',
      profession: 'Nurse',
    });
    await sets.publishFormation(lead, formationId);

    const mine = await sets.listMySets(recruit);
    expect(mine.map((s) => s.id)).toEqual([recruitSet!.id]);
    const sessionId = await sets.scheduleSession(facilitatorAccount, recruitSet!.id, {
      date: '2027-03-04',
      startTime: '13:30',
      durationMinutes: 180,
      location: 'Education Centre',
      onlineUrl: '',
    } as Parameters<typeof sets.scheduleSession>[2]);
    const seen = await sets.getSet(recruit, recruitSet!.id);
    expect(seen.member).toBe(true);
    expect(seen.sessions.map((s) => s.id)).toEqual([sessionId]);
    expect(seen.members.map((m) => m.name)).toContain('Rita Recruit');

    // Mentoring: a mentor at the other trust offers a place; the recruit asks, is matched, meets.
    const mentor = await actor(
      [
        { role: 'member', regionCode: REGION },
        { role: 'mentor', regionCode: REGION },
      ],
      'Maya Mentor',
    );
    await ctx.db
      .transaction()
      .execute((trx) =>
        createMemberProfile(
          trx,
          { userId: mentor.userId, regionCode: REGION, profession: 'doctor', organisationId: trusts[1]!.id },
          'system',
        ),
      );
    await mentoring.saveOffer(mentor, {
      capacity: 1,
      areas: ['management'],
      format: 'either',
      menteeProfessions: [],
      notes: null,
    });
    await mentoring.saveRequest(recruit, {
      goals: 'Lead a ward through a service change',
      goalAreas: ['management'],
      format: 'either',
      mentorProfessions: [],
      sameRegion: false,
      planGoals: [],
    });
    const runId = await mentoring.createRun(lead, REGION);
    const run = await mentoring.getRun(lead, runId);
    expect(run.pairs.map((p) => [p.mentee.name, p.mentor.name])).toEqual([['Rita Recruit', 'Maya Mentor']]);
    expect(await mentoring.approveRun(lead, runId)).toBe(1);
    const [pair] = await mentoring.listMyPairs(recruit);
    expect(pair).toMatchObject({ role: 'mentee', mentor: { name: 'Maya Mentor' }, status: 'active' });
    const today = new Date().toISOString().slice(0, 10);
    await mentoring.logMeeting(recruit, pair!.id, { metOn: today, format: 'online', notes: 'First meeting' });
    expect((await mentoring.getPair(mentor, pair!.id)).meetings).toHaveLength(1);
  });
});
