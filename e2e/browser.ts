import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createTestDatabase, type TestDatabase } from '../test/db.ts';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  Boolean,
) as string[];

/** Debian's Chromium, or undefined. With CI=true a missing browser fails the run instead of skipping. */
export function findChromium(): string | undefined {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found && process.env.CI === 'true') {
    throw new Error(
      'CI=true but Chromium is not installed (apt-get install chromium): browser tests cannot run.',
    );
  }
  if (!found)
    console.warn('Chromium not found: browser tests are skipped. Install it with: apt-get install chromium');
  return found;
}

export type Browser = { context: BrowserContext; page: Page; close(): Promise<void> };

/** A fresh headless Chromium profile, with the flags this machine's closed network needs. */
export async function launchBrowser(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cln-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type TestServer = TestDatabase & { app: App; url: string };

/** The real app on a real port, over the test database (PGlite, or PostgreSQL with DATABASE_URL). */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const config = loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', ...env },
    '0.0.0-e2e',
  );
  const app = await buildApp({ config, db: database.db, backend: database.backend, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    ...database,
    app,
    url,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** Runs axe with the WCAG 2.2 AA rule set and fails the test on any violation, naming each. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}
