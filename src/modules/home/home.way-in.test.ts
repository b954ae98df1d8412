import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { londonDate } from '../../platform/dates.ts';
import { buildSubmission } from '../recruitment/index.ts';
import { buildTestApp, signedInAgent, type TestContext, visibleText } from '../../../test/app.ts';

// Item 8 of issue 16, "the way in": a newcomer finds the application from the home and about pages.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const day = (offset: number) => londonDate(new Date(Date.now() + offset * 86_400_000));

/** Every intake closed, then the given ones as stated: the world the page is rendered in. */
async function intakes(
  ...rows: { region: string; opensOn: string; closesOn: string | null; name?: string }[]
) {
  await ctx.db.updateTable('intakes').set({ status: 'closed' }).execute();
  for (const r of rows) {
    await ctx.db
      .insertInto('intakes')
      .values({
        region_code: r.region,
        name: r.name ?? `Intake ${Math.random().toString(36).slice(2, 7)}`,
        opens_on: r.opensOn,
        closes_on: r.closesOn,
        status: 'open',
      })
      .execute();
  }
}

async function page(url: string) {
  const res = await ctx.app.inject({ url, headers: { accept: 'text/html' } });
  expect(res.statusCode).toBe(200);
  return { html: res.body, text: visibleText(res.body) };
}

const longDate = (ymd: string) =>
  new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${ymd}T12:00:00Z`));

describe('the way in, signed out', () => {
  beforeEach(async () => {
    await ctx.db.deleteFrom('intakes').where('name', 'like', 'Intake %').execute();
  });

  it('links the home and about pages to the application while an intake is open, with who and by when', async () => {
    const closes = day(30);
    await intakes(
      { region: 'Q34', opensOn: day(-10), closesOn: closes, name: 'Intake WM' },
      { region: 'Q30', opensOn: day(-10), closesOn: closes, name: 'Intake NE' },
    );
    for (const url of ['/', '/about']) {
      const { html, text } = await page(url);
      expect(html).toMatch(/<a class="nhsuk-action-link" href="\/apply">/);
      expect(text).toContain('Apply to join the Clinical Leaders Network');
      expect(text).toContain(`Applications are open in 2 regions. Apply by ${longDate(closes)}.`);
      expect(text).toContain(
        'Registered doctors, nurses, midwives, allied health professionals, pharmacists, pharmacy technicians, dentists and dental care professionals (on the GMC, NMC, HCPC, GPhC or GDC register)',
      );
      expect(text).toMatch(/West Midlands Intake WM 120 \d+ \w+ \d{4}/);
      expect(text).toContain(`North East Intake NE 120 ${longDate(closes)}`);
      expect(text).not.toContain('No intake is open');
    }
  });

  it("gives each region's own closing date when they differ, and says when none is set", async () => {
    await intakes(
      { region: 'Q35', opensOn: day(-1), closesOn: day(5), name: 'Intake A' },
      { region: 'Q36', opensOn: day(0), closesOn: null, name: 'Intake B' },
    );
    const { text } = await page('/');
    expect(text).toContain('Applications are open in 2 regions. Each region has its own closing date.');
    expect(text).toContain(`Intake A 60 ${longDate(day(5))}`);
    expect(text).toContain('Intake B 60 No closing date set');
  });

  it('says so when no intake is open, and when the next one opens', async () => {
    await intakes(
      { region: 'Q34', opensOn: day(-60), closesOn: day(-1), name: 'Intake past' },
      { region: 'Q37', opensOn: day(40), closesOn: day(80), name: 'Intake next' },
      { region: 'Q38', opensOn: day(90), closesOn: null, name: 'Intake later' },
    );
    for (const url of ['/', '/about']) {
      const { html, text } = await page(url);
      expect(text).toContain('No intake is open for applications at the moment.');
      expect(text).toContain(
        `The next intake (Intake next, ${'South East Coast'}) opens on ${longDate(day(40))} and closes on ${longDate(day(80))}.`,
      );
      expect(html).not.toContain('nhsuk-action-link');
      expect(html).not.toContain('href="/apply"');
    }
  });

  it('says the date of the next intake is not known when none is planned', async () => {
    await intakes();
    const { text } = await page('/about');
    expect(text).toContain('No intake is open for applications at the moment.');
    expect(text).toContain('The date of the next intake has not been announced yet.');
  });

  it('takes applications only where the pages say an intake is open', async () => {
    await intakes(
      { region: 'Q34', opensOn: day(-60), closesOn: day(-1), name: 'Intake past' },
      { region: 'Q30', opensOn: day(-3), closesOn: day(0), name: 'Intake NE' },
      { region: 'Q31', opensOn: day(2), closesOn: null, name: 'Intake soon' },
    );
    const apply = (regionCode: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/applications',
        payload: buildSubmission({ employerOds: 'RBK', regionCode }),
      });
    for (const closed of ['Q34', 'Q31']) {
      const refused = await apply(closed);
      expect(refused.statusCode).toBe(400);
      expect(JSON.stringify(refused.json())).toContain(
        `The region ${closed} is not recruiting at the moment`,
      );
    }
    // The closing day itself still counts.
    expect((await apply('Q30')).statusCode).toBe(201);
  });
});

describe('the way in, signed in', () => {
  it("shows a member their own page's link on the home page, not the application", async () => {
    await intakes({ region: 'Q34', opensOn: day(-1), closesOn: day(10) });
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q34' }]);
    const res = await agent.get('/');
    expect(visibleText(res.body)).toContain('Go to your page');
    expect(res.body).not.toContain('nhsuk-action-link');
  });
});
