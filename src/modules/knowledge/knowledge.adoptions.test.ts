import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  refusedForm,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';
import { addMember, location, signedIn, trustsOf } from '../../../test/journeys/support.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const adoptionCount = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('knowledge_adoptions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function memberAt(regionCode: string, organisationId: number, name: string) {
  const user = await addMember(ctx, {
    regionCode,
    name,
    profession: 'nurse',
    organisationId,
    jobTitle: 'Matron',
  });
  const agent = await signedIn(ctx, user.email);
  const token = (
    await ctx.app.services.accounts.createApiToken(
      {
        userId: user.id,
        name: user.name,
        email: user.email,
        roles: [{ role: 'member', regionCode }],
        ip: null,
        requestId: null,
      },
      'adoptions test',
    )
  ).token;
  return { user, agent, token };
}

describe('adopt and adapt, and the spread view', () => {
  it('another organisation records its adoption with its own measures; the spread view lists organisations and regions by date', async () => {
    const [home] = await trustsOf(ctx, 'Q31');
    const [, elsewhere] = await trustsOf(ctx, 'Q31');
    const [away] = await trustsOf(ctx, 'Q32');
    const owner = await memberAt('Q31', home!, 'Olive Owner');
    const adopter = await memberAt('Q31', elsewhere!, 'Adam Adopter');
    const farAway = await memberAt('Q32', away!, 'Freya Faraway');
    const item = await seedItem(ctx.db, {
      ownerUserId: owner.user.id,
      title: 'Frailty front door',
      visibility: 'network',
      organisationIds: [home!],
    });
    const spread = `/knowledge/items/${item}/spread`;

    // The owner's own organisation is where it started: no form to adopt it there.
    const ownView = await owner.agent.get(spread);
    expect(ownView.statusCode).toBe(200);
    expect(ownView.body).not.toContain('Record the adoption');
    const ownTry = await owner.agent.post(`/knowledge/items/${item}/adoptions`, {
      status: 'adopted',
      adoptedOn: '2027-01-10',
    });
    expect(refusedForm(ownTry, 409, 'Where it has spread: Frailty front door')[0]!.text).toContain(
      'comes from your organisation',
    );

    // Bad input: the error summary, nothing saved.
    await adopter.agent.get(spread);
    const bad = await adopter.agent.post(`/knowledge/items/${item}/adoptions`, {
      status: 'copied',
      adoptedOn: '2027-02-30',
      notes: 'x'.repeat(5000),
    });
    expect(refusedForm(bad, 400, 'Where it has spread: Frailty front door').map((e) => e.href)).toEqual([
      '#status',
      '#adoptedOn',
      '#notes',
    ]);
    expect(await adoptionCount()).toBe(0);

    const recorded = location(
      await adopter.agent.post(`/knowledge/items/${item}/adoptions`, {
        status: 'adapted',
        adoptedOn: '2027-03-01',
        notes: 'We ran it with the community team <script>alert(1)</script>',
      }),
    );
    const adoptionPage = await adopter.agent.get(recorded);
    expect(adoptionPage.statusCode).toBe(200);
    expect(adoptionPage.body).not.toContain('<script>alert(1)');
    expect(visibleText(adoptionPage.body)).toContain('We ran it with the community team');
    // Twice for the same organisation: refused.
    await adopter.agent.get(spread);
    const twice = await adopter.agent.post(`/knowledge/items/${item}/adoptions`, {
      status: 'adopted',
      adoptedOn: '2027-04-01',
    });
    expect(twice.statusCode).toBe(409);
    expect(await adoptionCount()).toBe(1);

    // The adoption's own measure, through the same measures pages.
    const measures = `${recorded}/measures`;
    await adopter.agent.get(measures);
    const measurePath = location(
      await adopter.agent.post(measures, { kind: 'process', name: 'Seen the same day', unit: '%' }),
    );
    const measureId = Number(/#measure-(\d+)/.exec(measurePath)![1]);
    location(
      await adopter.agent.post(`${measures}/${measureId}/values`, { measuredOn: '2027-03-07', value: '64' }),
    );
    const withChart = visibleText((await owner.agent.get(recorded)).body);
    expect(withChart).toContain('Run chart of Seen the same day (%)');
    expect(withChart).toContain('64');
    // The item's owner reads the adoption but does not change it or its measures.
    expect(withChart).not.toContain('Save the adoption');
    await owner.agent.get(measures);
    expect(
      (await owner.agent.post(measures, { kind: 'process', name: 'Not theirs', unit: '' })).statusCode,
    ).toBe(403);
    expect(
      (await owner.agent.post(recorded, { status: 'stopped', adoptedOn: '2027-03-01', notes: '' }))
        .statusCode,
    ).toBe(403);

    // A third organisation, in another region, through the API, earlier than the first.
    const api = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/knowledge/items/${item}/adoptions`,
      headers: { authorization: `Bearer ${farAway.token}` },
      payload: { status: 'adopted', adoptedOn: '2027-02-01', notes: null },
    });
    expect(api.statusCode, api.body).toBe(201);
    const listed = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/knowledge/items/${item}/spread`,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const body = listed.json() as {
      adoptions: { organisation: { id: number }; regionCode: string; adoptedOn: string; status: string }[];
      regions: { regionCode: string; organisations: number; first: string }[];
    };
    expect(body.adoptions.map((a) => [a.organisation.id, a.regionCode, a.adoptedOn, a.status])).toEqual([
      [away, 'Q32', '2027-02-01', 'adopted'],
      [elsewhere, 'Q31', '2027-03-01', 'adapted'],
    ]);
    expect(body.regions.map((r) => [r.regionCode, r.organisations, r.first])).toEqual([
      ['Q32', 1, '2027-02-01'],
      ['Q31', 1, '2027-03-01'],
    ]);
    const page = visibleText((await farAway.agent.get(spread)).body);
    expect(page).toMatch(/By region .*Organisations, in the order they took it up/);
    expect(page.indexOf('1 February 2027')).toBeLessThan(page.indexOf('1 March 2027'));

    // The person who recorded it changes it; the national team may too; the audit log has each.
    await adopter.agent.get(recorded);
    location(await adopter.agent.post(recorded, { status: 'adopted', adoptedOn: '2027-03-02', notes: '' }));
    const national = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await national.agent.get(recorded);
    location(await national.agent.post(`${recorded}/remove`));
    expect(await adoptionCount()).toBe(1);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'knowledge.adoption.%')
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'knowledge.adoption.edit',
      'knowledge.adoption.record',
      'knowledge.adoption.record',
      'knowledge.adoption.remove',
    ]);
  });

  it('a region-only item’s spread is not found outside its region, and its adoptions cannot be recorded there', async () => {
    const [home] = await trustsOf(ctx, 'Q33');
    const [away] = await trustsOf(ctx, 'Q34');
    const owner = await memberAt('Q33', home!, 'Rhoda Region');
    const outsider = await memberAt('Q34', away!, 'Otto Outside');
    const item = await seedItem(ctx.db, {
      ownerUserId: owner.user.id,
      title: 'Hidden Kestrel pathway',
      visibility: 'region',
      regionCode: 'Q33',
    });
    const res = await outsider.agent.get(`/knowledge/items/${item}/spread`);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Hidden Kestrel');
    const api = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/knowledge/items/${item}/adoptions`,
      headers: { authorization: `Bearer ${outsider.token}` },
      payload: { status: 'adopted', adoptedOn: '2027-02-01', notes: null },
    });
    expect(api.statusCode).toBe(404);
    expect(await adoptionCount()).toBe(1);
  });
});
