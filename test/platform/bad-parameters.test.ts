import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, buildTestApp, signedInAgent, type TestContext } from '../app.ts';

/**
 * Every route with a path parameter, generated from the routes the app declares, called with values
 * that cannot name anything: each answers 4xx (404 for a page that cannot exist), never a 500.
 */
const BAD_VALUES = ['0', '-1', 'abc', '1.5', '99999999999999999999', 'x'.repeat(300), '%00', "1'or'1'='1"];

let ctx: TestContext;
let national: Agent;
let member: Agent;
let token: string;
beforeAll(async () => {
  ctx = await buildTestApp();
  const n = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
  national = n.agent;
  member = (await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q34' }])).agent;
  token = (
    await ctx.app.services.accounts.createApiToken(
      {
        userId: n.user.id,
        name: n.user.name,
        email: n.user.email,
        roles: n.user.roles,
        ip: null,
        requestId: null,
      },
      'bad parameters',
    )
  ).token;
});
afterAll(async () => {
  await ctx?.close();
});

function withParams(url: string, value: string): string {
  return url.replace(/:[A-Za-z]+/g, encodeURIComponent(value));
}

describe('path parameters that cannot name a record', () => {
  it('every route answers 4xx, never 5xx, for every caller', async () => {
    const routes = ctx.app.declaredRoutes.filter((r) => r.url.includes('/:') && r.method !== 'OPTIONS');
    expect(routes.length).toBeGreaterThan(60);
    const failures: string[] = [];
    for (const route of routes) {
      for (const value of BAD_VALUES) {
        const url = withParams(route.url, value);
        const calls = url.startsWith('/api/')
          ? [
              ctx.app.inject({
                method: route.method as 'GET',
                url,
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: '{}' }),
              }),
            ]
          : route.method === 'GET'
            ? [national.get(url), member.get(url)]
            : [national.post(url, {}), member.post(url, {})];
        for (const res of await Promise.all(calls))
          if (res.statusCode >= 500) failures.push(`${route.method} ${url.slice(0, 80)}: ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
