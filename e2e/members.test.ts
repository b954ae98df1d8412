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

describe.skipIf(!chromiumPath)('members in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a long e2e password';

  beforeAll(async () => {
    server = await startTestServer();
    const accounts = server.app.services.accounts;
    const maya = await accounts.createUser(
      {
        email: 'maya@nhs.test',
        name: 'Maya Okonkwo',
        password,
        roles: [{ role: 'member', regionCode: 'Q34' }],
      },
      'system',
    );
    const other = await accounts.createUser(
      {
        email: 'sam@nhs.test',
        name: 'Sam Whitfield',
        password,
        roles: [{ role: 'member', regionCode: 'Q34' }],
      },
      'system',
    );
    const org = await server.db
      .selectFrom('organisations')
      .select('id')
      .where('ods_code', '=', 'R0A')
      .executeTakeFirstOrThrow();
    for (const u of [maya, other]) {
      await server.db.transaction().execute((trx) =>
        createMemberProfile(
          trx,
          {
            userId: u.id,
            regionCode: 'Q34',
            profession: 'doctor',
            registrationNumber: '1234567',
            organisationId: org.id,
            jobTitle: 'Consultant physician',
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

  it('edits a profile, searches the directory with a typo and opens organisation pages, all accessible', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email address').fill('maya@nhs.test');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/member`);

    await page.goto(`${server.url}/profile`);
    expect(await page.title()).toBe('Your profile - Clinical Leaders Network');
    await expectNoAxeViolations(page);

    await page.goto(`${server.url}/profile/edit`);
    await expectNoAxeViolations(page);
    await page.getByLabel('Professional registration number').fill('12');
    await page.getByRole('button', { name: 'Save your profile' }).click();
    expect(await page.locator('.nhsuk-error-summary').textContent()).toContain(
      'Enter a GMC number in the correct format',
    );
    expect(await page.title()).toBe('Error: Edit your profile - Clinical Leaders Network');
    await expectNoAxeViolations(page);
    await page.getByLabel('Professional registration number').fill('7654321');
    await page.getByLabel('Interests').fill('sepsis, virtual wards');
    await page.getByLabel('Biography').fill('I lead **sepsis** work.');
    await page.getByRole('button', { name: 'Save your profile' }).click();
    await page.waitForURL(`${server.url}/profile`);
    expect(await page.locator('.nhsuk-notification-banner').textContent()).toContain(
      'Your profile has been updated',
    );
    await expectNoAxeViolations(page);

    await page.goto(`${server.url}/directory`);
    await expectNoAxeViolations(page);
    await page.getByLabel('Name').fill('Whitfeld');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Sam Whitfield' }).click();
    expect(await page.title()).toBe('Sam Whitfield - Clinical Leaders Network');
    await expectNoAxeViolations(page);

    await page.goto(`${server.url}/organisations/R0A`);
    await page.getByRole('main').getByRole('link', { name: 'Maya Okonkwo' }).waitFor();
    await expectNoAxeViolations(page);
    await page.goto(`${server.url}/organisations?q=manchester`);
    await expectNoAxeViolations(page);
    await page.goto(`${server.url}/regions/Q34/members`);
    await page.getByRole('link', { name: 'Sam Whitfield' }).waitFor();
    await expectNoAxeViolations(page);
    await page.goto(`${server.url}/profile/photo`);
    await expectNoAxeViolations(page);
    await page.goto(`${server.url}/profile/erasure`);
    await expectNoAxeViolations(page);
  });
});
