import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, buildTestApp, signedInAgent, type TestContext, visibleText } from '../../../test/app.ts';
import { londonDateAfter, longDate } from '../../platform/dates.ts';
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

async function latestEmailTo(to: string) {
  return ctx.db
    .selectFrom('outbox')
    .selectAll()
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

function linkIn(text: string, path: string): string {
  const m = new RegExp(`http://cln\\.test(/${path}/[A-Za-z0-9_-]+)`).exec(text);
  if (!m) throw new Error(`no /${path}/ link in: ${text}`);
  return m[1]!;
}

describe('the public application journey', () => {
  it('walks every question page, refuses bad answers with the error summary, and submits', async () => {
    const agent = new Agent(ctx.app);
    const start = await agent.get('/apply');
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain(
      '<title>Apply to join the Clinical Leaders Network - Clinical Leaders Network</title>',
    );

    // Skipping ahead goes back to the first unanswered question.
    const skipped = await agent.get('/apply/sponsor');
    expect(skipped.headers.location).toBe('/apply/personal-details');

    await agent.get('/apply/personal-details');
    let res = await agent.post('/apply/personal-details', {
      givenName: '<script>',
      familyName: '',
      email: 'nope',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<title>Error: Your details - Clinical Leaders Network</title>');
    const text = visibleText(res.body);
    expect(text).toContain('Your first name must not contain < or >');
    expect(text).toContain('Enter your last name');
    expect(text).toContain('Enter an email address in the correct format');
    expect(res.body).not.toContain('value="<script>"');

    const email = `journey.${Date.now()}@nhs.test`;
    res = await agent.post('/apply/personal-details', { givenName: 'Jo', familyName: 'Journey', email });
    expect(res.headers.location).toBe('/apply/profession');
    res = await agent.post('/apply/profession', { profession: 'nurse' });
    expect(res.headers.location).toBe('/apply/registration-number');

    res = await agent.post('/apply/registration-number', { registrationNumber: '1234567' });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Enter a NMC number in the correct format, like 71A2998E');
    res = await agent.post('/apply/registration-number', { registrationNumber: '71a 2998e' });
    expect(res.headers.location).toBe('/apply/employer');

    // The picker works without JavaScript: a search, then a choice from the results.
    const search = await agent.get('/apply/employer?q=walsall');
    expect(visibleText(search.body)).toContain('Walsall Healthcare NHS Trust');
    res = await agent.post('/apply/employer', { employerOds: 'ZZZ99' });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Select your employer from the list of open NHS trusts');
    res = await agent.post('/apply/employer', { employerOds: 'R1C' }); // closed in 2024
    expect(res.statusCode).toBe(400);
    res = await agent.post('/apply/employer', { employerOds: 'RBK' });
    expect(res.headers.location).toBe('/apply/region');

    const region = await agent.get('/apply/region');
    expect(visibleText(region.body)).toContain('We have suggested West Midlands');
    expect(region.body).toMatch(/value="Q34" checked/);
    res = await agent.post('/apply/region', { regionCode: 'Q34' });
    res = await agent.post('/apply/current-role', { jobTitle: 'Ward manager', roleSummary: 'x'.repeat(601) });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('must be 600 characters or fewer');
    res = await agent.post('/apply/current-role', { jobTitle: 'Ward manager', roleSummary: 'I run a ward.' });
    res = await agent.post('/apply/leadership', {
      leadershipExperience: '<script>alert(1)</script> I led a team.',
    });
    res = await agent.post('/apply/motivation', { motivation: 'To make change.' });
    res = await agent.post('/apply/sponsor', { sponsorName: 'Dr Sponsor', sponsorEmail: email });
    expect(res.headers.location).toBe('/apply/consent');
    res = await agent.post('/apply/consent', {});
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Confirm that you have read the privacy notice');
    res = await agent.post('/apply/consent', { consent: 'yes' });
    expect(res.headers.location).toBe('/apply/check-answers');

    const check = await agent.get('/apply/check-answers');
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(check.body).not.toContain('<script>alert(1)');
    // The sponsor must be someone else: the summary sends the applicant back to change it.
    res = await agent.post('/apply/check-answers');
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Your sponsor must be someone else');
    await agent.get('/apply/sponsor?change=1');
    res = await agent.post('/apply/sponsor', {
      sponsorName: 'Dr Sponsor',
      sponsorEmail: `sponsor.${email}`,
      change: '1',
    });
    expect(res.headers.location).toBe('/apply/check-answers');
    await agent.get('/apply/check-answers');
    res = await agent.post('/apply/check-answers');
    expect(res.statusCode).toBe(303);
    const confirmation = await agent.get(res.headers.location as string);
    const ref = /CLN-[A-Z0-9]{8}/.exec(visibleText(confirmation.body))![0];
    expect(visibleText(confirmation.body)).toContain(`Your reference number is ${ref}`);

    const row = await ctx.db
      .selectFrom('applications')
      .selectAll()
      .where('reference', '=', ref)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      region_code: 'Q34',
      register: 'NMC',
      registration_number: '71A2998E',
      employer_ods_code: 'RBK',
      status: 'submitted',
    });
    const ack = await latestEmailTo(email);
    expect(ack.subject).toContain(ref);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'application.submit')
      .where('entity_id', '=', String(row.id))
      .execute();
    expect(audit).toHaveLength(1);

    // The draft is gone: a second visit starts again.
    expect((await agent.get('/apply/check-answers')).headers.location).toBe('/apply/personal-details');
  });

  it('refuses a second application with the same email or registration number in the intake, saving nothing', async () => {
    const first = buildSubmission({ employerOds: 'RR7' });
    await recruitment.submitApplication(first, anon);
    const before = await ctx.db
      .selectFrom('applications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await expect(
      recruitment.submitApplication(buildSubmission({ employerOds: 'RR7', email: first.email }), anon),
    ).rejects.toThrow(/already been made/);
    await expect(
      recruitment.submitApplication(
        buildSubmission({ employerOds: 'RR7', registrationNumber: first.registrationNumber }),
        anon,
      ),
    ).rejects.toThrow(/GMC number .* already been made/);
    const after = await ctx.db
      .selectFrom('applications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});

describe('the applicant status link and the sponsor link', () => {
  it('shows the status, takes a single endorsement, and lets the applicant withdraw', async () => {
    const input = buildSubmission();
    await recruitment.submitApplication(input, anon);
    const statusPath = linkIn((await latestEmailTo(input.email)).body_text, 'application');
    const endorsePath = linkIn((await latestEmailTo(input.sponsorEmail)).body_text, 'endorse');

    const agent = new Agent(ctx.app);
    const status = await agent.get(statusPath);
    expect(status.statusCode).toBe(200);
    expect(visibleText(status.body)).toContain('Submitted');
    expect(visibleText(status.body)).toContain('has not responded yet');

    const sponsor = new Agent(ctx.app);
    const form = await sponsor.get(endorsePath);
    expect(visibleText(form.body)).toContain(`Endorse Amina ${input.familyName}'s application`);
    let res = await sponsor.post(endorsePath, { endorse: 'yes', comment: 'y'.repeat(1001) });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Comment must be 1000 characters or fewer');
    res = await sponsor.post(endorsePath, { endorse: 'yes', comment: 'An excellent <b>leader</b>' });
    expect(res.statusCode).toBe(200);
    expect(visibleText(res.body)).toContain('You have endorsed');
    const reused = await sponsor.get(endorsePath);
    expect(reused.statusCode).toBe(404);
    expect(visibleText(reused.body)).toContain('expired or has already been used');
    expect((await sponsor.post(endorsePath, { endorse: 'no' })).statusCode).toBe(404);

    expect(visibleText((await agent.get(statusPath)).body)).toContain('has endorsed your application');
    await agent.get(`${statusPath}/withdraw`);
    res = await agent.post(`${statusPath}/withdraw`);
    expect(res.statusCode).toBe(303);
    expect(visibleText((await agent.get(statusPath)).body)).toContain('Withdrawn');
    expect((await agent.get('/application/not-a-real-token-at-all-xxxxxx')).statusCode).toBe(404);
  });

  it('refuses an expired sponsor link', async () => {
    const input = buildSubmission({ employerOds: 'R1A' });
    const created = await recruitment.submitApplication(input, anon);
    const endorsePath = linkIn((await latestEmailTo(input.sponsorEmail)).body_text, 'endorse');
    await ctx.db
      .updateTable('endorsements')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('application_id', '=', created.id)
      .execute();
    const res = await new Agent(ctx.app).get(endorsePath);
    expect(res.statusCode).toBe(404);
    expect(visibleText(res.body)).toContain('expired or has already been used');
  });
});

describe('review by the regional lead', () => {
  it('lists, decides, and refuses another region’s lead on pages', async () => {
    const input = buildSubmission({ employerOds: 'RTD', givenName: 'Rev', familyName: 'Iewed' });
    const created = await recruitment.submitApplication(input, anon);
    expect(created.regionCode).toBe('Q30');
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q30' }]);
    const other = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q34' }]);

    const list = await lead.agent.get('/recruitment/regions/Q30?q=iewed');
    expect(list.statusCode).toBe(200);
    expect(visibleText(list.body)).toContain('Rev Iewed');
    expect(visibleText(list.body)).toContain('Places: 0 of 120 taken');
    expect((await lead.agent.get('/recruitment')).headers.location).toBe('/recruitment/regions/Q30');

    expect((await other.agent.get('/recruitment/regions/Q30')).statusCode).toBe(403);
    expect((await other.agent.get(`/recruitment/applications/${created.id}`)).statusCode).toBe(404);
    await other.agent.get('/recruitment/regions/Q34');
    const refused = await other.agent.post(`/recruitment/applications/${created.id}/decision`, {
      decision: 'offer',
    });
    expect(refused.statusCode).toBe(404);
    const api = await other.agent.api('POST', `/api/v1/applications/${created.id}/decision`, {
      decision: 'offer',
    });
    expect(api.statusCode).toBe(404);
    expect((await other.agent.api('GET', '/api/v1/regions/Q30/applications')).statusCode).toBe(403);

    const page = await lead.agent.get(`/recruitment/applications/${created.id}`);
    expect(visibleText(page.body)).toContain('No response yet');
    let res = await lead.agent.post(`/recruitment/applications/${created.id}/decision`, {
      decision: 'decline',
    });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Enter the reason for this decision');
    res = await lead.agent.post(`/recruitment/applications/${created.id}/decision`, { decision: 'offer' });
    expect(res.statusCode).toBe(303);
    const after = await lead.agent.get(`/recruitment/applications/${created.id}`);
    expect(visibleText(after.body)).toContain('has been offered a place (1 of 120)');
    // The lead and the applicant both see the reply-by date (14 days by default).
    const replyBy = longDate(londonDateAfter(14));
    expect(visibleText(after.body)).toContain(`the offer lapses if it is not accepted by ${replyBy}`);
    const offerEmail = await latestEmailTo(input.email);
    expect(offerEmail.subject).toContain('offered a place');
    expect(offerEmail.body_text).toContain(`Please reply by ${replyBy}`);
    const detail = await lead.agent.api('GET', `/api/v1/applications/${created.id}`);
    expect(detail.json().offerExpiresOn).toBe(londonDateAfter(14));

    // The applicant accepts with the link in the offer email and becomes a member.
    const applicant = new Agent(ctx.app);
    const statusPath = linkIn(offerEmail.body_text, 'application');
    expect(visibleText((await applicant.get(statusPath)).body)).toContain(`Accept by ${replyBy}.`);
    res = await applicant.post(`${statusPath}/accept`);
    expect(res.statusCode).toBe(303);
    expect(visibleText((await applicant.get(statusPath)).body)).toContain('You are a member of the network');
    const user = await ctx.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', input.email)
      .executeTakeFirstOrThrow();
    const roles = await ctx.db
      .selectFrom('role_assignments')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(roles.map((r) => [r.role, r.region_code])).toEqual([['member', 'Q30']]);
    const app = await ctx.db
      .selectFrom('applications')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(app).toMatchObject({ status: 'accepted', user_id: user.id });
    const invite = await latestEmailTo(input.email);
    expect(invite.kind).toBe('account.invite');
    expect(invite.body_text).toMatch(/http:\/\/cln\.test\/reset-password\/\S+/);
    // A second click changes nothing.
    expect((await applicant.post(`${statusPath}/accept`)).statusCode).toBe(409);
  });

  it('pages the review list newest first, ties by id, each application once, and oldest first on request', async () => {
    const made = [];
    for (let i = 0; i < 30; i++) made.push(await recruitment.submitApplication(buildSubmission(), anon));
    const region = made[0]!.regionCode;
    // Several submitted in the same instant: the id decides their order.
    const tie = new Date('2026-10-01T09:00:00Z');
    await ctx.db
      .updateTable('applications')
      .set({ submitted_at: tie })
      .where(
        'id',
        'in',
        made.slice(10, 16).map((m) => m.id),
      )
      .execute();
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: region }]);
    const expected = (sort: 'desc' | 'asc') =>
      ctx.db
        .selectFrom('applications')
        .select('id')
        .where('region_code', '=', region)
        .orderBy('submitted_at', sort)
        .orderBy('id')
        .execute()
        .then((rows) => rows.map((r) => r.id));
    const listed = async (sort: string) => {
      const ids: number[] = [];
      for (let page = 1; ; page++) {
        const res = await lead.agent.api(
          'GET',
          `/api/v1/regions/${region}/applications?page=${page}&sort=${sort}`,
        );
        expect(res.statusCode).toBe(200);
        const body = res.json() as { applications: { id: number }[]; total: number; pageSize: number };
        ids.push(...body.applications.map((a) => a.id));
        if (page * body.pageSize >= body.total) return ids;
      }
    };
    const newest = await expected('desc');
    expect(newest.length).toBeGreaterThanOrEqual(30);
    expect(await listed('newest')).toEqual(newest);
    expect(await listed('oldest')).toEqual(await expected('asc'));
  });
});
