import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe.skipIf(!chromiumPath)('recruitment in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a long e2e password';
  const email = `e2e.applicant.${Date.now()}@nhs.test`;
  const sponsorEmail = `e2e.sponsor.${Date.now()}@nhs.test`;

  beforeAll(async () => {
    server = await startTestServer();
    for (const [who, roles] of [
      ['lead.q34@nhs.test', [{ role: 'regional-lead', regionCode: 'Q34' }]],
      ['lead.q30@nhs.test', [{ role: 'regional-lead', regionCode: 'Q30' }]],
      ['national@nhs.test', [{ role: 'national', regionCode: null }]],
    ] as const) {
      await server.app.services.accounts.createUser(
        { email: who, name: who.split('@')[0]!, password, roles: [...roles] },
        'system',
      );
    }
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

  it(
    'applies (first wrongly, then rightly), is endorsed, offered, and accepts',
    { timeout: 300_000 },
    async () => {
      const { page } = browser;
      page.setDefaultTimeout(20_000);
      const continueButton = () => page.getByRole('button', { name: 'Continue' }).click();
      await page.goto(`${server.url}/apply`);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Start now' }).click();

      await page.getByLabel('First name').fill('Priya');
      await page.getByLabel('Last name').fill('Patel');
      await page.getByLabel('Email address').fill('not an email');
      await continueButton();
      await page.locator('.nhsuk-error-summary').waitFor();
      expect(await page.title()).toBe('Error: Your details - Clinical Leaders Network');
      await expectNoAxeViolations(page);
      await page.getByLabel('Email address').fill(email);
      await continueButton();

      await expectNoAxeViolations(page);
      await page.getByLabel('Doctor').check();
      await continueButton();

      await page.getByLabel('What is your professional registration number?').fill('71A2998E');
      await continueButton();
      expect(await page.locator('.nhsuk-error-summary').textContent()).toContain(
        'Enter a GMC number in the correct format',
      );
      await expectNoAxeViolations(page);
      // The employer picker's script arrives late (a slow connection): words typed before it runs
      // are still searched once it does.
      await page.route('**/apply/employer-search.js', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue();
      });
      await page.getByLabel('What is your professional registration number?').fill('1234567');
      await continueButton();

      // The employer picker, enhanced: results appear while typing.
      await page.getByLabel('Employer name, town or ODS code').fill('walsall');
      await page.getByLabel('Walsall Healthcare NHS Trust').waitFor();
      await page.unroute('**/apply/employer-search.js');
      await expectNoAxeViolations(page);
      await page.getByLabel('Walsall Healthcare NHS Trust').check();
      await continueButton();

      await page.waitForURL(/\/apply\/region/);
      expect(await page.getByLabel('West Midlands').isChecked()).toBe(true);
      await expectNoAxeViolations(page);
      await continueButton();

      await page.getByLabel('Job title').fill('Consultant physician');
      await page.getByLabel('Describe your current role').fill('I lead the acute medical unit.');
      await expectNoAxeViolations(page);
      await continueButton();
      await page.getByLabel('Your leadership experience').fill('I led our discharge redesign.');
      await expectNoAxeViolations(page);
      await continueButton();
      await page.getByLabel('Why do you want to join the network?').fill('To bring change to my trust.');
      await continueButton();
      await page.getByLabel("Sponsor's full name").fill('Dr Sunita Sponsor');
      await page.getByLabel("Sponsor's email address").fill(sponsorEmail);
      await expectNoAxeViolations(page);
      await continueButton();
      await continueButton();
      expect(await page.locator('.nhsuk-error-summary').textContent()).toContain('privacy notice');
      await expectNoAxeViolations(page);
      await page.getByLabel(/I have read the privacy notice/).check();
      await continueButton();

      await page.waitForURL(/check-answers/);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Accept and send' }).click();
      await page.waitForURL(/confirmation/);
      const reference = /CLN-[A-Z0-9]{8}/.exec((await page.locator('.nhsuk-panel').textContent()) ?? '')![0];
      await expectNoAxeViolations(page);

      // The sponsor endorses through their single-use link.
      await browser.context.clearCookies();
      const endorse = await emailedLink(server, sponsorEmail, 'endorse');
      await page.goto(`${server.url}${endorse}`);
      await expectNoAxeViolations(page);
      await page.getByLabel('Yes, I endorse it').check();
      await page.getByLabel(/Comment for the regional lead/).fill('Strongly recommended.');
      await page.getByRole('button', { name: 'Send response' }).click();
      await page.locator('.nhsuk-panel').waitFor();
      await expectNoAxeViolations(page);
      const reused = await page.goto(`${server.url}${endorse}`);
      expect(reused?.status()).toBe(404);

      // Another region's lead is refused.
      await signIn('lead.q30@nhs.test');
      const id = (
        await server.db
          .selectFrom('applications')
          .select('id')
          .where('reference', '=', reference)
          .executeTakeFirstOrThrow()
      ).id;
      expect((await page.goto(`${server.url}/recruitment/applications/${id}`))?.status()).toBe(404);
      expect((await page.goto(`${server.url}/recruitment/regions/Q34`))?.status()).toBe(403);

      // The region's lead finds it, sees the endorsement, and offers a place.
      await signIn('lead.q34@nhs.test');
      await page.goto(`${server.url}/recruitment`);
      await page.waitForURL(/\/recruitment\/regions\/Q34/);
      await expectNoAxeViolations(page);
      await page.getByLabel('Search name, email, reference or employer').fill('patel');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByRole('link', { name: 'Priya Patel' }).click();
      expect(await page.locator('main').textContent()).toContain('Strongly recommended.');
      await expectNoAxeViolations(page);
      await page.getByLabel('Offer a place').check();
      await page.getByRole('button', { name: 'Save decision' }).click();
      expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('offered a place');
      await expectNoAxeViolations(page);

      // The applicant accepts with the link in the offer email.
      await browser.context.clearCookies();
      await page.goto(`${server.url}${await emailedLink(server, email, 'application')}`);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Accept your place' }).click();
      expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('accepted your place');
      await expectNoAxeViolations(page);
      const invite = await emailedLink(server, email, 'reset-password');
      expect(invite).toMatch(/^\/reset-password\//);

      // The dashboard shows the new member.
      await signIn('national@nhs.test');
      await page.goto(`${server.url}/programme`);
      await expectNoAxeViolations(page);
      expect(
        await page
          .getByRole('row', { name: /West Midlands/ })
          .first()
          .textContent(),
      ).toMatch(/120\s*1\s*0\.8%/);
      await page.goto(`${server.url}/programme/regions/Q34`);
      await expectNoAxeViolations(page);
      await page.goto(`${server.url}/recruitment`);
      await expectNoAxeViolations(page);
    },
  );
});
