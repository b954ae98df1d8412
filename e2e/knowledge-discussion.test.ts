import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemberProfile } from '../src/modules/members/index.ts';
import type { RoleGrant } from '../src/platform/permissions.ts';
import { seedItem } from '../test/knowledge-fixtures.ts';
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
 * A discussion on a region-only case study in a real browser, every page checked with axe: a member
 * asks a question mentioning a colleague, who replies; the asker accepts the answer; another reply
 * is reported, and the regional lead hides it from the moderation queue, then restores it.
 */
describe.skipIf(!chromiumPath)('discussion and moderation in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let discussion = '';

  beforeAll(async () => {
    server = await startTestServer();
    const accounts = server.app.services.accounts;
    const org = await server.db
      .selectFrom('organisations')
      .select('id')
      .where('ods_code', '=', 'RA2')
      .executeTakeFirstOrThrow();
    const ids: Record<string, number> = {};
    for (const [key, name, roles] of [
      ['kit', 'Kit Keane', [{ role: 'member', regionCode: 'Q37' }]],
      ['ash', 'Ash Ahmed', [{ role: 'member', regionCode: 'Q37' }]],
      ['rae', 'Rae Rowe', [{ role: 'member', regionCode: 'Q37' }]],
      ['lee', 'Lee Lead', [{ role: 'regional-lead', regionCode: 'Q37' }]],
    ] as const) {
      const user = await accounts.createUser(
        { email: `${key}@nhs.test`, name, password, roles: roles as unknown as RoleGrant[] },
        'system',
      );
      ids[key] = user.id;
      if (key === 'lee') continue;
      await server.db.transaction().execute((trx) =>
        createMemberProfile(
          trx,
          {
            userId: user.id,
            regionCode: 'Q37',
            profession: 'nurse',
            registrationNumber: null,
            organisationId: org.id,
            jobTitle: 'Consultant nurse',
          },
          'system',
        ),
      );
    }
    const item = await seedItem(server.db, {
      ownerUserId: ids.kit!,
      title: 'Frailty at the front door',
      visibility: 'region',
      regionCode: 'Q37',
    });
    discussion = `/knowledge/items/${item}/discussion`;
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

  it('a question with a mention; an empty post is refused with the error summary', async () => {
    const { page } = browser;
    await signIn('ash@nhs.test');
    await visit('/knowledge');
    await visit(discussion);
    await page.getByRole('button', { name: 'Post' }).click();
    await expectNoAxeViolations(page);
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Enter your post');

    await page.getByLabel('A question').check();
    await page.getByLabel('Your post').fill('Who staffs **frailty** triage overnight?');
    await page.getByLabel('Mention people (optional)').fill('rae@nhs.test');
    await page.getByRole('button', { name: 'Post' }).click();
    await page.waitForURL(/\/discussion#post-\d+$/);
    await expectNoAxeViolations(page);
    const text = await mainText();
    expect(text).toContain('Your question is posted');
    expect(text).toContain('Mentions: Rae Rowe');
    await shot('knowledge-discussion-question');
  });

  it('the mentioned colleague replies twice, and the asker accepts the first as the answer', async () => {
    const { page } = browser;
    await signIn('rae@nhs.test');
    await visit(discussion);
    await page
      .getByRole('link', { name: /^Reply/ })
      .first()
      .click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Your reply').fill('Two nurses from 8pm, with a geriatrician on call.');
    await page.getByRole('button', { name: 'Post the reply' }).click();
    await page.waitForURL(/\/discussion#post-\d+$/);
    await page
      .getByRole('link', { name: /^Reply/ })
      .first()
      .click();
    await page.getByLabel('Your reply').fill('Ward 7 is useless at this, everyone knows it.');
    await page.getByRole('button', { name: 'Post the reply' }).click();
    await page.waitForURL(/\/discussion#post-\d+$/);

    await signIn('ash@nhs.test');
    await visit(discussion);
    await page.getByRole('button', { name: 'Mark as the accepted answer' }).first().click();
    await page.waitForURL(/\/discussion#post-\d+$/);
    await expectNoAxeViolations(page);
    const text = await mainText();
    expect(text).toContain('The reply is marked as the accepted answer');
    expect(text).toContain('Accepted answer');
    await shot('knowledge-discussion-accepted');

    // The second reply is reported to the moderators.
    await page
      .getByRole('link', { name: /^Report/ })
      .last()
      .click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Why are you reporting this post?').fill('It is rude about a ward team.');
    await page.getByRole('button', { name: 'Report the post' }).click();
    await page.waitForURL(/\/discussion#post-\d+$/);
    await expectNoAxeViolations(page);
  });

  it('the regional lead hides the reported reply from the queue, and restores it', async () => {
    const { page } = browser;
    await signIn('lee@nhs.test');
    await visit('/knowledge/moderation');
    expect(await mainText()).toContain('It is rude about a ward team.');
    await page.getByRole('link', { name: /A post by Rae Rowe/ }).click();
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Hide the post' }).click();
    await expectNoAxeViolations(page);
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain(
      'Enter why you are hiding this post',
    );
    await page.getByLabel('Why are you hiding it?').fill('Unkind about colleagues.');
    await page.getByRole('button', { name: 'Hide the post' }).click();
    await page.waitForURL(/\/moderate$/);
    await expectNoAxeViolations(page);
    await shot('knowledge-moderation');
    const moderate = new URL(page.url()).pathname;

    await signIn('ash@nhs.test');
    await visit(discussion);
    const text = await mainText();
    expect(text).toContain('This post was hidden by a moderator.');
    expect(text).not.toContain('Ward 7 is useless');
    expect(text).toContain('Two nurses from 8pm');

    await signIn('lee@nhs.test');
    await visit(moderate);
    await page.getByRole('button', { name: 'Restore the post' }).click();
    await page.waitForURL(/\/moderate$/);
    await expectNoAxeViolations(page);
    await visit('/knowledge/moderation');
    expect(await mainText()).toContain('Nothing is waiting for a moderator');
  });
});
