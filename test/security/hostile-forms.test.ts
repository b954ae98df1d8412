import { Parser } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSubmission } from '../../src/modules/recruitment/index.ts';
import { Agent, buildTestApp, createUser, followRefresh, type TestContext } from '../app.ts';
import {
  addCohort,
  addMember,
  formationForm,
  location,
  organisationIdOf,
  signedIn,
  trustsOf,
} from '../journeys/support.ts';
import { seedItem } from '../knowledge-fixtures.ts';
import { changedTables, HOSTILE_STRINGS, internalDetail, OVER_LONG, rowCounts } from './hostile-values.ts';

/**
 * Every form a person can reach, found by rendering the pages each persona can open (every page
 * without a path parameter, and the pages their links lead to, which name real records), then
 * submitted with hostile values one field at a time, with a valid CSRF token: never a 5xx or internal
 * detail; a refusal (4xx) shows the NHS error summary and leaves every table's row count as it was;
 * what is accepted is shown inert wherever it appears.
 *
 * Refusals leave no trace at all: the app audits decisions and changes, not refused attempts. The one
 * exception is the sign-in throttle (`sign_in_failures`), which must count failures to work. A 429
 * (throttled) is the service's "too many requests" page, not the form again.
 */
const REFUSAL_MAY_CHANGE = new Set(['sign_in_failures']);

/** Forms whose success would end the persona's session or account (tested in their own files). */
const SKIP_ACTIONS =
  /^\/(sign-out|profile\/erasure|account\/password|admin\/users\/\d+\/(disable|roles\/remove)|account\/api-tokens\/\d+\/revoke|learning-sets\/calendar\/revoke|admin\/erasure-requests)/;
/** Links not worth following: downloads, images, scripts, the API, leaving. */
const SKIP_LINKS =
  /\.(csv|json|js|css|ics|png|jpg)(\?|$)|^\/(api|assets|static|nhsuk)\/|\/photo|sign-out|erasure/;

type Control = { name: string; kind: string; value: string; options: string[] };
type Form = { page: string; action: string; method: 'GET' | 'POST'; controls: Control[] };

/** The forms of a page, with each control's name, kind and default value, read by a real HTML parser. */
function formsOf(html: string, page: string): Form[] {
  const forms: Form[] = [];
  let form: Form | null = null;
  let select: Control | null = null;
  let textarea: Control | null = null;
  const parser = new Parser(
    {
      onopentag(tag, a) {
        if (tag === 'form') {
          form = {
            page,
            action: new URL(a.action || page, 'http://cln.test' + page).pathname,
            method: (a.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET',
            controls: [],
          };
          forms.push(form);
          return;
        }
        const f = form as Form | null;
        if (!f || !a.name || a.name === '_csrf') return;
        if (tag === 'input') {
          const kind = (a.type ?? 'text').toLowerCase();
          if (kind === 'file' || kind === 'submit' || kind === 'button') return;
          if ((kind === 'radio' || kind === 'checkbox') && f.controls.some((c) => c.name === a.name)) {
            f.controls.find((c) => c.name === a.name)!.options.push(a.value ?? 'on');
            return;
          }
          f.controls.push({
            name: a.name,
            kind,
            value: a.value ?? (kind === 'checkbox' ? 'on' : ''),
            options: [a.value ?? 'on'],
          });
        } else if (tag === 'select') {
          select = { name: a.name, kind: 'select', value: '', options: [] };
          f.controls.push(select);
        } else if (tag === 'textarea') {
          textarea = { name: a.name, kind: 'textarea', value: '', options: [] };
          f.controls.push(textarea);
        } else if (tag === 'button' && a.value !== undefined && !f.controls.some((c) => c.name === a.name)) {
          f.controls.push({ name: a.name, kind: 'button', value: a.value, options: [a.value] });
        }
        if (tag === 'option' && select) {
          const s = select as Control;
          s.options.push(a.value ?? '');
          if (a.selected !== undefined || (!s.value && a.value)) s.value = a.value ?? '';
        }
      },
      ontext(text) {
        if (textarea) (textarea as Control).value += text;
      },
      onclosetag(tag) {
        if (tag === 'form') form = null;
        if (tag === 'select') select = null;
        if (tag === 'textarea') textarea = null;
      },
    },
    { decodeEntities: true },
  );
  // <option> inside <select> arrives through onopentag before the select closes.
  parser.write(html);
  parser.end();
  return forms;
}

/** A plausible value for a control left empty, so that breaking one field tests that field alone. */
function plausible(c: Control): string {
  if (c.value) return c.value;
  if (c.kind === 'email' || /email/i.test(c.name)) return 'fuzz.form@nhs.test';
  if (c.kind === 'date' || /date|On$/.test(c.name)) return '2027-03-01';
  if (/day$/i.test(c.name)) return '1';
  if (/month$/i.test(c.name)) return '3';
  if (/year$/i.test(c.name)) return '2027';
  if (c.kind === 'number' || /capacity|target|amount|minutes|count|rank|months/i.test(c.name)) return '1';
  if (c.kind === 'time' || /time$/i.test(c.name)) return '10:00';
  if (c.kind === 'password') return 'a long fuzzing passphrase';
  return c.options.find(Boolean) ?? 'Fuzz value';
}

/** Raw, already-encoded values: a lone surrogate and a NUL can only travel as raw bytes. */
const RAW_VARIANTS: { label: string; raw: string | null | string[] }[] = [
  { label: 'missing', raw: null },
  { label: 'twice', raw: ['a', 'b'] },
  { label: 'over-long', raw: encodeURIComponent(OVER_LONG) },
  { label: 'NUL', raw: 'a%00b' },
  { label: 'lone surrogate', raw: 'a%ED%A0%80b' },
  { label: 'bad percent', raw: '%E0%A4%A' },
  ...HOSTILE_STRINGS.filter((s) => !s.includes('\u0000') && !s.includes('\ud800')).map((s) => ({
    label: s,
    raw: encodeURIComponent(s),
  })),
];

function encodeForm(values: Map<string, string | null | string[]>): string {
  const parts: string[] = [];
  for (const [k, v] of values) {
    if (v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${one}`);
  }
  return parts.join('&');
}

// eslint-disable-next-line no-control-regex -- a NUL must never reach a page
const UNESCAPED = [/<script>alert\(1\)/, /<img src=x onerror/i, /\u202e/, /\u0000/];

let ctx: TestContext;
type Persona = { label: string; agent: Agent; start: string[] };
let personas: Persona[];

const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

/** The id in the first link of a page that matches, for the records the setup made through the pages. */
function linkId(html: string, pattern: RegExp, what: string): number {
  const m = pattern.exec(html);
  if (!m) throw new Error(`no ${what} link`);
  return Number(m[1]);
}

beforeAll(async () => {
  ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
  const intake = (
    await ctx.db
      .selectFrom('intakes')
      .select('id')
      .where('region_code', '=', 'Q37')
      .orderBy('id')
      .executeTakeFirstOrThrow()
  ).id;
  const member = await addMember(ctx, {
    regionCode: 'Q37',
    intakeId: intake,
    name: 'Forms Member',
    profession: 'nurse',
    organisationId: await organisationIdOf(ctx, 'RA2'),
    jobTitle: 'Lead nurse',
    mentor: true,
  });
  const memberOrganisation = await organisationIdOf(ctx, 'RA2');
  await addCohort(ctx, 'Q37', intake, 7);
  const lead = await createUser(ctx, [{ role: 'regional-lead', regionCode: 'Q37' }]);
  const facilitator = await createUser(ctx, [{ role: 'facilitator', regionCode: 'Q37' }]);
  const national = await createUser(ctx, [{ role: 'national', regionCode: null }]);
  const leadAgent = await signedIn(ctx, lead.email);
  const memberAgent = await signedIn(ctx, member.email);
  const facilitatorAgent = await signedIn(ctx, facilitator.email);
  // An application in the lead's region, so that the review pages have a record with its forms.
  const submitted = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/applications',
    payload: buildSubmission({ regionCode: 'Q37', employerOds: 'RA2', email: 'fuzz.applicant@nhs.test' }),
  });
  expect(submitted.statusCode).toBe(201);

  // A learning set with a session, so that the set's and the session's forms are reached.
  await leadAgent.get('/learning-sets/regions/Q37');
  location(
    await leadAgent.post('/learning-sets/regions/Q37/facilitators', {
      email: facilitator.email,
      maxSets: '3',
      isLead: 'yes',
    }),
  );
  const formation = formationForm(intake, { setCount: '1' });
  await leadAgent.get('/learning-sets/regions/Q37/form');
  const published = location(
    await followRefresh(
      leadAgent,
      location(await leadAgent.post('/learning-sets/regions/Q37/form', formation)),
    ),
  );
  location(await leadAgent.post(`${published}/publish`));
  // A second cohort formed but left as a draft, so that the draft's forms (move, swap, facilitator)
  // are fuzzed too.
  await leadAgent.get('/recruitment/regions/Q37/intakes');
  location(
    await leadAgent.post('/recruitment/regions/Q37/intakes', {
      name: 'Fuzz intake',
      opensOn: '2027-09-01',
      closesOn: '',
      status: 'closed',
    }),
  );
  const secondIntake = (
    await ctx.db
      .selectFrom('intakes')
      .select('id')
      .where('region_code', '=', 'Q37')
      .where('name', '=', 'Fuzz intake')
      .executeTakeFirstOrThrow()
  ).id;
  await addCohort(ctx, 'Q37', secondIntake, 8);
  await leadAgent.get('/learning-sets/regions/Q37/form');
  const draft = location(
    await followRefresh(
      leadAgent,
      location(
        await leadAgent.post(
          '/learning-sets/regions/Q37/form',
          formationForm(secondIntake, { setCount: '1' }),
        ),
      ),
    ),
  );
  const set = linkId(
    (await memberAgent.get('/learning-sets')).body,
    /href="\/learning-sets\/sets\/(\d+)"/,
    'set',
  );
  await facilitatorAgent.get(`/learning-sets/sets/${set}`);
  location(
    await facilitatorAgent.post(`/learning-sets/sets/${set}/sessions`, {
      date: FUTURE,
      startTime: '13:30',
      durationMinutes: '180',
      location: 'Forms Hall',
      onlineUrl: '',
    }),
  );
  const session = linkId(
    (await facilitatorAgent.get(`/learning-sets/sets/${set}`)).body,
    /href="\/learning-sets\/sessions\/(\d+)"/,
    'session',
  );
  // A mentoring pair (the member and a mentor of the region), for the pair's forms.
  const mentor = await addMember(ctx, {
    regionCode: 'Q37',
    name: 'Forms Mentor',
    profession: 'doctor',
    // Another employer: a mentor is not matched with someone of their own organisation.
    organisationId: (await trustsOf(ctx, 'Q37')).find((id) => id !== memberOrganisation)!,
    jobTitle: 'Medical director',
    mentor: true,
  });
  const mentorAgent = await signedIn(ctx, mentor.email);
  await mentorAgent.get('/mentoring/offer');
  location(
    await mentorAgent.post('/mentoring/offer', { capacity: '2', areas: ['management'], format: 'either' }),
  );
  await memberAgent.get('/mentoring/request');
  location(
    await memberAgent.post('/mentoring/request', {
      goals: 'Lead a service change',
      goalAreas: ['management'],
      format: 'online',
      sameRegion: 'yes',
    }),
  );
  await leadAgent.get('/mentoring/admin');
  const run = location(
    await followRefresh(leadAgent, location(await leadAgent.post('/mentoring/runs', { regionCode: 'Q37' }))),
  );
  location(await leadAgent.post(`${run}/approve`));
  const pair = linkId((await memberAgent.get('/mentoring')).body, /href="\/mentoring\/pairs\/(\d+)"/, 'pair');
  // The library: a topic the national team names, the member's draft case study with two PDSA
  // cycles, and a published public resource with a file and a share link, so that every item form
  // (edit, cycles, publish, archive), the files form and the share-link forms are reached.
  const nationalAgent = await signedIn(ctx, national.email);
  await nationalAgent.get('/knowledge/topics');
  location(await nationalAgent.post('/knowledge/topics', { name: 'Fuzz topic' }));
  await memberAgent.get('/knowledge/items/new');
  const caseStudy = location(
    await memberAgent.post('/knowledge/items', {
      kind: 'case-study',
      title: 'Fuzz case study',
      summary: 'Fuzz summary',
      visibility: 'network',
    }),
  ).replace(/#.*$/, '');
  await memberAgent.get(caseStudy);
  for (const plan of ['Fuzz cycle one', 'Fuzz cycle two'])
    location(await memberAgent.post(`${caseStudy}/cycles`, { plan }));
  const resource = location(
    await memberAgent.post('/knowledge/items', {
      kind: 'resource',
      title: 'Fuzz resource',
      summary: 'Fuzz summary',
      visibility: 'public',
    }),
  );
  await memberAgent.get(resource);
  location(await memberAgent.post(`${resource}/publish`));
  await memberAgent.get(`${resource}/files`);
  const boundary = '----clnfuzzfile';
  const uploaded = await ctx.app.inject({
    method: 'POST',
    url: `${resource}/files`,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      accept: 'text/html',
      cookie: (memberAgent as unknown as { cookieHeader(): string }).cookieHeader(),
    },
    payload:
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${memberAgent.csrfToken}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="fuzz.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\nFuzz file\n\r\n--${boundary}--\r\n`,
  });
  expect(uploaded.statusCode).toBe(303);
  await memberAgent.get(`${resource}/share-links`);
  expect((await memberAgent.post(`${resource}/share-links`)).statusCode).toBeLessThan(400);
  // Knowledge: discussion and moderation. The member's question on their item in Q37, the
  // facilitator's reply (which the member may accept), reported by the member to the lead.
  const knowledgeItem = await seedItem(ctx.db, {
    ownerUserId: member.id,
    title: 'Forms frailty pathway',
    regionCode: 'Q37',
  });
  const discussion = `/knowledge/items/${knowledgeItem}/discussion`;
  await memberAgent.get(discussion);
  const question = Number(
    /#post-(\d+)$/.exec(
      location(
        await memberAgent.post(`/knowledge/items/${knowledgeItem}/posts`, { kind: 'question', body: 'Q?' }),
      ),
    )?.[1],
  );
  await facilitatorAgent.get(`/knowledge/posts/${question}/reply`);
  const reply = Number(
    /#post-(\d+)$/.exec(
      location(await facilitatorAgent.post(`/knowledge/posts/${question}/replies`, { body: 'A.' })),
    )?.[1],
  );
  await memberAgent.get(`/knowledge/posts/${reply}/report`);
  location(await memberAgent.post(`/knowledge/posts/${reply}/report`, { reason: 'Forms report' }));

  // Events: a published event in the lead's region with the member registered, so that the
  // organiser's forms (change, status, agenda, decisions) and the member's are reached.
  await leadAgent.get('/events/new');
  const eventManage = location(
    await leadAgent.post('/events', {
      scope: 'regional',
      regionCode: 'Q37',
      format: 'in-person',
      title: 'Forms launch',
      summary: 'A launch',
      venueName: 'Forms Hall',
      startDate: FUTURE,
      startTime: '10:00',
      endDate: FUTURE,
      endTime: '16:00',
      capacity: '20',
      audience: 'region',
    }),
  );
  const eventId = Number(/\/events\/(\d+)/.exec(eventManage)![1]);
  await leadAgent.get(eventManage);
  location(
    await leadAgent.post(`/events/${eventId}/agenda`, { time: '10:00', title: 'Welcome', speakers: '' }),
  );
  location(await leadAgent.post(`/events/${eventId}/status`, { to: 'published', reason: '' }));
  await memberAgent.get(`/events/${eventId}`);
  location(await memberAgent.post(`/events/${eventId}/register`));

  personas = [
    { label: 'signed out', agent: new Agent(ctx.app), start: [] },
    {
      label: 'member',
      agent: memberAgent,
      start: [
        `/members/${member.id}`,
        `/learning-sets/sets/${set}`,
        `/mentoring/pairs/${pair}`,
        caseStudy,
        `${caseStudy}/edit`,
        resource,
        `${resource}/files`,
        `${resource}/share-links`,
        discussion,
        `/knowledge/posts/${question}/edit`,
        // Knowledge: measures, adoptions, organisations, freshness.
        `/knowledge/items/${knowledgeItem}/measures`,
        `/knowledge/items/${knowledgeItem}/confirm`,
      ],
    },
    {
      label: 'mentor',
      agent: mentorAgent,
      // Another organisation's member: the spread view's form records an adoption of the item.
      start: [`/mentoring/pairs/${pair}`, `/knowledge/items/${knowledgeItem}/spread`],
    },
    {
      label: 'facilitator',
      agent: facilitatorAgent,
      start: [
        `/learning-sets/sets/${set}`,
        `/learning-sets/sessions/${session}`,
        `/knowledge/posts/${question}/report`,
      ],
    },
    {
      label: 'regional lead',
      agent: leadAgent,
      start: [
        '/recruitment/regions/Q37',
        '/learning-sets/regions/Q37',
        '/programme/regions/Q37',
        `/learning-sets/sessions/${session}`,
        draft,
        '/knowledge/moderation',
        `/knowledge/posts/${reply}/moderate`,
        `/events/${eventId}/manage`,
        `/events/${eventId}/edit`,
      ],
    },
    { label: 'national', agent: nationalAgent, start: [] },
  ];
});
afterAll(async () => {
  await ctx?.close();
});

function routeMatcher(method = 'GET'): (path: string) => string | null {
  const routes = ctx.app.declaredRoutes
    .filter((r) => r.method === method)
    .map((r) => ({ url: r.url, re: new RegExp(`^${r.url.replace(/:[A-Za-z]+/g, '[^/]+')}$`) }));
  return (path) => routes.find((r) => r.re.test(path))?.url ?? null;
}

/** The pages a persona can open: every page without a parameter, and up to two of each linked pattern. */
async function crawl(p: Persona, visit: (url: string, html: string) => void): Promise<void> {
  const match = routeMatcher();
  const queue = [
    ...p.start,
    ...ctx.app.declaredRoutes
      .filter((r) => r.method === 'GET' && !r.url.includes(':') && !SKIP_LINKS.test(r.url))
      .map((r) => r.url),
  ];
  const seen = new Set(queue);
  const perPattern = new Map<string, number>();
  while (queue.length && seen.size < 220) {
    const url = queue.shift()!;
    const res = await p.agent.get(url);
    expect(res.statusCode, `${p.label} GET ${url}`).toBeLessThan(500);
    if (res.statusCode !== 200 || !String(res.headers['content-type']).includes('html')) continue;
    visit(url, res.body);
    for (const m of res.body.matchAll(/href="(\/[^"#]*)"/g)) {
      const href = m[1]!.replace(/&amp;/g, '&').split('?')[0]!;
      const pattern = match(href);
      if (!pattern || seen.has(href) || SKIP_LINKS.test(href) || !pattern.includes(':')) continue;
      const n = perPattern.get(pattern) ?? 0;
      if (n >= 2) continue;
      perPattern.set(pattern, n + 1);
      seen.add(href);
      queue.push(href);
    }
  }
}

describe('hostile input on every form', () => {
  it('never 5xx; refusals show the error summary and change nothing; what is stored is shown inert', async () => {
    const failures: string[] = [];
    const covered = new Set<string>();
    let submissions = 0;
    let refused = 0;
    let accepted = 0;
    const postPattern = routeMatcher('POST');
    const getPattern = routeMatcher('GET');
    // Two rounds: the second finds the forms of records the first created (a plan, a run, a round),
    // and checks every page each persona can open shows what the first stored inert.
    for (const round of [1, 2])
      for (const p of personas) {
        const forms: Form[] = [];
        await crawl(p, (url, html) => {
          forms.push(...formsOf(html, url));
          if (round === 1) return;
          for (const re of UNESCAPED)
            if (re.test(html)) failures.push(`${p.label} ${url} shows ${re} unescaped`);
          const leak = internalDetail(html);
          if (leak) failures.push(`${p.label} ${url}: internal detail "${leak}"`);
        });
        for (const form of forms) {
          const pattern = (form.method === 'POST' ? postPattern : getPattern)(form.action) ?? form.action;
          const key = `${form.method} ${pattern}`;
          if (covered.has(key) || SKIP_ACTIONS.test(form.action) || form.action.startsWith('/api/')) continue;
          covered.add(key);
          const fields = form.controls.filter((c) => c.kind !== 'hidden' || c.name !== '_csrf');
          // A form with nothing to fill in (publish, remove, make a link) gets a field it does not expect.
          if (!fields.length) fields.push({ name: 'unexpected', kind: 'text', value: '', options: [] });
          await p.agent.get(form.page);
          let before = await rowCounts(ctx.db);
          // Every variant for every field would be thousands of requests: each field gets a share of
          // the variants, and every variant is sent to some field of every form.
          const plan: [Control, (typeof RAW_VARIANTS)[number]][] = [];
          const rounds = Math.max(RAW_VARIANTS.length, Math.min(fields.length * 4, 40));
          for (let i = 0; i < rounds; i++)
            plan.push([fields[i % fields.length]!, RAW_VARIANTS[i % RAW_VARIANTS.length]!]);
          for (const [field, variant] of plan) {
            const values = new Map<string, string | null | string[]>();
            for (const c of fields) values.set(c.name, encodeURIComponent(plausible(c)));
            values.set(field.name, variant.raw);
            const where = `${p.label} ${form.method} ${form.action} [${field.name}=${variant.label.slice(0, 30)}]`;
            const body = encodeForm(values);
            const res =
              form.method === 'POST'
                ? await ctx.app.inject({
                    method: 'POST',
                    url: form.action,
                    headers: {
                      'content-type': 'application/x-www-form-urlencoded',
                      accept: 'text/html',
                      cookie: (p.agent as unknown as { cookieHeader(): string }).cookieHeader(),
                    },
                    payload: `${body}&_csrf=${encodeURIComponent(p.agent.csrfToken)}`,
                  })
                : await ctx.app.inject({
                    method: 'GET',
                    url: `${form.action}?${body.slice(0, 60_000)}`,
                    headers: {
                      accept: 'text/html',
                      cookie: (p.agent as unknown as { cookieHeader(): string }).cookieHeader(),
                    },
                  });
            submissions++;
            const after = await rowCounts(ctx.db);
            if (res.statusCode >= 500) failures.push(`${where}: ${res.statusCode}`);
            const leak = internalDetail(res.body);
            if (leak) failures.push(`${where}: internal detail "${leak}"`);
            for (const re of UNESCAPED) if (re.test(res.body)) failures.push(`${where}: unescaped ${re}`);
            if (res.statusCode >= 400 && res.statusCode < 500) {
              refused++;
              if (![401, 403, 404, 429].includes(res.statusCode) && !res.body.includes('nhsuk-error-summary'))
                failures.push(`${where}: ${res.statusCode} without the NHS error summary`);
              const changed = changedTables(before, after).filter((t) => !REFUSAL_MAY_CHANGE.has(t));
              if (changed.length && form.method === 'POST')
                failures.push(`${where}: refused (${res.statusCode}) but changed ${changed.join(', ')}`);
            } else if (res.statusCode === 303 || res.statusCode === 302) {
              accepted++;
              const next = String(res.headers.location ?? '');
              if (next.startsWith('/')) {
                const shown = await p.agent.get(next);
                if (shown.statusCode >= 500)
                  failures.push(`${where}: the page after it (${next}) gave ${shown.statusCode}`);
                for (const re of UNESCAPED)
                  if (re.test(shown.body)) failures.push(`${where}: ${next} shows ${re} unescaped`);
              }
              await p.agent.get(form.page);
            }
            before = after;
          }
        }
      }
    console.info(
      `hostile-forms: ${covered.size} forms, ${submissions} submissions (${refused} refused, ${accepted} accepted)\n  ${[...covered].join('\n  ')}`,
    );
    expect(covered.size).toBeGreaterThan(25);
    // The forms of a learning set, a session and a mentoring pair, reached through the
    // records the setup made.
    const mustCover = [
      'POST /learning-sets/sets/:id/sessions',
      'POST /learning-sets/sessions/:id/attendance',
      'POST /learning-sets/sessions/:id/actions',
      'POST /learning-sets/sessions/:id/notes',
      'POST /mentoring/pairs/:id/agreement',
      'POST /mentoring/pairs/:id/meetings',
      'POST /learning-sets/formations/:id/move',
      'POST /learning-sets/formations/:id/swap',
      'POST /learning-sets/formations/:id/facilitator',
      // The library: its list and search, an item's forms, topics, files and share links.
      'GET /knowledge',
      'GET /knowledge/search',
      'POST /knowledge/items',
      'POST /knowledge/items/:id',
      'POST /knowledge/items/:id/publish',
      'POST /knowledge/items/:id/archive',
      'POST /knowledge/items/:id/cycles',
      'POST /knowledge/items/:id/cycles/:cycleId',
      'POST /knowledge/items/:id/cycles/:cycleId/move',
      'POST /knowledge/items/:id/cycles/:cycleId/remove',
      'POST /knowledge/topics',
      'POST /knowledge/topics/:id',
      'POST /knowledge/items/:id/files',
      'POST /knowledge/files/:id/remove',
      'POST /knowledge/items/:id/share-links',
      'POST /knowledge/items/:id/share-links/:linkId/revoke',
      // Knowledge: discussion and moderation.
      'POST /knowledge/items/:id/posts',
      'POST /knowledge/posts/:id/replies',
      'POST /knowledge/posts/:id/edit',
      'POST /knowledge/posts/:id/report',
      'POST /knowledge/posts/:id/accept',
      'POST /knowledge/posts/:id/hide',
      'POST /events',
      'POST /events/:id/edit',
      'POST /events/:id/status',
      'POST /events/:id/agenda',
      // Knowledge: search and synonyms (the national team's editor).
      'POST /knowledge/synonyms',
      'POST /knowledge/synonyms/:id',
    ];
    expect(mustCover.filter((k) => !covered.has(k))).toEqual([]);
    expect(failures.slice(0, 60)).toEqual([]);
  }, 600_000);
});
