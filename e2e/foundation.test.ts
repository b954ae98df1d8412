import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { londonDate } from '../src/platform/dates.ts';
import {
  type Browser,
  expectNoAxeViolations,
  findChromium,
  launchBrowser,
  startTestServer,
  type TestServer,
} from './browser.ts';

const chromiumPath = findChromium();

describe.skipIf(!chromiumPath)('foundation in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a long e2e password';

  beforeAll(async () => {
    server = await startTestServer();
    await server.app.services.accounts.createUser(
      { email: 'ada@nhs.test', name: 'Ada Admin', password, roles: [{ role: 'national', regionCode: null }] },
      'system',
    );
    browser = await launchBrowser(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the network on the home page with no accessibility violations', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/`);
    expect(await page.title()).toBe('Home - Clinical Leaders Network');
    await page.getByRole('cell', { name: 'West Midlands' }).first().waitFor();
    await expectNoAxeViolations(page);
  });

  it('shows the error summary for a failed sign-in, then signs in and out', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/sign-in`);
    await expectNoAxeViolations(page);
    await page.getByLabel('Email address').fill('ada@nhs.test');
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('.nhsuk-error-summary').textContent()).toContain(
      'Enter a correct email address and password',
    );
    expect(await page.title()).toBe('Error: Sign in - Clinical Leaders Network');
    await expectNoAxeViolations(page);

    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/national`);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe('National team');
    await expectNoAxeViolations(page);

    for (const path of [
      '/account',
      '/admin/users',
      '/admin/audit',
      '/admin/outbox',
      '/account/api-tokens/new',
    ]) {
      await page.goto(`${server.url}${path}`);
      await expectNoAxeViolations(page);
    }

    await page.goto(`${server.url}/sign-out`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.url}/`);
    expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('You have signed out');
    await page.goto(`${server.url}/national`);
    await page.waitForURL(/\/sign-in\?next=/);
  });

  it('renders the 404 and 403 pages in the NHS style with no accessibility violations', async () => {
    const { page } = browser;
    const res = await page.goto(`${server.url}/no-such-page`);
    expect(res?.status()).toBe(404);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe('Page not found');
    await expectNoAxeViolations(page);

    await server.app.services.accounts.createUser(
      { email: 'mo@nhs.test', name: 'Mo Member', password, roles: [{ role: 'member', regionCode: 'Q30' }] },
      'system',
    );
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email address').fill('mo@nhs.test');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/member`);
    const forbidden = await page.goto(`${server.url}/admin/users`);
    expect(forbidden?.status()).toBe(403);
    expect((await page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe(
      'You do not have permission to see this page',
    );
    await expectNoAxeViolations(page);
  });
  it('leads a newcomer from the home and about pages to the application, or says no intake is open', async () => {
    const { page } = browser;
    await browser.context.clearCookies();
    const closesOn = londonDate(new Date(Date.now() + 45 * 86_400_000));
    const closesOnText = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(`${closesOn}T12:00:00Z`));
    await server.db
      .updateTable('intakes')
      .set({ closes_on: closesOn })
      .where('status', '=', 'open')
      .execute();

    await page.goto(`${server.url}/`);
    const apply = page.getByRole('link', { name: 'Apply to join the Clinical Leaders Network' });
    await apply.waitFor();
    expect(await page.locator('.app-open-intakes').textContent()).toContain(`Apply by ${closesOnText}.`);
    await page.getByRole('cell', { name: 'West Midlands' }).first().waitFor();
    await expectNoAxeViolations(page);
    await page.screenshot({ path: path.join(tmpdir(), 'cln-home-intake-open.png'), fullPage: true });
    await apply.click();
    await page.waitForURL(`${server.url}/apply`);
    expect(await page.title()).toBe('Apply to join the Clinical Leaders Network - Clinical Leaders Network');

    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'About the network' }).first().click();
    await page.waitForURL(`${server.url}/about`);
    await page.getByRole('link', { name: 'Apply to join the Clinical Leaders Network' }).waitFor();
    await expectNoAxeViolations(page);
    await page.screenshot({ path: path.join(tmpdir(), 'cln-about-intake-open.png'), fullPage: true });

    const nextOpens = londonDate(new Date(Date.now() + 60 * 86_400_000));
    await server.db.updateTable('intakes').set({ status: 'closed' }).execute();
    await server.db
      .insertInto('intakes')
      .values({ region_code: 'Q34', name: '2027/28', opens_on: nextOpens, closes_on: null, status: 'open' })
      .execute();
    await page.goto(`${server.url}/`);
    const section = page.locator('.app-open-intakes');
    expect(await section.textContent()).toContain('No intake is open for applications at the moment.');
    expect(await section.textContent()).toContain('The next intake (2027/28, West Midlands) opens on');
    expect(await page.getByRole('link', { name: 'Apply to join the Clinical Leaders Network' }).count()).toBe(
      0,
    );
    await expectNoAxeViolations(page);
    await page.screenshot({ path: path.join(tmpdir(), 'cln-home-no-intake.png'), fullPage: true });
  });
});
