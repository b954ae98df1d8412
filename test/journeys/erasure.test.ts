import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
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
  emailedLinks,
  formationForm,
  location,
  organisationIdOf,
  signedIn,
} from './support.ts';

/**
 * The right to erasure, end to end (issue 15): a person is built through the modules' own routes
 * (application, endorsement, offer, acceptance, profile, learning set with a session, an action and
 * attendance, a self-assessment with evidence, a 360 round with raters and their comments, a
 * development plan, a mentoring request, match and meeting notes, a library case study with a file),
 * asks for erasure, the national team approves; then a dump of the whole database holds none of
 * their names, emails, registration number or words, no page or API finds them, and the file they
 * uploaded is gone from the file store.
 */

const REGION = 'Q37';
const EMPLOYER = 'RA2';
const PG_DUMP = '/usr/lib/postgresql/15/bin/pg_dump';

const stamp = Date.now().toString(36);
const person = {
  given: 'Zephyrine',
  family: 'Quellwater',
  email: `zephyrine.quellwater.${stamp}@nhs.test`,
  registration: '7391846',
  jobTitle: 'Quillonbrook pathway lead',
  sponsor: { name: 'Dr Sable Sponsorwick', email: `sable.sponsorwick.${stamp}@nhs.test` },
  raters: [
    ['Orla Raterfield', `orla.raterfield.${stamp}@nhs.test`, 'peer'],
    ['Bastian Managerholt', `bastian.managerholt.${stamp}@nhs.test`, 'line-manager'],
    ['Cressida Peerwhistle', `cressida.peerwhistle.${stamp}@nhs.test`, 'peer'],
  ] as const,
};
/** Words only this person's records contain. */
const FREE_TEXT = {
  roleSummary: 'I run the Marigoldtruss assessment unit.',
  leadership: 'I led the Pelicanquay discharge redesign.',
  motivation: 'To spread Wrenhollow thinking across the region.',
  endorsement: 'Sponsorwick endorses Heronbeck wholeheartedly.',
  contactPhone: '0121 496 0777',
  biography: 'Clinician interested in Thistlewhorl methods.',
  project: 'Ferncastle virtual ward',
  evidence: 'Audited Gullwhistle sepsis bundles',
  roundTitle: 'Kestrelmoor appraisal round',
  raterComment: 'Calm as Otterglen in a crisis',
  planTitle: 'Brambleknot leadership year',
  goalTitle: 'Lead the Larkspindle improvement',
  goalActions: 'Finish the Nettlecombe QI course',
  actionDescription: 'Present the Sorrelgate case next time',
  mentoringGoals: 'Build a Bracklewood business case',
  meetingNotes: 'First meeting: Tansyford goals agreed',
  knowledgeTitle: 'Corncrakewell frailty hub',
};

let ctx: TestContext;
// The library's files on disk in a directory of this file's own, to look for them after erasure.
const filesDir = mkdtempSync(path.join(os.tmpdir(), 'cln-erasure-files-'));
beforeAll(async () => {
  ctx = await buildTestApp({ FILES_DIR: filesDir });
});
afterAll(async () => {
  await ctx?.close();
  rmSync(filesDir, { recursive: true, force: true });
});

async function json(agent: Agent, url: string) {
  const res = await agent.get(url, { accept: 'application/json' });
  expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
  return res.json();
}

/** Every row of every table as text, as a dump shows them. */
async function dumpRows(): Promise<string> {
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(ctx.db);
  const out: string[] = [];
  for (const t of tables.rows) {
    const rows = await sql<{ r: string }>`select t::text as r from ${sql.table(t.table_name)} t`.execute(
      ctx.db,
    );
    out.push(...rows.rows.map((x) => `${t.table_name}: ${x.r}`));
  }
  return out.join('\n');
}

function secrets(): string[] {
  return [
    person.given,
    person.family,
    `${person.given} ${person.family}`,
    person.email,
    person.registration,
    person.jobTitle,
    'Sponsorwick',
    person.sponsor.email,
    ...person.raters.flatMap(([name, email]) => [...name.split(' '), email]),
    ...Object.values(FREE_TEXT),
  ];
}

/** The secrets the text holds as whole words: the rater Orla is not found in "Moorlands Surgery". */
function traces(dump: string): string[] {
  return secrets().filter((s) =>
    new RegExp(
      `(^|[^\\p{L}\\p{N}])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`,
      'iu',
    ).test(dump),
  );
}

describe('erasure leaves no trace of the person', () => {
  const password = 'a long erasure passphrase';
  let lead: Agent;
  let member: Agent;
  let national: Agent;
  let memberId: number;
  let storedFile: string;

  it('builds the person through every module', async () => {
    // Recruitment: apply, endorse, offer, accept.
    const applicant = new Agent(ctx.app);
    await applicant.get('/apply/personal-details');
    const steps: [string, Record<string, string>][] = [
      ['personal-details', { givenName: person.given, familyName: person.family, email: person.email }],
      ['profession', { profession: 'doctor' }],
      ['registration-number', { registrationNumber: person.registration }],
      ['employer', { employerOds: EMPLOYER }],
      ['region', { regionCode: REGION }],
      ['current-role', { jobTitle: person.jobTitle, roleSummary: FREE_TEXT.roleSummary }],
      ['leadership', { leadershipExperience: FREE_TEXT.leadership }],
      ['motivation', { motivation: FREE_TEXT.motivation }],
      ['sponsor', { sponsorName: person.sponsor.name, sponsorEmail: person.sponsor.email }],
      ['consent', { consent: 'yes' }],
    ];
    for (const [step, form] of steps) location(await applicant.post(`/apply/${step}`, form));
    location(await applicant.post('/apply/check-answers'));
    const sponsor = new Agent(ctx.app);
    const [endorse] = await emailedLinks(ctx, person.sponsor.email, 'endorse');
    await sponsor.get(endorse!);
    await sponsor.post(endorse!, { endorse: 'yes', comment: FREE_TEXT.endorsement });

    const leadUser = await createUser(ctx, [{ role: 'regional-lead', regionCode: REGION }]);
    lead = await signedIn(ctx, leadUser.email);
    const application = await ctx.db
      .selectFrom('applications')
      .select(['id', 'intake_id'])
      .where('email', '=', person.email)
      .executeTakeFirstOrThrow();
    await lead.get(`/recruitment/applications/${application.id}`);
    location(await lead.post(`/recruitment/applications/${application.id}/decision`, { decision: 'offer' }));
    const [status] = await emailedLinks(ctx, person.email, 'application');
    await applicant.get(status!);
    location(await applicant.post(`${status}/accept`));
    const [reset] = await emailedLinks(ctx, person.email, 'reset-password');
    const browser = new Agent(ctx.app);
    await browser.get(reset!);
    location(await browser.post(reset!, { password, confirmPassword: password }));
    member = await signedIn(ctx, person.email, password);
    memberId = (
      await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', person.email)
        .executeTakeFirstOrThrow()
    ).id;

    // Members: profile details and a project.
    await member.get('/profile/edit');
    location(
      await member.post('/profile/edit', {
        name: `${person.given} ${person.family}`,
        profession: 'doctor',
        registrationNumber: person.registration,
        odsCode: EMPLOYER,
        regionCode: REGION,
        jobTitle: person.jobTitle,
        contactEmail: person.email,
        contactPhone: FREE_TEXT.contactPhone,
        biography: FREE_TEXT.biography,
        interests: 'sepsis',
      }),
    );
    await member.get('/profile');
    location(
      await member.post('/profile/projects', {
        title: FREE_TEXT.project,
        summary: 'A pilot',
        stage: 'pilot',
      }),
    );

    // Learning sets: the cohort, a formation, a session with attendance and an action.
    await addCohort(ctx, REGION, application.intake_id, 11);
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
    await lead.get(`/learning-sets/regions/${REGION}/form`);
    const formationJob = location(
      await lead.post(
        `/learning-sets/regions/${REGION}/form`,
        formationForm(application.intake_id, { minSize: '6', sizing: 'equal', separateOrganisations: 'yes' }),
      ),
    );
    const formation = location(await followRefresh(lead, formationJob));
    await lead.get(formation);
    location(await lead.post(`${formation}/publish`));
    const setPath = /href="(\/learning-sets\/sets\/\d+)"/.exec(
      (await member.get('/learning-sets')).body,
    )![1]!;
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
    const sessionPath = /href="(\/learning-sets\/sessions\/\d+)"/.exec((await fac.get(setPath)).body)![1]!;
    await fac.get(sessionPath);
    location(
      await fac.post(`${sessionPath}/actions`, {
        ownerUserId: String(memberId),
        description: FREE_TEXT.actionDescription,
        dueOn: first,
      }),
    );

    // Development: a self-assessment with evidence, a 360 round answered by raters, a plan.
    const assess = await member.get('/development/self-assessments/new');
    const versionId = /name="versionId" value="(\d+)"/.exec(assess.body)![1]!;
    const ratings: Record<string, string> = { versionId };
    const elementIds = [...assess.body.matchAll(/name="rating-(\d+)"/g)].map((m) => m[1]!);
    for (const id of elementIds) ratings[`rating-${id}`] = '3';
    ratings[`evidence-${elementIds[0]}`] = FREE_TEXT.evidence;
    location(await member.post('/development/self-assessments', ratings));

    await member.get('/development/feedback/new');
    const round = location(
      await member.post('/development/feedback', {
        title: FREE_TEXT.roundTitle,
        'closesOn-day': '1',
        'closesOn-month': '1',
        'closesOn-year': String(new Date().getFullYear() + 1),
      }),
    );
    for (const [name, email, group] of person.raters) {
      await member.get(round);
      location(await member.post(`${round}/raters`, { name, email, group }));
    }
    for (const [, email] of person.raters) {
      const [link] = await emailedLinks(ctx, email, 'feedback');
      const rater = new Agent(ctx.app);
      const form = await rater.get(link!);
      const body: Record<string, string> = { strengths: FREE_TEXT.raterComment, development: '' };
      for (const id of new Set([...form.body.matchAll(/name="rating-(\d+)"/g)].map((m) => m[1]!)))
        body[`rating-${id}`] = '4';
      expect((await rater.post(link!, body)).statusCode).toBe(200);
    }

    await member.get('/development/plans/new');
    const plan = location(await member.post('/development/plans', { title: FREE_TEXT.planTitle }));
    const goalForm = await member.get(`${plan}/goals/new`);
    const elementId = /<option value="(\d+)"/.exec(goalForm.body)![1]!;
    location(
      await member.post(`${plan}/goals`, {
        title: FREE_TEXT.goalTitle,
        elementId,
        actions: FREE_TEXT.goalActions,
        'targetDate-day': '31',
        'targetDate-month': '3',
        'targetDate-year': String(new Date().getFullYear() + 1),
        status: 'in-progress',
      }),
    );

    // Mentoring: an offer elsewhere, the person's request, a matching run, a meeting with notes.
    const mentorUser = await addMember(ctx, {
      regionCode: REGION,
      name: 'Maya Mentor',
      profession: 'nurse',
      organisationId: await organisationIdOf(ctx, 'RPA'),
      jobTitle: 'Director of nursing',
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
        goals: FREE_TEXT.mentoringGoals,
        goalAreas: ['management'],
        format: 'online',
      }),
    );
    await lead.get('/mentoring/admin');
    const run = location(await postAndFollowJob(lead, '/mentoring/runs', { regionCode: REGION }));
    await lead.get(run);
    location(await lead.post(`${run}/approve`));
    const pair = /href="(\/mentoring\/pairs\/\d+)"/.exec((await member.get('/mentoring')).body)![1]!;
    await mentor.get(pair);
    location(
      await mentor.post(`${pair}/meetings`, {
        metOn: new Date().toISOString().slice(0, 10),
        format: 'online',
        notes: FREE_TEXT.meetingNotes,
      }),
    );

    // Knowledge: a case study of their own with a file uploaded to it (kept on disk).
    await member.get('/knowledge/items/new');
    const itemPath = location(
      await member.post('/knowledge/items', {
        kind: 'case-study',
        title: FREE_TEXT.knowledgeTitle,
        summary: 'Same-day frailty assessment.',
        visibility: 'network',
      }),
    );
    await member.get(`${itemPath}/files`);
    const boundary = '----clnerasurefile';
    const uploaded = await ctx.app.inject({
      method: 'POST',
      url: `${itemPath}/files`,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        accept: 'text/html',
        cookie: (member as unknown as { cookieHeader(): string }).cookieHeader(),
      },
      payload:
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${member.csrfToken}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="hub audit.txt"\r\n` +
        `Content-Type: text/plain\r\n\r\n${FREE_TEXT.knowledgeTitle} audit\n\r\n--${boundary}--\r\n`,
    });
    expect(uploaded.statusCode, visibleText(uploaded.body).slice(0, 300)).toBe(303);
    const file = await ctx.db
      .selectFrom('knowledge_files')
      .select('storage_key')
      .where('uploaded_by', '=', memberId)
      .executeTakeFirstOrThrow();
    storedFile = path.join(filesDir, file.storage_key.slice(0, 2), file.storage_key);
    expect(existsSync(storedFile), storedFile).toBe(true);

    // Before erasure every secret is there, and the lead's API finds the application by first name.
    const before = traces(await dumpRows());
    expect(before).toEqual(expect.arrayContaining([person.given, person.email, FREE_TEXT.meetingNotes]));
    const found = await json(lead, `/api/v1/regions/${REGION}/applications?q=${person.given.toLowerCase()}`);
    expect(found.total).toBe(1);
  });

  it('downloads every module’s records about them, as JSON and as a readable page', async () => {
    const data = await json(member, '/api/v1/profile/data');
    expect(Object.keys(data)).toEqual(
      expect.arrayContaining(['recruitment', 'development', 'mentoring', 'members', 'account', 'audit']),
    );
    const text = JSON.stringify(data);
    for (const s of [
      FREE_TEXT.motivation,
      FREE_TEXT.project,
      FREE_TEXT.evidence,
      FREE_TEXT.planTitle,
      FREE_TEXT.goalActions,
      FREE_TEXT.roundTitle,
      FREE_TEXT.mentoringGoals,
      FREE_TEXT.meetingNotes,
      FREE_TEXT.actionDescription,
    ])
      expect.soft(text, s).toContain(s);
    // As the person sees them on their round's page: the raters they invited (whom they named) and
    // whether each answered, never what any one of them said.
    const rounds = (data.development as { feedbackRounds: { raters: string[] }[] }).feedbackRounds;
    const invited = rounds.flatMap((r) => r.raters);
    for (const [name, email] of person.raters)
      expect
        .soft(
          invited.some((line) => line.includes(name) && line.includes(email)),
          name,
        )
        .toBe(true);
    for (const line of invited) expect.soft(line).not.toContain(FREE_TEXT.raterComment);
    const page = await member.get('/profile/data');
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain(FREE_TEXT.planTitle);
    // Plain HTML: NHS summary lists under a heading per module, and the link to the JSON.
    expect(page.body).toContain('nhsuk-summary-list');
    expect(page.body).toContain('href="/profile/data.json"');
    for (const heading of ['Applications to join', 'Your member profile', 'Audit entries about you'])
      expect(visibleText(page.body)).toContain(heading);
  });

  it('after an approved erasure no dump holds them and no page or API finds them', async () => {
    await member.get('/profile/erasure');
    location(await member.post('/profile/erasure', { reason: 'Please erase me', confirm: 'yes' }));
    const request = await ctx.db
      .selectFrom('erasure_requests')
      .select('id')
      .where('user_id', '=', memberId)
      .executeTakeFirstOrThrow();
    const nationalUser = await createUser(ctx, [{ role: 'national', regionCode: null }]);
    national = await signedIn(ctx, nationalUser.email);
    const confirm = await national.get(`/admin/erasure-requests/${request.id}/confirm`);
    expect(confirm.statusCode).toBe(200);
    expect(visibleText(confirm.body)).toContain('What will be erased');
    location(
      await national.post(`/admin/erasure-requests/${request.id}`, {
        decision: 'approve',
        note: 'Identity checked; no legal hold',
      }),
    );

    // The file they uploaded to their own (now deleted) item is gone from the file store too.
    expect(existsSync(storedFile), storedFile).toBe(false);

    const dump = await dumpRows();
    if (process.env.ERASURE_DEBUG)
      for (const line of dump.split('\n'))
        if (traces(line).length) console.log(`LEFT ${traces(line).join('|')} :: ${line.slice(0, 300)}`);
    // Soft, so that what the APIs show is reported too when a module leaves a trace.
    expect.soft(traces(dump), "every table's rows").toEqual([]);
    if (ctx.backend === 'postgres' && ctx.url && existsSync(PG_DUMP)) {
      const { stdout } = await promisify(execFile)(PG_DUMP, ['--dbname', ctx.url], { maxBuffer: 1 << 28 });
      expect.soft(traces(stdout), 'pg_dump').toEqual([]);
    }

    // No page or API finds them.
    const api = await json(lead, `/api/v1/regions/${REGION}/applications?q=${person.given.toLowerCase()}`);
    expect(api.total).toBe(0);
    const listPage = await lead.get(`/recruitment/regions/${REGION}?q=${person.family.toLowerCase()}`);
    expect(visibleText(listPage.body)).not.toContain(person.family);
    const directory = await json(lead, `/api/v1/members?q=${person.family}`);
    expect(JSON.stringify(directory)).not.toContain(person.family);
    const directoryPage = await lead.get(`/directory?q=${person.given}`);
    expect(visibleText(directoryPage.body)).not.toContain(person.given);
    // Audit summaries about them, searched by their name or by their records, no longer name them.
    for (const url of [
      `/admin/audit?actor=${person.given}`,
      `/admin/audit?entityType=member&entityId=${memberId}`,
      `/admin/audit?entityType=application`,
    ]) {
      const audit = await national.get(url);
      expect(audit.statusCode, url).toBe(200);
      expect(visibleText(audit.body), url).not.toMatch(new RegExp(`${person.given}|${person.family}`, 'i'));
    }
    const erasurePage = await national.get('/admin/erasure-requests');
    expect(visibleText(erasurePage.body)).not.toContain(person.family);
    await expect(new Agent(ctx.app).signIn(person.email, password)).rejects.toThrow(/sign-in failed/);
  });
});
