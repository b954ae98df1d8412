import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemberProfile } from '../src/modules/members/index.ts';
import type { RoleGrant } from '../src/platform/permissions.ts';
import {
  type Browser,
  expectNoAxeViolations,
  findChromium,
  launchBrowser,
  startTestServer,
  type TestServer,
} from './browser.ts';

const chromiumPath = findChromium();

describe.skipIf(!chromiumPath)('mentoring in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a long e2e password';

  beforeAll(async () => {
    server = await startTestServer();
    const accounts = server.app.services.accounts;
    const people: [string, string, RoleGrant[], boolean][] = [
      ['mentee@nhs.test', 'Mina Mentee', [{ role: 'member', regionCode: 'Q34' }], true],
      [
        'mentor@nhs.test',
        'Omar Mentor',
        [
          { role: 'member', regionCode: 'Q34' },
          { role: 'mentor', regionCode: 'Q34' },
        ],
        true,
      ],
      ['third@nhs.test', 'Tess Third', [{ role: 'member', regionCode: 'Q34' }], true],
      ['national@nhs.test', 'Nia National', [{ role: 'national', regionCode: null }], false],
    ];
    for (const [email, name, roles, profile] of people) {
      const u = await accounts.createUser({ email, name, password, roles }, 'system');
      if (profile)
        await server.db.transaction().execute((trx) =>
          createMemberProfile(
            trx,
            {
              userId: u.id,
              regionCode: 'Q34',
              profession: 'doctor',
              registrationNumber: null,
              organisationId: null,
              jobTitle: 'Consultant',
            },
            'system',
          ),
        );
    }
    browser = await launchBrowser(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signIn(email: string) {
    const { page } = browser;
    await browser.context.clearCookies();
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  }

  it('goes through request, offer, a matching run, approval and a first meeting; notes stay private', async () => {
    const { page } = browser;
    await signIn('mentee@nhs.test');
    await page.goto(`${server.url}/mentoring`);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Ask for a mentor' }).click();
    await page.getByRole('button', { name: 'Save your request' }).click();
    expect(await page.locator('.nhsuk-error-summary').textContent()).toContain(
      'Enter your goals for mentoring',
    );
    await expectNoAxeViolations(page);
    await page
      .getByLabel('Your goals for mentoring')
      .fill('Prepare for a clinical director role\nLead an innovation project');
    await page.getByLabel('Innovation').check();
    await page.getByLabel('Online', { exact: true }).check();
    await page.getByRole('button', { name: 'Save your request' }).click();
    await page.waitForURL(`${server.url}/mentoring`);
    expect(await page.locator('main').textContent()).toContain('Waiting for the next matching run');

    await page.goto(`${server.url}/mentoring/conflicts`);
    await expectNoAxeViolations(page);

    await signIn('mentor@nhs.test');
    await page.goto(`${server.url}/mentoring/offer`);
    await expectNoAxeViolations(page);
    await page.getByLabel('How many mentees can you take?').fill('7');
    await page.getByLabel('Innovation').check();
    await page.getByRole('button', { name: 'Save your offer' }).click();
    expect(await page.locator('.nhsuk-error-summary').textContent()).toContain(
      'Capacity must be between 0 and 5',
    );
    await expectNoAxeViolations(page);
    await page.getByLabel('How many mentees can you take?').fill('2');
    await page.getByRole('button', { name: 'Save your offer' }).click();
    await page.waitForURL(`${server.url}/mentoring`);

    await signIn('national@nhs.test');
    await page.goto(`${server.url}/mentoring/admin`);
    await expectNoAxeViolations(page);
    await page.getByLabel('Who to match').selectOption('Q34');
    await page.getByRole('button', { name: 'Compute a matching run' }).click();
    // Matching runs as a job: its progress page refreshes itself until the run is written.
    await page.waitForURL(/\/mentoring\/runs\/\d+$/, { timeout: 60_000 });
    expect(await page.locator('main').textContent()).toContain('Goals the mentor offers (1): 10');
    await expectNoAxeViolations(page);
    // Running the draft again is a job too: its progress page (axe on its still version, as it
    // refreshes itself) leads back to the run.
    const runUrl = page.url();
    await page.getByRole('button', { name: 'Run again with the latest offers and requests' }).click();
    await page.waitForLoadState();
    if (page.url().includes('/mentoring/matching-jobs/')) {
      const jobUrl = page.url().split('?')[0]!;
      await page.goto(`${jobUrl}?refresh=off`);
      if (page.url().includes('/mentoring/matching-jobs/')) await expectNoAxeViolations(page);
      await page.goto(jobUrl);
    }
    await page
      .locator('.nhsuk-notification-banner', {
        hasText: 'Matching run again with the latest offers and requests',
      })
      .waitFor({ timeout: 60_000 });
    expect(page.url()).toBe(runUrl);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Approve and tell everyone' }).click();
    expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('Run approved: 1 pair');
    await expectNoAxeViolations(page);

    await signIn('mentor@nhs.test');
    await page.goto(`${server.url}/mentoring`);
    await page.getByRole('link', { name: 'Mentoring Mina Mentee' }).click();
    await expectNoAxeViolations(page);
    const pairUrl = page.url();
    await page.getByLabel('Ground rules').fill('What is said stays between us.');
    await page.getByLabel('How often you will meet').fill('Every four weeks');
    await page.getByLabel('For how many months').fill('12');
    await page.getByRole('button', { name: 'Save agreement' }).click();
    await page.getByLabel('Date of the meeting').fill(new Date().toISOString().slice(0, 10));
    await page.getByLabel('In person').check();
    await page.getByLabel('only the two of you can read them').fill('Talked about the director interview');
    await page.getByRole('button', { name: 'Log meeting' }).click();
    expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('Meeting logged');
    expect(await page.locator('main').textContent()).toContain('Talked about the director interview');
    await expectNoAxeViolations(page);

    await signIn('third@nhs.test');
    const res = await page.goto(pairUrl);
    expect(res?.status()).toBe(403);
    expect(await page.content()).not.toContain('director interview');

    await signIn('national@nhs.test');
    await page.goto(`${server.url}/mentoring/admin`);
    expect(await page.locator('main').textContent()).toContain('On track');
    expect(await page.content()).not.toContain('director interview');
  }, 120_000);
});
