import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { RoleGrant } from '../src/platform/permissions.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export const TEST_PASSWORD = 'a long test password';

export type TestContext = TestDatabase & { app: App };

/** A migrated database of the file's own and the app built on it, as in production. */
export async function buildTestApp(env: Record<string, string> = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const config = loadConfig(
    { NODE_ENV: 'test', BASE_URL: 'http://cln.test', LOG_LEVEL: 'silent', ...env },
    '0.0.0-test',
  );
  const app = await buildApp({ config, db: database.db, backend: database.backend, logger: false });
  await app.ready();
  return {
    ...database,
    app,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

let counter = 0;

/** Creates an account with a known password. */
export async function createUser(
  ctx: TestContext,
  roles: RoleGrant[],
  opts: { email?: string; name?: string; password?: string } = {},
) {
  counter++;
  const email = opts.email ?? `person${counter}.${Math.random().toString(36).slice(2, 7)}@nhs.test`;
  return ctx.app.services.accounts.createUser(
    { email, name: opts.name ?? `Test Person ${counter}`, password: opts.password ?? TEST_PASSWORD, roles },
    'system',
  );
}

/** Plays a browser through app.inject(): keeps cookies and the page's CSRF token. */
export class Agent {
  private cookies = new Map<string, string>();
  csrfToken = '';

  constructor(private readonly app: App) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(res.body);
    if (m) this.csrfToken = m[1]!;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method: 'GET',
      url,
      headers: { accept: 'text/html', cookie: this.cookieHeader(), ...headers },
    });
    this.remember(res);
    return res;
  }

  /** Submits a form as a browser would, with the CSRF token from the last page (unless told not to). */
  async post(url: string, form: Record<string, string | string[]> = {}, opts: { csrf?: boolean } = {}) {
    if (opts.csrf !== false && !this.csrfToken) await this.get('/sign-in');
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form))
      for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    if (opts.csrf !== false) body.set('_csrf', this.csrfToken);
    const res = await this.app.inject({
      method: 'POST',
      url,
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

  /** A JSON API call with this browser's session cookie and CSRF header. */
  async api(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
    const res = await this.app.inject({
      method,
      url,
      headers: { cookie: this.cookieHeader(), 'x-csrf-token': this.csrfToken, accept: 'application/json' },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    this.remember(res);
    return res;
  }

  async signIn(email: string, password = TEST_PASSWORD): Promise<LightMyRequestResponse> {
    await this.get('/sign-in');
    const res = await this.post('/sign-in', { email, password });
    if (res.statusCode !== 303) throw new Error(`sign-in failed for ${email}: ${res.statusCode}`);
    // As a browser does: follow the redirect, so the next form carries a token of the new session
    // (CSRF tokens are bound to the session they were issued to).
    await this.get(String(res.headers.location));
    return res;
  }
}

/** Signs a new user with these roles in and returns their browser. */
export async function signedInAgent(ctx: TestContext, roles: RoleGrant[]) {
  const user = await createUser(ctx, roles);
  const agent = new Agent(ctx.app);
  await agent.signIn(user.email);
  return { agent, user };
}

/** Text a person sees on a page: tags removed, entities decoded for the common cases, whitespace collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The entries of a page's NHS error summary (each message and the field it links to), in order. */
function errorSummary(html: string): { href: string; text: string }[] {
  const start = html.indexOf('class="nhsuk-error-summary"');
  if (start < 0) return [];
  const list = html.slice(start, html.indexOf('</ul>', start));
  // An entry about the whole form has no link: its href is ''.
  return [...list.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => ({
    href: /<a href="([^"]*)"/.exec(m[1]!)?.[1] ?? '',
    text: visibleText(m[1]!),
  }));
}

/**
 * A form sent back to be corrected: this status, the page's own title marked "Error:", no success
 * banner. Returns the error summary's entries for the test to compare.
 */
export function refusedForm(res: { statusCode: number; body: string }, status: number, title: string) {
  expect(res.statusCode, visibleText(res.body).slice(0, 400)).toBe(status);
  expect(res.body).not.toContain('nhsuk-notification-banner--success');
  expect(visibleText(/<title>([^<]*)<\/title>/.exec(res.body)?.[1] ?? '')).toBe(
    `Error: ${title} - Clinical Leaders Network`,
  );
  return errorSummary(res.body);
}

/**
 * Follows a page that refreshes itself (a `Refresh` header, as the progress page of a long
 * calculation sends) until it answers without one, as a browser would; returns that answer.
 */
export async function followRefresh(agent: Agent, url: string, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await agent.get(url);
    if (!res.headers.refresh) return res;
    if (Date.now() > until) throw new Error(`${url} was still refreshing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Posts a form that starts a job (a matching run) and, when it leads to the job's progress page,
 * follows that page as a browser would; returns the page's last answer (a 303 to the result once
 * the job has succeeded), or the post's own answer when it was refused.
 */
export async function postAndFollowJob(
  agent: Agent,
  url: string,
  form: Record<string, string | string[]> = {},
) {
  const started = await agent.post(url, form);
  if (started.statusCode !== 303) return started;
  return followRefresh(agent, started.headers.location as string);
}
