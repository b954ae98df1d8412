import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  buildTestApp,
  createUser,
  signedInAgent,
  type TestContext,
  visibleText,
} from '../../../test/app.ts';
import { importMembersCsv } from './members.csv.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

/** Every row of every table, as text: what a database dump would show. */
async function dumpAllRows(): Promise<string> {
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(ctx.db);
  const out: string[] = [];
  for (const t of tables.rows) {
    const rows = await sql<{ r: string }>`select t::text as r from ${sql.table(t.table_name)} t`.execute(
      ctx.db,
    );
    out.push(...rows.rows.map((x) => `${t.table_name}: ${x.r}`));
  }
  return out.join('\n');
}

describe('data rights', () => {
  it('downloads everything held about the member as JSON', async () => {
    const { agent, user } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q31' }]);
    await agent.get('/profile');
    const res = await agent.get('/profile/data.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const data = res.json();
    expect(data.account.account[0].email).toBe(user.email);
    expect(data.members.profile[0].region_code).toBe('Q31');
    expect(data.members.profile[0].search_staff).toBeUndefined();
    expect(Object.keys(data)).toEqual(expect.arrayContaining(['recruitment', 'members', 'account', 'audit']));

    const page = await agent.get('/profile/data');
    expect(page.statusCode).toBe(200);
    const text = visibleText(page.body);
    expect(text).toContain('The data we hold about you');
    expect(text).toContain(user.email);
    expect(page.body).toContain('href="/profile/data.json"');
    const downloads = await ctx.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'member.data.download')
      .where('actor_user_id', '=', user.id)
      .execute();
    expect(downloads).toHaveLength(2);
  });

  it('erases every trace of a member after national approval, keeping counts right', async () => {
    const name = 'Xanthippe Quillfeather';
    const { agent, user } = await signedInAgent(ctx, [{ role: 'member', regionCode: 'Q34' }]);
    await ctx.db.updateTable('users').set({ name }).where('id', '=', user.id).execute();
    await agent.get('/profile');
    await agent.get('/profile/edit');
    const edit = await agent.post('/profile/edit', {
      name,
      profession: 'doctor',
      registrationNumber: '7654321',
      odsCode: 'R0A',
      regionCode: 'Q34',
      contactEmail: 'xq.personal@example.org',
      contactPhone: '0121 496 0999',
      biography: `Hello, I am ${name}.`,
      interests: 'sepsis',
    });
    expect(edit.statusCode).toBe(303);
    await agent.post('/profile/projects', {
      title: `${name}'s virtual ward`,
      summary: 'A project',
      stage: 'pilot',
    });
    const before = await ctx.db
      .selectFrom('member_profiles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('region_code', '=', 'Q34')
      .executeTakeFirstOrThrow();

    await agent.get('/profile/erasure');
    expect((await agent.post('/profile/erasure', { reason: `Please remove ${name}` })).statusCode).toBe(400);
    expect(
      (await agent.post('/profile/erasure', { reason: `Please remove ${name}`, confirm: 'yes' })).statusCode,
    ).toBe(303);
    const request = await ctx.db
      .selectFrom('erasure_requests')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();

    const lead = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q34' }]);
    await lead.agent.get('/directory');
    expect(
      (await lead.agent.post(`/admin/erasure-requests/${request.id}`, { decision: 'approve' })).statusCode,
    ).toBe(403);

    const national = await signedInAgent(ctx, [{ role: 'national', regionCode: null }]);
    const list = await national.agent.get('/admin/erasure-requests');
    expect(visibleText(list.body)).toContain(name);
    expect(list.body).toContain(`/admin/erasure-requests/${request.id}/confirm`);
    const confirm = await national.agent.get(`/admin/erasure-requests/${request.id}/confirm`);
    expect(confirm.statusCode).toBe(200);
    expect(visibleText(confirm.body)).toContain('Projects: 1 record');
    const noNote = await national.agent.post(`/admin/erasure-requests/${request.id}`, {
      decision: 'approve',
    });
    expect(noNote.statusCode).toBe(400);
    expect(visibleText(noNote.body)).toContain('Enter a note on why the data is erased');
    expect(
      await ctx.db.selectFrom('users').select('name').where('id', '=', user.id).executeTakeFirstOrThrow(),
    ).toEqual({ name });
    const res = await national.agent.post(`/admin/erasure-requests/${request.id}`, {
      decision: 'approve',
      note: 'Request checked with the member by telephone',
    });
    expect(res.statusCode).toBe(303);
    expect(
      await ctx.db
        .selectFrom('audit_log')
        .select(['action', 'details'])
        .where('action', '=', 'member.erase')
        .where('entity_id', '=', String(request.id))
        .execute(),
    ).toHaveLength(1);

    const dump = await dumpAllRows();
    for (const secret of [
      name,
      'Xanthippe',
      'Quillfeather',
      user.email,
      'xq.personal@example.org',
      '7654321',
      '0121 496 0999',
    ]) {
      expect(dump.toLowerCase(), secret).not.toContain(secret.toLowerCase());
    }
    const after = await ctx.db
      .selectFrom('member_profiles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('region_code', '=', 'Q34')
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', String(user.id))
      .execute();
    expect(audit.map((a) => a.action)).toContain('member.profile.update');
    expect((await agent.get('/profile')).statusCode).toBe(303);
  });
});

describe('CSV import', () => {
  const header =
    'email,name,region,profession,registration_number,ods_code,job_title,intake,specialty,interests\n';

  it('imports nothing when some rows are bad, and names each bad row', async () => {
    const csv =
      header +
      'good.one@nhs.test,Good One,Q30,nurse,71A2998E,R0B,Matron,2026/27,Adult nursing,sepsis;frailty\n' +
      'bad-email,Bad Email,Q30,nurse,,,,,,\n' +
      'bad.reg@nhs.test,Bad Reg,Q30,doctor,12,,,,,\n' +
      'bad.ods@nhs.test,Bad Ods,Q39,pharmacist,2071234,XXXXX,,,,\n' +
      'good.one@nhs.test,Duplicate,Q30,nurse,,,,,,\n';
    const report = await importMembersCsv(ctx.db, Buffer.from(csv), {
      actor: 'system',
      dryRun: false,
      baseUrl: 'http://cln.test',
    });
    expect(report.badRows.map((b) => b.line)).toEqual([3, 4, 5, 6]);
    expect(report.badRows[1]!.reasons.join()).toContain('GMC');
    expect(report.badRows[2]!.reasons.join()).toContain('XXXXX');
    expect(report.badRows[3]!.reasons.join()).toContain('also on line 2');
    expect(
      await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'good.one@nhs.test')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('explains wrong columns and wrong encodings', async () => {
    const wrong = await importMembersCsv(ctx.db, Buffer.from('mail,name\nx@y.z,X\n'), {
      actor: 'system',
      dryRun: false,
      baseUrl: 'http://cln.test',
    });
    expect(wrong.problem).toContain('Missing columns: email, region, profession');
    expect(wrong.problem).toContain('Unknown column: mail');
    const latin1 = Buffer.concat([
      Buffer.from(header),
      Buffer.from('a@nhs.test,Ren'),
      Buffer.from([0xe9]),
      Buffer.from(',Q30,nurse,,,,,,\n'),
    ]);
    expect(
      (await importMembersCsv(ctx.db, latin1, { actor: 'system', dryRun: false, baseUrl: 'http://cln.test' }))
        .problem,
    ).toContain('not UTF-8');
  });

  it('checks a good file in a dry run, then imports it through the page, scoped to the lead’s region', async () => {
    const csv =
      header +
      'ima.new@nhs.test,Ima New,Q30,nurse,71A2998E,R0B,Matron,2026/27,Adult nursing,sepsis;frailty\n';
    const dry = await importMembersCsv(ctx.db, Buffer.from(csv), {
      actor: 'system',
      dryRun: true,
      baseUrl: 'http://cln.test',
    });
    expect(dry.badRows).toEqual([]);
    expect(
      await ctx.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'ima.new@nhs.test')
        .executeTakeFirst(),
    ).toBeUndefined();

    const other = await createUser(ctx, [{ role: 'regional-lead', regionCode: 'Q31' }]);
    const otherAgent = new Agent(ctx.app);
    await otherAgent.signIn(other.email);
    const refused = await importMembersCsv(ctx.db, Buffer.from(csv), {
      actor: {
        userId: other.id,
        name: other.name,
        email: other.email,
        roles: other.roles,
        ip: null,
        requestId: null,
      },
      dryRun: false,
      baseUrl: 'http://cln.test',
    });
    expect(refused.badRows[0]!.reasons.join()).toContain('only into Q31');

    const report = await importMembersCsv(ctx.db, Buffer.from(csv), {
      actor: 'system',
      dryRun: false,
      baseUrl: 'http://cln.test',
    });
    expect(report.imported).toBe(1);
    const p = await ctx.db
      .selectFrom('member_profiles as p')
      .innerJoin('users as u', 'u.id', 'p.user_id')
      .select(['p.region_code', 'p.interests', 'p.registration_number'])
      .where('u.email', '=', 'ima.new@nhs.test')
      .executeTakeFirstOrThrow();
    expect(p).toEqual({
      region_code: 'Q30',
      interests: ['sepsis', 'frailty'],
      registration_number: '71A2998E',
    });
    const invite = await ctx.db
      .selectFrom('outbox')
      .select('kind')
      .where('to_address', '=', 'ima.new@nhs.test')
      .execute();
    expect(invite).toHaveLength(1);
  });

  it('audits every export', async () => {
    const { agent, user } = await signedInAgent(ctx, [{ role: 'regional-lead', regionCode: 'Q30' }]);
    const csv = await agent.get('/directory/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\n')[0]).toContain('registration_number');
    expect(csv.body).toContain('Ima New');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select('summary')
      .where('action', '=', 'member.export')
      .where('actor_user_id', '=', user.id)
      .execute();
    expect(audit).toHaveLength(1);
  });
});
