import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  expectNoAxeViolations,
  findChromium,
  launchBrowser,
  startTestServer,
  type TestServer,
} from './browser.ts';

const chromiumPath = findChromium();

describe.skipIf(!chromiumPath)('leadership development in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a long e2e password';

  beforeAll(async () => {
    server = await startTestServer();
    await server.app.services.accounts.createUser(
      {
        email: 'maya@nhs.test',
        name: 'Maya Member',
        password,
        roles: [{ role: 'member', regionCode: 'Q34' }],
      },
      'system',
    );
    browser = await launchBrowser(chromiumPath!);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('assesses, gathers anonymous 360 feedback, reads the report and plans, with no axe violations', async () => {
    const { page } = browser;
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email address').fill('maya@nhs.test');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/member`);

    await page.goto(`${server.url}/development`);
    await expectNoAxeViolations(page);

    // Self-assessment: an empty form shows the error summary, then a complete one saves.
    await page.goto(`${server.url}/development/self-assessments/new`);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Save self-assessment' }).click();
    expect(await page.locator('.nhsuk-error-summary').textContent()).toContain('Choose a rating for');
    await expectNoAxeViolations(page);
    for (const group of await page.getByRole('group').all()) {
      const competent = group.getByLabel('3. Competent', { exact: true });
      if (await competent.count()) await competent.check();
    }
    await page.getByRole('button', { name: 'Save self-assessment' }).click();
    await page.waitForURL(/\/development\/self-assessments\/\d+$/);
    expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain('saved');
    await expectNoAxeViolations(page);

    // 360: start, invite three raters, each answers once through their emailed link.
    await page.goto(`${server.url}/development/feedback/new`);
    await expectNoAxeViolations(page);
    await page.getByLabel('Title').fill('Before appraisal');
    await page.getByLabel('Day').fill('1');
    await page.getByLabel('Month').fill('1');
    await page.getByLabel('Year').fill(String(new Date().getFullYear() + 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/development\/feedback\/\d+$/);
    const roundUrl = page.url();
    for (const [name, email] of [
      ['Pat Peer', 'pat@nhs.test'],
      ['Pip Peer', 'pip@nhs.test'],
      ['Lee Manager', 'lee@nhs.test'],
    ]) {
      await page.getByLabel('Their name').fill(name!);
      await page.getByLabel('Their email address').fill(email!);
      await page.getByLabel(email === 'lee@nhs.test' ? 'Line manager' : 'Peers').check();
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await page.waitForURL(roundUrl);
    }
    await expectNoAxeViolations(page);

    const rater = await browser.context.newPage();
    for (const email of ['pat@nhs.test', 'pip@nhs.test', 'lee@nhs.test']) {
      const mail = await server.db
        .selectFrom('outbox')
        .select('body_text')
        .where('to_address', '=', email)
        .executeTakeFirstOrThrow();
      const link = /http:\/\/[^/]+(\/feedback\/\S+)/.exec(mail.body_text)![1]!;
      await rater.goto(`${server.url}${link}`);
      if (email === 'pat@nhs.test') await expectNoAxeViolations(rater);
      for (const group of await rater.getByRole('group').all()) {
        const strong = group.getByLabel('4. Highly competent', { exact: true });
        if (await strong.count()) await strong.check();
      }
      await rater.getByLabel(/What does Maya Member do well/).fill(`Listens well (${email.slice(0, 3)})`);
      await rater.getByRole('button', { name: 'Send feedback' }).click();
      await rater.getByRole('heading', { name: 'Thank you for your feedback' }).waitFor();
      const again = await rater.goto(`${server.url}${link}`);
      expect(again?.status()).toBe(410);
    }
    await rater.close();

    await page.goto(roundUrl);
    await page.getByRole('button', { name: 'Close feedback now and see the report' }).click();
    await page.waitForURL(/\/report$/);
    await expectNoAxeViolations(page);
    const report = (await page.locator('main').textContent()) ?? '';
    expect(report).toContain('Other raters (line manager, peers combined)');
    expect(report).not.toMatch(/Peers \(\d\)/);
    expect(await page.locator('svg.app-dev-chart').count()).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.nhsuk-header').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });

    // A plan with a goal linked to a competency.
    await page.goto(`${server.url}/development/plans/new`);
    await page.getByLabel('Name of the plan').fill('My leadership year');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.waitForURL(/\/development\/plans\/\d+$/);
    await page.getByRole('button', { name: 'Add a goal' }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Goal', { exact: true }).fill('Lead a quality improvement project');
    await page
      .getByLabel('Competency this goal develops')
      .selectOption({ label: 'Improving Services: Encouraging Improvement and Innovation' });
    await page.getByLabel('In progress').check();
    await page.getByRole('button', { name: 'Save goal' }).click();
    await page.waitForURL(/\/development\/plans\/\d+$/);
    expect(await page.locator('main').textContent()).toContain('Lead a quality improvement project');
    await expectNoAxeViolations(page);
  }, 120_000);
});
