import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemberProfile } from '../src/modules/members/index.ts';
import { seedCall, seedResponse } from '../test/policy-fixtures.ts';
import {
  type Browser,
  expectNoAxeViolations,
  findChromium,
  launchBrowser,
  startTestServer,
  type TestServer,
} from './browser.ts';

const chromiumPath = findChromium();

describe.skipIf(!chromiumPath)('policy outcomes, the ledger and closing the loop in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let callId: number;
  const password = 'a long e2e password';

  beforeAll(async () => {
    server = await startTestServer();
    const accounts = server.app.services.accounts;
    const owner = await accounts.createUser(
      {
        email: 'pip@nhs.test',
        name: 'Pip Policy',
        password,
        roles: [{ role: 'policy-maker', regionCode: null }],
      },
      'system',
    );
    const member = await accounts.createUser(
      { email: 'mo@nhs.test', name: 'Mo Member', password, roles: [{ role: 'member', regionCode: 'Q34' }] },
      'system',
    );
    await server.db.transaction().execute((trx) =>
      createMemberProfile(
        trx,
        {
          userId: member.id,
          regionCode: 'Q34',
          profession: 'nurse',
          registrationNumber: null,
          organisationId: null,
          jobTitle: 'Matron',
        },
        'system',
      ),
    );
    const call = await seedCall(server.db, {
      ownerUserId: owner.id,
      title: 'Falls in hospital',
      isPublic: true,
    });
    callId = call.callId;
    const q = call.questionIds[0]!;
    const response = await seedResponse(server.db, {
      callId,
      userId: member.id,
      answers: { [q]: 'Sensor mats and more staff at night' },
    });
    const theme = await server.db
      .insertInto('policy_themes')
      .values({ call_id: callId, question_id: q, name: 'Night staffing', description: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await server.db
      .insertInto('policy_theme_assignments')
      .values({ theme_id: theme.id, response_id: response, question_id: q, excerpt: 'more staff at night' })
      .execute();
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

  it('the owner records an outcome and a milestone and publishes the response; the member sees how they were counted and challenges it', async () => {
    const { page } = browser;
    await signIn('pip@nhs.test');
    await page.goto(`${server.url}/policy/ledger`);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: /Record outcomes and the published response/ }).click();
    await expectNoAxeViolations(page);
    await page.locator('#target').selectOption({ index: 1 });
    await page.getByLabel('Not adopted', { exact: true }).check();
    await page.getByLabel('Summary', { exact: true }).fill('Sensor mats in every ward');
    await page.getByLabel('Owner', { exact: true }).fill('Chief Nurse');
    await page.getByLabel('Decided on').fill('2026-12-01');
    await page.getByRole('button', { name: 'Record outcome' }).click();
    expect(await page.locator('.nhsuk-error-summary').textContent()).toContain(
      'Enter the reason it was not adopted',
    );
    expect(await page.title()).toBe('Error: Outcomes: Falls in hospital - Clinical Leaders Network');
    await expectNoAxeViolations(page);
    await page.getByLabel('Adapted', { exact: true }).check();
    await page.getByRole('button', { name: 'Record outcome' }).click();
    await page.waitForURL(`${server.url}/policy/calls/${callId}/outcomes`);
    expect(await page.locator('main').textContent()).toContain('Sensor mats in every ward');
    await page.getByRole('link', { name: /Theme: Night staffing/ }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Milestone', { exact: true }).fill('Business case approved');
    await page.getByLabel('Progress (per cent)').fill('30');
    await page.getByRole('button', { name: 'Add milestone' }).click();
    await page.getByRole('link', { name: 'Business case approved' }).click();
    await expectNoAxeViolations(page);
    await page.goto(`${server.url}/policy/calls/${callId}/outcomes`);
    await page
      .getByLabel('The response to everyone who took part')
      .fill('Thank you: here is what we will do.');
    await page.getByRole('button', { name: 'Publish the response' }).click();
    expect(await page.locator('main').textContent()).toContain('Response published');
    await page.goto(`${server.url}/policy/calls/${callId}/document`);
    await expectNoAxeViolations(page);

    await signIn('mo@nhs.test');
    await page.goto(`${server.url}/policy/contributions`);
    await expectNoAxeViolations(page);
    const text = await page.locator('main').textContent();
    expect(text).toContain('Theme: Night staffing');
    expect(text).toContain('Business case approved');
    await page.getByRole('link', { name: /This misses my point/ }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('How it misses your point').fill('Mats alone will not stop falls at night.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(`${server.url}/policy/contributions`);
    expect(await page.locator('main').textContent()).toContain('Waiting for the team’s answer');

    await signIn('pip@nhs.test');
    await page.goto(`${server.url}/policy/calls/${callId}/challenges`);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: /Answer/ }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Your answer').fill('Night staffing is part of the business case.');
    await page.getByRole('button', { name: 'Send the answer' }).click();
    await page.waitForURL(`${server.url}/policy/calls/${callId}/challenges`);

    await browser.context.clearCookies();
    await page.goto(`${server.url}/policy/ledger`);
    await expectNoAxeViolations(page);
    const ledger = await page.locator('main').textContent();
    expect(ledger).toContain('Falls in hospital');
    expect(ledger).not.toContain('Mo Member');
  });
});
