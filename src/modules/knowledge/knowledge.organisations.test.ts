import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext, visibleText } from '../../../test/app.ts';
import { seedItem } from '../../../test/knowledge-fixtures.ts';
import { addMember, location, signedIn, trustsOf } from '../../../test/journeys/support.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

describe('an organisation’s page in the library', () => {
  it('lists the items that name it, its members’ items and what it took up, only as far as the reader may read', async () => {
    const [home, other] = await trustsOf(ctx, 'Q35');
    const [far] = await trustsOf(ctx, 'Q36');
    const member = await addMember(ctx, {
      regionCode: 'Q35',
      name: 'Mo Member',
      profession: 'nurse',
      organisationId: home!,
      jobTitle: 'Matron',
    });
    const neighbour = await addMember(ctx, {
      regionCode: 'Q35',
      name: 'Nell Neighbour',
      profession: 'nurse',
      organisationId: other!,
      jobTitle: 'Matron',
    });
    const outsider = await addMember(ctx, {
      regionCode: 'Q36',
      name: 'Ozzy Outside',
      profession: 'nurse',
      organisationId: far!,
      jobTitle: 'Matron',
    });
    await seedItem(ctx.db, { ownerUserId: member.id, title: 'Named Wren pathway', organisationIds: [home!] });
    await seedItem(ctx.db, {
      ownerUserId: member.id,
      title: 'Regional Bittern audit',
      visibility: 'region',
      regionCode: 'Q35',
    });
    const elsewhere = await seedItem(ctx.db, {
      ownerUserId: neighbour.id,
      title: 'Neighbour Plover clinic',
      organisationIds: [other!],
    });
    const memberAgent = await signedIn(ctx, member.email);
    await memberAgent.get(`/knowledge/items/${elsewhere}/spread`);
    location(
      await memberAgent.post(`/knowledge/items/${elsewhere}/adoptions`, {
        status: 'adapted',
        adoptedOn: '2027-02-01',
      }),
    );
    const ods = (
      await ctx.db
        .selectFrom('organisations')
        .select('ods_code')
        .where('id', '=', home!)
        .executeTakeFirstOrThrow()
    ).ods_code!;

    const inside = visibleText(
      (await (await signedIn(ctx, neighbour.email)).get(`/knowledge/organisations/${ods}`)).body,
    );
    expect(inside).toMatch(
      /Items from .*Named Wren pathway.*Written by its members.*Regional Bittern audit.*By Mo Member.*Taken up from elsewhere.*Neighbour Plover clinic.*Adapted to fit/,
    );
    const outside = await signedIn(ctx, outsider.email);
    const page = visibleText((await outside.get(`/knowledge/organisations/${ods.toLowerCase()}`)).body);
    expect(page).toContain('Named Wren pathway');
    expect(page).not.toContain('Regional Bittern');
    const token = (
      await ctx.app.services.accounts.createApiToken(
        {
          userId: outsider.id,
          name: outsider.name,
          email: outsider.email,
          roles: [{ role: 'member', regionCode: 'Q36' }],
          ip: null,
          requestId: null,
        },
        'organisations test',
      )
    ).token;
    const api = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/knowledge/organisations/${ods}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.statusCode).toBe(200);
    const body = api.json() as {
      items: { title: string }[];
      memberItems: { title: string }[];
      adoptions: { title: string }[];
    };
    expect(body.items.map((i) => i.title)).toEqual(['Named Wren pathway']);
    expect(body.memberItems.map((i) => i.title)).toEqual(['Named Wren pathway']);
    expect(body.adoptions.map((a) => a.title)).toEqual(['Neighbour Plover clinic']);
    expect((await outside.get('/knowledge/organisations/NOSUCH')).statusCode).toBe(404);
  });
});
