import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemberProfile } from '../../src/modules/members/index.ts';
import { Agent, buildTestApp, createUser, TEST_PASSWORD, type TestContext, visibleText } from '../app.ts';

/**
 * The network's core loop, as the people in it go through it: a clinician applies on the public
 * pages, is endorsed, offered a place and accepts; sets a password; appears in the region's cohort;
 * the regional lead forms and publishes sets that include them; they see their set and its first
 * session, assess themselves, ask for a mentor, are matched and meet. The suite's spine: later
 * capabilities (policy, knowledge, events) carry it on.
 */

const REGION = 'Q37'; // South East Coast
const EMPLOYER = 'RA2'; // Royal Surrey NHS Foundation Trust, in the former SHA's area
const PROFESSIONS = ['doctor', 'nurse', 'pharmacist', 'midwife', 'allied-health-professional'];

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

/** The path of the last link of this kind emailed to this address. */
async function emailedLink(to: string, path: string): Promise<string> {
  const rows = await ctx.db
    .selectFrom('outbox')
    .select('body_text')
    .where('to_address', '=', to.toLowerCase())
    .orderBy('id', 'desc')
    .execute();
  for (const r of rows) {
    const m = new RegExp(`https?://[^/\\s]+(/${path}/[A-Za-z0-9_-]+)`).exec(r.body_text);
    if (m) return m[1]!;
  }
  throw new Error(`no ${path} link emailed to ${to}`);
}

async function signedIn(email: string, password = TEST_PASSWORD) {
  const agent = new Agent(ctx.app);
  await agent.signIn(email, password);
  return agent;
}

function expectRedirect(res: { statusCode: number; body: string }, to?: RegExp | string) {
  if (res.statusCode !== 303)
    throw new Error(`expected 303, got ${res.statusCode}: ${visibleText(res.body)}`);
  if (to) expect((res as unknown as { headers: { location: string } }).headers.location).toMatch(to);
}

describe('the core loop: apply, join, set, develop, mentor', () => {
  const email = `asha.okafor.${Date.now()}@nhs.test`;
  const sponsorEmail = `sponsor.${Date.now()}@nhs.test`;
  const password = 'a long journey passphrase';
  let lead: Agent;
  let member: Agent;
  let memberId: number;
  let intakeId: number;
  let setPath: string;

  it('a clinician applies on the public pages, is endorsed, offered a place and accepts', async () => {
    const applicant = new Agent(ctx.app);
    const home = visibleText((await applicant.get('/')).body);
    expect(home).toMatch(/Sign in/);
    await applicant.get('/apply/personal-details');
    const steps: [string, Record<string, string>][] = [
      ['personal-details', { givenName: 'Asha', familyName: 'Okafor', email }],
      ['profession', { profession: 'nurse' }],
      ['registration-number', { registrationNumber: '71A2998E' }],
      ['employer', { employerOds: EMPLOYER }],
      ['region', { regionCode: REGION }],
      ['current-role', { jobTitle: 'Lead nurse, acute medicine', roleSummary: 'I lead the acute unit.' }],
      ['leadership', { leadershipExperience: 'I led our sepsis pathway redesign.' }],
      ['motivation', { motivation: 'To spread what works across the region.' }],
      ['sponsor', { sponsorName: 'Dr Sam Sponsor', sponsorEmail }],
      ['consent', { consent: 'yes' }],
    ];
    for (const [step, form] of steps) expectRedirect(await applicant.post(`/apply/${step}`, form));
    expectRedirect(await applicant.post('/apply/check-answers'), /confirmation/);

    const sponsor = new Agent(ctx.app);
    const endorse = await emailedLink(sponsorEmail, 'endorse');
    await sponsor.get(endorse);
    const endorsed = await sponsor.post(endorse, { endorse: 'yes', comment: 'An outstanding leader.' });
    expect(visibleText(endorsed.body)).toContain("You have endorsed Asha Okafor's application");

    const leadUser = await createUser(ctx, [{ role: 'regional-lead', regionCode: REGION }]);
    lead = await signedIn(leadUser.email);
    const list = await lead.get(`/recruitment/regions/${REGION}?q=okafor`);
    expect(visibleText(list.body)).toContain('Asha Okafor');
    const application = await ctx.db
      .selectFrom('applications')
      .select(['id', 'intake_id'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    intakeId = application.intake_id;
    await lead.get(`/recruitment/applications/${application.id}`);
    expectRedirect(
      await lead.post(`/recruitment/applications/${application.id}/decision`, { decision: 'offer' }),
    );

    const status = await emailedLink(email, 'application');
    await applicant.get(status);
    expectRedirect(await applicant.post(`${status}/accept`));
  });

  it('sets a password and finds a full member profile: profession, registration, employer, intake', async () => {
    const reset = await emailedLink(email, 'reset-password');
    const browser = new Agent(ctx.app);
    await browser.get(reset);
    expectRedirect(await browser.post(reset, { password, confirmPassword: password }));
    member = await signedIn(email, password);
    const user = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    memberId = user.id;
    const profile = visibleText((await member.get('/profile')).body);
    expect(profile).toContain('Asha Okafor');
    expect(profile).toContain('Royal Surrey');
    expect(profile).toContain('Lead nurse, acute medicine');
    const row = await ctx.db
      .selectFrom('member_profiles')
      .select(['region_code', 'intake_id', 'profession', 'registration_number', 'organisation_id'])
      .where('user_id', '=', memberId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      region_code: REGION,
      intake_id: intakeId,
      profession: 'nurse',
      registration_number: '71A2998E',
    });
    expect(row.organisation_id).not.toBeNull();
  });

  it('the regional lead forms and publishes sets that include the new member', async () => {
    // The rest of the intake, recruited earlier (imported through the members service).
    const trusts = await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'trust')
      .where('sha_code', '=', REGION)
      .orderBy('id')
      .limit(5)
      .execute();
    for (let i = 0; i < 11; i++) {
      const u = await createUser(ctx, [{ role: 'member', regionCode: REGION }], {
        name: `Cohort Member ${i}`,
      });
      await ctx.db.transaction().execute((trx) =>
        createMemberProfile(
          trx,
          {
            userId: u.id,
            regionCode: REGION,
            intakeId,
            profession: PROFESSIONS[i % PROFESSIONS.length]!,
            registrationNumber: null,
            organisationId: trusts[i % trusts.length]!.id,
            jobTitle: 'Consultant',
          },
          'system',
        ),
      );
    }
    const facilitator = await createUser(ctx, [{ role: 'facilitator', regionCode: REGION }], {
      name: 'Fran Facilitator',
    });
    await lead.get(`/learning-sets/regions/${REGION}`);
    expectRedirect(
      await lead.post(`/learning-sets/regions/${REGION}/facilitators`, {
        email: facilitator.email,
        maxSets: '3',
        isLead: 'yes',
      }),
    );
    const form = await lead.get(`/learning-sets/regions/${REGION}/form`);
    expect(visibleText(form.body)).toContain('(12 active members)'); // the new member included
    const formed = await lead.post(`/learning-sets/regions/${REGION}/form`, {
      intakeId: String(intakeId),
      minSize: '6',
      maxSize: '8',
      setCount: '',
      sizing: 'equal',
      separateOrganisations: 'yes',
      weightProfession: '3',
      weightOrganisation: '2',
      weightSystem: '1',
      weightSpecialty: '2',
      weightSeniority: '1',
      keepApart: '',
      keepTogether: '',
      seed: '1',
    });
    expectRedirect(formed);
    const formationPath = (formed as unknown as { headers: { location: string } }).headers.location;
    expect(visibleText((await lead.get(formationPath)).body)).toContain('Asha Okafor');
    expectRedirect(await lead.post(`${formationPath}/publish`));

    const hub = await member.get('/learning-sets');
    const link = /href="(\/learning-sets\/sets\/\d+)"/.exec(hub.body);
    expect(link, 'the member sees their set').not.toBeNull();
    setPath = link![1]!;

    // The facilitator schedules the set's first session; the member sees it.
    const fac = await signedIn(facilitator.email);
    await fac.get(setPath);
    const first = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    expectRedirect(
      await fac.post(`${setPath}/sessions`, {
        date: first,
        startTime: '13:30',
        durationMinutes: '180',
        location: 'Postgraduate Centre, Guildford',
        onlineUrl: '',
      }),
    );
    const set = visibleText((await member.get(setPath)).body);
    expect(set).toContain('Postgraduate Centre, Guildford');
    expect(set).toContain('Fran Facilitator');
  });

  it('the member assesses themselves, asks for a mentor, is matched and meets', async () => {
    const assess = await member.get('/development/self-assessments/new');
    expect(assess.statusCode).toBe(200);
    const versionId = /name="versionId" value="(\d+)"/.exec(assess.body)![1]!;
    const ratings: Record<string, string> = { versionId };
    for (const m of assess.body.matchAll(/name="(rating-\d+)"/g)) ratings[m[1]!] = '3';
    expect(Object.keys(ratings).length).toBeGreaterThan(5);
    expectRedirect(await member.post('/development/self-assessments', ratings));

    // A mentor elsewhere in the region offers a place.
    const mentorUser = await createUser(
      ctx,
      [
        { role: 'member', regionCode: REGION },
        { role: 'mentor', regionCode: REGION },
      ],
      { name: 'Maya Mentor' },
    );
    const otherTrust = await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('ods_code', '=', 'RPA')
      .executeTakeFirstOrThrow();
    await ctx.db.transaction().execute((trx) =>
      createMemberProfile(
        trx,
        {
          userId: mentorUser.id,
          regionCode: REGION,
          profession: 'doctor',
          registrationNumber: null,
          organisationId: otherTrust.id,
          jobTitle: 'Medical director',
        },
        'system',
      ),
    );
    const mentor = await signedIn(mentorUser.email);
    await mentor.get('/mentoring/offer');
    expectRedirect(
      await mentor.post('/mentoring/offer', { capacity: '2', areas: ['management'], format: 'either' }),
    );

    await member.get('/mentoring/request');
    expectRedirect(
      await member.post('/mentoring/request', {
        goals: 'Lead a service change\nBuild a business case',
        goalAreas: ['management'],
        format: 'online',
      }),
    );

    await lead.get('/mentoring/admin');
    const run = await lead.post('/mentoring/runs', { regionCode: REGION });
    expectRedirect(run);
    const runPath = (run as unknown as { headers: { location: string } }).headers.location;
    const runPage = visibleText((await lead.get(runPath)).body);
    expect(runPage).toContain('Asha Okafor');
    expect(runPage).toContain('Maya Mentor');
    expectRedirect(await lead.post(`${runPath}/approve`));

    const mentoring = await member.get('/mentoring');
    const pair = /href="(\/mentoring\/pairs\/\d+)"/.exec(mentoring.body);
    expect(pair, 'the member sees their mentor').not.toBeNull();
    const today = new Date().toISOString().slice(0, 10);
    await mentor.get(pair![1]!);
    expectRedirect(
      await mentor.post(`${pair![1]!}/meetings`, {
        metOn: today,
        format: 'online',
        notes: 'First meeting: goals agreed',
      }),
    );
    const seen = visibleText((await member.get(pair![1]!)).body);
    expect(seen).toContain('Maya Mentor');
    expect(seen).toContain('First meeting: goals agreed');
  });
});
