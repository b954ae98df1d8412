import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestContext } from '../../../test/app.ts';
import { buildSubmission, createRecruitmentService } from '../recruitment/index.ts';
import { importOdsOrganisations, postTown } from './members.organisations-import.ts';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../test/fixtures/ods/${name}`, import.meta.url)), 'utf8');

let ctx: TestContext;
beforeAll(async () => {
  ctx = await buildTestApp();
});
afterAll(async () => {
  await ctx?.close();
});

const anon = { userId: null, label: 'test', ip: null, requestId: null };

describe('loading NHS ODS extracts (GP practices, pharmacies)', () => {
  it('upserts by ODS code, keeps closed ones with their close date, and maps the ICB and NHS England region', async () => {
    const progress: number[] = [];
    const report = await importOdsOrganisations(ctx.db, fixture('epraccur-fixture.csv'), {
      kind: 'gp-practice',
      onProgress: (done) => progress.push(done),
    });
    expect(report).toMatchObject({ rows: 3, inserted: 3, updated: 0, closed: 1, errors: [] });
    expect(progress.at(-1)).toBe(3);
    const rows = await ctx.db
      .selectFrom('organisations as o')
      .leftJoin('organisations as icb', 'icb.id', 'o.parent_id')
      .leftJoin('organisations as r', 'r.id', 'o.nhse_region_id')
      .select([
        'o.ods_code',
        'o.name',
        'o.kind',
        'o.town',
        'o.postcode',
        'o.valid_to',
        'o.sha_code',
        'icb.ods_code as icb',
        'r.ods_code as region',
      ])
      .where('o.ods_code', 'in', ['Z99001', 'Z99002', 'Z99003'])
      .orderBy('o.ods_code')
      .execute();
    expect(
      rows.map((r) => ({ ...r, valid_to: r.valid_to ? String(r.valid_to).slice(0, 10) : null })),
    ).toEqual([
      {
        ods_code: 'Z99001',
        name: 'Testfixture Medical Practice',
        kind: 'gp-practice',
        town: 'Newcastle upon Tyne',
        postcode: 'NE1 9ZZ',
        valid_to: null,
        sha_code: null,
        icb: 'QHM',
        region: 'Y63',
      },
      expect.objectContaining({ ods_code: 'Z99002', icb: 'QUA', region: 'Y60' }),
      // An unknown ICB and region: loaded without them.
      expect.objectContaining({ ods_code: 'Z99003', icb: null, region: null }),
    ]);
    expect(rows[1]!.valid_to).not.toBeNull();

    // Loading the same file again changes nothing but counts the rows as updated.
    const again = await importOdsOrganisations(ctx.db, fixture('epraccur-fixture.csv'), {
      kind: 'gp-practice',
    });
    expect(again).toMatchObject({ inserted: 0, updated: 3, errors: [] });
    const count = await ctx.db
      .selectFrom('organisations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ods_code', 'like', 'Z9900%')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
  });

  it('reports bad rows and codes held by another kind, loading nothing', async () => {
    const text = [
      '"FZ902","TESTFIXTURE GOOD PHARMACY","Y63","QHM","1 ROAD","","","TOWN","","NE1 1ZZ","20050101","","A"',
      '"bad code!","TESTFIXTURE BAD","Y63","QHM","","","","","","","20050101","","A"',
      '"FZ903","TESTFIXTURE BAD DATE","Y63","QHM","","","","","","","1 Jan 2005","","A"',
      '"RTD","NOT A PHARMACY","Y63","QHM","","","","","","","20050101","","A"',
    ].join('\n');
    const report = await importOdsOrganisations(ctx.db, text, { kind: 'pharmacy' });
    expect(report.errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(report.errors[1]!.message).toContain('open date "1 Jan 2005" is not YYYYMMDD');
    expect(report.errors[2]!.message).toContain('RTD is already a trust here');
    expect(
      await ctx.db
        .selectFrom('organisations')
        .select('id')
        .where('ods_code', '=', 'FZ902')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('lets an applicant find and name a GP practice, a pharmacy or an ICB, choosing their region', async () => {
    await importOdsOrganisations(ctx.db, fixture('edispensary-fixture.csv'), { kind: 'pharmacy' });
    await importOdsOrganisations(ctx.db, fixture('epraccur-fixture.csv'), { kind: 'gp-practice' });
    const recruitment = createRecruitmentService({ db: ctx.db, config: { baseUrl: 'http://cln.test' } });
    expect((await recruitment.searchEmployers('testfixture medical')).map((e) => e.odsCode)).toEqual([
      'Z99001',
    ]);
    expect((await recruitment.searchEmployers('testfixture pharmacy')).map((e) => e.odsCode)).toEqual([
      'FZ901',
    ]);
    expect(
      (await recruitment.searchEmployers('North East and North Cumbria')).map((e) => e.odsCode),
    ).toContain('QHM');
    // A closed practice is not offered.
    expect(await recruitment.searchEmployers('testfixture old surgery')).toEqual([]);
    // No former-SHA hint: the applicant must choose the region.
    await expect(
      recruitment.submitApplication(buildSubmission({ employerOds: 'Z99001', regionCode: undefined }), anon),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Choose the region you work in'),
    });
    const made = await recruitment.submitApplication(
      buildSubmission({ employerOds: 'FZ901', regionCode: 'Q30' }),
      anon,
    );
    expect(made.regionCode).toBe('Q30');
    const icb = await recruitment.submitApplication(
      buildSubmission({ employerOds: 'QHM', regionCode: 'Q30' }),
      anon,
    );
    expect(icb.regionCode).toBe('Q30');
  });
});

describe('GP practices shipped as reference data', () => {
  it('are loaded by the migrations: open practices with their ICB, region and post town', async () => {
    const recruitment = createRecruitmentService({ db: ctx.db, config: { baseUrl: 'http://cln.test' } });
    const found = await recruitment.searchEmployers('Densham Surgery');
    expect(found.map((e) => e.odsCode)).toContain('A81001');
    // A town's trust comes before the practices that only stand in the town.
    const walsall = await recruitment.searchEmployers('walsall');
    expect(walsall[0]).toMatchObject({ name: 'Walsall Healthcare NHS Trust', kindLabel: 'NHS trust' });
    expect(walsall.some((e) => e.kindLabel === 'GP practice')).toBe(true);
    const row = await ctx.db
      .selectFrom('organisations as o')
      .innerJoin('organisations as icb', 'icb.id', 'o.parent_id')
      .innerJoin('organisations as r', 'r.id', 'o.nhse_region_id')
      .select(['o.name', 'o.kind', 'o.town', 'o.postcode', 'icb.ods_code as icb', 'r.ods_code as region'])
      .where('o.ods_code', '=', 'A81001')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      name: 'The Densham Surgery',
      kind: 'gp-practice',
      town: 'Stockton on Tees',
      postcode: 'TS18 1HU',
      icb: 'QHM',
      region: 'Y63',
    });
    const count = await ctx.db
      .selectFrom('organisations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'gp-practice')
      .where('ods_code', 'not like', 'Z9900%')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBeGreaterThan(6000);
  });

  it('reads the post town from addresses filled from the top as well as from the five-line layout', () => {
    expect(postTown(['THE HEALTH CENTRE', 'LAWSON STREET', 'STOCKTON ON TEES', 'CLEVELAND', ''])).toBe(
      'Stockton on Tees',
    );
    expect(postTown(['378 LINTHORPE ROAD', 'MIDDLESBROUGH', 'CLEVELAND', '', ''])).toBe('Middlesbrough');
    expect(postTown(['GRANTHAM ROAD', 'NAVENBY', 'LINCOLNSHIRE', '', ''])).toBe('Navenby');
    expect(postTown(['FIXTURE HOUSE', '1 TEST STREET', '', 'NEWCASTLE UPON TYNE', 'TYNE AND WEAR'])).toBe(
      'Newcastle upon Tyne',
    );
    expect(postTown(['SURGERY', 'HIGH STREET', '', '', ''])).toBe('High Street');
    expect(postTown(['ONLY ONE LINE', '', '', '', ''])).toBeNull();
  });
});
