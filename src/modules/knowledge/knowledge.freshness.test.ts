import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, londonDate } from '../../platform/dates.ts';
import {
  buildTestApp,
  refusedForm,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';
import { addMember, location, signedIn, trustsOf } from '../../../test/journeys/support.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const task = (name: string) => {
  const t = ctx.app.scheduledTasks.find((s) => s.name === name);
  if (!t) throw new Error(`no task ${name}`);
  return () => t.run();
};
const mailTo = (to: string, kind: string) =>
  ctx.db
    .selectFrom('outbox')
    .select(['subject', 'body_text as body'])
    .where('to_address', '=', to)
    .where('kind', '=', kind)
    .execute();

describe('freshness', () => {
  it('a stale item is marked; its owner confirms it is still current (reviewed today, a new review-by date)', async () => {
    const today = londonDate();
    const owner = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q31' }]);
    const item = await seedItem(ctx.db, {
      ownerUserId: owner.user.id,
      title: 'Kestrel discharge lounge',
      reviewedOn: addDays(today, -400),
      reviewBy: addDays(today, -10),
    });
    const page = `/knowledge/items/${item}`;
    expect(visibleText((await owner.agent.get(page)).body)).toContain('Review due');
    expect(visibleText((await owner.agent.get('/knowledge')).body)).toMatch(
      /Kestrel discharge lounge.*Review due/,
    );
    await owner.agent.get(`${page}/confirm`);
    const past = await owner.agent.post(`${page}/confirm`, { reviewBy: addDays(today, -1) });
    expect(refusedForm(past, 400, 'Confirm this item is still current').map((e) => e.text)).toEqual([
      'The next review date must be after today',
    ]);
    const other = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q31' }]);
    await other.agent.get(page);
    expect((await other.agent.post(`${page}/confirm`, { reviewBy: '' })).statusCode).toBe(403);
    location(await owner.agent.post(`${page}/confirm`, { reviewBy: '' }));
    const row = await ctx.db
      .selectFrom('knowledge_items')
      .select(['reviewed_on', 'review_by'])
      .where('id', '=', item)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ reviewed_on: today, review_by: addDays(today, 365) });
    expect(visibleText((await owner.agent.get(page)).body)).not.toContain('Review due');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'knowledge.item.confirm')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('search ranks a stale item below a current one that matches as well', async () => {
    const today = londonDate();
    const { user, agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q31' }]);
    const text = {
      title: 'Quokka ward frailty huddle',
      summary: 'A daily quokka huddle on the frailty ward.',
    };
    // The stale one is the newer: at equal rank it would come first, so only the halving puts it second.
    const current = await seedItem(ctx.db, { ownerUserId: user.id, ...text, reviewBy: addDays(today, 30) });
    const stale = await seedItem(ctx.db, { ownerUserId: user.id, ...text, reviewBy: addDays(today, -30) });
    const res = await agent.get('/api/v1/knowledge/search?q=quokka+huddle', { accept: 'application/json' });
    const results = (JSON.parse(res.body) as { results: { itemId: number; stale: boolean }[] }).results;
    expect(results.map((r) => [r.itemId, r.stale])).toEqual([
      [current, false],
      [stale, true],
    ]);
  });

  it('at the review-by date the owner is asked once to confirm the item', async () => {
    const today = londonDate();
    const owner = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q32' }]);
    const item = await seedItem(ctx.db, {
      ownerUserId: owner.user.id,
      title: 'Pelican falls clinic',
      reviewBy: today,
    });
    await seedItem(ctx.db, { ownerUserId: owner.user.id, title: 'Not yet due', reviewBy: addDays(today, 3) });
    await task('knowledge.freshness')();
    await task('knowledge.freshness')();
    const mail = await mailTo(owner.user.email, 'knowledge.review-due');
    expect(mail.map((m) => m.subject)).toEqual(['Is “Pelican falls clinic” still current?']);
    expect(mail[0]!.body).toContain(`http://cln.test/knowledge/items/${item}`);
  });

  it('when an item’s contact has left, its organisation’s members (no sponsor on record) are asked once for a new contact', async () => {
    const [trust] = await trustsOf(ctx, 'Q33');
    const person = (name: string) =>
      addMember(ctx, {
        regionCode: 'Q33',
        name,
        profession: 'nurse',
        organisationId: trust!,
        jobTitle: 'Sister',
      });
    const leaver = await person('Lena Leaver');
    const colleague = await person('Cara Colleague');
    const owner = await person('Owen Owner');
    await seedItem(ctx.db, {
      ownerUserId: owner.id,
      contactUserId: leaver.id,
      title: 'Heron sepsis bundle',
      organisationIds: [trust!],
    });
    await task('knowledge.freshness')();
    expect(await mailTo(colleague.email, 'knowledge.contact-left')).toEqual([]);
    await ctx.db
      .updateTable('member_profiles')
      .set({ status: 'left' })
      .where('user_id', '=', leaver.id)
      .execute();
    await task('knowledge.freshness')();
    await task('knowledge.freshness')();
    const asked = await mailTo(colleague.email, 'knowledge.contact-left');
    expect(asked.map((m) => m.subject)).toEqual(['A new contact for “Heron sepsis bundle”']);
    expect(asked[0]!.body).toContain('Lena Leaver');
    expect(asked[0]!.body).toContain('No sponsor');
    expect(await mailTo(leaver.email, 'knowledge.contact-left')).toEqual([]);
  });
});

describe('the monthly digest for sponsors', () => {
  it('sends each organisation’s sponsors last month’s library news once, naming only public items', async () => {
    const [home, away] = await trustsOf(ctx, 'Q34');
    const member = await addMember(ctx, {
      regionCode: 'Q34',
      name: 'Dina Digest',
      profession: 'doctor',
      organisationId: home!,
      jobTitle: 'Consultant',
    });
    const sponsorEmail = `sponsor.${Date.now()}@nhs.test`;
    const org = await ctx.db
      .selectFrom('organisations')
      .select(['ods_code', 'name'])
      .where('id', '=', home!)
      .executeTakeFirstOrThrow();
    const intake = await ctx.db
      .selectFrom('intakes')
      .select('id')
      .where('region_code', '=', 'Q34')
      .executeTakeFirstOrThrow();
    await ctx.db
      .insertInto('applications')
      .values({
        user_id: member.id,
        reference: `DIGEST-${Date.now()}`,
        intake_id: intake.id,
        region_code: 'Q34',
        status: 'accepted',
        given_name: 'Dina',
        family_name: 'Digest',
        email: member.email,
        profession: 'doctor',
        register: 'GMC',
        registration_number: '7654321',
        employer_organisation_id: home!,
        employer_ods_code: org.ods_code!,
        employer_name: org.name,
        job_title: 'Consultant',
        role_summary: 'r',
        leadership_experience: 'l',
        motivation: 'm',
        sponsor_name: 'Sam Sponsor',
        sponsor_email: sponsorEmail,
        consent_at: new Date(),
        privacy_notice_version: '1',
        accepted_at: new Date(),
      } as never)
      .execute();
    const open = await seedItem(ctx.db, {
      ownerUserId: member.id,
      title: 'Open Osprey pathway',
      visibility: 'public',
      organisationIds: [home!],
    });
    await seedItem(ctx.db, {
      ownerUserId: member.id,
      title: 'Members-only Marten audit',
      organisationIds: [home!],
    });
    const adopter = await addMember(ctx, {
      regionCode: 'Q34',
      name: 'Ada Away',
      profession: 'nurse',
      organisationId: away!,
      jobTitle: 'Matron',
    });
    const adopterAgent = await signedIn(ctx, adopter.email);
    await adopterAgent.get(`/knowledge/items/${open}/spread`);
    location(
      await adopterAgent.post(`/knowledge/items/${open}/adoptions`, {
        status: 'adopted',
        adoptedOn: '2027-01-01',
      }),
    );
    // Everything above happened last month, as far as the digest is concerned.
    const today = londonDate();
    const [y, m] = today.split('-').map(Number) as [number, number];
    const lastMonth = new Date(Date.UTC(m === 1 ? y - 1 : y, m === 1 ? 11 : m - 2, 15, 12));
    await ctx.db.updateTable('knowledge_items').set({ published_at: lastMonth }).execute();
    await ctx.db.updateTable('knowledge_adoptions').set({ created_at: lastMonth }).execute();

    await task('knowledge.monthly-digests')();
    await task('knowledge.monthly-digests')();
    const mail = await mailTo(sponsorEmail, 'knowledge.digest');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain(org.name);
    expect(mail[0]!.body).toContain('New in the library: 2');
    expect(mail[0]!.body).toContain('- Open Osprey pathway');
    expect(mail[0]!.body).toContain('- and 1 more for members of the network');
    expect(mail[0]!.body).toContain('Your organisation’s work taken up elsewhere: 1');
    expect(mail[0]!.body).not.toContain('Marten');
    const digests = await ctx.db
      .selectFrom('knowledge_digests')
      .select(['organisation_id', 'items'])
      .orderBy('organisation_id')
      .execute();
    expect(digests.find((d) => d.organisation_id === home)?.items).toBe(3);
    expect(digests.filter((d) => d.organisation_id === home)).toHaveLength(1);
  });
});
