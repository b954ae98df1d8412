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

const chromiumPath = findChromium();
const password = 'a long e2e password';
const shots = process.env.E2E_SCREENSHOTS;

/**
 * The knowledge library in a real browser, every page checked with axe: a member in the South East
 * writes up an improvement case study for her region with a PDSA cycle and publishes it; searching
 * "A&E frailty" finds it by "emergency department" and "frail"; a member in another region is
 * refused it; the case study's outcome measure is drawn as a run chart with its figures in a table;
 * a team at another trust records that it adapted the idea, and the spread view shows where it has
 * travelled; a public resource's share link opens signed out, and stops working once withdrawn.
 */
describe.skipIf(!chromiumPath)('the knowledge library in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let casePath = '';

  beforeAll(async () => {
    server = await startTestServer();
    const accounts = server.app.services.accounts;
    for (const [key, name, region, ods] of [
      ['kit', 'Kit Keane', 'Q37', 'RA2'],
      ['lou', 'Lou Lowe', 'Q31', 'RBT'],
      ['max', 'Max Moss', 'Q37', 'RPA'],
    ] as const) {
      const user = await accounts.createUser(
        { email: `${key}@nhs.test`, name, password, roles: [{ role: 'member', regionCode: region }] },
        'system',
      );
      const org = await server.db
        .selectFrom('organisations')
        .select('id')
        .where('ods_code', '=', ods)
        .executeTakeFirstOrThrow();
      await server.db.transaction().execute((trx) =>
        createMemberProfile(
          trx,
          {
            userId: user.id,
            regionCode: region,
            profession: 'nurse',
            registrationNumber: null,
            organisationId: org.id,
            jobTitle: 'Consultant nurse',
          },
          'system',
        ),
      );
    }
    browser = await launchBrowser(chromiumPath!);
    browser.context.setDefaultTimeout(10_000);
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

  async function visit(path: string) {
    await browser.page.goto(`${server.url}${path}`);
    await expectNoAxeViolations(browser.page);
  }

  async function shot(name: string) {
    if (shots) await browser.page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  }

  const mainText = async () => (await browser.page.locator('main').textContent()) ?? '';

  it('a member writes up a case study for her region with a PDSA cycle, and publishes it', async () => {
    const { page } = browser;
    await signIn('kit@nhs.test');
    await visit('/knowledge');
    await page.getByRole('button', { name: 'Add to the library' }).click();
    await expectNoAxeViolations(page);

    // A review-by date before the reviewed-on date is refused with the error summary.
    await page.getByLabel('Improvement case study').check();
    await page.getByLabel('Title', { exact: true }).fill('Frailty at the front door');
    await page
      .getByLabel('Summary', { exact: true })
      .fill('A frailty practitioner in the emergency department saw frail older people on arrival.');
    await page
      .getByLabel('Problem (optional)')
      .fill('Frail older people waited hours in the emergency department and were admitted by default.');
    await page.getByLabel('Aim (optional)').fill('Same-day assessment for 80% of frail arrivals by March.');
    await page.getByLabel('Care setting (optional)').selectOption('acute');
    await page.getByLabel('Organisations involved (optional)').fill('RA2');
    await page.getByLabel('Region', { exact: true }).selectOption('Q37');
    await page.getByLabel('Reviewed on (optional)').fill('2026-11-01');
    await page.getByLabel('Review by (optional)').fill('2026-10-01');
    await page.getByLabel('One region only').check();
    await page.getByRole('button', { name: 'Save as a draft' }).click();
    await expectNoAxeViolations(page);
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toMatch(/review/i);
    await shot('knowledge-form-error');

    await page.getByLabel('Review by (optional)').fill('2027-11-01');
    await page.getByRole('button', { name: 'Save as a draft' }).click();
    await page.waitForURL(/\/knowledge\/items\/\d+$/);
    casePath = new URL(page.url()).pathname;
    await expectNoAxeViolations(page);

    await page.getByLabel('Plan').fill('A frailty nurse at triage on weekday mornings');
    await page.getByLabel('Prediction').fill('Fewer admissions of people over 80');
    await page.getByLabel('What happened').fill('Nine in ten were seen within the hour');
    await page.getByRole('button', { name: 'Add the cycle' }).click();
    await page.waitForURL(`${server.url}${casePath}#cycles`);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(`${server.url}${casePath}`);
    await expectNoAxeViolations(page);
    const text = await mainText();
    expect(text).toContain('A frailty nurse at triage on weekday mornings');
    expect(text).toContain('Royal Surrey');
    await shot('knowledge-case-study');
  });

  it('searching "A&E frailty" finds it by "emergency department" and "frail", and says why', async () => {
    const { page } = browser;
    await visit('/knowledge/search');
    await page
      .getByLabel(/search/i)
      .first()
      .fill('A&E frailty');
    await page
      .getByRole('button', { name: /search/i })
      .first()
      .click();
    await page.waitForURL(/\/knowledge\/search\?/);
    await expectNoAxeViolations(page);
    const results = await mainText();
    expect(results).toContain('Frailty at the front door');
    // The match is highlighted in the text shown as why it was found.
    expect(await page.locator('main mark').count()).toBeGreaterThan(0);
    await shot('knowledge-search');
  });

  it('a member of another region is refused the region-only case study', async () => {
    const { page } = browser;
    await signIn('lou@nhs.test');
    const res = await page.goto(`${server.url}${casePath}`);
    expect(res?.status()).toBe(404);
    await expectNoAxeViolations(page);
    await visit('/knowledge/search?q=frailty');
    expect(await mainText()).not.toContain('Frailty at the front door');
  });

  it('an outcome measure over time is drawn as a run chart, with the figures as a table too', async () => {
    const { page } = browser;
    await signIn('kit@nhs.test');
    await visit(`${casePath}/measures`);
    await page.getByLabel('Outcome measure').check();
    await page.getByLabel('Name', { exact: true }).fill('People over 80 admitted');
    await page.getByLabel('Unit (optional)').fill('per cent');
    await page.getByRole('button', { name: 'Add the measure' }).click();
    await page.waitForURL(/\/measures#measure-\d+$/);
    for (const [on, value] of [
      ['2026-08-03', '71'],
      ['2026-08-10', '70'],
      ['2026-08-17', '72'],
      ['2026-09-07', '64'],
      ['2026-09-14', '61'],
      ['2026-09-21', '58'],
    ]) {
      await page.getByLabel('Date measured').fill(on!);
      await page.locator('input[name="value"]').fill(value!);
      await page.getByRole('button', { name: 'Add the value' }).click();
      await page.waitForURL(/\/measures#measure-\d+$/);
    }
    await expectNoAxeViolations(page);
    const chart = page.locator('svg.app-run-chart');
    await expect(chart.count()).resolves.toBe(1);
    expect(await chart.getAttribute('role')).toBe('img');
    const figures = (await page.locator('main table').first().textContent()) ?? '';
    for (const v of ['71', '58']) expect(figures).toContain(v);
    await shot('knowledge-run-chart');
  });

  it('a team at another trust records that it adapted the idea; the spread view shows where it went', async () => {
    const { page } = browser;
    await signIn('max@nhs.test');
    await visit(`${casePath}/spread`);
    await page.getByLabel('Adapted to fit').check();
    await page.getByLabel('When did it start?').fill('2026-11-16');
    await page
      .getByLabel('What you changed and what you learnt (optional)')
      .fill('We ran it from the acute medical unit rather than triage.');
    await page.getByRole('button', { name: 'Record the adoption' }).click();
    await page.waitForURL(/\/adoptions\/\d+$/);
    await expectNoAxeViolations(page);
    await visit(`${casePath}/spread`);
    const spread = await mainText();
    expect(spread).toContain('Medway');
    expect(spread).toContain('South East Coast');
    expect(spread).toContain('Adapted to fit');
    await shot('knowledge-spread');
  });

  it('a public resource’s share link opens signed out, and not once it is withdrawn', async () => {
    const { page } = browser;
    await signIn('kit@nhs.test');
    await visit('/knowledge/items/new');
    await page.getByLabel('Resource', { exact: true }).check();
    await page.getByLabel('Title', { exact: true }).fill('Frailty screening toolkit');
    await page
      .getByLabel('Summary', { exact: true })
      .fill('Clinical Frailty Scale posters and a triage prompt card.');
    await page.getByLabel('Link to the resource (optional)').fill('https://www.england.nhs.uk/frailty/');
    await page.getByLabel('Anyone (public)').check();
    await page.getByRole('button', { name: 'Save as a draft' }).click();
    await page.waitForURL(/\/knowledge\/items\/\d+$/);
    const itemPath = new URL(page.url()).pathname;
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.waitForURL(`${server.url}${itemPath}`);

    await visit(`${itemPath}/share-links`);
    await page.getByRole('button', { name: 'Make a share link' }).click();
    await expectNoAxeViolations(page);
    const url = await page.getByLabel('Share link').inputValue();
    expect(url).toMatch(/\/knowledge\/shared\//);
    const shared = new URL(url).pathname;

    await browser.context.clearCookies();
    await visit(shared);
    expect(await mainText()).toContain('Frailty screening toolkit');
    expect(new URL(page.url()).pathname).toBe(shared); // no login wall
    await shot('knowledge-shared');

    await signIn('kit@nhs.test');
    await visit(`${itemPath}/share-links`);
    await page
      .getByRole('button', { name: /withdraw/i })
      .first()
      .click();
    await expectNoAxeViolations(page);
    await browser.context.clearCookies();
    const gone = await page.goto(`${server.url}${shared}`);
    expect(gone?.status()).toBe(404);
    await expectNoAxeViolations(page);
  });
});
