/**
 * Soak: crash safety and sustained load (issue 16 items 4 and 5) against the production build on
 * the configured database (`DATABASE_URL`, else `CLN_DATA_DIR`), filled by `bench:data`.
 *
 * 1. Crash phase (`--kills N`): writers of every kind (accounts through the API, development plans
 *    through the HTML form, learning-set sessions through the API, offers of places against a
 *    nearly full quota through the API, erasures asked for and approved through the forms) write
 *    concurrently while the server is killed with SIGKILL at a random moment, N times. After each
 *    kill, with the server down, every acknowledged write (a 2xx or 303 with its id) is looked up in
 *    the database, and the invariants are checked: places taken within each open intake's quota, set
 *    sizes and facilitators' set counts within their capacities, one active mentor per mentee,
 *    erased people still erased. Then the server restarts and the writers carry on.
 * 2. Load phase (`--load-seconds S`): a single signed-in user first (the baseline), then `--users U`
 *    signed-in users of mixed roles (every bench account, round robin) browsing their key pages with
 *    a few writers among them, for S seconds: every non-2xx is an error, latency p50/p95/p99 against
 *    the single user's, and the server's peak resident memory against the 500 MB budget.
 *
 *   npm run soak -- [--kills 10] [--window 1-4] [--writers 2] [--load-seconds 0] [--users 64]
 *                   [--baseline-seconds 15] [--skip-build] [--port 3390] [--out FILE]
 *
 * Exits 1 when a write is lost, an invariant breaks, a response is a 5xx, or (load) any request
 * fails or memory passes the budget.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pidusage from 'pidusage';
import { loadConfig } from '../src/config.ts';
import type { DB } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { projectRoot } from '../src/paths.ts';
import { ensureBenchAccounts } from './data/accounts.ts';
import { BENCH_ACCOUNTS, BENCH_PASSWORD, PARAMS, paramsOf, SCENARIOS } from './scenarios.ts';

const { values: args } = parseArgs({
  options: {
    kills: { type: 'string', default: '10' },
    window: { type: 'string', default: '1-4' },
    writers: { type: 'string', default: '2' },
    'load-seconds': { type: 'string', default: '0' },
    'baseline-seconds': { type: 'string', default: '15' },
    users: { type: 'string', default: '64' },
    port: { type: 'string', default: '3390' },
    out: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
  },
});
const KILLS = Number(args.kills);
const [WINDOW_MIN, WINDOW_MAX] = args.window.split('-').map(Number) as [number, number];
const WRITERS = Number(args.writers);
const LOAD_SECONDS = Number(args['load-seconds']);
const BASELINE_SECONDS = Number(args['baseline-seconds']);
const USERS = Number(args.users);
const PORT = Number(args.port);
const BASE = `http://127.0.0.1:${PORT}`;
const MEMORY_BUDGET_MB = 500;
/** Offers beyond this many free places go to the waitlist: the quota is under pressure all along. */
const FREE_PLACES = 25;
const ERASABLE = 300;
let freePlaces = FREE_PLACES;

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const config = loadConfig(process.env);
const backend = config.database.kind;

// ---------------------------------------------------------------------------------------------
// The server

let server: { child: ChildProcess; exited: Promise<number | null> } | null = null;

async function startServer(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--max-old-space-size=256', 'dist/main.js'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
      // Applicants come from many addresses (X-Forwarded-For): the public form's own limit is per address.
      TRUST_PROXY: 'true',
      BASE_URL: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  server = { child, exited };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${BASE}/healthz`, { signal: AbortSignal.timeout(2000) })).ok)
        return performance.now() - started;
    } catch {
      /* not yet */
    }
    if (performance.now() - started > 120_000)
      throw new Error(`the server did not start in 120 s: ${stderr}`);
    await sleep(50);
  }
}

async function killServer(): Promise<void> {
  if (!server) return;
  server.child.kill('SIGKILL');
  await server.exited;
  server = null;
}

async function stopServer(): Promise<void> {
  if (!server) return;
  server.child.kill('SIGTERM');
  await server.exited;
  server = null;
}

// ---------------------------------------------------------------------------------------------
// Signed-in users

type Session = { cookie: string; csrf: string; email: string };

async function signIn(email: string, password = BENCH_PASSWORD): Promise<Session> {
  const page = await fetch(`${BASE}/sign-in`);
  const jar = page.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${BASE}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.join('; ') },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`could not sign in as ${email} (${res.status})`);
  const cookies = new Map(jar.map((c) => [c.split('=')[0]!, c]));
  for (const c of res.headers.getSetCookie().map((x) => x.split(';')[0]!)) cookies.set(c.split('=')[0]!, c);
  return { cookie: [...cookies.values()].join('; '), csrf, email };
}

const json = (s: Session, method: string, url: string, body: unknown) =>
  fetch(`${BASE}${url}`, {
    method,
    redirect: 'manual',
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });

const form = (s: Session, url: string, fields: Record<string, string>) =>
  fetch(`${BASE}${url}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
    signal: AbortSignal.timeout(30_000),
  });

// ---------------------------------------------------------------------------------------------
// Acknowledged writes

type Ack =
  | { kind: 'account'; id: number; email: string }
  | { kind: 'plan'; id: number; title: string }
  | { kind: 'session'; id: number; setId: number }
  | { kind: 'decision'; id: number; status: string }
  | { kind: 'application'; id: number }
  | { kind: 'erasure-request'; userId: number }
  | { kind: 'erasure'; requestId: number };

const acks: Ack[] = [];
const tally = {
  attempted: 0,
  acknowledged: 0,
  /** A 4xx the rules give (an application already decided, a quota): not a write, not an error. */
  refused: 0,
  refusedSamples: [] as string[],
  /** No answer: the server was killed with the request in flight, or was down. */
  unanswered: 0,
  unansweredSamples: [] as string[],
  serverErrors: [] as string[],
};

function record(res: Response, what: string): boolean {
  if (res.status >= 500) tally.serverErrors.push(`${what}: ${res.status}`);
  else if (res.status >= 400) {
    tally.refused++;
    if (tally.refusedSamples.length < 10) tally.refusedSamples.push(`${what}: ${res.status}`);
  }
  return res.status < 400;
}

let running = false;
let stamp = 0;
const unique = () => `${Date.now().toString(36)}${(stamp++).toString(36)}`;

type Writer = { name: string; step(): Promise<void> };

function accountWriter(national: Session): Writer {
  return {
    name: 'account (API)',
    async step() {
      const email = `soak.${unique()}@soak.cln.example`;
      const res = await json(national, 'POST', '/api/v1/users', {
        name: `Soak Person ${email.slice(5, 13)}`,
        email,
        role: 'member',
        region: 'Q34',
      });
      if (record(res, 'POST /api/v1/users') && res.status === 201) {
        const body = (await res.json()) as { id: number };
        acks.push({ kind: 'account', id: body.id, email });
      }
    },
  };
}

function planWriter(member: Session): Writer {
  return {
    name: 'development plan (form)',
    async step() {
      const title = `Soak plan ${unique()}`;
      const res = await form(member, '/development/plans', { title });
      if (record(res, 'POST /development/plans') && res.status === 303) {
        const id = Number(/\/development\/plans\/(\d+)/.exec(res.headers.get('location') ?? '')?.[1]);
        if (id) acks.push({ kind: 'plan', id, title });
      }
    },
  };
}

function sessionWriter(facilitator: Session, setId: number): Writer {
  let day = 0;
  return {
    name: 'learning-set session (API)',
    async step() {
      const date = new Date(Date.UTC(2027, 0, 4) + (day++ % 700) * 86_400_000).toISOString().slice(0, 10);
      const res = await json(facilitator, 'POST', `/api/v1/learning-sets/${setId}/sessions`, {
        date,
        startTime: '14:00',
        durationMinutes: 90,
        location: `Soak room ${unique()}`,
      });
      if (record(res, 'POST /api/v1/learning-sets/:id/sessions') && res.status === 201) {
        const body = (await res.json()) as { id: number };
        acks.push({ kind: 'session', id: body.id, setId });
      }
    },
  };
}

/** Public applications to Q34 (each from its own address, as applicants are), then offered. */
function applicationWriter(applications: number[]): Writer {
  return {
    name: 'public application (API)',
    async step() {
      const id = unique();
      const res = await fetch(`${BASE}/api/v1/applications`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
        },
        body: JSON.stringify({
          givenName: 'Soak',
          familyName: `Applicant ${id}`,
          email: `applicant.${id}@soak.cln.example`,
          profession: 'doctor',
          registrationNumber: String(1_000_000 + Math.floor(Math.random() * 8_999_999)),
          employerOds: 'RBK',
          regionCode: 'Q34',
          jobTitle: 'Consultant physician',
          roleSummary: 'I lead the acute medical unit.',
          leadershipExperience: 'I led the redesign of our discharge process.',
          motivation: 'To learn from peers and bring change to my trust.',
          sponsorName: 'Sam Sponsor',
          sponsorEmail: `sponsor.${id}@soak.cln.example`,
          consent: true,
        }),
        signal: AbortSignal.timeout(30_000),
      });
      if (record(res, 'POST /api/v1/applications') && res.status === 201) {
        const body = (await res.json()) as { id: number };
        acks.push({ kind: 'application', id: body.id });
        applications.push(body.id);
      }
    },
  };
}

function offerWriter(lead: Session, applications: number[]): Writer {
  return {
    name: 'offer of a place (API)',
    async step() {
      const id = applications.shift();
      if (id === undefined) return void (await sleep(200));
      const res = await json(lead, 'POST', `/api/v1/applications/${id}/decision`, { decision: 'offer' });
      if (record(res, 'POST /api/v1/applications/:id/decision') && res.status === 200) {
        const body = (await res.json()) as { status: string };
        acks.push({ kind: 'decision', id, status: body.status });
      } else if (res.status >= 500 || res.status === 0) applications.push(id);
    },
  };
}

function erasureRequester(people: { id: number; email: string }[]): Writer {
  return {
    name: 'erasure asked for (form)',
    async step() {
      const person = people.shift();
      if (!person) return void (await sleep(200));
      const member = await signIn(person.email);
      const asked = await form(member, '/profile/erasure', { reason: 'soak test', confirm: 'yes' });
      if (record(asked, 'POST /profile/erasure') && asked.status === 303)
        acks.push({ kind: 'erasure-request', userId: person.id });
    },
  };
}

function erasureApprover(national: Session): Writer {
  return {
    name: 'erasure approved (form)',
    async step() {
      const list = await fetch(`${BASE}/admin/erasure-requests`, {
        headers: { cookie: national.cookie },
        signal: AbortSignal.timeout(30_000),
      });
      const html = await list.text();
      const pending = [...html.matchAll(/\/admin\/erasure-requests\/(\d+)\/confirm/g)].map((m) =>
        Number(m[1]),
      );
      if (!pending.length) return void (await sleep(100));
      for (const requestId of pending) {
        const res = await form(national, `/admin/erasure-requests/${requestId}`, {
          decision: 'approve',
          note: 'Approved by the soak test',
        });
        if (record(res, 'POST /admin/erasure-requests/:id') && res.status === 303)
          acks.push({ kind: 'erasure', requestId });
      }
    },
  };
}

async function runWriter(w: Writer, until: () => boolean): Promise<void> {
  while (!until()) {
    tally.attempted++;
    const before = acks.length;
    try {
      await w.step();
      if (acks.length > before) tally.acknowledged += acks.length - before;
    } catch (err) {
      tally.unanswered++;
      if (running && tally.unansweredSamples.length < 10)
        tally.unansweredSamples.push(`${w.name}: ${(err as Error).message}`);
      await sleep(20);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks, with the server down

/** Each invariant: a query returning the rows that break it. */
const INVARIANTS: { name: string; query: ReturnType<typeof sql<{ id: unknown }>> }[] = [
  {
    name: 'places taken within the quota (each open intake)',
    query: sql<{ id: unknown }>`select i.id from intakes i join network_regions r on r.code = i.region_code
      where i.status = 'open' and (select count(*) from applications a where a.intake_id = i.id
        and a.status in ('offered', 'accepted')) > r.recruitment_target`,
  },
  {
    name: 'set sizes within their maximum',
    query: sql<{ id: unknown }>`select s.id from ls_sets s
      where (select count(*) from ls_set_members m where m.set_id = s.id) > s.max_size`,
  },
  {
    name: 'facilitators within their capacity of published sets',
    query: sql<{ id: unknown }>`select f.user_id as id from ls_facilitators f
      where (select count(*) from ls_sets s join ls_formations fo on fo.id = s.formation_id
        where s.facilitator_user_id = f.user_id and fo.status = 'published') > f.max_sets`,
  },
  {
    name: 'one active mentor per mentee',
    query: sql<{
      id: unknown;
    }>`select mentee_user_id as id from mentoring_relationships where status = 'active'
      group by mentee_user_id having count(*) > 1`,
  },
  {
    name: 'erased people stay erased',
    query: sql<{ id: unknown }>`select er.id from erasure_requests er join users u on u.id = er.user_id
      left join member_profiles p on p.user_id = er.user_id
      where er.status = 'approved' and (u.disabled_at is null or u.password_hash is not null
        or u.name <> 'Erased member ' || u.id or (p.user_id is not null and p.erased_at is null))`,
  },
];

async function invariantBreaches(db: DB): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const inv of INVARIANTS)
    out.set(
      inv.name,
      (await inv.query.execute(db)).rows.map((r) => String(r.id)),
    );
  return out;
}

let baseline = new Map<string, string[]>();

async function missingAcks(db: DB): Promise<string[]> {
  const missing: string[] = [];
  const of = <K extends Ack['kind']>(k: K) =>
    acks.filter((a): a is Extract<Ack, { kind: K }> => a.kind === k);
  const ids = (xs: { id: number }[]) => (xs.length ? xs.map((x) => x.id) : [0]);
  const accounts = of('account');
  const foundUsers = new Map(
    (await db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids(accounts)).execute()).map(
      (r) => [r.id, r.email],
    ),
  );
  for (const a of accounts) if (foundUsers.get(a.id) !== a.email) missing.push(`account ${a.id} ${a.email}`);
  const plans = of('plan');
  const foundPlans = new Map(
    (await db.selectFrom('dev_plans').select(['id', 'title']).where('id', 'in', ids(plans)).execute()).map(
      (r) => [r.id, r.title],
    ),
  );
  for (const p of plans) if (foundPlans.get(p.id) !== p.title) missing.push(`plan ${p.id}`);
  const sessions = of('session');
  const foundSessions = new Set(
    (await db.selectFrom('ls_sessions').select('id').where('id', 'in', ids(sessions)).execute()).map(
      (r) => r.id,
    ),
  );
  for (const s of sessions) if (!foundSessions.has(s.id)) missing.push(`session ${s.id}`);
  const submitted = of('application');
  const foundApplications = new Set(
    (await db.selectFrom('applications').select('id').where('id', 'in', ids(submitted)).execute()).map(
      (r) => r.id,
    ),
  );
  for (const a of submitted) if (!foundApplications.has(a.id)) missing.push(`application ${a.id}`);
  const decisions = of('decision');
  const foundDecisions = new Map(
    (
      await db.selectFrom('applications').select(['id', 'status']).where('id', 'in', ids(decisions)).execute()
    ).map((r) => [r.id, r.status]),
  );
  for (const d of decisions)
    if (foundDecisions.get(d.id) !== d.status)
      missing.push(
        `decision on application ${d.id}: ${d.status} acknowledged, ${foundDecisions.get(d.id)} found`,
      );
  const asked = of('erasure-request');
  const foundAsked = new Set(
    (
      await db
        .selectFrom('erasure_requests')
        .select('user_id')
        .where('user_id', 'in', asked.length ? asked.map((a) => a.userId) : [0])
        .execute()
    ).map((r) => r.user_id),
  );
  for (const a of asked) if (!foundAsked.has(a.userId)) missing.push(`erasure request of user ${a.userId}`);
  const erasures = of('erasure');
  const requestIds = erasures.length ? erasures.map((e) => e.requestId) : [0];
  const foundErasures = new Map(
    (
      await db.selectFrom('erasure_requests').select(['id', 'status']).where('id', 'in', requestIds).execute()
    ).map((r) => [r.id, r.status]),
  );
  for (const e of erasures)
    if (foundErasures.get(e.requestId) !== 'approved') missing.push(`erasure request ${e.requestId}`);
  return missing;
}

type Check = { missing: string[]; newBreaches: Record<string, string[]> };

async function check(): Promise<Check> {
  const handle = await openDatabase(config.database);
  try {
    const missing = await missingAcks(handle.db);
    const now = await invariantBreaches(handle.db);
    const newBreaches: Record<string, string[]> = {};
    for (const [name, ids] of now) {
      const before = new Set(baseline.get(name) ?? []);
      const fresh = ids.filter((id) => !before.has(id));
      if (fresh.length) newBreaches[name] = fresh;
    }
    return { missing, newBreaches };
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Set-up

type Prepared = {
  setId: number;
  applications: number[];
  erasable: { id: number; email: string }[];
  paths: Map<string, string>;
};

async function prepare(): Promise<Prepared> {
  const handle = await openDatabase(config.database);
  const db = handle.db;
  try {
    await migrateToLatest(db);
    await ensureBenchAccounts(db, config);
    const setId = Number(await PARAMS.set!(db));
    if (!setId) throw new Error('no learning set for the bench accounts: run bench:data first');
    // Q34's quota: FREE_PLACES more than the places taken now, so that offers run into it.
    const q34 = await sql<{ intake_id: number; taken: number }>`select i.id as intake_id,
        (select count(*)::int from applications a where a.intake_id = i.id and a.status in ('offered', 'accepted')) as taken
      from intakes i where i.region_code = 'Q34' and i.status = 'open' order by i.id desc limit 1`.execute(
      db,
    );
    const { intake_id, taken } = q34.rows[0]!;
    freePlaces = FREE_PLACES;
    await sql`update network_regions set recruitment_target = ${taken + freePlaces} where code = 'Q34'`.execute(
      db,
    );
    const applications = (
      await sql<{ id: number }>`select id from applications where intake_id = ${intake_id}
        and status in ('submitted', 'shortlisted', 'waitlisted') order by id limit 2000`.execute(db)
    ).rows.map((r) => r.id);
    // Members who may sign in to ask for erasure: the bench password on members who have not been erased.
    const hash = await sql<{
      h: string;
    }>`select password_hash as h from users where email = ${BENCH_ACCOUNTS[3]!.email}`.execute(db);
    const erasable = (
      await sql<{ id: number; email: string }>`update users u set password_hash = ${hash.rows[0]!.h}
        where u.id in (select p.user_id from member_profiles p join users x on x.id = p.user_id
          where p.erased_at is null and x.disabled_at is null and x.email like 'm%@bench.cln.example'
            and not exists (select 1 from erasure_requests e where e.user_id = p.user_id)
          order by p.user_id desc limit ${ERASABLE})
        returning u.id, u.email`.execute(db)
    ).rows;
    const paths = new Map<string, string>();
    for (const name of Object.keys(PARAMS)) {
      const v = await PARAMS[name]!(db);
      if (v) paths.set(name, v);
    }
    baseline = await invariantBreaches(db);
    return { setId, applications, erasable, paths };
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Phases

type KillRecord = {
  kill: number;
  afterMs: number;
  acknowledgedSoFar: number;
  restartMs: number;
  missing: string[];
  newBreaches: Record<string, string[]>;
};

async function writersFor(p: Prepared): Promise<Writer[]> {
  const [national, lead, facilitator, member] = await Promise.all([
    signIn(BENCH_ACCOUNTS[0]!.email),
    signIn(BENCH_ACCOUNTS[1]!.email),
    signIn(BENCH_ACCOUNTS[2]!.email),
    signIn(BENCH_ACCOUNTS[3]!.email),
  ]);
  const ws: Writer[] = [];
  for (let i = 0; i < WRITERS; i++)
    ws.push(
      accountWriter(national),
      planWriter(member),
      sessionWriter(facilitator, p.setId),
      offerWriter(lead, p.applications),
      applicationWriter(p.applications),
    );
  ws.push(erasureRequester(p.erasable), erasureApprover(national));
  return ws;
}

async function crashPhase(p: Prepared): Promise<KillRecord[]> {
  const records: KillRecord[] = [];
  log(
    `Crash phase on ${backend}: ${KILLS} kills, each after ${WINDOW_MIN}-${WINDOW_MAX} s of concurrent writes.`,
  );
  const firstStart = await startServer();
  log(`  server up in ${(firstStart / 1000).toFixed(1)} s`);
  // Sessions live in the database: the same cookies keep working after each restart.
  const writers = await writersFor(p);
  for (let k = 1; k <= KILLS; k++) {
    running = true;
    const stop = () => !running;
    const loops = writers.map((w) => runWriter(w, stop));
    const windowMs = (WINDOW_MIN + Math.random() * (WINDOW_MAX - WINDOW_MIN)) * 1000;
    await sleep(windowMs);
    await killServer();
    running = false;
    await Promise.all(loops);
    const result = await check();
    const restartMs = await startServer();
    records.push({
      kill: k,
      afterMs: Math.round(windowMs),
      acknowledgedSoFar: acks.length,
      restartMs: Math.round(restartMs),
      ...result,
    });
    const broken = Object.entries(result.newBreaches);
    log(
      `  kill ${k}/${KILLS} after ${(windowMs / 1000).toFixed(1)} s: ${acks.length} writes acknowledged so far, ` +
        `${result.missing.length} missing; invariants ${broken.length ? `BROKEN: ${broken.map(([n, ids]) => `${n} (${ids.join(', ')})`).join('; ')}` : 'hold'}; ` +
        `restarted in ${(restartMs / 1000).toFixed(1)} s`,
    );
    for (const m of result.missing.slice(0, 10)) log(`    lost: ${m}`);
  }
  return records;
}

type LoadStats = {
  users: number;
  seconds: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  peakRssMb: number;
  writesAcknowledged: number;
};

const percentile = (sorted: number[], q: number) =>
  sorted.length
    ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 10) / 10
    : 0;

/** The pages each role browses: the load benchmark's scenarios for that role, ids filled in. */
function pagesByRole(p: Prepared): Map<string | null, string[]> {
  const out = new Map<string | null, string[]>();
  for (const s of SCENARIOS) {
    let url = s.path;
    let ok = true;
    for (const name of paramsOf(s.path)) {
      const v = p.paths.get(name);
      if (!v) ok = false;
      else url = url.replace(`{${name}}`, encodeURIComponent(v));
    }
    // The competency profiles are measured by bench:load; here they would dominate the mix.
    if (!ok || s.path.includes('/development/profiles')) continue;
    out.set(s.as, [...(out.get(s.as) ?? []), url]);
  }
  return out;
}

async function loadRun(
  p: Prepared,
  users: number,
  seconds: number,
  withWriters: boolean,
): Promise<LoadStats> {
  const pages = pagesByRole(p);
  const roles = BENCH_ACCOUNTS.filter((a) => pages.has(a.role));
  const sessions: { session: Session; pages: string[] }[] = [];
  for (let i = 0; i < users; i++) {
    const a = roles[i % roles.length]!;
    sessions.push({
      session: await signIn(a.email),
      pages: [...pages.get(a.role)!, ...(pages.get(null) ?? [])],
    });
  }
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let peakRss = 0;
  const ackedBefore = acks.length;
  const end = performance.now() + seconds * 1000;
  const done = () => performance.now() >= end;
  const sampler = setInterval(() => {
    if (server?.child.pid)
      pidusage(server.child.pid).then(
        (u) => (peakRss = Math.max(peakRss, u.memory / 1024 / 1024)),
        () => undefined,
      );
  }, 500);
  const browse = async ({ session, pages: list }: (typeof sessions)[number], i: number) => {
    let n = i;
    while (!done()) {
      const url = list[n++ % list.length]!;
      const t = performance.now();
      try {
        const res = await fetch(`${BASE}${url}`, {
          headers: { cookie: session.cookie },
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        if (res.status !== 200) {
          errors++;
          if (errorSamples.length < 10) errorSamples.push(`${res.status} ${url} (${session.email})`);
        }
      } catch (err) {
        errors++;
        if (errorSamples.length < 10) errorSamples.push(`${(err as Error).message} ${url}`);
      }
      latencies.push(performance.now() - t);
    }
  };
  const loops = sessions.map((s, i) => browse(s, i));
  if (withWriters) {
    running = true;
    const ws = await writersFor(p);
    loops.push(...ws.map((w) => runWriter(w, done)));
  }
  await Promise.all(loops);
  clearInterval(sampler);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    users,
    seconds,
    requests: latencies.length,
    errors,
    errorSamples,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    rps: Math.round(latencies.length / seconds),
    peakRssMb: Math.round(peakRss),
    writesAcknowledged: acks.length - ackedBefore,
  };
}

async function main() {
  if (!args['skip-build']) {
    log('Building (npm run build)...');
    const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: projectRoot, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('the build failed');
  }
  const p = await prepare();
  const members = await (async () => {
    const h = await openDatabase(config.database);
    try {
      return Number(
        (await sql<{ n: number }>`select count(*)::int as n from member_profiles`.execute(h.db)).rows[0]!.n,
      );
    } finally {
      await h.close();
    }
  })();
  log(
    `Soak on ${backend} with ${members.toLocaleString('en-GB')} members; Q34 has ${freePlaces} free places, ` +
      `${p.applications.length} applications to offer, ${p.erasable.length} members who may ask for erasure.`,
  );
  for (const [name, ids] of baseline)
    if (ids.length)
      log(
        `  before the run, "${name}" already fails for ${ids.length} rows (generated data); only new ones count`,
      );

  const kills = KILLS > 0 ? await crashPhase(p) : [];
  if (!server) await startServer();

  let load: { baseline: LoadStats; loaded: LoadStats } | null = null;
  if (LOAD_SECONDS > 0) {
    log(
      `Load phase: 1 user for ${BASELINE_SECONDS} s (baseline), then ${USERS} users for ${LOAD_SECONDS} s...`,
    );
    const single = await loadRun(p, 1, BASELINE_SECONDS, false);
    log(
      `  1 user: ${single.requests} requests, p95 ${single.p95} ms, ${single.errors} errors, peak RSS ${single.peakRssMb} MB`,
    );
    const loaded = await loadRun(p, USERS, LOAD_SECONDS, true);
    log(
      `  ${USERS} users: ${loaded.requests} requests (${loaded.rps}/s), p50 ${loaded.p50} ms, p95 ${loaded.p95} ms ` +
        `(${(loaded.p95 / Math.max(single.p95, 0.1)).toFixed(1)} x the single user's), p99 ${loaded.p99} ms, ` +
        `${loaded.errors} errors, peak RSS ${loaded.peakRssMb} MB of ${MEMORY_BUDGET_MB} MB, ${loaded.writesAcknowledged} writes acknowledged`,
    );
    for (const e of loaded.errorSamples) log(`    error: ${e}`);
    load = { baseline: single, loaded };
  }
  await stopServer();
  const final = await check();

  const lost = new Set([...kills.flatMap((k) => k.missing), ...final.missing]);
  const breaches = {
    ...Object.fromEntries(kills.flatMap((k) => Object.entries(k.newBreaches))),
    ...final.newBreaches,
  };
  const byKind = acks.reduce<Record<string, number>>((m, a) => ((m[a.kind] = (m[a.kind] ?? 0) + 1), m), {});
  const offers = acks.reduce<Record<string, number>>(
    (m, a) => (a.kind === 'decision' ? ((m[a.status] = (m[a.status] ?? 0) + 1), m) : m),
    {},
  );
  const summary = {
    offersByOutcome: offers,
    backend,
    members,
    at: new Date().toISOString(),
    kills: kills.length,
    attempted: tally.attempted,
    acknowledged: acks.length,
    acknowledgedByKind: byKind,
    refusedByRules: tally.refused,
    refusedSamples: tally.refusedSamples,
    unansweredSamples: tally.unansweredSamples,
    unanswered: tally.unanswered,
    serverErrors: tally.serverErrors,
    lost: [...lost],
    invariantBreaches: breaches,
    restartMs: kills.map((k) => k.restartMs),
    load,
  };
  const outFile = args.out ?? path.join(projectRoot, 'bench', 'results', `soak-${backend}.json`);
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify({ summary, killsDetail: kills }, null, 2));
  log('');
  log(
    `Tried: ${tally.attempted} writes (${Object.entries(byKind)
      .map(([k, n]) => `${n} ${k}`)
      .join(
        ', ',
      )} acknowledged; ${tally.refused} refused by the rules; ${tally.unanswered} unanswered while the server was down) over ${kills.length} SIGKILLs.`,
  );
  log(
    `Offers against Q34's ${freePlaces} free places: ${
      Object.entries(offers)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ') || 'none'
    }.`,
  );
  for (const r of tally.refusedSamples) log(`  refused: ${r}`);
  for (const u of tally.unansweredSamples) log(`  unanswered while running: ${u}`);
  log(
    `Found: ${lost.size} acknowledged writes lost, ${Object.keys(breaches).length} invariants broken, ${tally.serverErrors.length} server errors (5xx)` +
      (load
        ? `, ${load.loaded.errors} failed requests under load, peak RSS ${load.loaded.peakRssMb} MB`
        : '') +
      `. Results: ${path.relative(projectRoot, outFile)}`,
  );
  const failed =
    lost.size > 0 ||
    Object.keys(breaches).length > 0 ||
    tally.serverErrors.length > 0 ||
    (load !== null && (load.loaded.errors > 0 || load.loaded.peakRssMb > MEMORY_BUDGET_MB));
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (err) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  await killServer().catch(() => undefined);
  process.exitCode = 1;
});
