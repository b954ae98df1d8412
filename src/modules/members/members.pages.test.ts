import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { createMemberProfile } from './index.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

async function orgId(ods: string) {
  return (
    await ctx.db
      .selectFrom('organisations')
      .select('id')
      .where('ods_code', '=', ods)
      .executeTakeFirstOrThrow()
  ).id;
}

/** A member with a profile, signed in. */
async function member(
  region: string,
  opts: { name?: string; profession?: string; registrationNumber?: string; ods?: string } = {},
) {
  const user = await createUser(ctx, [{ role: 'member', regionCode: region }], { name: opts.name });
  const organisationId = opts.ods ? await orgId(opts.ods) : null;
  await ctx.db.transaction().execute(async (trx) => {
    await createMemberProfile(
      trx,
      {
        userId: user.id,
        regionCode: region,
        profession: opts.profession ?? 'nurse',
        registrationNumber: opts.registrationNumber ?? null,
        organisationId,
        jobTitle: 'Nurse consultant',
      },
      'system',
    );
  });
  const agent = new Agent(ctx.app);
  await agent.signIn(user.email);
  return { agent, user };
}

function multipart(
  fields: Record<string, string>,
  file: { name: string; filename: string; type: string; data: Buffer },
) {
  const boundary = `----cln${Math.random().toString(36).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(
  agent: Agent,
  url: string,
  fields: Record<string, string>,
  file: Parameters<typeof multipart>[1],
) {
  const cookie = (agent as unknown as { cookieHeader(): string }).cookieHeader();
  const { payload, contentType } = multipart({ _csrf: agent.csrfToken, ...fields }, file);
  return ctx.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': contentType, cookie, accept: 'text/html' },
  });
}

describe('profiles', () => {
  it('shows a member their profile and saves changes, deriving the region from the employer', async () => {
    const { agent, user } = await member('Q30');
    const page = await agent.get('/profile');
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain(user.name);
    await agent.get('/profile/edit');
    const res = await agent.post('/profile/edit', {
      name: user.name,
      profession: 'nurse',
      registrationNumber: '71a2998e',
      odsCode: 'R0A',
      regionCode: '',
      jobTitle: 'Matron',
      interests: 'Sepsis, virtual wards, sepsis',
      biography: 'I run a **virtual ward**.',
      visibilityContact: 'staff',
    });
    expect(res.statusCode).toBe(303);
    const after = visibleText((await agent.get('/profile')).body);
    expect(after).toContain('Manchester University NHS Foundation Trust');
    expect(after).toContain('North West (Q31)');
    expect(after).toContain('71A2998E (not yet verified)');
    expect(after).toContain('sepsis, virtual wards');
    const history = await ctx.db
      .selectFrom('employment_history')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(history).toHaveLength(1);
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('summary')
      .where('action', '=', 'member.profile.update')
      .where('entity_id', '=', String(user.id))
      .execute();
    expect(audit[0]!.summary).toContain('employer');
  });

  it('refuses an invalid registration number and an unknown ODS code, saving nothing', async () => {
    const { agent, user } = await member('Q31');
    await agent.get('/profile/edit');
    const res = await agent.post('/profile/edit', {
      profession: 'doctor',
      registrationNumber: '12345',
      odsCode: 'ZZZ99',
      jobTitle: 'Should not be saved',
    });
    expect(res.statusCode).toBe(400);
    const text = visibleText(res.body);
    expect(text).toContain('Enter a GMC number in the correct format');
    const p = await ctx.db
      .selectFrom('member_profiles')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(p.job_title).toBe('Nurse consultant');
    const res2 = await agent.post('/profile/edit', {
      profession: 'doctor',
      registrationNumber: '1234567',
      odsCode: 'ZZZ99',
    });
    expect(res2.statusCode).toBe(400);
    expect(visibleText(res2.body)).toContain('No NHS organisation has the ODS code ZZZ99');
  });

  it('renders a Markdown biography safely: no scripts, no javascript: links', async () => {
    const { agent, user } = await member('Q32');
    await agent.get('/profile/edit');
    await agent.post('/profile/edit', {
      biography:
        '<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://www.nhs.uk)',
    });
    const viewer = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q32' }]);
    const page = await viewer.agent.get(`/members/${user.id}`);
    expect(page.statusCode).toBe(200);
    const bio = /<div class="app-biography">([\s\S]*?)<\/div>/.exec(page.body)![1]!;
    expect(bio).not.toMatch(/<script|href="javascript:|<img/i);
    expect(bio).toContain('&lt;script&gt;');
    expect(bio).toContain('href="https://www.nhs.uk"');
  });

  it('creates a profile on first visit for a member recruitment did not give one', async () => {
    const { agent, user } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q33' }]);
    const page = await agent.get('/profile');
    expect(page.statusCode).toBe(200);
    const p = await ctx.db
      .selectFrom('member_profiles')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(p.region_code).toBe('Q33');
  });

  it('lets only a regional lead of the member’s region (or national) verify a registration', async () => {
    const { user } = await member('Q34', { profession: 'doctor', registrationNumber: '1234567' });
    const other = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q35' }]);
    await other.agent.get('/directory');
    expect((await other.agent.post(`/members/${user.id}/verify`, { verified: 'yes' })).statusCode).toBe(403);
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q34' }]);
    const view = await lead.agent.get(`/members/${user.id}`);
    expect(visibleText(view.body)).toContain('Mark registration as verified');
    expect((await lead.agent.post(`/members/${user.id}/verify`, { verified: 'yes' })).statusCode).toBe(303);
    expect(visibleText((await lead.agent.get(`/members/${user.id}`)).body)).toContain('1234567 (verified)');
    const views = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', String(user.id))
      .where('action', '=', 'member.view')
      .execute();
    expect(views.length).toBeGreaterThanOrEqual(2);
  });
});

describe('photos', () => {
  it('accepts a PNG, re-encodes it as a square JPEG, and refuses non-images and oversized files', async () => {
    const { agent, user } = await member('Q36');
    await agent.get('/profile/photo');
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#005eb8' } })
      .png()
      .toBuffer();
    const ok = await upload(
      agent,
      '/profile/photo',
      {},
      { name: 'photo', filename: 'me.png', type: 'image/png', data: png },
    );
    expect(ok.statusCode).toBe(303);
    const photo = await ctx.db
      .selectFrom('member_photos')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    const meta = await sharp(photo.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 400, 400]);

    await agent.get('/profile/photo');
    const text = await upload(
      agent,
      '/profile/photo',
      {},
      { name: 'photo', filename: 'me.png', type: 'image/png', data: Buffer.from('<svg onload=alert(1)>') },
    );
    expect(text.statusCode).toBe(400);
    expect(visibleText(text.body)).toContain('The photo must be a JPEG or PNG image');

    await agent.get('/profile/photo');
    const big = await upload(
      agent,
      '/profile/photo',
      {},
      { name: 'photo', filename: 'big.jpg', type: 'image/jpeg', data: Buffer.alloc(6 * 1024 * 1024, 1) },
    );
    expect(big.statusCode).toBe(413);
    expect(visibleText(big.body)).toContain('smaller than 2 MB');

    // The member removes the photo: it is gone from the database and the profile, and audited.
    const page = await agent.get('/profile/photo');
    expect(visibleText(page.body)).toContain('Remove your photo');
    const removed = await agent.post('/profile/photo/remove');
    expect(removed.statusCode).toBe(303);
    expect(
      await ctx.db.selectFrom('member_photos').select('user_id').where('user_id', '=', user.id).execute(),
    ).toEqual([]);
    expect((await agent.get(`/members/${user.id}/photo`)).statusCode).toBe(404);
    expect(visibleText((await agent.get('/profile/photo')).body)).not.toContain('Remove your photo');
    const audited = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'member.photo.remove')
      .where('entity_id', '=', String(user.id))
      .execute();
    expect(audited).toHaveLength(1);
    // Removing again, with nothing to remove, says so and changes nothing.
    const again = await agent.post('/profile/photo/remove');
    expect(again.headers.location).toBe('/profile/photo');
    expect(visibleText((await agent.get('/profile/photo')).body)).toContain('You have no photo to remove');
  });
});

describe('directory and privacy', () => {
  let regional: Awaited<ReturnType<typeof member>>;
  beforeAll(async () => {
    regional = await member('Q37', { name: 'Philippa Wolstenholme', ods: 'R0A' });
    await regional.agent.get('/profile/edit');
    const res = await regional.agent.post('/profile/edit', {
      visibilityProfile: 'region',
      biography: 'I lead the anticoagulation clinic redesign.',
      interests: 'thrombosis',
    });
    expect(res.statusCode).toBe(303);
    const open = await member('Q37', { name: 'Bartholomew Featherstonehaugh' });
    await open.agent.get('/profile/edit');
    await open.agent.post('/profile/edit', {
      biography: 'Sepsis lead for the emergency department.',
      visibilityBiography: 'staff',
      interests: 'sepsis',
    });
  });

  it('finds a member by a misspelt surname', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    const page = await agent.get('/directory?name=Fetherstonhaugh');
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain('Bartholomew Featherstonehaugh');
    const api = await agent.api('GET', '/api/v1/members?name=Featherstonhough');
    expect(api.json().members.map((m: { name: string }) => m.name)).toContain(
      'Bartholomew Featherstonehaugh',
    );
  });

  it('ranks the closest whole name first among names that share the misspelt surname', async () => {
    // Each shares the surname, so word similarity ties; alphabetical order would put Aaron first.
    for (const name of ['Aaron Okonkwo-Adeyemi', 'Chidi Okonkwo', 'Zainab Okonkwo-Adeyemi-Bello'])
      await member('Q32', { name });
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q32' }]);
    const api = await agent.api('GET', '/api/v1/members?name=Okonkow&sort=relevance');
    const names = api.json().members.map((m: { name: string }) => m.name);
    expect(names[0]).toBe('Chidi Okonkwo');
    expect(names).toContain('Aaron Okonkwo-Adeyemi');
  });

  it('says in words what is wrong with a bad sort or filter', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q32' }]);
    const res = await agent.get('/directory?sort=bogus');
    expect(res.statusCode).toBe(400);
    const text = visibleText(res.body);
    expect(text).toContain('There is a problem');
    expect(text).toContain('Sort by best match, name or newest members');
    expect(text).not.toMatch(/Invalid option|expected one of/);
    expect((await agent.get('/directory/export.csv?sort=bogus')).statusCode).toBe(400);
  });

  it('tells a regional lead why another region’s CSV is refused, instead of an empty file', async () => {
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q34' }]);
    const other = await lead.agent.get('/directory/export.csv?region=Q37');
    expect(other.statusCode).toBe(403);
    expect(visibleText(other.body)).toContain('You can export the members of Q34 only');
    const own = await lead.agent.get('/directory/export.csv?region=Q34');
    expect(own.statusCode).toBe(200);
  });

  it('hides a member who shares only with their region from other regions in pages, API and CSV', async () => {
    const outside = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    const inside = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q37' }]);
    const name = 'Philippa Wolstenholme';
    for (const [who, expected] of [
      [outside.agent, false],
      [inside.agent, true],
    ] as const) {
      const page = await who.get('/directory?name=Wolstenholme');
      expect(visibleText(page.body).includes(name)).toBe(expected);
      const region = await who.get('/regions/Q37/members');
      expect(visibleText(region.body).includes(name)).toBe(expected);
      const org = await who.get('/organisations/R0A');
      expect(visibleText(org.body).includes(name)).toBe(expected);
      const text = await who.get('/directory?q=anticoagulation');
      expect(visibleText(text.body).includes(name)).toBe(expected);
      const api = await who.api('GET', '/api/v1/members?region=Q37');
      expect(JSON.stringify(api.json()).includes(name)).toBe(expected);
      const profile = await who.api('GET', `/api/v1/members/${regional.user.id}`);
      expect(profile.statusCode).toBe(expected ? 200 : 404);
      const csv = await who.get('/directory/export.csv?region=Q37');
      expect(csv.statusCode).toBe(200);
      expect(csv.body.includes(name)).toBe(expected);
    }
  });

  it('never matches free text in a section the searcher may not see', async () => {
    const member30 = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    expect(visibleText((await member30.agent.get('/directory?q=sepsis+emergency')).body)).not.toContain(
      'Featherstonehaugh',
    );
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q37' }]);
    expect(visibleText((await lead.agent.get('/directory?q=sepsis+emergency')).body)).toContain(
      'Featherstonehaugh',
    );
  });

  it('applies the same privacy to a text search narrowed by region and profession', async () => {
    // Narrowed searches match the text on the filtered candidates (members.repository.ts): the
    // vector each viewer may search must still be the one used.
    const path = '/directory?q=anticoagulation&region=Q37&profession=nurse';
    const outside = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    const inside = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q37' }]);
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q37' }]);
    expect(visibleText((await outside.agent.get(path)).body)).not.toContain('Philippa Wolstenholme');
    expect(visibleText((await inside.agent.get(path)).body)).toContain('Philippa Wolstenholme');
    expect(visibleText((await lead.agent.get(path)).body)).toContain('Philippa Wolstenholme');
    // Text only staff may read (this biography) is found by staff alone, narrowed or not.
    for (const q of [
      '/directory?q=sepsis+emergency',
      '/directory?q=sepsis+emergency&region=Q37&profession=nurse',
    ]) {
      expect(visibleText((await inside.agent.get(q)).body)).not.toContain('Featherstonehaugh');
    }
    const api = await inside.agent.api(
      'GET',
      '/api/v1/members?q=anticoagulation&region=Q37&profession=nurse',
    );
    expect(api.json().members.map((m: { name: string }) => m.name)).toContain('Philippa Wolstenholme');
  });

  it('filters by region, profession and interest, and rejects a bad filter with a message', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q37' }]);
    const page = visibleText(
      (await agent.get('/directory?region=Q37&profession=nurse&interest=thrombosis')).body,
    );
    expect(page).toContain('Philippa Wolstenholme');
    expect(page).not.toContain('Featherstonehaugh');
    const bad = await agent.get('/directory?region=ZZ');
    expect(bad.statusCode).toBe(400);
    expect(visibleText(bad.body)).toContain('Choose a region');
  });

  it('names regions and specialties, one added by another process since the lists were read too', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q37' }]);
    expect(visibleText((await agent.get('/directory?name=Wolstenholme')).body)).toContain(
      'Philippa Wolstenholme',
    );
    // Written straight to the database, as another server process or the CLI would.
    const specialty = await ctx.db
      .insertInto('specialties')
      .values({ profession: 'nurse', name: 'Thrombosis nursing' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.db
      .updateTable('member_profiles')
      .set({ specialty_id: specialty.id, visibility_professional: 'network' })
      .where('user_id', '=', regional.user.id)
      .execute();
    const page = visibleText((await agent.get('/directory?name=Wolstenholme')).body);
    expect(page).toContain('Thrombosis nursing');
    const region = await ctx.db
      .selectFrom('network_regions')
      .select('name')
      .where('code', '=', 'Q37')
      .executeTakeFirstOrThrow();
    expect(page).toContain(region.name);
    const api = await agent.api('GET', '/api/v1/members?name=Wolstenholme');
    expect(api.json().members).toContainEqual(
      expect.objectContaining({
        name: 'Philippa Wolstenholme',
        specialty: 'Thrombosis nursing',
        region: 'Q37',
      }),
    );
  });

  it('counts what each viewer may see, with or without filters, and past the last page', async () => {
    const outside = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    const visibleTo = async (region: string, filterRegion?: string) => {
      let q = ctx.db
        .selectFrom('member_profiles')
        .where('erased_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('visibility_profile', '=', 'network'),
            eb.and([eb('visibility_profile', '=', 'region'), eb('region_code', '=', region)]),
          ]),
        );
      if (filterRegion) q = q.where('region_code', '=', filterRegion);
      return Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    };
    for (const [query, expected] of [
      ['', await visibleTo('Q30')],
      ['region=Q37', await visibleTo('Q30', 'Q37')],
      ['page=99', await visibleTo('Q30')],
      ['region=Q37&page=99', await visibleTo('Q30', 'Q37')],
    ] as const) {
      const res = await outside.agent.api('GET', `/api/v1/members?${query}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().total).toBe(expected);
      if (query.includes('page=99')) expect(res.json().members).toEqual([]);
    }
    // The member who shares only with Q37 is counted for Q37's members, not for Q30's.
    const inside = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q37' }]);
    const insideTotal = (await inside.agent.api('GET', '/api/v1/members?region=Q37')).json().total;
    expect(insideTotal).toBe(await visibleTo('Q37', 'Q37'));
    expect(insideTotal).toBeGreaterThan(await visibleTo('Q30', 'Q37'));
  });

  it('keeps a partner out of the directory', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'partner', regionCode: null }]);
    expect((await agent.get('/directory')).statusCode).toBe(403);
    expect((await agent.api('GET', '/api/v1/members')).statusCode).toBe(403);
  });
});

describe('API', () => {
  it('lets a member read and update their own profile, refusing unknown fields and bad values', async () => {
    const { agent } = await member('Q38');
    await agent.get('/profile');
    const me = await agent.api('GET', '/api/v1/me/profile');
    expect(me.statusCode).toBe(200);
    const ok = await agent.api('PATCH', '/api/v1/me/profile', {
      jobTitle: 'Director of nursing',
      interests: ['Frailty'],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().jobTitle).toBe('Director of nursing');
    expect(ok.json().interests.interests).toEqual(['frailty']);
    expect((await agent.api('PATCH', '/api/v1/me/profile', { isAdmin: true })).statusCode).toBe(400);
    const bad = await agent.api('PATCH', '/api/v1/me/profile', { registrationNumber: 'nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('NMC');
    const orgs = await agent.api('GET', '/api/v1/organisations?q=manchester');
    expect(orgs.json().organisations.some((o: { odsCode: string }) => o.odsCode === 'R0A')).toBe(true);
    expect((await agent.api('GET', '/api/v1/organisations/R0A')).json().name).toContain('Manchester');
  });
});

describe('organisations', () => {
  it('records a merger without deleting anything, national only', async () => {
    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q30' }]);
    await lead.agent.get('/organisations/R0B');
    expect(
      (await lead.agent.post('/organisations/R0B/merger', { successorOds: 'R0A', validTo: '2027-04-01' }))
        .statusCode,
    ).toBe(403);
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/organisations/R0B/merger');
    const bad = await agent.post('/organisations/R0B/merger', {
      successorOds: 'NOPE1',
      validTo: '2027-04-01',
    });
    expect(bad.statusCode).toBe(400);
    expect(visibleText(bad.body)).toContain('No organisation has the ODS code NOPE1');
    const res = await agent.post('/organisations/R0B/merger', { successorOds: 'R0A', validTo: '2027-04-01' });
    expect(res.statusCode).toBe(303);
    expect(visibleText((await agent.get('/organisations/R0B')).body)).toContain(
      'merged into Manchester University NHS Foundation Trust',
    );
    expect(visibleText((await agent.get('/organisations/R0A')).body)).toContain('Formed from');
  });

  it('lets the national team extend the specialties list', async () => {
    const { agent } = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    await agent.get('/admin/specialties');
    expect(
      (await agent.post('/admin/specialties', { profession: 'nurse', name: 'Sepsis nursing' })).statusCode,
    ).toBe(303);
    const again = await agent.post('/admin/specialties', { profession: 'nurse', name: 'Sepsis nursing' });
    expect(again.statusCode).toBe(409);
    const member = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q30' }]);
    expect((await member.agent.get('/admin/specialties')).statusCode).toBe(403);
  });
});
