import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signedInAgent, type TestContext } from '../app.ts';

// The security headers of every kind of response: pages, error pages, the API and its docs, on
// plain http (development on loopback) and on https (BASE_URL https://..., as in production).

let http: TestContext;
let https: TestContext;
beforeAll(async () => {
  http = await buildTestApp();
  https = await buildTestApp({ BASE_URL: 'https://cln.test' });
});
afterAll(async () => {
  await http?.close();
  await https?.close();
});

/** The CSP's directives by name, each a list of sources. */
function policy(res: LightMyRequestResponse): Map<string, string[]> {
  const header = String(res.headers['content-security-policy'] ?? '');
  expect(header, `no CSP on ${res.raw.req.url}`).not.toBe('');
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

const PAGES = ['/', '/about', '/sign-in', '/apply', '/apply/personal-details', '/no-such-page'];

describe('Content-Security-Policy', () => {
  it('gives every page a fresh script nonce, carried by each of its script tags and nothing unsafe', async () => {
    const nonces = new Set<string>();
    for (const url of PAGES) {
      for (let i = 0; i < 2; i++) {
        const res = await http.app.inject({ url, headers: { accept: 'text/html' } });
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        const csp = policy(res);
        const scriptSrc = csp.get('script-src')!;
        const nonce = scriptSrc.find((s) => s.startsWith("'nonce-"))?.slice(7, -1);
        expect(nonce, url).toMatch(/^[A-Za-z0-9+/=_-]{16,}$/);
        expect(nonces.has(nonce!), `nonce reused on ${url}`).toBe(false);
        nonces.add(nonce!);

        const scripts = res.body.match(/<script\b[^>]*>/g) ?? [];
        expect(scripts.length, url).toBeGreaterThan(0);
        for (const tag of scripts) expect(tag, url).toContain(`nonce="${nonce}"`);
        // No inline event handlers or javascript: URLs, which a nonce cannot allow.
        expect(res.body).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
        expect(res.body).not.toMatch(/href\s*=\s*["']\s*javascript:/i);

        for (const [name, sources] of csp) {
          expect(sources, `${name} on ${url}`).not.toContain("'unsafe-inline'");
          expect(sources, `${name} on ${url}`).not.toContain("'unsafe-eval'");
          expect(sources, `${name} on ${url}`).not.toContain('*');
        }
        expect(csp.get('default-src')).toEqual(["'self'"]);
        expect(csp.get('object-src')).toEqual(["'none'"]);
        expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
        expect(csp.get('base-uri')).toEqual(["'self'"]);
        expect(csp.get('form-action')).toEqual(["'self'"]);
        expect(csp.get('script-src-attr')).toEqual(["'none'"]);
      }
    }
  });

  it('covers a signed-in page, a JSON error and the API docs, also without anything unsafe', async () => {
    const { agent } = await signedInAgent(http, [{ role: 'national', regionCode: null }]);
    const signedIn = await agent.get('/national');
    expect(signedIn.statusCode).toBe(200);
    const json = await http.app.inject({ url: '/api/v1/me', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(401);
    const docs = await http.app.inject({ url: '/api/docs/static/index.html' });
    const docsPage = await http.app.inject({ url: '/api/docs' });
    for (const res of [signedIn, json, docs, docsPage]) {
      for (const [name, sources] of policy(res)) {
        expect(sources, name).not.toContain("'unsafe-inline'");
        expect(sources, name).not.toContain("'unsafe-eval'");
      }
      expect(policy(res).get('frame-ancestors')).toEqual(["'none'"]);
    }
  });

  it('asks browsers to upgrade insecure requests only when served over https', async () => {
    for (const url of ['/', '/api/docs']) {
      expect(policy(await http.app.inject({ url })).has('upgrade-insecure-requests'), url).toBe(false);
      expect(policy(await https.app.inject({ url })).has('upgrade-insecure-requests'), url).toBe(true);
    }
  });
});

describe('Strict-Transport-Security', () => {
  it('is sent for a year, with subdomains, when the app runs on https', async () => {
    for (const url of ['/', '/sign-in', '/no-such-page', '/api/v1/me', '/healthz']) {
      const res = await https.app.inject({ url });
      expect(res.headers['strict-transport-security'], url).toMatch(/^max-age=31536000; includeSubDomains/);
    }
  });

  it('is not sent on plain http, where it would lock a developer out of http://127.0.0.1', async () => {
    for (const url of ['/', '/sign-in', '/api/v1/me']) {
      expect((await http.app.inject({ url })).headers['strict-transport-security'], url).toBeUndefined();
    }
  });
});

describe('other headers', () => {
  it('forbid sniffing and framing, send no referrer across origins, and say nothing of the server', async () => {
    for (const res of [await http.app.inject({ url: '/' }), await https.app.inject({ url: '/api/v1/me' })]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers.server).toBeUndefined();
    }
  });

  it('mark pages (which may hold personal data) as not to be stored', async () => {
    const { agent } = await signedInAgent(http, [{ role: 'member', regionCode: 'Q30' }]);
    expect((await agent.get('/member')).headers['cache-control']).toBe('no-store');
    expect((await http.app.inject({ url: '/sign-in' })).headers['cache-control']).toBe('no-store');
  });
});
