import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import { tablesText } from '../../../test/db.ts';
import { createMemberProfile } from '../members/index.ts';
import { describeSubject } from '../../platform/data-rights.ts';
import type { Actor, RoleGrant } from '../../platform/permissions.ts';
import { createLearningSetsService, learningSetsDataRights } from './index.ts';

const REGION = 'Q35';
let ctx: TestContext;
let sets: ReturnType<typeof createLearningSetsService>;
beforeAll(async () => {
  ctx = await buildTestApp();
  sets = createLearningSetsService({ db: ctx.db, baseUrl: 'http://cln.test', solveTimeMs: 200 });
});
afterAll(async () => {
  await ctx?.close();
});

const TABLES = [
  'ls_facilitators',
  'ls_formations',
  'ls_sets',
  'ls_set_members',
  'ls_sessions',
  'ls_attendance',
  'ls_actions',
  'ls_facilitator_notes',
  'ls_session_returns',
  'ls_set_return_totals',
  'ls_region_return_totals',
  'ls_calendar_feeds',
] as const;

const moduleText = () => tablesText(ctx.db, TABLES);

const actorOf = (u: { id: number; name: string; email: string; roles: RoleGrant[] }): Actor => ({
  userId: u.id,
  name: u.name,
  email: u.email,
  roles: u.roles,
  ip: null,
  requestId: null,
});
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

describe('learning-sets data rights', () => {
  it('exports the person’s sets, sessions and actions and erases them, keeping the set’s figures', async () => {
    const intake = await ctx.db
      .selectFrom('intakes')
      .select('id')
      .where('region_code', '=', REGION)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const trusts = await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'trust')
      .where('sha_code', '=', REGION)
      .orderBy('id')
      .limit(3)
      .execute();
    const names = ['Xanthe Quorndale', ...Array.from({ length: 5 }, (_, i) => `Other Member ${i}`)];
    const members = [];
    for (const [i, name] of names.entries()) {
      const u = await createUser(ctx, [{ role: 'member', regionCode: REGION }], {
        name,
        email: i === 0 ? 'xanthe.quorndale@nhs.test' : undefined,
      });
      await ctx.db.transaction().execute((trx) =>
        createMemberProfile(
          trx,
          {
            userId: u.id,
            regionCode: REGION,
            intakeId: intake.id,
            profession: i % 2 ? 'nurse' : 'doctor',
            registrationNumber: null,
            organisationId: trusts[i % trusts.length]?.id ?? null,
            jobTitle: 'Consultant',
          },
          'system',
        ),
      );
      members.push(u);
    }
    const xanthe = members[0]!;
    const lead = actorOf(await createUser(ctx, [{ role: 'regional-lead', regionCode: REGION }]));
    const facilitatorUser = await createUser(ctx, [{ role: 'facilitator', regionCode: REGION }], {
      name: 'Fay Facilitator',
    });
    const facilitator = actorOf(facilitatorUser);
    await sets.saveFacilitator(lead, REGION, { email: facilitatorUser.email, maxSets: 2, isLead: true });
    const formationId = await sets.formSets(lead, REGION, {
      intakeId: intake.id,
      minSize: 6,
      maxSize: 8,
      setCount: null,
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
    });
    await sets.publishFormation(lead, formationId);
    const { sets: formed } = await sets.describeFormation(lead, formationId);
    const set = formed[0]!;
    const day = 86_400_000;
    const past = isoDate(new Date(Date.now() - 14 * day));
    const sessionId = await sets.scheduleSession(facilitator, set.id, {
      date: past,
      startTime: '13:30',
      durationMinutes: 120,
      location: 'Education Centre',
      onlineUrl: '',
    });
    await sets.recordAttendance(facilitator, sessionId, {
      entries: members.map((m, i) => ({
        userId: m.id,
        status: i === 1 ? 'apologies' : 'present',
        presented: i === 0,
      })),
    });
    await sets.addAction(facilitator, sessionId, {
      ownerUserId: xanthe.id,
      description: 'Action-xq talk to the patient panel',
      dueOn: isoDate(new Date()),
    });
    await sets.addAction(facilitator, sessionId, {
      ownerUserId: members[2]!.id,
      description: 'Action-om2 pair with Xanthe Quorndale on the audit',
      dueOn: isoDate(new Date()),
    });
    await sets.saveNotes(facilitator, sessionId, 'Fay-notes: Xanthe Quorndale struggled to question.');
    await sets.submitReturn(facilitator, sessionId, 'Themes: discharge delays, raised by Xanthe Quorndale.');
    await sets.createCalendarFeed(actorOf(xanthe));
    const totalsBefore = await ctx.db.selectFrom('ls_region_return_totals').selectAll().execute();

    const subject = await describeSubject(ctx.db, [learningSetsDataRights], xanthe.id);
    subject.names.push(xanthe.name);
    subject.emails.push(xanthe.email);
    const sections = await learningSetsDataRights.exportFor(ctx.db, subject);
    const byKey = Object.fromEntries(sections.map((s) => [s.key, s.records]));
    expect(byKey.learningSets).toEqual([
      expect.objectContaining({ set: set.name, role: 'member', facilitator: 'Fay Facilitator' }),
    ]);
    expect(byKey.sessions).toEqual([
      expect.objectContaining({ attendance: 'present', presented: true, location: 'Education Centre' }),
    ]);
    expect(byKey.actions).toEqual([
      expect.objectContaining({ description: 'Action-xq talk to the patient panel' }),
    ]);
    expect(byKey.calendarFeeds).toHaveLength(1);
    const text = JSON.stringify(sections);
    // Not the facilitator's private notes, not another member's action.
    expect(text).not.toContain('Fay-notes');
    expect(text).not.toContain('Action-om2');
    // The facilitator's own download holds their notes and return.
    const fayText = JSON.stringify(
      await learningSetsDataRights.exportFor(
        ctx.db,
        await describeSubject(ctx.db, [learningSetsDataRights], facilitatorUser.id),
      ),
    );
    expect(fayText).toContain('Fay-notes');
    expect(fayText).toContain('Themes: discharge delays');

    await ctx.db.transaction().execute((trx) => learningSetsDataRights.erase(trx, subject));

    const after = await moduleText();
    for (const s of ['Xanthe', 'Quorndale', 'xanthe.quorndale', 'Action-xq']) expect(after).not.toContain(s);
    // Others' records stay, naming the erased person by the label only.
    expect(after).toContain('Action-om2 pair with Erased member');
    expect(after).toContain('Fay-notes');
    expect(after).toContain('Other Member 3');
    expect(
      await ctx.db.selectFrom('ls_set_members').select('user_id').where('user_id', '=', xanthe.id).execute(),
    ).toEqual([]);
    expect(
      await ctx.db
        .selectFrom('ls_attendance')
        .select('user_id')
        .where('session_id', '=', sessionId)
        .execute(),
    ).toHaveLength(members.length - 1);
    // The return's figures and the totals kept from them are unchanged.
    expect(await ctx.db.selectFrom('ls_region_return_totals').selectAll().execute()).toEqual(totalsBefore);
    const { sets: afterSets } = await sets.describeFormation(lead, formationId);
    expect(afterSets.flatMap((s) => s.members.map((m) => m.userId))).not.toContain(xanthe.id);
  });
});
