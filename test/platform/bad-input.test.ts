import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInAgent, type TestContext, visibleText } from '../app.ts';

let ctx: TestContext;
let token: string;
beforeAll(async () => {
  ctx = await buildTestApp();
  const { user } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
  const actor = {
    userId: user.id,
    name: user.name,
    email: user.email,
    roles: user.roles,
    ip: null,
    requestId: null,
  };
  token = (await ctx.app.services.accounts.createApiToken(actor, 'tests')).token;
});
afterAll(async () => {
  await ctx?.close();
});

const api = (method: 'POST' | 'GET', url: string, payload?: string, headers: Record<string, string> = {}) =>
  ctx.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(payload === undefined ? {} : { payload }),
  });

async function userCount() {
  const r = await ctx.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('bad input gets a 4xx with a message a person understands, never a 500, nothing half-saved', () => {
  it('malformed JSON', async () => {
    const res = await api('POST', '/api/v1/users', '{"name": "A",');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'invalid_json', message: 'The request body is not valid JSON.' },
    });
  });

  it('a content type the API does not take', async () => {
    const res = await api('POST', '/api/v1/users', '<user/>', { 'content-type': 'application/xml' });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toContain('content type');
  });

  it('an oversize body', async () => {
    const res = await api('POST', '/api/v1/users', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });

  it('unknown fields', async () => {
    const before = await userCount();
    const res = await api(
      'POST',
      '/api/v1/users',
      JSON.stringify({ name: 'Ann', email: 'ann@nhs.test', role: 'member', isAdmin: true }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('isAdmin');
    expect(await userCount()).toBe(before);
  });

  it('over-long strings and wrong types, field by field', async () => {
    const res = await api(
      'POST',
      '/api/v1/users',
      JSON.stringify({ name: 'n'.repeat(500), email: 42, role: 'king' }),
    );
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'email', 'role']));
  });

  it('a regional role without its region, and an unknown region', async () => {
    const a = await api(
      'POST',
      '/api/v1/users',
      JSON.stringify({ name: 'Lee', email: 'lee@nhs.test', role: 'regional-lead' }),
    );
    expect(a.statusCode).toBe(400);
    expect(a.json().error.message).toContain('needs a region');
    const b = await api(
      'POST',
      '/api/v1/users',
      JSON.stringify({ name: 'Lee', email: 'lee@nhs.test', role: 'member', region: 'Q99' }),
    );
    expect(b.statusCode).toBe(400);
  });

  it('SQL fragments are data, and script tags are escaped wherever the text is shown', async () => {
    const name = `Robert'); DROP TABLE users;-- <script>alert(1)</script>`;
    const created = await api(
      'POST',
      '/api/v1/users',
      JSON.stringify({ name: 'Bobby Tables', email: 'bobby@nhs.test', role: 'member' }),
    );
    expect(created.statusCode).toBe(201);
    const hostile = await api(
      'POST',
      '/api/v1/users',
      JSON.stringify({ name, email: 'bobby2@nhs.test', role: 'member' }),
    );
    // Names may not carry markup at all.
    expect(hostile.statusCode).toBe(400);
    const search = await api('GET', `/api/v1/users?q=${encodeURIComponent("'; DROP TABLE users;--")}`);
    expect(search.statusCode).toBe(200);
    expect(search.json().total).toBe(0);
    expect(await userCount()).toBeGreaterThan(1);

    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/account/api-tokens/new');
    const page = await agent.post('/account/api-tokens', { name: '<script>alert("x")</script>' });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert("x")</script>');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('nonsense ids and query strings', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    expect((await agent.get('/admin/users/abc')).statusCode).toBe(404);
    expect((await agent.get('/admin/users/99999999999999')).statusCode).toBe(404);
    expect((await agent.get('/admin/users/424242')).statusCode).toBe(404);
    const audit = await agent.get('/admin/audit?from=yesterday&page=-3');
    expect(audit.statusCode).toBe(400);
    expect(visibleText(audit.body)).toContain('Enter the "from" date as YYYY-MM-DD');
    expect((await api('GET', '/api/v1/users?page=0')).statusCode).toBe(400);
    expect((await api('GET', '/api/v1/users/0')).statusCode).toBe(400);
  });

  it('a form with an empty body re-renders with the error summary', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/admin/users/new');
    const before = await userCount();
    const res = await agent.post('/admin/users', {});
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('nhsuk-error-summary');
    expect(visibleText(res.body)).toContain('Enter a name');
    expect(await userCount()).toBe(before);
  });
});

describe('access', () => {
  it('people outside a role are refused on pages and API', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    for (const path of ['/admin/users', '/admin/audit', '/admin/outbox', '/national', '/regional']) {
      expect((await agent.get(path)).statusCode, path).toBe(403);
    }
    expect((await agent.api('GET', '/api/v1/audit')).statusCode).toBe(403);
    expect((await agent.api('GET', '/api/v1/me')).statusCode).toBe(200);
  });

  it('someone not signed in is sent to sign in (pages) or gets 401 (API)', async () => {
    const page = await ctx.app.inject({
      method: 'GET',
      url: '/admin/users',
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/sign-in?next=%2Fadmin%2Fusers');
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
  });

  it('a cookie-authenticated API call that changes something needs the CSRF header', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie: (agent as unknown as { cookieHeader(): string }).cookieHeader() },
      payload: { name: 'Csrf Test', email: 'csrf@nhs.test', role: 'member' },
    });
    expect(res.statusCode).toBe(403);
    const ok = await agent.api('POST', '/api/v1/users', {
      name: 'Csrf Test',
      email: 'csrf@nhs.test',
      role: 'member',
    });
    expect(ok.statusCode).toBe(201);
  });

  it('every route declares who may call it', async () => {
    expect(() => ctx.app.printRoutes()).not.toThrow();
  });
});

describe('pages and documents', () => {
  it('serves health, the API description and the home page', async () => {
    const health = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok', database: ctx.backend, version: '0.0.0-test' });
    const doc = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json().paths)).toEqual(
      expect.arrayContaining(['/api/v1/me', '/api/v1/users', '/api/v1/regions']),
    );
    const home = await ctx.app.inject({ method: 'GET', url: '/' });
    const text = visibleText(home.body);
    expect(text).toContain('West Midlands');
    expect(text).toContain('Sign in');
    expect(home.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
  });

  it('lists the ten regions with phase and target through the API', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/regions' });
    const regions = res.json().regions as {
      code: string;
      recruitmentTarget: number;
      phase: { key: string };
    }[];
    expect(regions).toHaveLength(10);
    expect(regions.find((r) => r.code === 'Q34')).toMatchObject({
      recruitmentTarget: 120,
      phase: { key: 'phase-1' },
    });
    expect(regions.find((r) => r.code === 'Q30')).toMatchObject({ recruitmentTarget: 120 });
    expect(regions.find((r) => r.code === 'Q31')).toMatchObject({ phase: { key: 'pilot' } });
    expect(regions.filter((r) => r.phase.key !== 'pilot').reduce((s, r) => s + r.recruitmentTarget, 0)).toBe(
      660,
    );
  });
});
