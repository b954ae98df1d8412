import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, type TestContext } from '../../../test/app.ts';
import { londonDateAfter, longDate } from '../../platform/dates.ts';
import type { Actor } from '../../platform/permissions.ts';
import { buildSubmission } from './recruitment.factories.ts';
import { createRecruitmentService, type RecruitmentService } from './recruitment.service.ts';

let ctx: TestContext;
let recruitment: RecruitmentService;
let national: Actor;
beforeAll(async () => {
  ctx = await buildTestApp();
  recruitment = createRecruitmentService({ db: ctx.db, config: { baseUrl: 'http://cln.test' } });
  national = await actorWith([{ role: 'national', regionCode: null }]);
});
afterAll(async () => {
  await ctx?.close();
});

const anon = { userId: null, label: 'test', ip: null, requestId: null };

async function actorWith(roles: Actor['roles']): Promise<Actor> {
  const u = await createUser(ctx, roles);
  return { userId: u.id, name: u.name, email: u.email, roles, ip: null, requestId: null };
}

/** Submits n applications to the region of the employer. */
async function submitMany(n: number, employerOds: string) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++)
    ids.push((await recruitment.submitApplication(buildSubmission({ employerOds }), anon)).id);
  return ids;
}

async function setTarget(code: string, target: number) {
  await ctx.db
    .updateTable('network_regions')
    .set({ recruitment_target: target })
    .where('code', '=', code)
    .execute();
}

async function statuses(ids: number[]) {
  const rows = await ctx.db
    .selectFrom('applications')
    .select(['id', 'status', 'waitlist_rank'])
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  return rows;
}

describe('quota and waitlist', () => {
  it('waitlists an offer beyond the quota and offers a freed place to the top of the waitlist', async () => {
    // South Central (Q38): Royal Berkshire is RHW.
    const lead = await actorWith([{ role: 'regional-lead', regionCode: 'Q38' }]);
    await setTarget('Q38', 2);
    const [a, b, c, d] = await submitMany(4, 'RHW');
    expect((await recruitment.decide(lead, a!, { decision: 'offer' })).status).toBe('offered');
    expect((await recruitment.decide(lead, b!, { decision: 'offer' })).status).toBe('offered');
    const third = await recruitment.decide(lead, c!, { decision: 'offer' });
    expect(third.status).toBe('waitlisted');
    expect(third.message).toContain('All 2 places are taken');
    // A place for d at the head of the waitlist pushes c down.
    await recruitment.decide(lead, d!, { decision: 'waitlist', rank: 1 });
    expect((await statuses([c!, d!])).map((r) => r.waitlist_rank)).toEqual([2, 1]);

    await recruitment.decide(lead, a!, { decision: 'decline', reason: 'Did not meet the criteria' });
    const after = await statuses([a!, b!, c!, d!]);
    expect(after.map((r) => [r.status, r.waitlist_rank])).toEqual([
      ['declined', null],
      ['offered', null],
      ['waitlisted', 1],
      ['offered', null],
    ]);
    const auto = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'application.offer')
      .where('entity_id', '=', String(d))
      .executeTakeFirstOrThrow();
    expect(auto.summary).toContain('top of the waitlist');

    // With automatic offers off, a freed place waits for the lead.
    await recruitment.setAutoOffer(lead, 'Q38', false);
    await recruitment.decide(lead, b!, { decision: 'withdraw', reason: 'Moved abroad' });
    expect((await statuses([c!]))[0]!.status).toBe('waitlisted');
  });

  it('decides a bulk selection all or nothing', async () => {
    const lead = await actorWith([{ role: 'regional-lead', regionCode: 'Q39' }]);
    const ids = await submitMany(3, 'RA7');
    await recruitment.decide(lead, ids[0]!, { decision: 'decline', reason: 'No' });
    await expect(recruitment.decideMany(lead, 'Q39', ids, { decision: 'shortlist' })).rejects.toThrow(
      /cannot be given/,
    );
    expect((await statuses(ids)).map((r) => r.status)).toEqual(['declined', 'submitted', 'submitted']);
    const done = await recruitment.decideMany(lead, 'Q39', ids.slice(1), { decision: 'shortlist' });
    expect(done.map((o) => o.status)).toEqual(['shortlisted', 'shortlisted']);
    const other = await actorWith([{ role: 'regional-lead', regionCode: 'Q30' }]);
    await expect(
      recruitment.decideMany(other, 'Q39', ids.slice(1), { decision: 'offer' }),
    ).rejects.toMatchObject({
      status: 403,
    });
  });

  it('ends twenty-five simultaneous offers for the last places with exactly the quota offered', async () => {
    const lead = await actorWith([{ role: 'regional-lead', regionCode: 'Q35' }]);
    const taken = await submitMany(3, 'RGT');
    await setTarget('Q35', 5);
    for (const id of taken) await recruitment.decide(lead, id, { decision: 'offer' });
    const racing = await submitMany(25, 'RGT');
    const outcomes = await Promise.all(
      racing.map((id) => recruitment.decide(lead, id, { decision: 'offer' })),
    );
    expect(outcomes.filter((o) => o.status === 'offered')).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === 'waitlisted')).toHaveLength(23);
    const rows = await ctx.db
      .selectFrom('applications')
      .select(['status', 'waitlist_rank'])
      .where('region_code', '=', 'Q35')
      .execute();
    expect(rows.filter((r) => r.status === 'offered')).toHaveLength(5);
    const ranks = rows
      .filter((r) => r.status === 'waitlisted')
      .map((r) => r.waitlist_rank)
      .sort((x, y) => x! - y!);
    expect(ranks).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  });
});

describe('quota requests', () => {
  it('lets a lead ask for more places and the national team approve, offering the waitlist', async () => {
    const lead = await actorWith([{ role: 'regional-lead', regionCode: 'Q37' }]);
    const other = await actorWith([{ role: 'regional-lead', regionCode: 'Q36' }]);
    await setTarget('Q37', 1);
    const [a, b] = await submitMany(2, 'RVV');
    await recruitment.decide(lead, a!, { decision: 'offer' });
    expect((await recruitment.decide(lead, b!, { decision: 'offer' })).status).toBe('waitlisted');

    await expect(
      recruitment.requestQuota(other, 'Q37', { requestedQuota: 5, reason: 'x' }),
    ).rejects.toMatchObject({
      status: 403,
    });
    await expect(recruitment.requestQuota(lead, 'Q37', { requestedQuota: 1, reason: 'x' })).rejects.toThrow(
      /greater than the current quota of 1/,
    );
    const id = await recruitment.requestQuota(lead, 'Q37', { requestedQuota: 3, reason: 'Strong field' });
    await expect(
      recruitment.requestQuota(lead, 'Q37', { requestedQuota: 4, reason: 'More' }),
    ).rejects.toThrow(/already/);
    await expect(recruitment.decideQuotaRequest(lead, id, { outcome: 'approve' })).rejects.toMatchObject({
      status: 403,
    });
    await recruitment.decideQuotaRequest(national, id, { outcome: 'approve', note: 'Agreed' });
    const region = await ctx.db
      .selectFrom('network_regions')
      .select('recruitment_target')
      .where('code', '=', 'Q37')
      .executeTakeFirstOrThrow();
    expect(region.recruitment_target).toBe(3);
    expect((await statuses([b!]))[0]!.status).toBe('offered');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'quota_request')
      .where('entity_id', '=', String(id))
      .execute();
    expect(audit.map((r) => r.action).sort()).toEqual(['quota.approve', 'quota.request']);
    await expect(recruitment.decideQuotaRequest(national, id, { outcome: 'refuse' })).rejects.toThrow(
      /already been decided/,
    );
  });
});

describe('sponsor reminders', () => {
  it('reminds a silent sponsor with a fresh link that replaces the old one', async () => {
    const input = buildSubmission({ employerOds: 'RXK' });
    const created = await recruitment.submitApplication(input, anon);
    const first = await ctx.db
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', input.sponsorEmail)
      .executeTakeFirstOrThrow();
    const oldToken = /\/endorse\/([A-Za-z0-9_-]+)/.exec(first.body_text)![1]!;
    expect(await recruitment.sendSponsorReminders()).toBe(0);
    await ctx.db
      .updateTable('endorsements')
      .set({ last_sent_at: new Date(Date.now() - 4 * 86_400_000) })
      .where('application_id', '=', created.id)
      .execute();
    expect(await recruitment.sendSponsorReminders()).toBeGreaterThanOrEqual(1);
    const mails = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('to_address', '=', input.sponsorEmail)
      .orderBy('id')
      .execute();
    expect(mails).toHaveLength(2);
    expect(mails[1]!.kind).toBe('endorsement.reminder');
    const newToken = /\/endorse\/([A-Za-z0-9_-]+)/.exec(mails[1]!.body_text)![1]!;
    await expect(recruitment.findEndorsement(oldToken)).rejects.toMatchObject({ status: 404 });
    expect((await recruitment.findEndorsement(newToken)).reference).toBe(created.reference);
    // Not again until the interval has passed.
    expect(await recruitment.sendSponsorReminders()).toBe(0);
  });
});

describe('CSV import and export', () => {
  const header =
    'given_name,family_name,email,profession,registration_number,employer_ods_code,region_code,job_title,sponsor_name,sponsor_email,status';

  it('reports every bad row with its line and imports nothing unless all are valid', async () => {
    const { importApplicationsCsv } = await import('./recruitment.csv.ts');
    const text = [
      header,
      'Ada,Import,ada.import@nhs.test,doctor,7654321,RBK,,Consultant,,,member',
      'Bad,Number,bad.number@nhs.test,nurse,1234567,RBK,,Nurse,,,applicant',
      'No,Trust,no.trust@nhs.test,doctor,7654322,ZZZ99,,Doctor,,,applicant',
      'Dup,Email,ada.import@nhs.test,doctor,7654323,RBK,,Doctor,,,applicant',
      '<b>,Tag,tag@nhs.test,doctor,7654324,RBK,,Doctor,,,applicant',
    ].join('\n');
    const before = await ctx.db
      .selectFrom('applications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const report = await importApplicationsCsv(ctx.db, 'http://cln.test', text, { dryRun: false });
    expect(report.imported).toBe(false);
    expect(report.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(report.errors.find((e) => e.line === 3)!.message).toContain('NMC number in the correct format');
    expect(report.errors.find((e) => e.line === 4)!.message).toContain(
      'no open NHS trust with the ODS code ZZZ99',
    );
    expect(report.errors.find((e) => e.line === 5)!.message).toContain('duplicate of line 2');
    const after = await ctx.db
      .selectFrom('applications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(
      await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'ada.import@nhs.test')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('imports valid rows (a dry run first), makes members, and exports CSV', async () => {
    const { exportApplicationsCsv, importApplicationsCsv } = await import('./recruitment.csv.ts');
    const text = [
      header,
      'Ada,Import,ada.import2@nhs.test,doctor,7654331,RBK,,Consultant,,,member',
      'Ben,Import,ben.import2@nhs.test,pharmacist,2071234,RTD,,Lead pharmacist,Sue Sponsor,sue.sponsor@nhs.test,applicant',
    ].join('\n');
    const dry = await importApplicationsCsv(ctx.db, 'http://cln.test', text, { dryRun: true });
    expect(dry).toMatchObject({ imported: false, rows: 2, applicants: 1, members: 1, errors: [] });
    expect(
      await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'ada.import2@nhs.test')
        .executeTakeFirst(),
    ).toBeUndefined();
    const done = await importApplicationsCsv(ctx.db, 'http://cln.test', text, { dryRun: false });
    expect(done.imported).toBe(true);
    const ada = await ctx.db
      .selectFrom('applications')
      .selectAll()
      .where('email', '=', 'ada.import2@nhs.test')
      .executeTakeFirstOrThrow();
    expect(ada).toMatchObject({ status: 'accepted', region_code: 'Q34', source: 'import' });
    expect(ada.user_id).not.toBeNull();
    const invite = await ctx.db
      .selectFrom('outbox')
      .select('kind')
      .where('to_address', '=', 'ada.import2@nhs.test')
      .executeTakeFirstOrThrow();
    expect(invite.kind).toBe('account.invite');

    let csv = '';
    const n = await exportApplicationsCsv(ctx.db, 'Q30', (c) => (csv += c));
    expect(n).toBeGreaterThan(0);
    expect(csv.split('\n')[0]).toContain('reference,status,region_code');
    expect(csv).toContain('ben.import2@nhs.test');
    expect(csv).not.toContain('ada.import2@nhs.test');
  });
});

describe('application_counts (kept by triggers)', () => {
  const counted = async () =>
    (
      await ctx.db
        .selectFrom('applications')
        .select(['intake_id', 'status', 'profession', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['intake_id', 'status', 'profession'])
        .orderBy('intake_id')
        .orderBy('status')
        .orderBy('profession')
        .execute()
    ).map((r) => ({ ...r, n: Number(r.n) }));
  const kept = () =>
    ctx.db
      .selectFrom('application_counts')
      .select(['intake_id', 'status', 'profession', 'n'])
      .where('n', '<>', 0)
      .orderBy('intake_id')
      .orderBy('status')
      .orderBy('profession')
      .execute();

  it('match a count of the applications after submissions, decisions, bulk updates and deletes', async () => {
    const lead = await actorWith([{ role: 'regional-lead', regionCode: 'Q38' }]);
    const ids = await submitMany(3, 'RHW');
    await recruitment.decide(lead, ids[0]!, { decision: 'shortlist' });
    expect(await kept()).toEqual(await counted());
    expect((await kept()).length).toBeGreaterThan(0);
    // Many rows in one statement, and a status change that moves rows between groups.
    await ctx.db.updateTable('applications').set({ status: 'withdrawn' }).where('id', 'in', ids).execute();
    expect(await kept()).toEqual(await counted());
    await ctx.db.deleteFrom('endorsements').where('application_id', '=', ids[2]!).execute();
    await ctx.db.deleteFrom('applications').where('id', '=', ids[2]!).execute();
    expect(await kept()).toEqual(await counted());
  });
});

describe('a region summary', () => {
  it('counts the current intake by status, and its profession mix without the withdrawn and declined', async () => {
    const lead = await actorWith([{ role: 'regional-lead', regionCode: 'Q38' }]);
    const ids = await submitMany(4, 'RHW');
    const set = (id: number, v: { status?: 'accepted' | 'withdrawn' | 'declined'; profession?: string }) =>
      ctx.db.updateTable('applications').set(v).where('id', '=', id).execute();
    await set(ids[0]!, { status: 'accepted', profession: 'nurse' });
    await set(ids[1]!, { status: 'withdrawn', profession: 'nurse' });
    await set(ids[2]!, { status: 'declined', profession: 'pharmacist' });
    const summary = await recruitment.regionSummary(lead, 'Q38');
    // The same figures counted from the applications themselves.
    const rows = await ctx.db
      .selectFrom('applications')
      .select(['status', 'profession'])
      .where('intake_id', '=', summary.intake!.id)
      .execute();
    const count = (keep: (r: (typeof rows)[number]) => boolean) => rows.filter(keep).length;
    for (const [status, n] of Object.entries(summary.counts))
      expect([status, n]).toEqual([status, count((r) => r.status === status)]);
    const active = rows.filter((r) => r.status !== 'withdrawn' && r.status !== 'declined');
    const professions = [...new Set(active.map((r) => r.profession))].sort();
    expect(summary.professionMix.map((m) => [m.profession, m.n])).toEqual(
      professions.map((p) => [p, active.filter((r) => r.profession === p).length]),
    );
    expect(professions).toContain('nurse');
    expect(professions).not.toContain('pharmacist');
    expect(summary.professionMix.find((m) => m.profession === 'nurse')?.label).toBe('Nurse');
    expect(summary.taken).toBe(summary.counts.offered + summary.counts.accepted);
    // The overview gives the same line for the region.
    const national = await actorWith([{ role: 'national', regionCode: null }]);
    const all = await recruitment.regionSummaries(national, ['Q36', 'Q38']);
    expect(all.map((s) => s.region.code)).toEqual(['Q36', 'Q38']);
    expect(all[1]).toEqual(summary);
  });
});

describe('offers that are not accepted in time', () => {
  it('carry a reply-by date, lapse after it, and free the place for the waitlist', async () => {
    // Q33: Chesterfield Royal is RFS. One place, two applicants.
    const lead = await actorWith([{ role: 'regional-lead', regionCode: 'Q33' }]);
    await setTarget('Q33', 1);
    const [first, second] = await submitMany(2, 'RFS');
    expect((await recruitment.decide(lead, first!, { decision: 'offer' })).status).toBe('offered');
    expect((await recruitment.decide(lead, second!, { decision: 'offer' })).status).toBe('waitlisted');
    const offered = await recruitment.getApplication(lead, first!);
    expect(offered.offerExpiresOn).toBe(londonDateAfter(14));
    const email = await ctx.db
      .selectFrom('outbox')
      .select('body_text')
      .where('to_address', '=', offered.email)
      .where('kind', '=', 'application.offer')
      .executeTakeFirstOrThrow();
    expect(email.body_text).toContain(`Please reply by ${longDate(londonDateAfter(14))}`);

    // Before the date nothing lapses; the day after it, the offer does.
    // (Offers made by the tests above lapse too: every test in this file shares the database.)
    await recruitment.expireOffers(new Date(Date.now() + 13 * 86_400_000));
    expect((await recruitment.getApplication(lead, first!)).status).toBe('offered');
    const later = new Date(Date.now() + 15 * 86_400_000);
    expect(await recruitment.expireOffers(later)).toBeGreaterThanOrEqual(1);
    const lapsed = await recruitment.getApplication(lead, first!);
    expect(lapsed.status).toBe('withdrawn');
    expect(lapsed.decisionReason).toBe(
      `The offer lapsed: it was not accepted by ${longDate(londonDateAfter(14))}`,
    );
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['actor_label', 'entity_id'])
      .where('action', '=', 'application.offer-lapse')
      .where('entity_id', '=', String(first))
      .execute();
    expect(audit).toEqual([{ actor_label: 'system', entity_id: String(first) }]);
    const told = await ctx.db
      .selectFrom('outbox')
      .select('body_text')
      .where('kind', '=', 'application.offer-lapse')
      .where('to_address', '=', offered.email)
      .execute();
    expect(told).toHaveLength(1);
    expect(told[0]!.body_text).toContain('the offer has lapsed');
    // The freed place goes to the top of the waitlist, with its own reply-by date.
    const next = await recruitment.getApplication(lead, second!);
    expect(next.status).toBe('offered');
    expect(next.offerExpiresOn).toBe(londonDateAfter(14, later));
    expect(await recruitment.expireOffers(later)).toBe(0);
  });

  it('cannot be accepted once the reply-by date has passed', async () => {
    const lead = await actorWith([{ role: 'regional-lead', regionCode: 'Q33' }]);
    await setTarget('Q33', 10);
    const [id] = await submitMany(1, 'RFS');
    await recruitment.decide(lead, id!, { decision: 'offer' });
    const { email } = await recruitment.getApplication(lead, id!);
    const body = (
      await ctx.db
        .selectFrom('outbox')
        .select('body_text')
        .where('to_address', '=', email)
        .where('kind', '=', 'application.offer')
        .executeTakeFirstOrThrow()
    ).body_text;
    const token = /\/application\/([\w-]+)/.exec(body)![1]!;
    await ctx.db
      .updateTable('applications')
      .set({ offer_expires_on: londonDateAfter(-1) })
      .where('id', '=', id!)
      .execute();
    await expect(recruitment.acceptOffer(token, anon)).rejects.toThrow(/This offer lapsed/);
    expect((await recruitment.getApplication(lead, id!)).status).toBe('offered');
  });
});
