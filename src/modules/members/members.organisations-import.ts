import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { DB } from '../../db/database.ts';
import { titleCase } from '../../db/ods-names.ts';
import { recordAudit } from '../../platform/audit.ts';

/** The organisation kinds an NHS ODS extract can bring in, and the extract each comes from. */
export const ODS_KINDS = {
  'gp-practice': 'epraccur.csv (GP practices)',
  pharmacy: 'edispensary.csv (community pharmacies)',
  'dental-practice': 'egdpprac.csv (dental practices)',
} as const;
export type OdsKind = keyof typeof ODS_KINDS;

export type OrganisationsImportReport = {
  rows: number;
  inserted: number;
  updated: number;
  closed: number;
  errors: { line: number; message: string }[];
};

const ODS_CODE = /^[A-Z0-9]{3,10}$/;

/** ODS dates are YYYYMMDD; empty means none. */
function odsDate(v: string | undefined): string | null | 'bad' {
  const s = (v ?? '').trim();
  if (!s) return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return 'bad';
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return Number.isNaN(Date.parse(iso)) ? 'bad' : iso;
}

/** Counties as ODS extracts write them in the last address line (England, Wales, the islands). */
const COUNTIES = new Set([
  'AVON',
  'BEDFORDSHIRE',
  'BERKSHIRE',
  'BFPO',
  'BUCKINGHAMSHIRE',
  'CAMBRIDGESHIRE',
  'CARMARTHENSHIRE',
  'CEREDIGION',
  'CHESHIRE',
  'CLEVELAND',
  'CLWYD',
  'CO DURHAM',
  'CO. DURHAM',
  'CO.DURHAM',
  'CONWY',
  'CORNWALL',
  'COUNTY DURHAM',
  'CUMBRIA',
  'DENBIGHSHIRE',
  'DERBYSHIRE',
  'DEVON',
  'DORSET',
  'DYFED',
  'EAST SUSSEX',
  'EAST YORKSHIRE',
  'ESSEX',
  'FLINTSHIRE',
  'GLOUCESTERSHIRE',
  'GREATER MANCHESTER',
  'GUERNSEY',
  'GWENT',
  'GWYNEDD',
  'HAMPSHIRE',
  'HEREFORDSHIRE',
  'HERTFORDSHIRE',
  'ISLE OF MAN',
  'ISLE OF WIGHT',
  'JERSEY',
  'KENT',
  'LANCASHIRE',
  'LEICESTERSHIRE',
  'LINCOLNSHIRE',
  'LINCS',
  'MERSEYSIDE',
  'MID GLAMORGAN',
  'MIDDLESEX',
  'NORFOLK',
  'NORTH EAST LINCOLNSHIRE',
  'NORTH LINCOLNSHIRE',
  'NORTH SOMERSET',
  'NORTH YORKSHIRE',
  'NORTHAMPTONSHIRE',
  'NORTHUMBERLAND',
  'NOTTINGHAMSHIRE',
  'OXFORDSHIRE',
  'POWYS',
  'RUTLAND',
  'SHROPSHIRE',
  'SOMERSET',
  'SOUTH GLAMORGAN',
  'SOUTH GLOUCESTERSHIRE',
  'SOUTH YORKSHIRE',
  'STAFFORDSHIRE',
  'SUFFOLK',
  'SURREY',
  'TYNE & WEAR',
  'TYNE AND WEAR',
  'WARWICKSHIRE',
  'WEST GLAMORGAN',
  'WEST MIDLANDS',
  'WEST SUSSEX',
  'WEST YORKSHIRE',
  'WILTSHIRE',
  'WIRRAL',
  'WORCESTERSHIRE',
  'YNYS MON',
  'YORKSHIRE',
]);
const STREET =
  /\d|,|\b(ROAD|RD|STREET|ST|LANE|LN|AVENUE|AVE|AV|DRIVE|DR|WAY|CLOSE|PLACE|CRESCENT|TERRACE|HILL)$/;

/**
 * The post town of an ODS address (lines 1 to 5). The extracts' layout puts the town in line 4 and
 * the county in line 5, but most rows fill the lines from the top: the town is then the last line
 * after the first that is neither a county nor a street (ending in ROAD, holding a number...).
 */
export function postTown(lines: (string | undefined)[]): string | null {
  const [, , , four, five] = lines.map((l) => (l ?? '').trim().toUpperCase());
  if (five && four) return titleCase(four);
  const filled = lines.map((l) => (l ?? '').trim().toUpperCase()).filter(Boolean);
  const rest = filled.slice(1).reverse();
  const town =
    rest.find((l) => !COUNTIES.has(l) && !STREET.test(l)) ??
    rest.find((l) => !COUNTIES.has(l)) ??
    (filled.length > 1 ? filled[filled.length - 1] : undefined);
  return town ? titleCase(town) : null;
}

/**
 * Loads an NHS ODS extract (epraccur.csv, edispensary.csv, egdpprac.csv: headerless; columns
 * ODS code, name, national grouping, high-level health geography, address lines 1 to 5,
 * postcode, open date, close date, status code, ...) as organisations of one kind. Idempotent:
 * rows are upserted by ODS code, closed organisations are kept with their close date, and a code
 * already held by another kind (a trust, an ICB) is reported, never overwritten. The parent is the
 * high-level health geography when it is a known ICB, and the NHS England region follows it (or
 * the national grouping). There is no former-SHA hint in these extracts: an applicant from one of
 * these organisations chooses their region. Bad rows are reported by line; the good ones load in
 * one transaction (all or nothing), audited.
 */
export async function importOdsOrganisations(
  db: DB,
  text: string,
  opts: { kind: OdsKind; dryRun?: boolean; onProgress?: (done: number, total: number) => void },
): Promise<OrganisationsImportReport> {
  const report: OrganisationsImportReport = { rows: 0, inserted: 0, updated: 0, closed: 0, errors: [] };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: false,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
      bom: true,
    }) as unknown as typeof records;
  } catch (err) {
    report.errors.push({ line: (err as { lines?: number }).lines ?? 1, message: (err as Error).message });
    return report;
  }
  report.rows = records.length;
  const parents = new Map(
    (
      await db
        .selectFrom('organisations')
        .select(['id', 'ods_code', 'kind', 'nhse_region_id'])
        .where('kind', 'in', ['icb', 'nhse_region'])
        .execute()
    ).map((o) => [o.ods_code!, o]),
  );
  type Row = {
    ods: string;
    name: string;
    parentId: number | null;
    regionId: number | null;
    postcode: string | null;
    town: string | null;
    validFrom: string | null;
    validTo: string | null;
  };
  const rows: Row[] = [];
  const seen = new Map<string, number>();
  for (const { record: r, info } of records) {
    const line = info.lines;
    const ods = (r[0] ?? '').toUpperCase();
    const name = (r[1] ?? '').trim();
    const problems: string[] = [];
    if (!ODS_CODE.test(ods)) problems.push(`ODS code "${r[0] ?? ''}" is not 3 to 10 letters and digits`);
    if (!name || name.length > 200) problems.push('the name is missing or longer than 200 characters');
    const from = odsDate(r[10]);
    const to = odsDate(r[11]);
    if (from === 'bad') problems.push(`open date "${r[10]}" is not YYYYMMDD`);
    if (to === 'bad') problems.push(`close date "${r[11]}" is not YYYYMMDD`);
    if (seen.has(ods)) problems.push(`${ods} is also on line ${seen.get(ods)}`);
    seen.set(ods, line);
    if (problems.length) {
      report.errors.push({ line, message: problems.join('; ') });
      continue;
    }
    const icb = parents.get((r[3] ?? '').toUpperCase());
    const region = parents.get((r[2] ?? '').toUpperCase());
    rows.push({
      ods,
      name: titleCase(name),
      parentId: icb?.kind === 'icb' ? icb.id : null,
      regionId: icb?.kind === 'icb' ? icb.nhse_region_id : region?.kind === 'nhse_region' ? region.id : null,
      postcode: (r[9] ?? '').trim().toUpperCase() || null,
      town: postTown(r.slice(4, 9)),
      validFrom: from as string | null,
      validTo: to as string | null,
    });
  }
  // A code held by another kind of organisation is reported, not overwritten.
  const codes = rows.map((r) => r.ods);
  for (let i = 0; i < codes.length; i += 1000) {
    const clash = await db
      .selectFrom('organisations')
      .select(['ods_code', 'kind'])
      .where('ods_code', 'in', codes.slice(i, i + 1000))
      .where('kind', '<>', opts.kind)
      .execute();
    for (const c of clash)
      report.errors.push({
        line: seen.get(c.ods_code!)!,
        message: `${c.ods_code} is already a ${c.kind} here; it is not changed`,
      });
  }
  report.errors.sort((a, b) => a.line - b.line);
  if (report.errors.length || opts.dryRun || rows.length === 0) return report;

  await db.transaction().execute(async (trx) => {
    for (const [i, o] of rows.entries()) {
      const res = await sql<{ inserted: boolean }>`
        insert into organisations (kind, ods_code, name, parent_id, nhse_region_id, postcode, town, valid_from, valid_to)
        values (${opts.kind}, ${o.ods}, ${o.name}, ${o.parentId}, ${o.regionId}, ${o.postcode}, ${o.town},
          ${o.validFrom}::date, ${o.validTo}::date)
        on conflict (ods_code) do update set name = excluded.name, parent_id = excluded.parent_id,
          nhse_region_id = excluded.nhse_region_id, postcode = excluded.postcode, town = excluded.town,
          valid_from = excluded.valid_from, valid_to = excluded.valid_to
        where organisations.kind = excluded.kind
        returning (xmax = 0) as inserted`.execute(trx);
      if (res.rows[0]?.inserted) report.inserted++;
      else report.updated++;
      if (o.validTo) report.closed++;
      if (i % 500 === 0 || i === rows.length - 1) opts.onProgress?.(i + 1, rows.length);
    }
    await recordAudit(trx, 'system', {
      action: 'organisation.import',
      entityType: 'organisation',
      summary: `Imported ${rows.length} ${opts.kind} organisations from an ODS extract (${report.inserted} new, ${report.updated} updated)`,
      details: { kind: opts.kind, rows: rows.length, inserted: report.inserted, updated: report.updated },
    });
  });
  return report;
}
