import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, createUser, type TestContext, visibleText } from '../../../test/app.ts';
import { createMemberProfile } from '../members/index.ts';
import { buildSubmission } from './recruitment.factories.ts';
import { createRecruitmentService, type RecruitmentService } from './recruitment.service.ts';

let ctx: TestContext;
let recruitment: RecruitmentService;
beforeAll(async () => {
  ctx = await buildTestApp();
  recruitment = createRecruitmentService({ db: ctx.db, config: { baseUrl: 'http://cln.test' } });
});
afterAll(async () => {
  await ctx?.close();
});

const anon = { userId: null, label: 'test', ip: null, requestId: null };

const applicationsOf = (email: string) =>
  ctx.db
    .selectFrom('applications')
    .select(['id', 'region_code', 'status'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .execute();

/** Walks the public journey to the check-answers page and submits it. */
async function applyThroughPages(a: { email: string; registrationNumber: string; employerOds: string }) {
  const agent = new Agent(ctx.app);
  await agent.get('/apply/personal-details');
  await agent.post('/apply/personal-details', { givenName: 'Tess', familyName: 'Twice', email: a.email });
  await agent.post('/apply/profession', { profession: 'doctor' });
  await agent.post('/apply/registration-number', { registrationNumber: a.registrationNumber });
  await agent.post('/apply/employer', { employerOds: a.employerOds });
  await agent.get('/apply/region');
  await agent.post('/apply/current-role', { jobTitle: 'Consultant', roleSummary: 'I lead a unit.' });
  await agent.post('/apply/leadership', { leadershipExperience: 'I led a redesign.' });
  await agent.post('/apply/motivation', { motivation: 'To make change.' });
  await agent.post('/apply/sponsor', { sponsorName: 'Dr Sponsor', sponsorEmail: `sponsor.${a.email}` });
  await agent.post('/apply/consent', { consent: 'yes' });
  await agent.get('/apply/check-answers');
  return agent.post('/apply/check-answers');
}

describe('one live application per person across the network', () => {
  it('refuses a second application to another region, by email in any case or by registration number, on the form and in the API', async () => {
    const first = buildSubmission({ employerOds: 'RBK' }); // West Midlands
    await recruitment.submitApplication(first, anon);

    // The same person applying to the North East, with the email in capitals: 400, error summary.
    const res = await applyThroughPages({
      email: first.email.toUpperCase(),
      registrationNumber: '7000001',
      employerOds: 'RTD',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('nhsuk-error-summary');
    expect(visibleText(res.body)).toContain(
      `An application with the email address ${first.email} has already been made and is still open. You can have one application at a time across the network`,
    );
    const byNumber = await applyThroughPages({
      email: `other.${first.email}`,
      registrationNumber: first.registrationNumber,
      employerOds: 'RTD',
    });
    expect(byNumber.statusCode).toBe(400);
    expect(visibleText(byNumber.body)).toContain(
      `An application with the GMC number ${first.registrationNumber} has already been made and is still open`,
    );
    const api = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/applications',
      payload: { ...buildSubmission({ employerOds: 'RTD' }), registrationNumber: first.registrationNumber },
    });
    expect(api.statusCode).toBe(400);
    expect(api.json().error.message).toContain('has already been made and is still open');
    expect(await applicationsOf(first.email)).toHaveLength(1);
  });

  it('lets someone apply again once their application is final (withdrawn)', async () => {
    const first = buildSubmission({ employerOds: 'RBK' });
    const made = await recruitment.submitApplication(first, anon);
    const u = await createUser(ctx, [{ role: 'national', regionCode: null }]);
    const lead = { userId: u.id, name: u.name, email: u.email, roles: u.roles, ip: null, requestId: null };
    await recruitment.decide(lead, made.id, { decision: 'withdraw', reason: 'Applied in error' });
    const again = await recruitment.submitApplication({ ...first, employerOds: 'RTD' }, anon);
    expect(again.regionCode).toBe('Q30');
    expect((await applicationsOf(first.email)).map((a) => a.status).sort()).toEqual([
      'submitted',
      'withdrawn',
    ]);
  });

  it('refuses an application from a current member, by email or registration number', async () => {
    const member = await createUser(ctx, [{ role: 'member', regionCode: 'Q34' }]);
    await ctx.db
      .transaction()
      .execute((trx) =>
        createMemberProfile(
          trx,
          { userId: member.id, regionCode: 'Q34', profession: 'doctor', registrationNumber: '7123456' },
          'system',
        ),
      );
    await expect(
      recruitment.submitApplication(buildSubmission({ email: member.email, employerOds: 'RTD' }), anon),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('belongs to a member of the Clinical Leaders Network'),
    });
    await expect(
      recruitment.submitApplication(
        buildSubmission({ registrationNumber: '7123456', employerOds: 'RTD' }),
        anon,
      ),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(
        'A member of the Clinical Leaders Network already has the GMC number 7123456',
      ),
    });
    // A former member (left) may apply again.
    await ctx.db
      .updateTable('member_profiles')
      .set({ status: 'left' })
      .where('user_id', '=', member.id)
      .execute();
    const back = await recruitment.submitApplication(
      buildSubmission({ email: member.email, employerOds: 'RTD' }),
      anon,
    );
    expect(back.regionCode).toBe('Q30');
  });

  it('gives one application for simultaneous submissions of one person to two regions', async () => {
    for (const same of ['email', 'registrationNumber'] as const) {
      const one = buildSubmission({ employerOds: 'RBK' });
      const two = buildSubmission({ employerOds: 'RTD', [same]: one[same] });
      const results = await Promise.allSettled(
        [one, two, { ...two, email: same === 'email' ? one.email.toUpperCase() : two.email }].map((s) =>
          recruitment.submitApplication(s, anon),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected')
          expect(r.reason).toMatchObject({ status: 400, code: 'validation_failed' });
      const rows = await ctx.db
        .selectFrom('applications')
        .select('id')
        .where((eb) =>
          same === 'email'
            ? eb(eb.fn('lower', ['email']), '=', one.email)
            : eb('registration_number', '=', one.registrationNumber),
        )
        .execute();
      expect(rows).toHaveLength(1);
    }
  });

  it('refuses, in a CSV import, a person with a live application elsewhere and the same person twice in the file', async () => {
    const { importApplicationsCsv } = await import('./recruitment.csv.ts');
    const live = buildSubmission({ employerOds: 'RBK' });
    await recruitment.submitApplication(live, anon);
    const header =
      'given_name,family_name,email,profession,registration_number,employer_ods_code,region_code,job_title,status';
    const text = [
      header,
      `Liv,Elsewhere,${live.email},doctor,7333331,RTD,,Consultant,applicant`,
      'Dee,Twice,dee.twice@nhs.test,doctor,7333332,RTD,,Consultant,applicant',
      'Dee,Twice,dee.twice@nhs.test,doctor,7333333,RBK,,Consultant,applicant',
    ].join('\n');
    const report = await importApplicationsCsv(ctx.db, 'http://cln.test', text, { dryRun: false });
    expect(report.imported).toBe(false);
    expect(report.errors.map((e) => e.line)).toEqual([2, 4]);
    expect(report.errors[0]!.message).toContain('has already been made and is still open');
    expect(report.errors[1]!.message).toContain('duplicate of line 3 (same email)');
  });
});
