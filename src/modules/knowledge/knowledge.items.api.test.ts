import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  createUser,
  followRefresh,
  refusedForm,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import {
  addCohort,
  addMember,
  formationForm,
  location,
  signedIn,
  trustsOf,
} from '../../../test/journeys/support.ts';

/**
 * The library's JSON API and its pages, through the real routes: access by region and by learning
 * set (404 outside, on pages and API alike), the review-by rule, length caps, hostile Markdown and
 * links, the CSV export, and uploading a file through the API.
 */

let ctx: TestContext;
let nationalToken: string;
beforeAll(async () => {
  ctx = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '100000', FORMATION_SECONDS: '0.2' });
  const n = await createUser(ctx, [{ role: 'national', regionCode: null }]);
  nationalToken = await tokenOf(n);
});
afterAll(async () => {
  await ctx?.close();
});

async function tokenOf(u: { id: number; name: string; email: string; roles: unknown[] }) {
  return (
    await ctx.app.services.accounts.createApiToken(
      { userId: u.id, name: u.name, email: u.email, roles: u.roles as never, ip: null, requestId: null },
      'items api test',
    )
  ).token;
}

function call(token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
  return ctx.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

const itemCount = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('knowledge_items')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

let memberCount = 0;
/** A signed-in member of a region with a member profile, their browser and an API token. */
async function member(regionCode: string) {
  const user = await addMember(ctx, {
    regionCode,
    name: `Items Member ${++memberCount}`,
    profession: 'nurse',
    organisationId: (await trustsOf(ctx, regionCode))[0]!,
    jobTitle: 'Staff nurse',
  });
  const agent = await signedIn(ctx, user.email);
  return { agent, user, token: await tokenOf(user) };
}

const draft = (over: Record<string, unknown> = {}) => ({
  kind: 'case-study',
  title: 'Heronsgate hospital at home',
  summary: 'Virtual ward for frail older people.',
  visibility: 'network',
  ...over,
});

describe('the items API', () => {
  it('drafts, reads, edits, publishes with versions and a diff, adds cycles, lists with filters, archives', async () => {
    const bo = await member('Q35');
    const topic = await call(nationalToken, 'POST', '/api/v1/knowledge/topics', { name: 'Virtual wards' });
    expect(topic.statusCode, topic.body).toBe(201);
    const topicId = topic.json().id as number;
    expect((await call(bo.token, 'GET', '/api/v1/knowledge/topics')).json().topics).toContainEqual({
      id: topicId,
      name: 'Virtual wards',
    });
    // Only the national team names topics.
    expect((await call(bo.token, 'POST', '/api/v1/knowledge/topics', { name: 'Mine' })).statusCode).toBe(403);

    const made = await call(
      bo.token,
      'POST',
      '/api/v1/knowledge/items',
      draft({ topicIds: [topicId], problem: 'Long stays', reviewedOn: '2026-11-01', reviewBy: '2027-11-01' }),
    );
    expect(made.statusCode, made.body).toBe(201);
    const item = made.json();
    expect(item).toMatchObject({
      status: 'draft',
      kind: 'case-study',
      problem: 'Long stays',
      topics: [{ id: topicId, name: 'Virtual wards' }],
      owner: { userId: bo.user.id },
      canManage: true,
      versions: [],
      cycles: [],
    });
    const url = `/api/v1/knowledge/items/${item.id}`;
    // A draft is its owner's: another member does not find it.
    const other = await member('Q35');
    expect((await call(other.token, 'GET', url)).statusCode).toBe(404);

    const cycle = await call(bo.token, 'POST', `${url}/cycles`, {
      plan: 'Step-down beds at home',
      decision: 'adapt',
    });
    expect(cycle.statusCode, cycle.body).toBe(201);
    const cycleId = cycle.json().id as number;
    const second = await call(bo.token, 'POST', `${url}/cycles`, { plan: 'Second cycle' });
    expect(second.statusCode).toBe(201);
    const moved = await call(bo.token, 'POST', `${url}/cycles/${cycleId}/move`, { direction: 'down' });
    expect(moved.json().position).toBe(2);

    const published = await call(bo.token, 'POST', `${url}/publish`, { note: 'First publication' });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', version: 1 });
    expect((await call(bo.token, 'POST', `${url}/publish`, {})).statusCode).toBe(409);
    // Someone who may read it but not manage it: 403.
    expect((await call(other.token, 'GET', url)).statusCode).toBe(200);
    expect((await call(other.token, 'PUT', url, draft())).statusCode).toBe(403);
    expect((await call(other.token, 'POST', `${url}/cycles`, { plan: 'x' })).statusCode).toBe(403);

    const edited = await call(
      bo.token,
      'PUT',
      url,
      draft({ title: 'Heronsgate hospital at home for frail people', topicIds: [topicId], note: 'Clearer' }),
    );
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().version).toBe(2);
    const changed = await call(bo.token, 'PUT', `${url}/cycles/${cycleId}`, {
      plan: 'Step-down beds at home, weekdays',
      decision: 'adopt',
    });
    expect(changed.json()).toMatchObject({ plan: 'Step-down beds at home, weekdays', decision: 'adopt' });
    expect((await call(bo.token, 'DELETE', `${url}/cycles/${second.json().id}`)).statusCode).toBe(204);

    const got = (await call(other.token, 'GET', url)).json();
    expect(got.cycles.map((c: { plan: string }) => c.plan)).toEqual(['Step-down beds at home, weekdays']);
    expect(got.versions.map((v: { version: number }) => v.version)).toEqual([4, 3, 2, 1]);
    expect(got.canManage).toBe(false);
    const versions = (await call(other.token, 'GET', `${url}/versions`)).json().versions;
    expect(versions[versions.length - 1]).toMatchObject({ version: 1, note: 'First publication' });
    const diff = (await call(other.token, 'GET', `${url}/versions/2`)).json();
    const title = diff.fields.find((f: { field: string }) => f.field === 'title');
    expect(title.changed).toBe(true);
    expect(title.parts).toContainEqual({ kind: 'ins', text: expect.stringContaining('frail') });
    expect((await call(other.token, 'GET', `${url}/versions/99`)).statusCode).toBe(404);

    // The list takes the page's filters; access is the SQL's.
    const resource = await call(bo.token, 'POST', '/api/v1/knowledge/items', draft({ kind: 'resource' }));
    await call(bo.token, 'POST', `/api/v1/knowledge/items/${resource.json().id}/publish`, {});
    const byKind = (await call(other.token, 'GET', '/api/v1/knowledge/items?kind=case-study')).json();
    expect(byKind.items.map((i: { id: number }) => i.id)).toContain(item.id);
    expect(byKind.items.map((i: { id: number }) => i.id)).not.toContain(resource.json().id);
    const byTopic = (await call(other.token, 'GET', `/api/v1/knowledge/items?topic=${topicId}`)).json();
    expect(byTopic).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    expect((await call(other.token, 'GET', '/api/v1/knowledge/items?kind=poem')).statusCode).toBe(400);
    expect((await call(other.token, 'GET', '/api/v1/knowledge/items?page=0')).statusCode).toBe(400);

    const archived = await call(bo.token, 'POST', `${url}/archive`, {});
    expect(archived.json().status).toBe('archived');
    expect((await call(other.token, 'GET', url)).statusCode).toBe(404);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'knowledge_item')
      .where('entity_id', '=', String(item.id))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'knowledge.item.create',
        'knowledge.item.publish',
        'knowledge.item.update',
        'knowledge.item.cycles',
        'knowledge.item.archive',
      ]),
    );
  });

  it('a region-only item is not found by another region’s member, on pages and API, nor in lists and CSV', async () => {
    const bo = await member('Q35');
    const sameRegion = await member('Q35');
    const otherRegion = await member('Q34');
    const made = await call(
      bo.token,
      'POST',
      '/api/v1/knowledge/items',
      draft({ title: 'Kestrel Reach region only', visibility: 'region', regionCode: 'Q35' }),
    );
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as number;
    await call(bo.token, 'POST', `/api/v1/knowledge/items/${id}/publish`, {});

    for (const path of [`/knowledge/items/${id}`, `/knowledge/items/${id}/versions`]) {
      expect((await sameRegion.agent.get(path)).statusCode, path).toBe(200);
      const refused = await otherRegion.agent.get(path);
      expect(refused.statusCode, path).toBe(404);
      expect(refused.body).not.toContain('Kestrel Reach');
    }
    for (const path of [`/api/v1/knowledge/items/${id}`, `/api/v1/knowledge/items/${id}/versions`]) {
      expect((await call(sameRegion.token, 'GET', path)).statusCode, path).toBe(200);
      const refused = await call(otherRegion.token, 'GET', path);
      expect(refused.statusCode, path).toBe(404);
      expect(refused.json().error.code).toBe('not_found');
    }
    // Not "forbidden": the item's existence is not revealed, and writes are refused the same way.
    expect((await call(otherRegion.token, 'PUT', `/api/v1/knowledge/items/${id}`, draft())).statusCode).toBe(
      404,
    );
    const list = await call(otherRegion.token, 'GET', '/api/v1/knowledge/items');
    expect(list.body).not.toContain('Kestrel Reach');
    expect(visibleText((await otherRegion.agent.get('/knowledge')).body)).not.toContain('Kestrel Reach');
    expect((await otherRegion.agent.get('/knowledge/items.csv')).body).not.toContain('Kestrel Reach');
    expect((await sameRegion.agent.get('/knowledge/items.csv')).body).toContain('Kestrel Reach');
    expect((await call(sameRegion.token, 'GET', '/api/v1/knowledge/items')).body).toContain('Kestrel Reach');
  });

  it('a learning-set item is read by the set’s members and facilitator only', async () => {
    const region = 'Q36';
    const intake = (
      await ctx.db
        .selectFrom('intakes')
        .select('id')
        .where('region_code', '=', region)
        .orderBy('id')
        .executeTakeFirstOrThrow()
    ).id;
    await addCohort(ctx, region, intake, 8);
    const lead = (await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: region }])).agent;
    const facilitator = await createUser(ctx, [{ role: 'facilitator', regionCode: region }]);
    await lead.get(`/learning-sets/regions/${region}`);
    location(
      await lead.post(`/learning-sets/regions/${region}/facilitators`, {
        email: facilitator.email,
        maxSets: '3',
        isLead: 'yes',
      }),
    );
    await lead.get(`/learning-sets/regions/${region}/form`);
    const formation = location(
      await followRefresh(
        lead,
        location(
          await lead.post(`/learning-sets/regions/${region}/form`, formationForm(intake, { setCount: '1' })),
        ),
      ),
    );
    location(await lead.post(`${formation}/publish`));
    const set = await ctx.db
      .selectFrom('ls_sets')
      .select('id')
      .where('region_code', '=', region)
      .executeTakeFirstOrThrow();
    const mates = await ctx.db
      .selectFrom('ls_set_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email', 'u.name'])
      .where('m.set_id', '=', set.id)
      .orderBy('u.id')
      .execute();
    expect(mates.length).toBeGreaterThan(2);
    const author = await signedIn(ctx, mates[0]!.email);
    const authorToken = await tokenOf({ ...mates[0]!, roles: [{ role: 'member', regionCode: region }] });

    // Only a set the author belongs to.
    const outsiderSet = await call(
      authorToken,
      'POST',
      '/api/v1/knowledge/items',
      draft({ visibility: 'groups', groupIds: [set.id + 1000] }),
    );
    expect(outsiderSet.statusCode).toBe(400);
    expect(outsiderSet.json().error.fields).toContainEqual({
      field: 'groupIds',
      message: 'Choose learning sets you belong to or facilitate',
    });
    const made = await call(
      authorToken,
      'POST',
      '/api/v1/knowledge/items',
      draft({ title: 'Ptarmigan set-only notes', visibility: 'groups', groupIds: [set.id] }),
    );
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as number;
    expect(made.json().groups).toEqual([{ id: set.id, name: expect.any(String) }]);
    location(await author.post(`/knowledge/items/${id}/publish`, { note: '' }));

    const mate = await signedIn(ctx, mates[1]!.email);
    expect(visibleText((await mate.get(`/knowledge/items/${id}`)).body)).toContain(
      'Ptarmigan set-only notes',
    );
    const fac = await signedIn(ctx, facilitator.email);
    expect((await fac.get(`/knowledge/items/${id}`)).statusCode).toBe(200);
    // A member of the same region outside the set, and the region's lead: not found.
    const outsider = await member(region);
    for (const agent of [outsider.agent, lead]) {
      const res = await agent.get(`/knowledge/items/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('Ptarmigan');
    }
    expect((await call(outsider.token, 'GET', `/api/v1/knowledge/items/${id}`)).statusCode).toBe(404);
    expect((await call(outsider.token, 'GET', '/api/v1/knowledge/items')).body).not.toContain('Ptarmigan');
    const mateToken = await tokenOf({ ...mates[1]!, roles: [{ role: 'member', regionCode: region }] });
    expect((await call(mateToken, 'GET', '/api/v1/knowledge/items')).body).toContain('Ptarmigan');
  });

  it('refuses a review-by date before the reviewed-on date, over-long fields and unsafe links; saves nothing', async () => {
    const bo = await member('Q35');
    const before = await itemCount();
    const early = await call(
      bo.token,
      'POST',
      '/api/v1/knowledge/items',
      draft({ reviewedOn: '2027-03-01', reviewBy: '2027-01-01' }),
    );
    expect(early.statusCode).toBe(400);
    expect(early.json().error).toMatchObject({
      code: 'validation_failed',
      fields: [{ field: 'reviewBy', message: 'The review-by date must be on or after the reviewed-on date' }],
    });
    await bo.agent.get('/knowledge/items/new');
    const page = await bo.agent.post('/knowledge/items', {
      ...(draft({ reviewedOn: '2027-03-01', reviewBy: '2027-01-01' }) as Record<string, string>),
    });
    expect(refusedForm(page, 400, 'Add to the library')).toContainEqual({
      href: '#reviewBy',
      text: 'The review-by date must be on or after the reviewed-on date',
    });

    const long = await call(
      bo.token,
      'POST',
      '/api/v1/knowledge/items',
      draft({ title: 't'.repeat(201), body: 'b'.repeat(50_001), problem: 'p'.repeat(5001) }),
    );
    expect(long.statusCode).toBe(400);
    expect(long.json().error.fields).toEqual(
      expect.arrayContaining([
        { field: 'title', message: 'The title must be 200 characters or fewer' },
        { field: 'body', message: 'The body must be 50000 characters or fewer' },
        { field: 'problem', message: 'The problem must be 5000 characters or fewer' },
      ]),
    );
    for (const resourceUrl of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://example.org/plain',
      'https://user:pass@example.org/',
    ]) {
      const res = await call(bo.token, 'POST', '/api/v1/knowledge/items', draft({ resourceUrl }));
      expect(res.statusCode, resourceUrl).toBe(400);
      expect(res.json().error.fields).toContainEqual({
        field: 'resourceUrl',
        message: 'Enter the link as a secure web address starting with https://',
      });
    }
    const cycle = await call(bo.token, 'POST', '/api/v1/knowledge/items', draft());
    const cycleUrl = `/api/v1/knowledge/items/${cycle.json().id}/cycles`;
    const longPlan = await call(bo.token, 'POST', cycleUrl, { plan: 'p'.repeat(5001) });
    expect(longPlan.statusCode).toBe(400);
    const unknown = await call(bo.token, 'POST', '/api/v1/knowledge/items', draft({ ownerUserId: 1 }));
    expect(unknown.statusCode).toBe(400);
    expect(await itemCount()).toBe(before + 1);
    expect(
      await ctx.db
        .selectFrom('knowledge_pdsa_cycles')
        .select('id')
        .where('item_id', '=', cycle.json().id)
        .execute(),
    ).toEqual([]);
  });

  it('keeps hostile Markdown and links inert on the page, and the CSV export safe from formulas', async () => {
    const bo = await member('Q35');
    const made = await call(
      bo.token,
      'POST',
      '/api/v1/knowledge/items',
      draft({
        title: '=HYPERLINK("https://evil.example","Open") <b>bold</b>',
        summary: '+SUM(A1:A9) <img src=x onerror=alert(1)>',
        body: [
          '[click](javascript:alert(1))',
          '[click2](JAVASCRIPT:alert(2))',
          '<a href="javascript:alert(3)">raw</a>',
          '<script>alert(1)</script>',
          '<img src=x onerror="alert(4)">',
          '<iframe src="https://evil.example"></iframe>',
          '![pic](javascript:alert(5))',
          '[ok](https://www.nhs.uk/)',
        ].join('\n\n'),
        resourceUrl: 'https://example.org/checklist?a=1&b=<x>',
      }),
    );
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as number;
    // The API gives the words back as written: they are data, and JSON is not HTML.
    expect(made.json().body).toContain('[click](javascript:alert(1))');
    await call(bo.token, 'POST', `/api/v1/knowledge/items/${id}/publish`, {});
    const reader = await member('Q31');
    const page = await reader.agent.get(`/knowledge/items/${id}`);
    expect(page.statusCode).toBe(200);
    // No element carries a javascript: link (the escaped words may still say so, as text).
    expect(page.body).not.toMatch(/<[a-z]+[^>]*\s(href|src)\s*=\s*["']?\s*javascript:/i);
    expect(page.body).toContain('&lt;a href="javascript:alert(3)"&gt;raw&lt;/a&gt;');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toMatch(/<img[^>]+onerror/i);
    expect(page.body).not.toContain('<iframe');
    expect(page.body).not.toContain('<b>bold</b>');
    expect(page.body).toContain('href="https://www.nhs.uk/"');
    expect(page.body).toContain('&lt;b&gt;bold&lt;/b&gt;');

    const csv = await reader.agent.get('/knowledge/items.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment/);
    expect(csv.body.split('\n')[0]).toMatch(/^id,kind,status,visibility,region,title,summary,link/);
    expect(csv.body).toContain(`'=HYPERLINK(""https://evil.example"",""Open"") <b>bold</b>`);
    expect(csv.body).toContain("'+SUM(A1:A9)");
    expect(csv.body).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it('uploads a file through the API (multipart), checked by content, for the owner only', async () => {
    const bo = await member('Q35');
    const reader = await member('Q34');
    const made = await call(bo.token, 'POST', '/api/v1/knowledge/items', draft());
    const id = made.json().id as number;
    const upload = (token: string, filename: string, type: string, data: string | Buffer) => {
      const boundary = '----clnapiupload';
      return ctx.app.inject({
        method: 'POST',
        url: `/api/v1/knowledge/items/${id}/files`,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload: Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
          ),
          Buffer.from(data),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
      });
    };
    const ok = await upload(bo.token, 'Audit notes.txt', 'text/plain', 'Waits fell by a third.\n');
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ itemId: id, filename: 'Audit notes.txt' });
    expect(ok.json().mediaType).toMatch(/^text\/plain/);
    const listed = (await call(bo.token, 'GET', `/api/v1/knowledge/items/${id}/files`)).json();
    expect(listed.files).toHaveLength(1);
    // A file that lies about its type: refused, nothing kept.
    const lying = await upload(bo.token, 'chart.png', 'image/png', '<html><script>alert(1)</script></html>');
    expect(lying.statusCode).toBe(400);
    expect(lying.json().error.fields[0].field).toBe('file');
    // Not the owner: not found (a draft), and no file kept.
    expect((await upload(reader.token, 'x.txt', 'text/plain', 'hello')).statusCode).toBe(404);
    // No file part at all.
    const empty = await call(bo.token, 'POST', `/api/v1/knowledge/items/${id}/files`, {});
    expect(empty.statusCode).toBe(400);
    expect((await call(bo.token, 'GET', `/api/v1/knowledge/items/${id}/files`)).json().files).toHaveLength(1);
  });
});
