import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, signedInAgent, type TestContext, visibleText } from '../../../test/app.ts';
import { createMemberProfile } from './index.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

async function member(name: string) {
  const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q30' }], { name });
  await ctx.db.transaction().execute((trx) =>
    createMemberProfile(
      trx,
      {
        userId: user.id,
        regionCode: 'Q30',
        profession: 'nurse',
        registrationNumber: null,
        organisationId: null,
        jobTitle: 'Nurse consultant',
      },
      'system',
    ),
  );
}

describe('directory name search order', () => {
  it('ranks the closer whole name first when the surname matches equally (not the alphabet)', async () => {
    // "Smithsen" matches the surname of both equally well; "Bo Smithson" is the closer name.
    await member('Ann Smithson');
    await member('Bo Smithson');
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    const text = visibleText((await agent.get('/directory?name=Smithsen')).body);
    expect(text).toContain('Ann Smithson');
    expect(text.indexOf('Bo Smithson')).toBeLessThan(text.indexOf('Ann Smithson'));
    const api = await agent.api('GET', '/api/v1/members?name=Smithsen');
    expect(api.json().members.map((m: { name: string }) => m.name)).toEqual(['Bo Smithson', 'Ann Smithson']);
  });
});

describe('directory query values a person did not type', () => {
  it('explains a bad sort or filter in words, on the page and in the API, and still lists members', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    const page = await agent.get('/directory?sort=bogus&status=nope&specialty=abc');
    expect(page.statusCode).toBe(400);
    const text = visibleText(page.body);
    expect(text).toContain('Sort by best match, name or newest members');
    expect(text).toContain('Choose a membership status from the list');
    expect(text).toContain('Choose a specialty from the list');
    expect(text).not.toMatch(/Invalid (option|input)|expected/i);
    const api = await agent.api('GET', '/api/v1/members?sort=bogus');
    expect(api.statusCode).toBe(400);
    expect(JSON.stringify(api.json())).toContain('Sort by best match, name or newest members');
  });
});
