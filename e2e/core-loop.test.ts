import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemberProfile } from '../src/modules/members/index.ts';
import {
  type Browser,
  expectNoAxeViolations,
  findChromium,
  launchBrowser,
  startTestServer,
  type TestServer,
} from './browser.ts';
import { emailedLink } from '../test/journeys/support.ts';

const chromiumPath = findChromium();
const REGION = 'Q37';
const PROFESSIONS = ['doctor', 'nurse', 'pharmacist', 'midwife', 'allied-health-professional'];

/**
 * The core loop in a real browser, every page checked with axe: a clinician applies, is endorsed,
 * offered and accepts, sets a password, is placed in a learning set by the regional lead, sees the
 * set's first session, assesses themselves, asks for a mentor, is matched and meets.
 */
describe.skipIf(!chromiumPath)('the core loop in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a long e2e password';
  const stamp = Date.now();
  const email = `e2e.kemi.adeyemi.${stamp}@nhs.test`;
  const sponsorEmail = `e2e.loop.sponsor.${stamp}@nhs.test`;
  const accounts = {
    lead: `loop.lead.${stamp}@nhs.test`,
    facilitator: `loop.fac.${stamp}@nhs.test`,
    mentor: `loop.mentor.${stamp}@nhs.test`,
  };

  beforeAll(async () => {
    server = await startTestServer();
    const create = (who: string, name: string, roles: { role: string; regionCode: string }[]) =>
      server.app.services.accounts.createUser(
        { email: who, name, password, roles: roles as { role: 'member'; regionCode: string }[] },
        'system',
      );
    await create(accounts.lead, 'Lola Lead', [{ role: 'regional-lead', regionCode: REGION }]);
    await create(accounts.facilitator, 'Fola Facilitator', [{ role: 'facilitator', regionCode: REGION }]);
    const mentor = await create(accounts.mentor, 'Mo Mentor', [
      { role: 'member', regionCode: REGION },
      { role: 'mentor', regionCode: REGION },
    ]);
    const medway = await server.db
      .selectFrom('organisations')
      .select('id')
      .where('ods_code', '=', 'RPA')
      .executeTakeFirstOrThrow();
    await server.db.transaction().execute((trx) =>
      createMemberProfile(
        trx,
        {
          userId: mentor.id,
          regionCode: REGION,
          profession: 'doctor',
          registrationNumber: null,
          organisationId: medway.id,
          jobTitle: 'Medical director',
        },
        'system',
      ),
    );
    browser = await launchBrowser(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signIn(who: string) {
    const { page } = browser;
    await browser.context.clearCookies();
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email address').fill(who);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }

  it('apply, join, set, develop, mentor', { timeout: 400_000 }, async () => {
    const { page } = browser;
    page.setDefaultTimeout(20_000);
    const continueButton = () => page.getByRole('button', { name: 'Continue' }).click();

    // Apply.
    await page.goto(`${server.url}/apply`);
    await page.getByRole('button', { name: 'Start now' }).click();
    await page.getByLabel('First name').fill('Kemi');
    await page.getByLabel('Last name').fill('Adeyemi');
    await page.getByLabel('Email address').fill(email);
    await continueButton();
    await page.getByLabel('Pharmacist').check();
    await continueButton();
    await page.getByLabel('What is your professional registration number?').fill('2087654');
    await continueButton();
    await page.getByLabel('Employer name, town or ODS code').fill('royal surrey');
    await page.getByLabel('Royal Surrey NHS Foundation Trust').check();
    await continueButton();
    await page.waitForURL(/\/apply\/region/);
    expect(await page.getByLabel('South East Coast').isChecked()).toBe(true);
    await continueButton();
    await page.getByLabel('Job title').fill('Chief pharmacist');
    await page.getByLabel('Describe your current role').fill('I run medicines optimisation.');
    await continueButton();
    await page.getByLabel('Your leadership experience').fill('I led antimicrobial stewardship.');
    await continueButton();
    await page.getByLabel('Why do you want to join the network?').fill('To spread safer prescribing.');
    await continueButton();
    await page.getByLabel("Sponsor's full name").fill('Dr Sade Sponsor');
    await page.getByLabel("Sponsor's email address").fill(sponsorEmail);
    await continueButton();
    await page.getByLabel(/I have read the privacy notice/).check();
    await continueButton();
    await page.getByRole('button', { name: 'Accept and send' }).click();
    await page.waitForURL(/confirmation/);

    // Endorse.
    await browser.context.clearCookies();
    await page.goto(`${server.url}${await emailedLink(server, sponsorEmail, 'endorse')}`);
    await page.getByLabel('Yes, I endorse it').check();
    await page.getByRole('button', { name: 'Send response' }).click();
    await page.locator('.nhsuk-panel').waitFor();

    // Offer.
    await signIn(accounts.lead);
    await page.goto(`${server.url}/recruitment/regions/${REGION}`);
    await page.getByRole('link', { name: 'Kemi Adeyemi' }).click();
    await page.getByLabel('Offer a place').check();
    await page.getByRole('button', { name: 'Save decision' }).click();
    expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('offered a place');

    // Accept, then set a password.
    await browser.context.clearCookies();
    await page.goto(`${server.url}${await emailedLink(server, email, 'application')}`);
    await page.getByRole('button', { name: 'Accept your place' }).click();
    expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('accepted your place');
    await page.goto(`${server.url}${await emailedLink(server, email, 'reset-password')}`);
    await expectNoAxeViolations(page);
    await page.getByLabel('New password', { exact: true }).fill(password);
    await page.getByLabel('Confirm new password').fill(password);
    await page.getByRole('button', { name: 'Save password' }).click();
    await signIn(email);
    await page.goto(`${server.url}/profile`);
    const profile = (await page.locator('main').textContent()) ?? '';
    expect(profile).toContain('Royal Surrey');
    expect(profile).toContain('Chief pharmacist');
    await expectNoAxeViolations(page);

    // The rest of the new member's intake, recruited earlier.
    const { intake_id: intakeId } = await server.db
      .selectFrom('applications')
      .select('intake_id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const trusts = await server.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'trust')
      .where('sha_code', '=', REGION)
      .orderBy('id')
      .limit(5)
      .execute();
    for (let i = 0; i < 7; i++) {
      const u = await server.app.services.accounts.createUser(
        {
          email: `loop.cohort.${i}.${stamp}@nhs.test`,
          name: `Cohort Colleague ${i}`,
          password,
          roles: [{ role: 'member', regionCode: REGION }],
        },
        'system',
      );
      await server.db.transaction().execute((trx) =>
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

    // The regional lead forms sets for the cohort and publishes them.
    await signIn(accounts.lead);
    await page.goto(`${server.url}/learning-sets/regions/${REGION}`);
    await page.getByLabel('Email address of their account').fill(accounts.facilitator);
    await page.getByLabel('Capacity (most sets they can take)').fill('2');
    await page.getByLabel(/Lead facilitator for the region/).check();
    await page.getByRole('button', { name: 'Save facilitator' }).click();
    await page.getByRole('button', { name: 'Form sets for a cohort' }).click();
    const option = page.getByLabel('Cohort').locator('option', { hasText: '(8 active members)' });
    await page.getByLabel('Cohort').selectOption((await option.getAttribute('value'))!);
    await page.getByRole('button', { name: 'Form the sets' }).click();
    await page.getByRole('button', { name: 'Publish the sets' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('Kemi Adeyemi');
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Publish the sets' }).click();

    // The facilitator schedules the first session.
    await signIn(accounts.facilitator);
    await page.goto(`${server.url}/learning-sets`);
    await page.getByRole('link', { name: /set A/ }).click();
    const first = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Date').fill(first);
    await page.getByLabel('Start time (UK time)').fill('09:30');
    await page.getByLabel('Place').fill('Guildford Education Centre');
    await page.getByRole('button', { name: 'Schedule session' }).click();

    // The member sees their set and its first session.
    await signIn(email);
    await page.goto(`${server.url}/learning-sets`);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: /set A/ }).click();
    const set = (await page.locator('main').textContent()) ?? '';
    expect(set).toContain('Guildford Education Centre');
    expect(set).toContain('Fola Facilitator');
    await expectNoAxeViolations(page);

    // Self-assessment.
    await page.goto(`${server.url}/development/self-assessments/new`);
    for (const group of await page.getByRole('group').all()) {
      const competent = group.getByLabel('3. Competent', { exact: true });
      if (await competent.count()) await competent.check();
    }
    await page.getByRole('button', { name: 'Save self-assessment' }).click();
    await page.waitForURL(/\/development\/self-assessments\/\d+/);
    await expectNoAxeViolations(page);

    // Ask for a mentor.
    await page.goto(`${server.url}/mentoring`);
    await page.getByRole('link', { name: 'Ask for a mentor' }).click();
    await page.getByLabel('Your goals for mentoring').fill('Lead a regional medicines programme');
    await page.getByLabel('Management').check();
    await page.getByLabel('Online', { exact: true }).check();
    await page.getByRole('button', { name: 'Save your request' }).click();
    await expectNoAxeViolations(page);

    // The mentor offers a place; the lead matches and approves.
    await signIn(accounts.mentor);
    await page.goto(`${server.url}/mentoring/offer`);
    await page.getByLabel('How many mentees can you take?').fill('2');
    await page.getByLabel('Management').check();
    await page.getByRole('button', { name: 'Save your offer' }).click();
    await signIn(accounts.lead);
    await page.goto(`${server.url}/mentoring/admin`);
    await page.getByLabel('Who to match').selectOption(REGION);
    await page.getByRole('button', { name: 'Compute a matching run' }).click();
    // Through the matching job's progress page, which refreshes itself until the run is written.
    await page.waitForURL(/\/mentoring\/runs\/\d+$/, { timeout: 60_000 });
    expect(await page.locator('main').textContent()).toContain('Kemi Adeyemi');
    await page.getByRole('button', { name: 'Approve and tell everyone' }).click();

    // They meet: the mentor logs it, and the member sees it.
    await signIn(accounts.mentor);
    await page.goto(`${server.url}/mentoring`);
    await page.getByRole('link', { name: 'Mentoring Kemi Adeyemi' }).click();
    const pairUrl = page.url();
    await page.getByLabel('Date of the meeting').fill(new Date().toISOString().slice(0, 10));
    await page.getByLabel('In person').check();
    await page.getByLabel('only the two of you can read them').fill('Agreed a first goal');
    await page.getByRole('button', { name: 'Log meeting' }).click();
    await signIn(email);
    await page.goto(pairUrl);
    expect(await page.locator('main').textContent()).toContain('Agreed a first goal');
    await expectNoAxeViolations(page);
  });
});
