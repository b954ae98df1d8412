import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  refusedForm,
  Agent,
  buildTestApp,
  createUser,
  signedInAgent,
  type TestContext,
  TEST_PASSWORD,
  visibleText,
} from '../../../test/app.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

async function latestEmailTo(to: string) {
  return ctx.db
    .selectFrom('outbox')
    .selectAll()
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

describe('signing in and out', () => {
  it('signs in with the right password, lands on the role page, and signs out', async () => {
    const user = await createUser(ctx, [{ role: 'national', regionCode: null }]);
    const agent = new Agent(ctx.app);
    const page = await agent.get('/sign-in');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Sign in - Clinical Leaders Network</title>');
    const res = await agent.post('/sign-in', { email: user.email.toUpperCase(), password: TEST_PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/national');
    const cookie = res.cookies.find((c) => c.name === 'cln_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const landing = await agent.get('/national');
    expect(visibleText(landing.body)).toContain(`Welcome, ${user.name}`);

    await agent.get('/sign-out');
    const out = await agent.post('/sign-out');
    expect(out.statusCode).toBe(303);
    const after = await agent.get('/national');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/sign-in?next=%2Fnational');
  });

  it('issues a new session id at every sign-in and ends the old one', async () => {
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    const agent = new Agent(ctx.app);
    const first = await agent.signIn(user.email);
    const firstId = first.cookies.find((c) => c.name === 'cln_session')!.value;
    const second = await agent.signIn(user.email);
    const secondId = second.cookies.find((c) => c.name === 'cln_session')!.value;
    expect(secondId).not.toBe(firstId);
    const old = await ctx.app.inject({
      method: 'GET',
      url: '/member',
      headers: { cookie: `cln_session=${firstId}` },
    });
    expect(old.statusCode).toBe(303);
  });

  it('shows the NHS error summary for a wrong password, without saying which part was wrong', async () => {
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q31' }]);
    const agent = new Agent(ctx.app);
    await agent.get('/sign-in');
    const res = await agent.post('/sign-in', { email: user.email, password: 'not the password' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('nhsuk-error-summary');
    expect(res.body).toContain('<title>Error: Sign in - Clinical Leaders Network</title>');
    expect(visibleText(res.body)).toContain('Enter a correct email address and password');
    expect(res.body).toContain(`value="${user.email}"`);
  });

  it('explains a missing or malformed email address on the field', async () => {
    const agent = new Agent(ctx.app);
    await agent.get('/sign-in');
    const res = await agent.post('/sign-in', { email: 'not-an-email', password: 'x' });
    expect(res.statusCode).toBe(400);
    expect(visibleText(res.body)).toContain('Enter an email address in the correct format');
  });

  it('throttles an account after repeated failures, with a clear message', async () => {
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q32' }]);
    const agent = new Agent(ctx.app);
    await agent.get('/sign-in');
    for (let i = 0; i < 5; i++) await agent.post('/sign-in', { email: user.email, password: `wrong ${i}` });
    const res = await agent.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect(res.statusCode).toBe(429);
    expect(visibleText(res.body)).toContain('too many failed attempts to sign in to this account');
  });

  it('refuses a form posted without its CSRF token', async () => {
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q33' }]);
    const agent = new Agent(ctx.app);
    await agent.get('/sign-in');
    const res = await agent.post('/sign-in', { email: user.email, password: TEST_PASSWORD }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(visibleText(res.body)).toContain('This form has expired or was not sent from this site');
    expect(res.cookies.find((c) => c.name === 'cln_session')).toBeUndefined();
  });

  it('refuses a new account with an address already in use, on the email field, creating nothing', async () => {
    const admin = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const existing = await createUser(ctx, [{ role: 'member', regionCode: 'Q34' }]);
    await admin.agent.get('/admin/users/new');
    const res = await admin.agent.post('/admin/users', {
      email: existing.email,
      name: 'Second Person',
      role: 'member',
      region: 'Q34',
    });
    expect(refusedForm(res, 409, 'Create an account')).toEqual([
      { href: '#email', text: `An account with the email address ${existing.email} already exists` },
    ]);
    expect(res.body).toContain('value="Second Person"');
    const named = await ctx.db.selectFrom('users').select('id').where('name', '=', 'Second Person').execute();
    expect(named).toEqual([]);
  });

  it('refuses a disabled account and ends its sessions', async () => {
    const admin = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q34' }]);
    const member = new Agent(ctx.app);
    await member.signIn(user.email);
    await admin.agent.get(`/admin/users/${user.id}`);
    const res = await admin.agent.post(`/admin/users/${user.id}/disable`);
    expect(res.statusCode).toBe(303);
    expect((await member.get('/member')).statusCode).toBe(303);
    await member.get('/sign-in');
    const again = await member.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect(again.statusCode).toBe(400);
    expect(visibleText(again.body)).toContain('This account has been disabled');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.disable')
      .where('entity_id', '=', String(user.id))
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_user_id).toBe(admin.user.id);
  });
});

describe('password reset', () => {
  it('emails a single-use link that sets a new password and ends old sessions', async () => {
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q35' }]);
    const old = new Agent(ctx.app);
    await old.signIn(user.email);

    const agent = new Agent(ctx.app);
    await agent.get('/forgot-password');
    const sent = await agent.post('/forgot-password', { email: user.email });
    expect(sent.statusCode).toBe(200);
    expect(visibleText(sent.body)).toContain('Check your email');
    const email = await latestEmailTo(user.email);
    const link = /http:\/\/cln\.test(\/reset-password\/\S+)/.exec(email.body_text)![1]!;

    const form = await agent.get(link);
    expect(form.statusCode).toBe(200);
    const weak = await agent.post(link, { password: 'password123', confirmPassword: 'password123' });
    expect(weak.statusCode).toBe(400);
    expect(visibleText(weak.body)).toContain('Password is too common');
    const done = await agent.post(link, {
      password: 'a brand new passphrase',
      confirmPassword: 'a brand new passphrase',
    });
    expect(done.statusCode).toBe(303);
    expect((await agent.get(link)).statusCode).toBe(404);
    expect((await old.get('/member')).statusCode).toBe(303);
    await agent.signIn(user.email, 'a brand new passphrase');
  });

  it('answers the same for an unknown address and sends nothing', async () => {
    const agent = new Agent(ctx.app);
    await agent.get('/forgot-password');
    const res = await agent.post('/forgot-password', { email: 'nobody-here@nhs.test' });
    expect(res.statusCode).toBe(200);
    const count = await ctx.db
      .selectFrom('outbox')
      .select('id')
      .where('to_address', '=', 'nobody-here@nhs.test')
      .execute();
    expect(count).toHaveLength(0);
  });

  it('refuses an expired link', async () => {
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q36' }]);
    const agent = new Agent(ctx.app);
    await agent.get('/forgot-password');
    await agent.post('/forgot-password', { email: user.email });
    const link = /(\/reset-password\/\S+)/.exec((await latestEmailTo(user.email)).body_text)![1]!;
    await ctx.db
      .updateTable('password_reset_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    expect((await agent.get(link)).statusCode).toBe(404);
  });
});

describe('the first administrator', () => {
  it('creates the first national account through the one-time set-up link', async () => {
    const fresh = await buildTestApp();
    try {
      const link = await fresh.app.services.accounts.createSetupLinkIfNeeded();
      expect(link).toMatch(/^http:\/\/cln\.test\/setup\//);
      const path = new URL(link!).pathname;
      const agent = new Agent(fresh.app);
      expect((await agent.get(path)).statusCode).toBe(200);
      const bad = await agent.post(path, {
        name: 'Ada',
        email: 'ada@nhs.test',
        password: 'short',
        confirmPassword: 'short',
      });
      expect(bad.statusCode).toBe(400);
      expect(visibleText(bad.body)).toContain('Password must be 10 characters or more');
      const ok = await agent.post(path, {
        name: 'Ada Admin',
        email: 'ada@nhs.test',
        password: 'first admin passphrase',
        confirmPassword: 'first admin passphrase',
      });
      expect(ok.statusCode).toBe(303);
      expect((await agent.get(path)).statusCode).toBe(404);
      expect(await fresh.app.services.accounts.createSetupLinkIfNeeded()).toBeNull();
      await agent.signIn('ada@nhs.test', 'first admin passphrase');
      expect((await agent.get('/admin/users')).statusCode).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});

describe('API tokens', () => {
  it('are shown once, carry the owner roles, and stop working when revoked', async () => {
    const { agent, user } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/account/api-tokens/new');
    const created = await agent.post('/account/api-tokens', { name: 'Reporting script' });
    expect(created.statusCode).toBe(200);
    const token = /(cln_[A-Za-z0-9_-]{40,})/.exec(created.body)![1]!;
    const stored = await ctx.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);

    const me = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: user.email, roles: [{ role: 'national', regionCode: null }] });
    const users = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(users.statusCode).toBe(200);

    await agent.get('/account');
    expect((await agent.post(`/account/api-tokens/${stored.id}/revoke`)).statusCode).toBe(303);
    const after = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthenticated');
  });

  it('a bearer token of a member cannot reach national endpoints', async () => {
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q37' }]);
    const actor = {
      userId: user.id,
      name: user.name,
      email: user.email,
      roles: user.roles,
      ip: null,
      requestId: null,
    };
    const { token } = await ctx.app.services.accounts.createApiToken(actor, 'mine');
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });
});

describe('session expiry', () => {
  it('ends a session left idle too long, and one past its absolute limit', async () => {
    const user = await createUser(ctx, [{ role: 'member', regionCode: 'Q38' }]);
    const idle = new Agent(ctx.app);
    await idle.signIn(user.email);
    const absolute = new Agent(ctx.app);
    await absolute.signIn(user.email);
    expect((await idle.get('/member')).statusCode).toBe(200);

    const sessions = await ctx.db
      .selectFrom('sessions')
      .select(['id_hash', 'created_at'])
      .where('user_id', '=', user.id)
      .orderBy('created_at')
      .execute();
    expect(sessions).toHaveLength(2);
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 61 * 60_000) })
      .where('id_hash', '=', sessions[0]!.id_hash)
      .execute();
    await ctx.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id_hash', '=', sessions[1]!.id_hash)
      .execute();

    expect((await idle.get('/member')).statusCode).toBe(303);
    expect((await absolute.get('/member')).statusCode).toBe(303);
    const left = await ctx.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', user.id)
      .execute();
    expect(left).toHaveLength(0);
  });
});
