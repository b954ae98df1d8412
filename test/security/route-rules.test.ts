import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import type { AccountsService } from '../../src/platform/accounts/accounts.service.ts';
import { registerHttpBasics } from '../../src/platform/http.ts';
import { SCOPES } from '../../src/platform/http-types.ts';
import { buildTestApp, createUser } from '../app.ts';

/** The one place a route's rule lives: a route without `access`, or naming a record without `scope`, stops the app. */

async function appWith(register: (app: ReturnType<typeof Fastify>) => void) {
  const app = Fastify({ logger: false });
  // As the app does: the shared layer gives every route Zod schemas for its parameters.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await registerHttpBasics(app, {
    cookieSecret: 'x'.repeat(48),
    secureCookies: false,
    development: false,
    rateLimitPerMinute: 100,
    accounts: {} as AccountsService,
  });
  await app.register(async (scoped) => register(scoped));
  return app;
}

async function startError(register: (app: ReturnType<typeof Fastify>) => void): Promise<string> {
  try {
    const app = await appWith(register);
    await app.ready();
    await app.close();
  } catch (err) {
    return String((err as Error).message);
  }
  return 'started';
}

describe('declared route rules', () => {
  it('refuses to start with a route that declares no access', async () => {
    expect(await startError((app) => app.get('/reports', async () => 'x'))).toMatch(
      'Route GET /reports does not declare config.access',
    );
  });

  it('refuses to start with a route that names a record but declares no scope', async () => {
    expect(
      await startError((app) =>
        app.post('/reports/:id/close', { config: { access: ['regional-lead'] } }, async () => 'x'),
      ),
    ).toMatch('Route POST /reports/:id/close names a record in its path but does not declare config.scope');
  });

  it('refuses a scope outside the vocabulary', async () => {
    expect(
      await startError((app) =>
        app.get(
          '/reports/:id',
          // Not a scope, as a plain-JavaScript caller could write it.
          { config: { access: 'signed-in', scope: 'everyone' as never } },
          async () => 'x',
        ),
      ),
    ).toMatch("declares an unknown config.scope 'everyone'");
  });

  it('starts with both declared, and records them for the generated tests', async () => {
    const app = await appWith((a) => {
      a.get('/reports', { config: { access: 'signed-in' } }, async () => 'x');
      a.get('/reports/:id', { config: { access: ['national'], scope: 'network' } }, async () => 'x');
    });
    await app.ready();
    expect(app.declaredRoutes).toEqual([
      { method: 'GET', url: '/reports', access: 'signed-in' },
      { method: 'GET', url: '/reports/:id', access: ['national'], scope: 'network' },
    ]);
    await app.close();
  });

  it('every route of the real app with a path parameter declares a scope from the vocabulary', async () => {
    const ctx = await buildTestApp();
    try {
      const withParams = ctx.app.declaredRoutes.filter((r) => r.url.includes(':'));
      expect(withParams.length).toBeGreaterThan(100);
      expect(withParams.filter((r) => !r.scope || !SCOPES.includes(r.scope))).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('checks access before the body is validated: outsiders get 401/403, not the schema', async () => {
    const ctx = await buildTestApp();
    try {
      const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q34' }]);
      const { token } = await ctx.app.services.accounts.createApiToken(
        { userId: user.id, name: user.name, email: user.email, roles: user.roles, ip: null, requestId: null },
        'rules',
      );
      const post = (headers: Record<string, string>) =>
        ctx.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: { 'content-type': 'application/json', ...headers },
          payload: { unexpected: true },
        });
      const member = await post({ authorization: `Bearer ${token}` });
      expect(member.statusCode).toBe(403);
      expect(member.body).not.toContain('unexpected');
      expect((await post({})).statusCode).toBe(401);
    } finally {
      await ctx.close();
    }
  });
});
