import { type Kysely, sql } from 'kysely';
import { readCsv, titleCase } from './2026-11-27-0002-reference-structure.ts';

// GP practices as employers (issue 15): GPs and practice staff could not name their employer, as
// only trusts and ICBs were searchable. reference-data/gp-practices.csv holds the open GP practices
// of the NHS ODS epraccur extract (see reference-data/README.md). A practice loaded earlier with
// `cln organisations import --kind gp-practice` keeps its row; a code held by another kind of
// organisation is left alone.

type PracticeRow = {
  ods_code: string;
  name: string;
  nhse_region_code: string;
  icb_code: string;
  postcode: string;
  town: string;
  open_date: string;
};

export async function up(db: Kysely<any>): Promise<void> {
  const parents = new Map<string, { id: number; kind: string; nhse_region_id: number | null }>(
    (
      await db
        .selectFrom('organisations')
        .select(['id', 'ods_code', 'kind', 'nhse_region_id'])
        .where('kind', 'in', ['icb', 'nhse_region'])
        .execute()
    ).map((o) => [o.ods_code as string, o as { id: number; kind: string; nhse_region_id: number | null }]),
  );
  const rows = readCsv<PracticeRow>('gp-practices.csv').map((p) => {
    const icb = parents.get(p.icb_code);
    const region = parents.get(p.nhse_region_code);
    return {
      kind: 'gp-practice',
      ods_code: p.ods_code,
      name: titleCase(p.name),
      parent_id: icb?.kind === 'icb' ? icb.id : null,
      nhse_region_id:
        icb?.kind === 'icb' ? icb.nhse_region_id : region?.kind === 'nhse_region' ? region.id : null,
      postcode: p.postcode || null,
      town: p.town ? titleCase(p.town) : null,
      valid_from: p.open_date || null,
    };
  });
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('organisations')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.column('ods_code').doNothing())
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from organisations o where o.kind = 'gp-practice'
    and not exists (select 1 from applications a where a.employer_organisation_id = o.id)
    and not exists (select 1 from employment_history e where e.organisation_id = o.id)
    and not exists (select 1 from member_profiles m where m.organisation_id = o.id)`.execute(db);
}
