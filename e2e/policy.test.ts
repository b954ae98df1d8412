import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemberProfile } from '../src/modules/members/index.ts';
import { seedCall } from '../test/policy-fixtures.ts';
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
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Eight members of two regions; their answers fall into two clear topics, so themes are suggested. */
const MEMBERS = [
  {
    key: 'ada',
    region: 'Q34',
    profession: 'nurse',
    text: 'We do not have enough nurses on the night shift and the rota gaps are filled by agency staff.',
  },
  {
    key: 'ben',
    region: 'Q34',
    profession: 'doctor',
    text: 'Staffing levels are the problem: rota gaps every weekend mean agency staff who do not know the department.',
  },
  {
    key: 'cal',
    region: 'Q34',
    profession: 'pharmacist',
    text: 'More permanent nurses. The rota gaps at night leave the department unsafe and agency staff cost a fortune.',
  },
  {
    key: 'dee',
    region: 'Q34',
    profession: 'nurse',
    text: 'Fill the rota gaps with permanent staff rather than agency staff; staffing levels for nurses matter.',
  },
  {
    key: 'eve',
    region: 'Q35',
    profession: 'doctor',
    text: 'Ambulance handover delays keep crews waiting outside for hours; corridor care has become normal.',
  },
  {
    key: 'fay',
    region: 'Q35',
    profession: 'nurse',
    text: 'Patients wait in the back of ambulances because handover delays are routine; corridor care every day.',
  },
  {
    key: 'gus',
    region: 'Q35',
    profession: 'midwife',
    text: 'Corridor care and ambulance handover delays are the result of no beds upstairs for admitted patients.',
  },
  {
    key: 'hal',
    region: 'Q35',
    profession: 'doctor',
    text: 'Crews stuck in ambulance handover queues cannot reach the next patient; handover delays and corridor care cost lives.',
  },
] as const;
const email = (key: string) => `${key}@nhs.test`;

describe.skipIf(!chromiumPath)('the policy channel end to end in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let callId: number;
  const organisationNames = new Map<string, string>();

  beforeAll(async () => {
    server = await startTestServer();
    const accounts = server.app.services.accounts;
    await accounts.createUser(
      {
        email: 'nat@nhs.test',
        name: 'Nia National',
        password,
        roles: [{ role: 'national', regionCode: null }],
      },
      'system',
    );
    const pip = await accounts.createUser(
      {
        email: 'pip@nhs.test',
        name: 'Pip Policy',
        password,
        roles: [{ role: 'policy-maker', regionCode: null }],
      },
      'system',
    );
    for (const region of ['Q34', 'Q35']) {
      const trusts = await server.db
        .selectFrom('organisations')
        .select(['id', 'name'])
        .where('kind', '=', 'trust')
        .where('sha_code', '=', region)
        .orderBy('id')
        .limit(4)
        .execute();
      const members = MEMBERS.filter((m) => m.region === region);
      for (const [i, m] of members.entries()) {
        const user = await accounts.createUser(
          {
            email: email(m.key),
            name: `${m.key.charAt(0).toUpperCase()}${m.key.slice(1)} ${region}`,
            password,
            roles: [{ role: 'member', regionCode: region }],
          },
          'system',
        );
        const trust = trusts[i % trusts.length]!;
        organisationNames.set(m.key, trust.name);
        await server.db.transaction().execute((trx) =>
          createMemberProfile(
            trx,
            {
              userId: user.id,
              regionCode: region,
              profession: m.profession,
              registrationNumber: null,
              organisationId: trust.id,
              jobTitle: 'Consultant',
            },
            'system',
          ),
        );
      }
    }
    // A call long past its response-due date, so the ledger has an overdue one to put first.
    await seedCall(server.db, {
      ownerUserId: pip.id,
      title: 'Discharge to assess',
      closesOn: day(-100),
      opensOn: day(-130),
      responseDueOn: day(-16),
      isPublic: true,
    });
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

  const mainText = async () => (await browser.page.locator('main').textContent()) ?? '';

  async function changeState(to: string) {
    const { page } = browser;
    await page.getByLabel(to, { exact: true }).check();
    await page.getByRole('button', { name: 'Change state' }).click();
    await page.waitForURL(`${server.url}/policy/calls/${callId}`);
    await expectNoAxeViolations(page);
  }

  it('a policy maker records their named role, the national team names them safety lead, and they draft, schedule and open a call', async () => {
    const { page } = browser;
    await signIn('pip@nhs.test');
    await visit('/policy/staff');
    await page.getByLabel('Your named role').fill('Deputy Director, Urgent and Emergency Care, DHSC');
    await page.getByRole('button', { name: 'Save your named role' }).click();
    await page.waitForURL(`${server.url}/policy/staff`);
    await expectNoAxeViolations(page);
    expect(await mainText()).toContain('Deputy Director, Urgent and Emergency Care, DHSC');

    await signIn('nat@nhs.test');
    await visit('/policy/staff');
    await page.getByRole('link', { name: 'Change the record of Pip Policy' }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('A named patient-safety lead').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${server.url}/policy/staff`);
    expect(await page.locator('table').textContent()).toContain('Safety lead');

    await signIn('pip@nhs.test');
    await visit('/policy/calls/new');
    await page.getByLabel('Consultation', { exact: true }).check();
    await page.getByLabel('Title', { exact: true }).fill('The front door of urgent care');
    await page
      .getByLabel('Summary', { exact: true })
      .fill('What would make the biggest difference at the front door of emergency departments?');
    await page.getByLabel('Opens on').fill(day(0));
    await page.getByLabel('Closes on').fill(day(14));
    const regions = page.getByRole('group', { name: 'Regions' });
    await regions.getByLabel('West Midlands', { exact: true }).check();
    await regions.getByLabel('East of England', { exact: true }).check();
    await page.getByLabel('List this call and what was decided on the public ledger').check();
    await page.getByRole('button', { name: /Create|Save|draft/i }).click();
    await page.waitForURL(/\/policy\/calls\/\d+/);
    await expectNoAxeViolations(page);
    callId = Number(/\/policy\/calls\/(\d+)/.exec(page.url())![1]);

    await visit(`/policy/calls/${callId}/questions`);
    await page.getByLabel('Open text', { exact: true }).check();
    await page.getByLabel('Question', { exact: true }).fill('What would make the biggest difference?');
    await page.getByLabel('Length limit (open text)').fill('1000');
    await page.getByRole('button', { name: 'Add question' }).click();
    await page.waitForURL(`${server.url}/policy/calls/${callId}/questions`);
    await expectNoAxeViolations(page);
    await page.getByLabel('Single choice', { exact: true }).check();
    await page.getByLabel('Question', { exact: true }).fill('Where do you mostly work?');
    await page
      .getByLabel('Options (single choice, multiple choice, ranking)')
      .fill('Emergency department\nWard\nCommunity');
    await page.getByRole('button', { name: 'Add question' }).click();
    await page.waitForURL(`${server.url}/policy/calls/${callId}/questions`);
    await expectNoAxeViolations(page);
    const questions = await mainText();
    expect(questions).toContain('What would make the biggest difference?');
    expect(questions).toContain('Where do you mostly work?');

    await visit(`/policy/calls/${callId}`);
    await changeState('Scheduled');
    await changeState('Open');
    expect(await mainText()).toContain('Open');
  });

  it('members of two regions respond: confidentially, for their organisation, with a safety concern, and from a draft', async () => {
    const { page } = browser;
    for (const [i, m] of MEMBERS.entries()) {
      await signIn(email(m.key));
      await visit('/policy');
      await page.getByRole('link', { name: 'The front door of urgent care' }).click();
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Respond to this call' }).click();
      await page.waitForURL(`${server.url}/policy/calls/${callId}/respond`);
      await expectNoAxeViolations(page);
      await page.getByLabel('What would make the biggest difference?').fill(m.text);
      await page.getByLabel(['Emergency department', 'Ward', 'Community'][i % 3]!, { exact: true }).check();
      if (m.key === 'ada') await page.getByLabel('Keep my response confidential to the policy team').check();
      if (m.key === 'eve') await page.getByLabel(`On behalf of ${organisationNames.get('eve')}`).check();
      if (m.key === 'gus') {
        await page.getByLabel('My response raises a patient-safety concern').check();
        await page
          .getByLabel('Summary of the concern')
          .fill('Patients on trolleys in the corridor overnight with no observations recorded.');
      }
      if (m.key === 'ben') {
        await page.getByRole('button', { name: 'Save draft' }).click();
        await page.waitForLoadState();
        await expectNoAxeViolations(page);
        await visit(`/policy/calls/${callId}`);
        await page.getByRole('button', { name: 'Continue your response' }).click();
        await expectNoAxeViolations(page);
        expect(await page.getByLabel('What would make the biggest difference?').inputValue()).toBe(m.text);
      }
      await page.getByRole('button', { name: 'Send response' }).click();
      await page.waitForLoadState();
      await expectNoAxeViolations(page);
      expect(await mainText()).not.toContain('There is a problem');
    }
    const responses = await server.db
      .selectFrom('policy_responses')
      .select(['status', 'confidential', 'on_behalf_of_organisation_id'])
      .where('call_id', '=', callId)
      .execute();
    expect(responses).toHaveLength(8);
    expect(responses.every((r) => r.status === 'submitted')).toBe(true);
    expect(responses.filter((r) => r.confidential)).toHaveLength(1);
    expect(responses.filter((r) => r.on_behalf_of_organisation_id !== null)).toHaveLength(1);
  });

  it('the safety lead sees the concern and acknowledges it', async () => {
    const { page } = browser;
    await signIn('pip@nhs.test');
    await visit('/policy/safety');
    expect(await mainText()).toContain('Awaiting acknowledgement');
    await page
      .getByRole('link', { name: /trolleys|The front door of urgent care|View|Open/ })
      .first()
      .click();
    await expectNoAxeViolations(page);
    expect(await mainText()).toContain('Patients on trolleys in the corridor');
    await page
      .getByLabel('Note to the person who raised it')
      .fill('Thank you: the trust’s medical director is looking at this today.');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page);
    expect(await mainText()).toContain('Acknowledged');
  });

  it(
    'the policy maker closes the call, counts an answer under a theme, and accepts one suggested theme and rejects another',
    { timeout: 240_000 },
    async () => {
      const { page } = browser;
      await signIn('pip@nhs.test');
      await visit(`/policy/calls/${callId}`);
      await changeState('Closed');
      const question = await server.db
        .selectFrom('policy_call_questions')
        .select('id')
        .where('call_id', '=', callId)
        .where('kind', '=', 'text')
        .executeTakeFirstOrThrow();
      const questionPage = `${server.url}/policy/calls/${callId}/analysis/questions/${question.id}`;
      await visit(`/policy/calls/${callId}/analysis`);
      await visit(`/policy/calls/${callId}/analysis/questions/${question.id}`);
      await page.getByLabel('Name', { exact: true }).fill('Night staffing');
      await page.getByRole('button', { name: 'Add theme' }).click();
      await page.waitForURL(/\/policy\/themes\/\d+$/);
      await expectNoAxeViolations(page);
      await visit(`/policy/calls/${callId}/analysis/questions/${question.id}`);
      await page.getByLabel('Theme', { exact: true }).first().selectOption({ label: 'Night staffing' });
      await page.getByRole('button', { name: 'Count under theme' }).first().click();
      await page.waitForLoadState();
      await expectNoAxeViolations(page);
      expect(await mainText()).not.toContain('There is a problem');

      // Suggested themes: a job in a worker thread whose page refreshes itself until they are saved.
      await page.getByRole('button', { name: /^Suggest themes/ }).click();
      await page.waitForURL(
        (u) => u.pathname.startsWith('/policy/suggestion-jobs/') || u.href.startsWith(questionPage),
      );
      if (page.url().includes('/policy/suggestion-jobs/')) {
        // The progress page refreshes itself: axe checks its still version, then it carries on.
        const jobUrl = page.url().split('?')[0]!;
        await page.goto(`${jobUrl}?refresh=off`);
        if (page.url().includes('/policy/suggestion-jobs/')) await expectNoAxeViolations(page);
        await page.goto(jobUrl);
      }
      await page.waitForURL((u) => u.href.startsWith(questionPage), { timeout: 120_000 });
      await expectNoAxeViolations(page);
      const suggested = page.getByRole('button', { name: 'Accept suggestion' });
      expect(await suggested.count(), 'two topics give at least two suggestions').toBeGreaterThanOrEqual(2);
      await suggested.first().click();
      await page.waitForURL(/\/policy\/themes\/\d+$/);
      await expectNoAxeViolations(page);
      await visit(`/policy/calls/${callId}/analysis/questions/${question.id}`);
      await page.getByRole('button', { name: 'Reject suggestion' }).first().click();
      await page.waitForLoadState();
      await expectNoAxeViolations(page);
      const decided = await server.db
        .selectFrom('policy_theme_suggestions')
        .select('status')
        .where('call_id', '=', callId)
        .execute();
      expect(decided.filter((d) => d.status === 'accepted')).toHaveLength(1);
      expect(decided.filter((d) => d.status === 'rejected')).toHaveLength(1);
      await visit(`/policy/calls/${callId}/analysis`);
      expect(await mainText()).toContain('Night staffing');
    },
  );

  it('a member asks the network a question, another supports it, the policy maker answers, and it is found by search', async () => {
    const { page } = browser;
    await signIn(email('ada'));
    await visit('/policy/questions');
    await visit('/policy/questions/new');
    await page
      .getByLabel('Your question in a line')
      .fill('Will handover standards cover community hospitals?');
    await page
      .getByLabel('The detail')
      .fill('Our community beds take ambulance handovers from the acute trust at night.');
    await page.getByLabel('The whole network').check();
    await page.getByRole('button', { name: 'Send your question' }).click();
    await page.waitForURL(/\/policy\/questions\/\d+$/);
    await expectNoAxeViolations(page);
    const questionUrl = page.url();

    await signIn(email('hal'));
    await page.goto(questionUrl);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Support this question' }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page);
    expect(await mainText()).not.toContain('There is a problem');

    await signIn('pip@nhs.test');
    await visit('/policy/questions');
    expect(await mainText()).toContain('Will handover standards cover community hospitals?');
    await page.goto(questionUrl);
    await page
      .getByLabel('Your answer')
      .fill('Yes: community hospitals taking handovers are in scope of the standard.');
    await page.getByRole('button', { name: 'Publish the answer' }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page);
    expect(await mainText()).toContain('community hospitals taking handovers are in scope');

    await signIn(email('cal'));
    await visit('/policy/questions?tab=answered');
    await page.getByLabel('Search answered questions').fill('handovers');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page);
    expect(await mainText()).toContain('Will handover standards cover community hospitals?');
  });

  it(
    'the policy maker publishes what was decided on this call: adopted, adapted, not adopted with a reason and deferred, with owners, dates and a milestone',
    { timeout: 240_000 },
    async () => {
      const { page } = browser;
      await signIn('pip@nhs.test');
      await visit(`/policy/calls/${callId}/outcomes`);
      const themeOptions = await page.locator('#target option').allTextContents();
      const otherTheme = themeOptions.find((t) => t.startsWith('Theme:') && !t.includes('Night staffing'));
      expect(otherTheme, 'the accepted suggestion is a theme to decide on').toBeDefined();
      const decisions = [
        {
          about: 'Theme: Night staffing',
          decision: 'Adopted',
          summary: 'Every emergency department staffs its night rota to the agreed level.',
          owner: 'Chief Nursing Officer for England',
        },
        {
          about: otherTheme!.trim(),
          decision: 'Adapted',
          summary: 'A national standard for ambulance handover, phased in over a year.',
          owner: 'Deputy Director, Urgent and Emergency Care, DHSC',
        },
        {
          about: 'Question 2: Where do you mostly work?',
          decision: 'Not adopted',
          summary: 'Separate rules for each setting.',
          reason: 'One standard across settings is simpler to follow and to check.',
          owner: 'Deputy Director, Urgent and Emergency Care, DHSC',
        },
        {
          about: 'Question 1: What would make the biggest difference?',
          decision: 'Deferred',
          summary: 'Funding for more permanent posts waits for the spending review.',
          owner: 'Director of Finance, NHS England',
        },
      ];
      for (const d of decisions) {
        const option = page.locator('#target option', { hasText: d.about }).first();
        await page.locator('#target').selectOption((await option.getAttribute('value'))!);
        await page.getByLabel(d.decision, { exact: true }).check();
        await page.getByLabel('Summary', { exact: true }).fill(d.summary);
        if (d.reason) await page.getByLabel('Reason (required when not adopted)').fill(d.reason);
        await page.getByLabel('Owner', { exact: true }).fill(d.owner);
        await page.getByLabel('Decided on').fill(day(0));
        await page.getByRole('button', { name: 'Record outcome' }).click();
        await page.waitForURL(`${server.url}/policy/calls/${callId}/outcomes`);
        await expectNoAxeViolations(page);
        expect(await mainText()).not.toContain('There is a problem');
      }
      const outcomes = await mainText();
      for (const d of decisions) expect(outcomes).toContain(d.summary);
      expect(outcomes).toContain('One standard across settings is simpler to follow and to check.');

      await page
        .getByRole('link', { name: /Theme: Night staffing/ })
        .first()
        .click();
      await expectNoAxeViolations(page);
      await page.getByLabel('Milestone', { exact: true }).fill('Night rota standard agreed');
      await page.getByLabel('Due on (optional)').fill(day(60));
      await page.getByLabel('Progress (per cent)').fill('0');
      await page.getByRole('button', { name: 'Add milestone' }).click();
      await page.waitForLoadState();
      await expectNoAxeViolations(page);
      expect(await mainText()).toContain('Night rota standard agreed');
    },
  );

  it('a contributor counted under the theme is emailed when its milestone moves, and sees “you said, we did” on their contributions page', async () => {
    const { page } = browser;
    const counted = await server.db
      .selectFrom('policy_theme_assignments as a')
      .innerJoin('policy_themes as t', 't.id', 'a.theme_id')
      .innerJoin('policy_responses as r', 'r.id', 'a.response_id')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['u.email'])
      .where('t.call_id', '=', callId)
      .where('t.name', '=', 'Night staffing')
      .where('a.removed_at', 'is', null)
      .executeTakeFirstOrThrow();
    const milestoneMails = () =>
      server.db
        .selectFrom('outbox')
        .select(['subject', 'body_text'])
        .where('to_address', '=', counted.email)
        .where('kind', '=', 'policy.outcome-changed')
        .where('body_text', 'like', '%Night rota standard agreed%')
        .execute();
    const before = (await milestoneMails()).length;
    expect(before, 'the new milestone was told once').toBe(1);

    await signIn('pip@nhs.test');
    await visit(`/policy/calls/${callId}/outcomes`);
    await page.getByRole('link', { name: 'Night rota standard agreed' }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Status', { exact: true }).selectOption({ label: 'In progress' });
    await page.getByLabel('Progress (per cent)').fill('40');
    await page.getByLabel('Note (optional)').fill('Draft standard out to trusts for comment');
    await page.getByRole('button', { name: 'Save milestone' }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page);
    expect(await mainText()).not.toContain('There is a problem');

    const mails = await milestoneMails();
    expect(mails).toHaveLength(before + 1);
    expect(mails.at(-1)!.subject).toBe('What was decided: The front door of urgent care');
    expect(mails.at(-1)!.body_text).toContain(
      'The milestone “Night rota standard agreed” is now in progress, 40% done: Draft standard out to trusts for comment',
    );

    await signIn(counted.email);
    await visit('/policy/contributions');
    const said = await mainText();
    expect(said).toContain('The front door of urgent care');
    expect(said).toContain('How your response was counted');
    expect(said).toContain('Night staffing');
    expect(said).toContain('Every emergency department staffs its night rota to the agreed level.');
    expect(said).toContain('Adopted');
    expect(said).toContain('Night rota standard agreed');
    expect(said).toContain('40%');
  });

  it('the call concludes with its published response, and the public ledger puts the overdue call first, then this one with what was decided', async () => {
    const { page } = browser;
    await signIn('pip@nhs.test');
    await visit(`/policy/calls/${callId}/outcomes`);
    await page
      .getByLabel('The response to everyone who took part')
      .fill('Thank you to the 8 clinicians who responded: here is what we heard and what we will do.');
    await page.getByRole('button', { name: 'Publish the response' }).click();
    await page.waitForLoadState();
    await expectNoAxeViolations(page);
    expect(await mainText()).toContain('Response published');
    await visit(`/policy/calls/${callId}`);
    await changeState('Concluded');
    await visit(`/policy/calls/${callId}/document`);
    expect(await mainText()).toContain(
      'Every emergency department staffs its night rota to the agreed level.',
    );

    await browser.context.clearCookies();
    await visit('/policy/ledger');
    const ledger = await mainText();
    const overdue = ledger.indexOf('Discharge to assess');
    const ours = ledger.indexOf('The front door of urgent care');
    expect(overdue, 'the overdue call is listed').toBeGreaterThanOrEqual(0);
    expect(ours, 'the concluded call is listed').toBeGreaterThan(overdue);
    const entry = ledger.slice(ours);
    for (const words of [
      'A national standard for ambulance handover, phased in over a year.',
      'One standard across settings is simpler to follow and to check.',
      'Funding for more permanent posts waits for the spending review.',
      'Night rota standard agreed (In progress, 40%)',
    ])
      expect(entry).toContain(words);
    // Signed out, nobody's name shows on the ledger.
    expect(ledger).not.toContain('Ada Q34');
  });
});
