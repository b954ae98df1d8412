import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { hashToken } from '../../src/platform/security.ts';
import { THROTTLE } from '../../src/platform/accounts/accounts.service.ts';
import { buildTestApp, createUser, type TestContext, TEST_PASSWORD, visibleText } from '../app.ts';

// Sessions, sign-in, password links, API tokens and CSRF, tried as an attacker would. Every test
// signs in from its own client address (remoteAddress), so the per-address sign-in throttle of one
// test never spills into another.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

let addressCounter = 0;
const freshAddress = () => `10.0.${Math.floor(++addressCounter / 250)}.${(addressCounter % 250) + 1}`;

type Cookie = { name: string; value: string; maxAge?: number; expires?: Date };

/** A browser with its own client address: keeps cookies and the last page's CSRF token. */
class Browser {
  cookies = new Map<string, string>();
  csrfToken = '';
  constructor(
    readonly app: TestContext['app'],
    readonly remoteAddress = freshAddress(),
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as Cookie[]) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(res.body);
    if (m) this.csrfToken = m[1]!;
  }

  async get(url: string, headers: Record<string, string> = {}) {
    const res = await this.app.inject({
      method: 'GET',
      url,
      remoteAddress: this.remoteAddress,
      headers: { accept: 'text/html', cookie: this.cookieHeader(), ...headers },
    });
    this.remember(res);
    return res;
  }

  /** A form post; `csrf` is the token to send (this page's by default, none with `false`). */
  async post(url: string, form: Record<string, string> = {}, opts: { csrf?: string | false } = {}) {
    const body = new URLSearchParams(form);
    const token = opts.csrf === undefined ? this.csrfToken : opts.csrf;
    if (token !== false) body.set('_csrf', token);
    const res = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.remoteAddress,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        cookie: this.cookieHeader(),
      },
      payload: body.toString(),
    });
    this.remember(res);
    return res;
  }

  /** Signs in as a browser does, following the redirect (so the next form has this session's token). */
  async signIn(email: string, password = TEST_PASSWORD) {
    await this.get('/sign-in');
    const res = await this.post('/sign-in', { email, password });
    if (res.statusCode === 303) await this.get(String(res.headers.location));
    return res;
  }

  /** The raw (unsigned) session id this browser holds, if any. */
  sessionId(): string | null {
    const raw = this.cookies.get('cln_session');
    if (!raw) return null;
    const u = this.app.unsignCookie(decodeURIComponent(raw));
    return u.valid ? u.value : null;
  }
}

const member = (regionCode = 'Q30') => createUser(ctx, [{ role: 'member', regionCode }]);

function setCookie(res: LightMyRequestResponse, name: string): string | undefined {
  const all = res.headers['set-cookie'];
  return [all ?? []].flat().find((c) => c.startsWith(`${name}=`));
}

async function latestLink(to: string, path: string): Promise<string> {
  const email = await ctx.db
    .selectFrom('outbox')
    .select('body_text')
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  return new RegExp(`(${path}/[A-Za-z0-9_-]+)`).exec(email.body_text)![1]!;
}

async function sessionRows(userId: number) {
  return ctx.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute();
}

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/, limited in age, and not Secure on plain http', async () => {
    const user = await member();
    const res = await new Browser(ctx.app).signIn(user.email);
    expect(res.statusCode).toBe(303);
    const header = setCookie(res, 'cln_session')!;
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\/(;|$)/);
    expect(header).toMatch(/; Max-Age=43200/); // SESSION_ABSOLUTE_HOURS (12) by default
    expect(header).not.toMatch(/; Secure/);
    expect(header).not.toMatch(/; Domain=/);
  });

  it('is Secure, as are the CSRF and flash cookies, when the app runs on https', async () => {
    const secure = await buildTestApp({ BASE_URL: 'https://cln.test' });
    try {
      const user = await secure.app.services.accounts.createUser(
        { email: 'secure@nhs.test', name: 'Sam Secure', password: TEST_PASSWORD, roles: [] },
        'system',
      );
      const browser = new Browser(secure.app);
      const page = await browser.get('/sign-in');
      expect(setCookie(page, 'cln_csrf')).toMatch(/; HttpOnly.*; Secure|; Secure.*; HttpOnly/);
      const res = await browser.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
      expect(res.statusCode).toBe(303);
      const header = setCookie(res, 'cln_session')!;
      expect(header).toMatch(/; Secure/);
      expect(header).toMatch(/; HttpOnly/);
      expect(header).toMatch(/; SameSite=Lax/);
      await browser.get('/sign-out');
      const out = await browser.post('/sign-out');
      expect(setCookie(out, 'cln_flash')).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });
});

describe('session fixation', () => {
  it('issues a new session id at sign-in, never the one the browser held before', async () => {
    const user = await member();
    const browser = new Browser(ctx.app);
    expect((await browser.signIn(user.email)).statusCode).toBe(303);
    const before = browser.sessionId()!;
    expect(before).toBeTruthy();
    expect((await browser.signIn(user.email)).statusCode).toBe(303);
    const after = browser.sessionId()!;
    expect(after).not.toBe(before);
    // The old id is ended on the server, not merely replaced in this browser.
    const replay = await ctx.app.inject({
      url: '/member',
      remoteAddress: browser.remoteAddress,
      headers: { cookie: `cln_session=${encodeURIComponent(ctx.app.signCookie(before))}` },
    });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toMatch(/^\/sign-in/);
  });

  it('never adopts a session id an attacker chose, signed or not', async () => {
    const user = await member();
    for (const planted of ['attacker-chosen-id', ctx.app.signCookie('attacker-chosen-id')]) {
      const browser = new Browser(ctx.app);
      browser.cookies.set('cln_session', encodeURIComponent(planted));
      const page = await browser.get('/member');
      expect(page.statusCode).toBe(303); // the planted id names no session: signed out
      expect((await browser.signIn(user.email)).statusCode).toBe(303);
      expect(browser.sessionId()).not.toBe('attacker-chosen-id');
      // The attacker's copy of the cookie is still nobody.
      const attacker = await ctx.app.inject({
        url: '/api/v1/me',
        headers: { cookie: `cln_session=${encodeURIComponent(planted)}` },
      });
      expect(attacker.statusCode).toBe(401);
    }
    const stored = await ctx.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('id_hash', '=', hashToken('attacker-chosen-id'))
      .execute();
    expect(stored).toHaveLength(0);
  });

  it("ends an attacker's own session planted in the victim's browser when the victim signs in", async () => {
    const attackerUser = await member('Q31');
    const victimUser = await member('Q31');
    const attacker = new Browser(ctx.app);
    await attacker.signIn(attackerUser.email);
    const planted = attacker.cookies.get('cln_session')!;

    const victim = new Browser(ctx.app);
    victim.cookies.set('cln_session', planted);
    // Signed in (as the attacker), the victim's /sign-in redirects: the form comes from another page.
    await victim.get('/forgot-password');
    const signIn = await victim.post('/sign-in', { email: victimUser.email, password: TEST_PASSWORD });
    expect(signIn.statusCode).toBe(303);
    expect(victim.cookies.get('cln_session')).not.toBe(planted);
    const me = await ctx.app.inject({
      url: '/api/v1/me',
      headers: { cookie: `cln_session=${victim.cookies.get('cln_session')}` },
    });
    expect(me.json()).toMatchObject({ email: victimUser.email });
    // The planted cookie never becomes the victim's session: it is ended, not promoted.
    const old = await ctx.app.inject({ url: '/api/v1/me', headers: { cookie: `cln_session=${planted}` } });
    expect(old.statusCode).toBe(401);
  });
});

describe('signing out', () => {
  it('ends the session on the server, so a copy of the old cookie no longer works', async () => {
    const user = await member('Q32');
    const browser = new Browser(ctx.app);
    await browser.signIn(user.email);
    const copy = browser.cookies.get('cln_session')!;
    expect((await browser.get('/member')).statusCode).toBe(200);
    expect(await sessionRows(user.id)).toHaveLength(1);

    await browser.get('/sign-out');
    const out = await browser.post('/sign-out');
    expect(out.statusCode).toBe(303);
    expect(setCookie(out, 'cln_session')).toMatch(/cln_session=;/);
    expect(await sessionRows(user.id)).toHaveLength(0);

    const page = await ctx.app.inject({ url: '/member', headers: { cookie: `cln_session=${copy}` } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/sign-in?next=%2Fmember');
    const api = await ctx.app.inject({ url: '/api/v1/me', headers: { cookie: `cln_session=${copy}` } });
    expect(api.statusCode).toBe(401);
  });

  it('is refused without a CSRF token, and the session goes on', async () => {
    const user = await member('Q32');
    const browser = new Browser(ctx.app);
    await browser.signIn(user.email);
    await browser.get('/sign-out');
    const forged = await browser.post('/sign-out', {}, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect((await browser.get('/member')).statusCode).toBe(200);
  });
});

describe('API tokens', () => {
  async function newToken(browser: Browser, name: string) {
    await browser.get('/account/api-tokens/new');
    const created = await browser.post('/account/api-tokens', { name });
    expect(created.statusCode).toBe(200);
    return /(cln_[A-Za-z0-9_-]{40,})/.exec(created.body)![1]!;
  }
  const me = (app: TestContext['app'], token: string) =>
    app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

  it('stop working at once when revoked, in every app process sharing the database', async () => {
    const user = await member('Q33');
    const browser = new Browser(ctx.app);
    await browser.signIn(user.email);
    const token = await newToken(browser, 'script');
    // A second process on the same database, as behind a load balancer: nothing is cached per process.
    const other = await buildApp({
      config: loadConfig({ NODE_ENV: 'test', BASE_URL: 'http://cln.test', LOG_LEVEL: 'silent' }, 'test'),
      db: ctx.db,
      backend: ctx.backend,
      logger: false,
    });
    try {
      expect((await me(ctx.app, token)).statusCode).toBe(200);
      expect((await me(other, token)).statusCode).toBe(200);
      const row = await ctx.db
        .selectFrom('api_tokens')
        .select('id')
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      await browser.get('/account');
      expect((await browser.post(`/account/api-tokens/${row.id}/revoke`)).statusCode).toBe(303);
      for (const app of [ctx.app, other]) {
        const res = await me(app, token);
        expect(res.statusCode).toBe(401);
        expect(res.json().error).toEqual({
          code: 'unauthenticated',
          message: 'The API token is not valid or has been revoked',
        });
      }
    } finally {
      await other.close();
    }
  });

  it('revoked through the API, a token cannot be used for the next call', async () => {
    const user = await member('Q33');
    const browser = new Browser(ctx.app);
    await browser.signIn(user.email);
    const token = await newToken(browser, 'self-revoking');
    const { tokens } = (
      await ctx.app.inject({ url: '/api/v1/me/tokens', headers: { authorization: `Bearer ${token}` } })
    ).json() as { tokens: { id: number }[] };
    const revoke = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/tokens/${tokens[0]!.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoke.statusCode).toBe(204);
    expect((await me(ctx.app, token)).statusCode).toBe(401);
  });

  it("stop working when the owner's account is disabled", async () => {
    const user = await member('Q33');
    const browser = new Browser(ctx.app);
    await browser.signIn(user.email);
    const token = await newToken(browser, 'to be disabled');
    await ctx.app.services.accounts.setDisabled(user.id, true, 'system');
    expect((await me(ctx.app, token)).statusCode).toBe(401);
    expect((await browser.get('/member')).statusCode).toBe(303);
  });
});

describe('sign-in throttling', () => {
  /** The text of a sign-in response with the address typed removed, to compare two accounts' answers. */
  const answer = (res: LightMyRequestResponse, email: string) => ({
    status: res.statusCode,
    text: visibleText(res.body).replaceAll(email, 'EMAIL'),
  });

  async function failFiveTimes(email: string) {
    const browser = new Browser(ctx.app);
    await browser.get('/sign-in');
    const answers = [];
    for (let i = 0; i < THROTTLE.perAccount; i++)
      answers.push(answer(await browser.post('/sign-in', { email, password: `wrong guess ${i}` }), email));
    const throttled = await browser.post('/sign-in', { email, password: TEST_PASSWORD });
    return { browser, answers, throttled: answer(throttled, email), throttledBody: throttled.body };
  }

  it('says the same for an account that exists and one that does not, before and after throttling', async () => {
    const user = await member('Q34');
    const known = await failFiveTimes(user.email);
    const unknown = await failFiveTimes('nobody-at-all@nhs.test');

    for (const a of [...known.answers, ...unknown.answers]) {
      expect(a.status).toBe(400);
      expect(a.text).toContain('Enter a correct email address and password');
    }
    expect(known.answers).toEqual(unknown.answers);

    expect(known.throttled.status).toBe(429);
    expect(known.throttled).toEqual(unknown.throttled);
    expect(known.throttled.text).toContain(
      `There have been too many failed attempts to sign in to this account. Wait ${THROTTLE.windowMinutes} minutes and try again, or reset your password.`,
    );
    // The message is the NHS error summary on the sign-in form, not a bare error page.
    expect(known.throttledBody).toContain('nhsuk-error-summary');
    expect(known.throttledBody).toContain('<title>Error: Sign in - Clinical Leaders Network</title>');
    expect(known.browser.sessionId()).toBeNull();
  });

  it('refuses even the right password while throttled, and lets it in once the window has passed', async () => {
    const user = await member('Q34');
    const { browser, throttled } = await failFiveTimes(user.email);
    expect(throttled.status).toBe(429);
    expect(await sessionRows(user.id)).toHaveLength(0);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (THROTTLE.windowMinutes + 1) * 60_000);
    const later = await browser.post('/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect(later.statusCode).toBe(303);
  });

  it('throttles a client address that tries many accounts, and says so without naming any', async () => {
    const target = await member('Q34');
    const sprayer = new Browser(ctx.app);
    await sprayer.get('/sign-in');
    for (let i = 0; i < THROTTLE.perAddress; i++) {
      const res = await sprayer.post('/sign-in', { email: `guess${i}@nhs.test`, password: 'Winter2026!' });
      expect(res.statusCode).toBe(400);
    }
    const blocked = await sprayer.post('/sign-in', { email: target.email, password: TEST_PASSWORD });
    expect(blocked.statusCode).toBe(429);
    expect(visibleText(blocked.body)).toContain(
      'There have been too many failed sign-in attempts from your network address.',
    );
    // The account itself is not locked: its owner signs in from elsewhere.
    expect((await new Browser(ctx.app).signIn(target.email)).statusCode).toBe(303);
  });
});

describe('password links', () => {
  async function askForReset(email: string) {
    const browser = new Browser(ctx.app);
    await browser.get('/forgot-password');
    expect((await browser.post('/forgot-password', { email })).statusCode).toBe(200);
    return { browser, link: await latestLink(email, '/reset-password') };
  }
  const choose = (browser: Browser, link: string, password: string) =>
    browser.post(link, { password, confirmPassword: password });

  it('work once: a used link shows the expired page and cannot set another password', async () => {
    const user = await member('Q35');
    const { browser, link } = await askForReset(user.email);
    expect((await browser.get(link)).statusCode).toBe(200);
    expect((await choose(browser, link, 'the first new passphrase')).statusCode).toBe(303);

    const again = await browser.get(link);
    expect(again.statusCode).toBe(404);
    expect(visibleText(again.body)).toContain('This link has expired');
    const reuse = await choose(browser, link, 'an attacker passphrase');
    expect(reuse.statusCode).toBe(404);

    expect((await new Browser(ctx.app).signIn(user.email, 'an attacker passphrase')).statusCode).toBe(400);
    expect((await new Browser(ctx.app).signIn(user.email, 'the first new passphrase')).statusCode).toBe(303);
  });

  it('expire after 60 minutes, for showing the form and for using it', async () => {
    const user = await member('Q35');
    const { browser, link } = await askForReset(user.email);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 59 * 60_000);
    expect((await browser.get(link)).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    const late = await browser.get(link);
    expect(late.statusCode).toBe(404);
    expect(visibleText(late.body)).toContain('This link has expired');
    expect((await choose(browser, link, 'a too-late passphrase')).statusCode).toBe(404);
    vi.useRealTimers();
    expect((await new Browser(ctx.app).signIn(user.email)).statusCode).toBe(303);
  });

  it("a reset ends the account's other reset links and every session", async () => {
    const user = await member('Q35');
    const signedIn = new Browser(ctx.app);
    await signedIn.signIn(user.email);
    const first = await askForReset(user.email);
    const second = await askForReset(user.email);
    expect(first.link).not.toBe(second.link);
    expect((await choose(second.browser, second.link, 'the chosen passphrase')).statusCode).toBe(303);

    // An older email still in an inbox (or an attacker's copy of it) must not reset the password again.
    expect((await first.browser.get(first.link)).statusCode).toBe(404);
    expect((await choose(first.browser, first.link, 'a second passphrase')).statusCode).toBe(404);
    expect((await signedIn.get('/member')).statusCode).toBe(303);
    expect((await new Browser(ctx.app).signIn(user.email, 'the chosen passphrase')).statusCode).toBe(303);
  });

  it("changing the password ends the account's other sessions and keeps this one", async () => {
    const user = await member('Q36');
    const here = new Browser(ctx.app);
    await here.signIn(user.email);
    const elsewhere = new Browser(ctx.app);
    await elsewhere.signIn(user.email);
    await here.get('/account/password');
    const res = await here.post('/account/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'a changed passphrase',
      confirmPassword: 'a changed passphrase',
    });
    expect(res.statusCode).toBe(303);
    expect((await here.get('/account')).statusCode).toBe(200);
    expect((await elsewhere.get('/account')).statusCode).toBe(303);
    expect(await sessionRows(user.id)).toHaveLength(1);
  });
});

describe('CSRF', () => {
  async function signedIn(regionCode: string) {
    const user = await member(regionCode);
    const browser = new Browser(ctx.app);
    await browser.signIn(user.email);
    await browser.get('/account/api-tokens/new');
    return { user, browser };
  }
  const tokensOf = (userId: number) =>
    ctx.db.selectFrom('api_tokens').select('id').where('user_id', '=', userId).execute();

  function expectRefused(res: LightMyRequestResponse) {
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('<title>This form has expired - Clinical Leaders Network</title>');
    expect(visibleText(res.body)).toContain(
      'This form has expired or was not sent from this site. Go back, reload the page and try again.',
    );
  }

  it('refuses a form posted without a token, and changes nothing', async () => {
    const { user, browser } = await signedIn('Q37');
    expectRefused(await browser.post('/account/api-tokens', { name: 'forged' }, { csrf: false }));
    expectRefused(await browser.post('/account/api-tokens', { name: 'forged', _csrf: '' }, { csrf: false }));
    expect(await tokensOf(user.id)).toHaveLength(0);
  });

  it("refuses a form carrying another session's token, and changes nothing", async () => {
    const victim = await signedIn('Q37');
    const attacker = await signedIn('Q37');
    expect(attacker.browser.csrfToken).not.toBe(victim.browser.csrfToken);
    const forged = await victim.browser.post(
      '/account/api-tokens',
      { name: 'forged' },
      { csrf: attacker.browser.csrfToken },
    );
    expectRefused(forged);
    expect(await tokensOf(victim.user.id)).toHaveLength(0);
    expect(await tokensOf(attacker.user.id)).toHaveLength(0);
  });

  it("refuses another session's token even with that session's CSRF cookie planted alongside", async () => {
    const victim = await signedIn('Q38');
    const attacker = await signedIn('Q38');
    victim.browser.cookies.set('cln_csrf', attacker.browser.cookies.get('cln_csrf')!);
    const forged = await victim.browser.post(
      '/account/api-tokens',
      { name: 'forged' },
      { csrf: attacker.browser.csrfToken },
    );
    expectRefused(forged);
    expect(await tokensOf(victim.user.id)).toHaveLength(0);
  });

  it('refuses a token issued before sign-in once the browser has signed in', async () => {
    const user = await member('Q38');
    const browser = new Browser(ctx.app);
    await browser.get('/sign-in');
    const signedOutToken = browser.csrfToken;
    await browser.signIn(user.email);
    expectRefused(await browser.post('/account/api-tokens', { name: 'stale' }, { csrf: signedOutToken }));
    expect(await tokensOf(user.id)).toHaveLength(0);
    await browser.get('/account/api-tokens/new');
    expect((await browser.post('/account/api-tokens', { name: 'fresh' })).statusCode).toBe(200);
  });

  it('refuses a JSON call made with the session cookie but no token header', async () => {
    const { user, browser } = await signedIn('Q39');
    const row = await ctx.app.services.accounts.createApiToken(
      { userId: user.id, name: user.name, email: user.email, roles: user.roles, ip: null, requestId: null },
      'kept',
    );
    const res = await ctx.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/tokens/${row.id}`,
      headers: { cookie: browser.cookieHeader(), accept: 'application/json' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('csrf_invalid');
    const stored = await ctx.db
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(stored.revoked_at).toBeNull();
  });
});
