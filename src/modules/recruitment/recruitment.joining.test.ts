import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { createMemberProfile, listCohortMembers } from '../members/index.ts';
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

async function openIntakeOf(regionCode: string) {
  return ctx.db
    .selectFrom('intakes')
    .select(['id', 'name'])
    .where('region_code', '=', regionCode)
    .where('status', '=', 'open')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

async function statusPathFromLatestEmail(to: string) {
  const mail = await ctx.db
    .selectFrom('outbox')
    .select('body_text')
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const m = /http:\/\/cln\.test(\/application\/[A-Za-z0-9_-]+)/.exec(mail.body_text);
  if (!m) throw new Error(`no status link in ${mail.body_text}`);
  return m[1]!;
}

/** Submits, then the region's lead offers on the review page and the applicant accepts on theirs. */
async function offerAndAcceptThroughPages(input: ReturnType<typeof buildSubmission>, regionCode: string) {
  const created = await recruitment.submitApplication(input, anon);
  expect(created.regionCode).toBe(regionCode);
  const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode }]);
  await lead.agent.get(`/recruitment/applications/${created.id}`);
  const offered = await lead.agent.post(`/recruitment/applications/${created.id}/decision`, {
    decision: 'offer',
  });
  expect(offered.statusCode).toBe(303);
  const applicant = new Agent(ctx.app);
  const statusPath = await statusPathFromLatestEmail(input.email);
  await applicant.get(statusPath);
  const accepted = await applicant.post(`${statusPath}/accept`);
  expect(accepted.statusCode).toBe(303);
  expect(visibleText((await applicant.get(statusPath)).body)).toContain('You are a member of the network');
  return created;
}

describe('accepting an offer makes a member of the cohort', () => {
  it('creates the full profile in the intake, so the recruit is in the region cohort at once', async () => {
    const input = buildSubmission({
      employerOds: 'RTD',
      givenName: 'Cora',
      familyName: 'Cohort',
      profession: 'nurse',
      registrationNumber: '09a 1234c',
      jobTitle: 'Ward manager',
    });
    const created = await offerAndAcceptThroughPages(input, 'Q30');
    const intake = await openIntakeOf('Q30');
    const cohort = await listCohortMembers(ctx.db, 'Q30', intake.id);
    const member = cohort.find((m) => m.email === input.email);
    expect(member).toMatchObject({
      name: 'Cora Cohort',
      profession: 'nurse',
      jobTitle: 'Ward manager',
      organisationName: 'The Newcastle upon Tyne Hospitals NHS Foundation Trust',
    });
    const profile = await ctx.db
      .selectFrom('member_profiles')
      .select(['registration_number', 'intake_id', 'region_code', 'status'])
      .where('user_id', '=', member!.userId)
      .executeTakeFirstOrThrow();
    expect(profile).toEqual({
      registration_number: '09A1234C',
      intake_id: intake.id,
      region_code: 'Q30',
      status: 'active',
    });
    const audits = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', 'in', [String(member!.userId), String(created.id)])
      .execute();
    expect(audits.map((a) => a.action)).toEqual(
      expect.arrayContaining(['user.create', 'member.profile.create', 'application.accept']),
    );
    // The profile page shows what the application said, not an empty profile.
    const employment = await ctx.db
      .selectFrom('employment_history')
      .select('job_title')
      .where('user_id', '=', member!.userId)
      .execute();
    expect(employment).toEqual([{ job_title: 'Ward manager' }]);
  });

  it('adds the role and updates the profile of an existing account, without a second account or profile', async () => {
    const email = `returning.${Date.now()}@nhs.test`;
    const existing = await createUser(ctx, [{ role: 'facilitator', regionCode: 'Q34' }], {
      email,
      name: 'Rhys Returning',
    });
    // A former member (alumnus) of Q34 with an old, thin profile.
    await ctx.db.transaction().execute((trx) =>
      createMemberProfile(
        trx,
        {
          userId: existing.id,
          regionCode: 'Q34',
          profession: 'doctor',
          jobTitle: 'Registrar',
          status: 'alumnus',
        },
        'system',
      ),
    );
    const input = buildSubmission({ email, employerOds: 'RBK', givenName: 'Rhys', familyName: 'Returning' });
    await offerAndAcceptThroughPages(input, 'Q34');

    const users = await ctx.db.selectFrom('users').select('id').where('email', '=', email).execute();
    expect(users).toEqual([{ id: existing.id }]);
    const roles = await ctx.db
      .selectFrom('role_assignments')
      .select(['role', 'region_code'])
      .where('user_id', '=', existing.id)
      .orderBy('role')
      .execute();
    expect(roles).toEqual([
      { role: 'facilitator', region_code: 'Q34' },
      { role: 'member', region_code: 'Q34' },
    ]);
    const profiles = await ctx.db
      .selectFrom('member_profiles')
      .select(['status', 'job_title', 'registration_number', 'intake_id'])
      .where('user_id', '=', existing.id)
      .execute();
    const intake = await openIntakeOf('Q34');
    expect(profiles).toEqual([
      {
        status: 'active',
        job_title: 'Consultant physician',
        registration_number: input.registrationNumber,
        intake_id: intake.id,
      },
    ]);
    expect((await listCohortMembers(ctx.db, 'Q34', intake.id)).map((m) => m.userId)).toContain(existing.id);
    // They have a password already: a welcome to sign in, not an invitation.
    const mail = await ctx.db
      .selectFrom('outbox')
      .select(['kind', 'body_text'])
      .where('to_address', '=', email)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(mail.kind).toBe('application.joined');
    expect(mail.body_text).toContain('http://cln.test/sign-in');
  });
});

describe('imports take the same path', () => {
  it('puts a member imported by `cln recruitment import` into the cohort with the full profile', async () => {
    const { importApplicationsCsv } = await import('./recruitment.csv.ts');
    const text = [
      'given_name,family_name,email,profession,registration_number,employer_ods_code,region_code,job_title,status',
      'Imogen,Imported,imogen.imported@nhs.test,pharmacist,2079876,RTD,,Lead pharmacist,member',
    ].join('\n');
    const report = await importApplicationsCsv(ctx.db, 'http://cln.test', text, { dryRun: false });
    expect(report.errors).toEqual([]);
    expect(report.imported).toBe(true);
    const intake = await openIntakeOf('Q30');
    const member = (await listCohortMembers(ctx.db, 'Q30', intake.id)).find(
      (m) => m.email === 'imogen.imported@nhs.test',
    );
    expect(member).toMatchObject({ profession: 'pharmacist', jobTitle: 'Lead pharmacist' });
    expect(member!.organisationName).toContain('Newcastle');
    const profile = await ctx.db
      .selectFrom('member_profiles')
      .select('registration_number')
      .where('user_id', '=', member!.userId)
      .executeTakeFirstOrThrow();
    expect(profile.registration_number).toBe('2079876');
    const app = await ctx.db
      .selectFrom('applications')
      .select(['status', 'user_id'])
      .where('email', '=', 'imogen.imported@nhs.test')
      .executeTakeFirstOrThrow();
    expect(app).toEqual({ status: 'accepted', user_id: member!.userId });
  });
});
