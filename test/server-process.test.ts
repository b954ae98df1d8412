import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/paths.ts';

// These tests start the real server and CLI as separate processes on one embedded data directory.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cln-process-'));
const env = { ...process.env, CLN_DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'production', LOG_LEVEL: 'warn' };
// The test runner sets BASE_URL (Vite's) and maybe DATABASE_URL: these processes use their own defaults.
delete (env as Record<string, string | undefined>).DATABASE_URL;
delete (env as Record<string, string | undefined>).BASE_URL;
const running: ChildProcess[] = [];

afterAll(() => {
  for (const p of running) p.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function run(
  args: string[],
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: projectRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Starts the server; resolves with its URL once it prints that it is running. */
function startServer(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot, env });
    running.push(child);
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /running at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1]!, output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

async function signIn(url: string, email: string, password: string) {
  const page = await fetch(`${url}/sign-in`);
  const cookies = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${url}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const cookie = `${cookies}; ${session}`;
  // CSRF tokens are bound to the session they were issued to: take the signed-in page's token.
  const signedIn = res.status === 303 ? await fetch(`${url}/account`, { headers: { cookie } }) : null;
  const fresh = signedIn && /name="csrf-token" content="([^"]+)"/.exec(await signedIn.text())?.[1];
  return { status: res.status, cookie, csrf: fresh ?? csrf };
}

const password = 'process test passphrase';

describe('the server as a process on the embedded database', () => {
  it('keeps committed accounts through kill -9, refuses a second opener and a backup while serving, and stops cleanly on SIGTERM', async () => {
    const added = await run(
      [
        'bin/cln.js',
        'user',
        'add',
        '--email',
        'ada@nhs.test',
        '--name',
        'Ada Admin',
        '--role',
        'national',
        '--password-stdin',
      ],
      `${password}\n`,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const expired = await run(['bin/cln.js', 'recruitment', 'expire-offers']);
    expect(expired.code).toBe(0);
    expect(expired.stdout).toContain('0 offers lapsed');

    const first = await startServer();
    const health = await (await fetch(`${first.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', database: 'pglite' });

    const second = await run(['--import', 'tsx', 'src/main.ts']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by another process (pid ${first.child.pid})`);

    const cli = await run(['bin/cln.js', 'user', 'list']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('held by another process');
    expect(cli.stderr).toContain('Stop the server');
    const remind = await run(['bin/cln.js', 'recruitment', 'remind']);
    expect(remind.code).toBe(1);
    expect(remind.stderr).toContain('held by another process');
    const backup = await run([
      'bin/cln.js',
      'db',
      'backup',
      '--output',
      path.join(dataDir, 'while-serving.tar'),
    ]);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain(
      `in use by another process (pid ${first.child.pid}), probably the running server`,
    );
    expect(backup.stderr).toContain('needs it to itself, so that the copy is consistent');
    expect(existsSync(path.join(dataDir, 'while-serving.tar'))).toBe(false);

    const session = await signIn(first.url, 'ada@nhs.test', password);
    expect(session.status).toBe(303);
    const created = await fetch(`${first.url}/api/v1/users`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Committed Before Crash', email: 'committed@nhs.test', role: 'member' }),
    });
    expect(created.status).toBe(201);

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const third = await startServer();
    const again = await signIn(third.url, 'ada@nhs.test', password);
    expect(again.status).toBe(303);
    const listed = await fetch(`${third.url}/api/v1/users?q=committed`, {
      headers: { cookie: again.cookie },
    });
    const list = (await listed.json()) as { users: { email: string }[] };
    expect(list.users.map((u) => u.email)).toEqual(['committed@nhs.test']);

    const exited = new Promise<number | null>((r) => third.child.once('exit', r));
    third.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(third.output()).toContain('Stopped cleanly');
    expect(existsSync(path.join(dataDir, 'cln.lock'))).toBe(false);
  }, 300_000);
});
