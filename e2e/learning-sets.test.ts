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

describe.skipIf(!chromiumPath)('action learning sets in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const memberEmails: string[] = [];

  beforeAll(async () => {
    // A budget long enough to look at the progress page while the engine runs.
    server = await startTestServer({ FORMATION_SECONDS: '4' });
    const accounts = server.app.services.accounts;
    await accounts.createUser(
      {
        email: 'lead@nhs.test',
        name: 'Lena Lead',
        password,
        roles: [{ role: 'regional-lead', regionCode: 'Q34' }],
      },
      'system',
    );
    await accounts.createUser(
      {
        email: 'fac@nhs.test',
        name: 'Fred Facilitator',
        password,
        roles: [{ role: 'facilitator', regionCode: 'Q34' }],
      },
      'system',
    );
    const intake = await server.db
      .selectFrom('intakes')
      .select('id')
      .where('region_code', '=', 'Q34')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const trusts = await server.db
      .selectFrom('organisations')
      .select('id')
      .where('kind', '=', 'trust')
      .where('sha_code', '=', 'Q34')
      .limit(3)
      .execute();
    const professions = ['doctor', 'nurse', 'pharmacist', 'midwife'];
    for (let i = 0; i < 12; i++) {
      const email = `member${i}@nhs.test`;
      const u = await accounts.createUser(
        {
          email,
          name: `Member ${String(i).padStart(2, '0')}`,
          password,
          roles: [{ role: 'member', regionCode: 'Q34' }],
        },
        'system',
      );
      memberEmails.push(email);
      await server.db.transaction().execute((trx) =>
        createMemberProfile(
          trx,
          {
            userId: u.id,
            regionCode: 'Q34',
            intakeId: intake.id,
            profession: professions[i % 4]!,
            registrationNumber: null,
            organisationId: trusts[i % trusts.length]?.id ?? null,
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

  it('forms, publishes and shows sets, every page accessible', { timeout: 300_000 }, async () => {
    const { page } = browser;
    page.setDefaultTimeout(10_000);
    await signIn('lead@nhs.test');
    await page.goto(`${server.url}/learning-sets/regions/Q34`);
    await expectNoAxeViolations(page);
    await page.getByLabel('Email address of their account').fill('fac@nhs.test');
    await page.getByLabel('Capacity (most sets they can take)').fill('3');
    await page.getByLabel(/Lead facilitator for the region/).check();
    await page.getByRole('button', { name: 'Save facilitator' }).click();
    await page.waitForURL(`${server.url}/learning-sets/regions/Q34`);
    expect(await page.textContent('main')).toContain('Fred Facilitator (lead facilitator)');

    await page.getByRole('button', { name: 'Form sets for a cohort' }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Cohort').selectOption({ index: 1 });
    await page.getByLabel('Largest set').fill('11');
    await page.getByRole('button', { name: 'Form the sets' }).click();
    expect(await page.title()).toMatch(/^Error: /);
    expect(await page.textContent('.nhsuk-error-summary')).toContain('Sets can have at most 10 members');
    await expectNoAxeViolations(page);
    await page.getByLabel('Largest set').fill('8');
    await page.getByRole('button', { name: 'Form the sets' }).click();
    // The engine runs in worker threads: a progress page that refreshes itself (no JavaScript).
    await page.waitForURL(/\/learning-sets\/formation-jobs\/\d+$/);
    const jobUrl = page.url();
    expect(await page.textContent('main')).toContain('Forming sets…');
    await page.goto(`${jobUrl}?refresh=off`); // still, for axe
    // On a fast machine the engine may already have finished: the job page then sends the
    // browser on to the formation, which is checked below either way.
    if (new URL(page.url()).pathname.startsWith('/learning-sets/formation-jobs/')) {
      expect(await page.textContent('main')).toContain('Check progress again');
      await expectNoAxeViolations(page);
      await page.goto(jobUrl);
    }
    await page.waitForURL(/\/learning-sets\/formations\/\d+$/, { timeout: 60_000 });
    expect(await page.textContent('main')).toContain('What makes it diverse');
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Publish the sets' }).click();
    await page.waitForURL(/\/learning-sets\/formations\/\d+$/);
    expect(await page.textContent('main')).toContain('Published on');

    await signIn('fac@nhs.test');
    await page.goto(`${server.url}/learning-sets`);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: /set A/ }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Date').fill('2027-03-04');
    await page.getByLabel('Start time (UK time)').fill('13:30');
    await page.getByLabel('Place').fill('Education Centre');
    await page.getByRole('button', { name: 'Schedule session' }).click();
    await page.waitForURL(/\/learning-sets\/sessions\/\d+$/);
    await expectNoAxeViolations(page);
    // Attendance: one choice per member, and one group for everyone who presented.
    const attendance = page.locator('form[action$="/attendance"]');
    const present = attendance.locator('input[type="radio"][value="present"]');
    for (let i = 0; i < (await present.count()); i++) await present.nth(i).check();
    const presenters = page.getByRole('group', { name: 'Who presented a problem' });
    const firstPresenter = presenters.getByRole('checkbox').first();
    const presenterName = (await presenters.locator('label').first().textContent())!.trim();
    await firstPresenter.check();
    await page.getByRole('button', { name: 'Save attendance' }).click();
    // The session has not started yet: refused, with what was chosen kept.
    expect(await page.textContent('.nhsuk-error-summary')).toContain(
      'Attendance can be recorded once the session has started',
    );
    expect(
      await page
        .getByRole('group', { name: 'Who presented a problem' })
        .getByLabel(presenterName)
        .isChecked(),
    ).toBe(true);
    expect(
      await page
        .getByRole('group', { name: 'Who presented a problem' })
        .getByRole('checkbox')
        .nth(1)
        .isChecked(),
    ).toBe(false);
    expect(await present.first().isChecked()).toBe(true);
    await expectNoAxeViolations(page);

    await signIn(memberEmails[0]!);
    await page.goto(`${server.url}/learning-sets`);
    await page.getByRole('link', { name: /set [AB]/ }).click();
    expect(await page.textContent('main')).toContain('Fred Facilitator');
    await expectNoAxeViolations(page);
    await page.goto(`${server.url}/learning-sets/calendar`);
    await page.getByRole('button', { name: 'Make a feed address' }).click();
    await expectNoAxeViolations(page);
  });
});
