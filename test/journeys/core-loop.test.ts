import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  followRefresh,
  postAndFollowJob,
  type TestContext,
  visibleText,
} from '../app.ts';
import {
  addCohort,
  addMember,
  emailedLink,
  formationForm,
  location,
  organisationIdOf,
  signedIn,
} from './support.ts';

/**
 * The network's core loop, as the people in it go through it: a clinician applies on the public
 * pages, is endorsed, offered a place and accepts; sets a password; appears in the region's cohort;
 * the regional lead forms and publishes sets that include them; they see their set and its first
 * session, assess themselves, ask for a mentor, are matched and meet; a national policy maker asks
 * the region for its view, the member answers, is counted under a theme and sees what was decided,
 * and a question they put to policy makers is answered; they write up their set's improvement work
 * as a case study for their set, which their set-mates read and find by clinical words while people
 * outside the set cannot. The suite's spine: later capabilities (events) carry it on.
 */

const REGION = 'Q37'; // South East Coast
const EMPLOYER = 'RA2'; // Royal Surrey NHS Foundation Trust, in the former SHA's area

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

describe('the core loop: apply, join, set, develop, mentor, policy, knowledge', () => {
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
    for (const [step, form] of steps) location(await applicant.post(`/apply/${step}`, form));
    expect(location(await applicant.post('/apply/check-answers'))).toMatch(/confirmation/);

    const sponsor = new Agent(ctx.app);
    const endorse = await emailedLink(ctx, sponsorEmail, 'endorse');
    await sponsor.get(endorse);
    const endorsed = await sponsor.post(endorse, { endorse: 'yes', comment: 'An outstanding leader.' });
    expect(visibleText(endorsed.body)).toContain("You have endorsed Asha Okafor's application");

    const leadUser = await createUser(ctx, [{ role: 'regional-lead', regionCode: REGION }]);
    lead = await signedIn(ctx, leadUser.email);
    const list = await lead.get(`/recruitment/regions/${REGION}?q=okafor`);
    expect(visibleText(list.body)).toContain('Asha Okafor');
    const application = await ctx.db
      .selectFrom('applications')
      .select(['id', 'intake_id'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    intakeId = application.intake_id;
    await lead.get(`/recruitment/applications/${application.id}`);
    location(await lead.post(`/recruitment/applications/${application.id}/decision`, { decision: 'offer' }));

    const status = await emailedLink(ctx, email, 'application');
    await applicant.get(status);
    location(await applicant.post(`${status}/accept`));
  });

  it('sets a password and finds a full member profile: profession, registration, employer, intake', async () => {
    const reset = await emailedLink(ctx, email, 'reset-password');
    const browser = new Agent(ctx.app);
    await browser.get(reset);
    location(await browser.post(reset, { password, confirmPassword: password }));
    member = await signedIn(ctx, email, password);
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
    await addCohort(ctx, REGION, intakeId, 11);
    const facilitator = await createUser(ctx, [{ role: 'facilitator', regionCode: REGION }], {
      name: 'Fran Facilitator',
    });
    await lead.get(`/learning-sets/regions/${REGION}`);
    location(
      await lead.post(`/learning-sets/regions/${REGION}/facilitators`, {
        email: facilitator.email,
        maxSets: '3',
        isLead: 'yes',
      }),
    );
    const form = await lead.get(`/learning-sets/regions/${REGION}/form`);
    expect(visibleText(form.body)).toContain('(12 active members)'); // the new member included
    const formed = await lead.post(
      `/learning-sets/regions/${REGION}/form`,
      formationForm(intakeId, { minSize: '6', sizing: 'equal', separateOrganisations: 'yes' }),
    );
    // The engine runs in worker threads: the progress page refreshes until the draft is ready.
    const formationPath = location(await followRefresh(lead, location(formed)));
    expect(visibleText((await lead.get(formationPath)).body)).toContain('Asha Okafor');
    location(await lead.post(`${formationPath}/publish`));

    const hub = await member.get('/learning-sets');
    const link = /href="(\/learning-sets\/sets\/\d+)"/.exec(hub.body);
    expect(link, 'the member sees their set').not.toBeNull();
    setPath = link![1]!;

    // The facilitator schedules the set's first session; the member sees it.
    const fac = await signedIn(ctx, facilitator.email);
    await fac.get(setPath);
    const first = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    location(
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
    location(await member.post('/development/self-assessments', ratings));

    // A mentor elsewhere in the region offers a place.
    const mentorUser = await addMember(ctx, {
      regionCode: REGION,
      name: 'Maya Mentor',
      profession: 'doctor',
      organisationId: await organisationIdOf(ctx, 'RPA'),
      jobTitle: 'Medical director',
      mentor: true,
    });
    const mentor = await signedIn(ctx, mentorUser.email);
    await mentor.get('/mentoring/offer');
    location(
      await mentor.post('/mentoring/offer', { capacity: '2', areas: ['management'], format: 'either' }),
    );

    await member.get('/mentoring/request');
    location(
      await member.post('/mentoring/request', {
        goals: 'Lead a service change\nBuild a business case',
        goalAreas: ['management'],
        format: 'online',
      }),
    );

    await lead.get('/mentoring/admin');
    // Matching runs as a job: its progress page leads to the run once it is computed.
    const run = await postAndFollowJob(lead, '/mentoring/runs', { regionCode: REGION });
    const runPath = location(run);
    const runPage = visibleText((await lead.get(runPath)).body);
    expect(runPage).toContain('Asha Okafor');
    expect(runPage).toContain('Maya Mentor');
    location(await lead.post(`${runPath}/approve`));

    const mentoring = await member.get('/mentoring');
    const pair = /href="(\/mentoring\/pairs\/\d+)"/.exec(mentoring.body);
    expect(pair, 'the member sees their mentor').not.toBeNull();
    const today = new Date().toISOString().slice(0, 10);
    await mentor.get(pair![1]!);
    location(
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

  it('a policy maker asks the region for its view; the member answers, is counted and sees what was decided', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const later = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const pipUser = await createUser(ctx, [{ role: 'policy-maker', regionCode: null }], {
      name: 'Pip Policy',
    });
    const pip = await signedIn(ctx, pipUser.email);
    await pip.get('/policy/staff');
    location(await pip.post('/policy/staff/me', { roleTitle: 'Deputy Director, Urgent Care, DHSC' }));

    await pip.get('/policy/calls/new');
    // A new call goes on to its questions page.
    const questionsPath = location(
      await pip.post('/policy/calls', {
        kind: 'evidence',
        title: 'Acute medicine at night',
        summary: 'What would make acute medical units safer at night?',
        opensOn: today,
        closesOn: later,
        audienceRegions: REGION,
      }),
    );
    expect(questionsPath).toMatch(/^\/policy\/calls\/\d+\/questions$/);
    const callPath = questionsPath.replace(/\/questions$/, '');
    await pip.get(questionsPath);
    location(
      await pip.post(questionsPath, {
        kind: 'text',
        prompt: 'What one change would help most?',
        maxLength: '2000',
        required: 'yes',
      }),
    );
    await pip.get(callPath);
    location(await pip.post(`${callPath}/status`, { to: 'scheduled' }));
    location(await pip.post(`${callPath}/status`, { to: 'open' }));

    // The new member sees the call aimed at their region and answers it.
    const home = visibleText((await member.get('/policy')).body);
    expect(home).toContain('Acute medicine at night');
    const form = await member.get(`${callPath}/respond`);
    const question = /name="q(\d+)"/.exec(form.body)![1]!;
    location(
      await member.post(`${callPath}/respond`, {
        intent: 'submit',
        onBehalf: 'self',
        [`q${question}`]: 'A second registrar overnight on the acute unit.',
      }),
    );
    // The team closes the call, counts the answer under a theme and decides.
    location(await pip.post(`${callPath}/status`, { to: 'closed' }));
    const analysis = `${callPath}/analysis/questions/${question}`;
    await pip.get(analysis);
    location(await pip.post(`${analysis}/themes`, { name: 'Senior cover at night' }));
    const answers = (await pip.get(analysis)).body;
    expect(visibleText(answers)).toContain('A second registrar overnight on the acute unit.');
    const responseId = /name="responseId" value="(\d+)"/.exec(answers)?.[1];
    const themeId = /name="themeId"[^>]*>[\s\S]*?<option value="(\d+)"/.exec(answers)?.[1];
    expect(responseId, 'the answer can be assigned').toBeDefined();
    expect(themeId, 'the new theme is offered for the answer').toBeDefined();
    location(await pip.post(`${analysis}/assignments`, { responseId: responseId!, themeId: themeId! }));
    await pip.get(`${callPath}/outcomes`);
    location(
      await pip.post(`${callPath}/outcomes`, {
        target: `theme-${themeId}`,
        decision: 'adopted',
        summary: 'Overnight registrar cover becomes part of the acute care standard.',
        reason: '',
        ownerRole: 'Deputy Director, Urgent Care, DHSC',
        decidedOn: today,
      }),
    );
    location(
      await pip.post(`${callPath}/published-response`, {
        publishedResponse:
          'You told us senior cover at night matters most; we are adding it to the standard.',
      }),
    );
    location(await pip.post(`${callPath}/status`, { to: 'concluded' }));

    const counted = visibleText((await member.get('/policy/contributions')).body);
    expect(counted).toContain('Acute medicine at night');
    expect(counted).toContain('Senior cover at night');
    expect(counted).toContain('Overnight registrar cover becomes part of the acute care standard.');
    const emails = await ctx.db
      .selectFrom('outbox')
      .innerJoin('users', 'users.email', 'outbox.to_address')
      .select('outbox.subject')
      .where('users.id', '=', memberId)
      .execute();
    expect(emails.map((e) => e.subject).join(' | ')).toMatch(/Acute medicine at night/);

    // The member puts a question to policy makers; Pip answers it under the named role.
    await member.get('/policy/questions/new');
    const questionPath = location(
      await member.post('/policy/questions', {
        title: 'Will the standard cover community hospitals?',
        body: 'Our community beds take acute step-downs overnight.',
        visibility: 'network',
      }),
    );
    await pip.get(questionPath);
    location(await pip.post(`${questionPath}/answer`, { answer: 'Yes: community hospitals are in scope.' }));
    const answered = visibleText((await member.get(questionPath)).body);
    expect(answered).toContain('Yes: community hospitals are in scope.');
    expect(answered).toContain('Deputy Director, Urgent Care, DHSC');
  });

  it('the member writes up a case study for their learning set; set-mates find it, others cannot', async () => {
    const setId = Number(/(\d+)$/.exec(setPath)![1]);
    const form = await member.get('/knowledge/items/new');
    expect(visibleText(form.body)).toContain('Learning sets that can read it');
    const itemPath = location(
      await member.post('/knowledge/items', {
        kind: 'case-study',
        title: 'Frailty at the front door',
        summary: 'A frailty practitioner in the emergency department saw frail older people on arrival.',
        problem: 'Frail older people waited hours in the emergency department and were admitted by default.',
        baseline: 'Median stay in the department of 6.5 hours for people over 80.',
        aim: 'Same-day assessment for 80% of frail arrivals by March.',
        results: 'Admissions of people over 80 fell by a fifth.',
        careSetting: 'acute',
        spreadStage: 'pilot',
        evidenceLevel: 'before-after',
        organisations: EMPLOYER,
        reviewedOn: '2026-11-01',
        reviewBy: '2027-11-01',
        visibility: 'groups',
        groupIds: String(setId),
        note: '',
      }),
    );
    location(
      await member.post(`${itemPath}/cycles`, {
        plan: 'A frailty nurse at triage on weekday mornings',
        prediction: 'Fewer admissions of people over 80',
        happened: 'Nine in ten were seen within the hour',
        decision: 'adopt',
        startedOn: '2026-09-07',
      }),
    );
    location(await member.post(`${itemPath}/publish`, { note: '' }));

    // A set-mate reads it and finds it by other clinical words: A&E for emergency department.
    const mate = await ctx.db
      .selectFrom('ls_set_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('u.email')
      .where('m.set_id', '=', setId)
      .where('m.user_id', '<>', memberId)
      .executeTakeFirstOrThrow();
    const setMate = await signedIn(ctx, mate.email);
    const read = visibleText((await setMate.get(itemPath)).body);
    expect(read).toContain('Frailty at the front door');
    expect(read).toContain('A frailty nurse at triage on weekday mornings');
    const found = visibleText((await setMate.get('/knowledge/search?q=A%26E+frailty')).body);
    expect(found).toContain('Frailty at the front door');

    // The set-mate asks a question on it; the member, who follows their own item, is emailed and
    // answers; the set-mate marks the answer as accepted.
    const discussion = `${itemPath}/discussion`;
    await setMate.get(discussion);
    const question = /#post-(\d+)$/.exec(
      location(
        await setMate.post(`${itemPath}/posts`, {
          kind: 'question',
          body: 'Did the frailty nurse work weekends too?',
        }),
      ),
    )![1]!;
    const notice = await ctx.db
      .selectFrom('outbox')
      .select('subject')
      .where('kind', '=', 'knowledge-new-post')
      .innerJoin('users as u', 'u.email', 'outbox.to_address')
      .where('u.id', '=', memberId)
      .executeTakeFirstOrThrow();
    expect(notice.subject).toBe('New question on "Frailty at the front door"');
    await member.get(`/knowledge/posts/${question}/reply`);
    const answer = /#post-(\d+)$/.exec(
      location(
        await member.post(`/knowledge/posts/${question}/replies`, {
          body: 'Weekday mornings only: weekends are the next cycle.',
        }),
      ),
    )![1]!;
    await setMate.get(discussion);
    location(await setMate.post(`/knowledge/posts/${question}/accept`, { replyId: answer }));
    expect(visibleText((await member.get(discussion)).body)).toContain('Accepted answer');

    // A member of the same region outside the set, and one in another region, cannot read it.
    for (const regionCode of [REGION, 'Q31']) {
      const outsider = await addMember(ctx, {
        regionCode,
        name: `Outside ${regionCode}`,
        profession: 'nurse',
        organisationId: await organisationIdOf(ctx, EMPLOYER),
        jobTitle: 'Staff nurse',
      });
      const agent = await signedIn(ctx, outsider.email);
      expect((await agent.get(itemPath)).statusCode).toBe(404);
      expect((await agent.get(`${itemPath}/discussion`)).statusCode).toBe(404);
      expect(visibleText((await agent.get('/knowledge/search?q=A%26E+frailty')).body)).not.toContain(
        'Frailty at the front door',
      );
    }
  });
});
