import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { type Kysely, sql } from 'kysely';
import { projectRoot } from '../../paths.ts';

// The network itself: organisations (the NHS hierarchy, partners, supplier), the rollout phases
// and the ten network regions (the 2006-2013 SHAs), loaded from the reference-data snapshot.

type HierarchyRow = {
  level: string;
  ods_code: string;
  ons_code: string;
  name: string;
  parent_ods_code: string;
  valid_from: string;
  valid_to: string;
  notes: string;
};
type TrustRow = {
  ods_code: string;
  name: string;
  nhse_region_code: string;
  icb_code: string;
  postcode: string;
  town: string;
  open_date: string;
  close_date: string;
  former_sha_area_hint: string;
};

const KEEP_UPPER = new Set(['NHS', 'ICB', 'UK', 'CIC', 'HIV', 'GP', 'II']);
const KEEP_LOWER = new Set(['and', 'of', 'the', 'for', 'in', 'on', 'upon', 'at']);

/** ODS publishes names in capitals; people read them in title case with NHS kept. */
export function titleCase(name: string): string {
  if (name !== name.toUpperCase()) return name;
  return name
    .toLowerCase()
    .split(/(\s+|-|\()/)
    .map((word, i) => {
      const upper = word.toUpperCase();
      if (KEEP_UPPER.has(upper)) return upper;
      if (i > 0 && KEEP_LOWER.has(word)) return word;
      return word.replace(/^([a-z])/, (c) => c.toUpperCase()).replace(/'([a-z])\b/, (m) => m.toLowerCase());
    })
    .join('');
}

export function readCsv<T>(file: string): T[] {
  const text = readFileSync(path.join(projectRoot, 'reference-data', file), 'utf8');
  return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as T[];
}

const orNull = (v: string) => (v === '' ? null : v);

const SHORT_NAMES: Record<string, string> = {
  Q30: 'North East',
  Q31: 'North West',
  Q32: 'Yorkshire and the Humber',
  Q33: 'East Midlands',
  Q34: 'West Midlands',
  Q35: 'East of England',
  Q36: 'London',
  Q37: 'South East Coast',
  Q38: 'South Central',
  Q39: 'South West',
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ods_code', 'text', (c) => c.unique())
    .addColumn('ons_code', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('organisations.id'))
    .addColumn('nhse_region_id', 'integer', (c) => c.references('organisations.id'))
    .addColumn('sha_code', 'text')
    .addColumn('postcode', 'text')
    .addColumn('town', 'text')
    .addColumn('valid_from', 'date')
    .addColumn('valid_to', 'date')
    .addColumn('successor_id', 'integer', (c) => c.references('organisations.id'))
    .addColumn('notes', 'text')
    .execute();
  await db.schema.createIndex('organisations_kind').on('organisations').columns(['kind', 'name']).execute();
  await db.schema.createIndex('organisations_parent').on('organisations').column('parent_id').execute();
  await db.schema.createIndex('organisations_sha').on('organisations').column('sha_code').execute();
  await sql`create index organisations_name_trgm on organisations using gin (name gin_trgm_ops)`.execute(db);

  await db.schema
    .createTable('rollout_phases')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .addColumn('first_event_target', 'date')
    .addColumn('go_live_target', 'date')
    .execute();

  await db.schema
    .createTable('network_regions')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phase_key', 'text', (c) => c.notNull().references('rollout_phases.key'))
    .addColumn('recruitment_target', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('planning'))
    .execute();

  await db.schema
    .createTable('network_partners')
    .addColumn('organisation_id', 'integer', (c) => c.primaryKey().references('organisations.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();

  await sql`alter table role_assignments add constraint role_assignments_region_fk foreign key (region_code) references network_regions (code)`.execute(
    db,
  );

  const hierarchy = readCsv<HierarchyRow>('nhs-hierarchy.csv');
  const idByOds = new Map<string, number>();
  const insertOrg = async (values: Record<string, unknown>): Promise<number> => {
    const row = await db.insertInto('organisations').values(values).returning('id').executeTakeFirstOrThrow();
    return row.id as number;
  };

  const nation = hierarchy.find((h) => h.level === 'nation');
  const englandId = await insertOrg({
    kind: 'nation',
    ons_code: nation?.ons_code ?? 'E92000001',
    name: 'England',
  });

  for (const level of ['sha_2006', 'nhse_region', 'icb'] as const) {
    for (const h of hierarchy.filter((r) => r.level === level)) {
      const parent = h.parent_ods_code ? idByOds.get(h.parent_ods_code) : englandId;
      const kind = level === 'sha_2006' ? 'sha' : level;
      const id = await insertOrg({
        kind,
        ods_code: h.ods_code,
        ons_code: orNull(h.ons_code),
        name: h.name,
        parent_id: parent ?? englandId,
        nhse_region_id: level === 'icb' ? (parent ?? null) : null,
        valid_from: orNull(h.valid_from),
        valid_to: orNull(h.valid_to),
        notes: orNull(h.notes),
      });
      idByOds.set(h.ods_code, id);
    }
  }

  for (const t of readCsv<TrustRow>('nhs-trusts.csv')) {
    const id = await insertOrg({
      kind: 'trust',
      ods_code: t.ods_code,
      name: titleCase(t.name),
      parent_id: idByOds.get(t.icb_code) ?? null,
      nhse_region_id: idByOds.get(t.nhse_region_code) ?? null,
      sha_code: orNull(t.former_sha_area_hint),
      postcode: orNull(t.postcode),
      town: orNull(t.town) && titleCase(t.town),
      valid_from: orNull(t.open_date),
      valid_to: orNull(t.close_date),
    });
    idByOds.set(t.ods_code, id);
  }

  const dh = await insertOrg({ kind: 'partner', name: 'Department of Health' });
  const cfh = await insertOrg({ kind: 'partner', name: 'NHS Connecting for Health' });
  const arup = await insertOrg({ kind: 'supplier', name: 'Arup' });
  await db
    .insertInto('network_partners')
    .values([
      {
        organisation_id: idByOds.get('Q31'),
        role: 'founding partner',
        description: 'Formed the network and ran the pilot in the North West.',
      },
      {
        organisation_id: dh,
        role: 'founding partner',
        description: 'Formed the network and funds each strategic health authority.',
      },
      { organisation_id: cfh, role: 'founding partner', description: 'Formed the network.' },
      {
        organisation_id: arup,
        role: 'consultancy supplier',
        description:
          'Supplies a senior manager to each region to lead action learning and leadership development.',
      },
    ])
    .execute();

  await db
    .insertInto('rollout_phases')
    .values([
      {
        key: 'pilot',
        name: 'Pilot',
        description: 'The North West pilot with 80 or more clinicians.',
        sort_order: 0,
      },
      {
        key: 'phase-1',
        name: 'Phase 1',
        description: 'First event held by the end of December.',
        sort_order: 1,
        first_event_target: '2026-12-31',
        go_live_target: '2026-12-31',
      },
      {
        key: 'phase-2',
        name: 'Phase 2',
        description: 'Up and running by April.',
        sort_order: 2,
        first_event_target: '2027-04-30',
        go_live_target: '2027-04-30',
      },
    ])
    .execute();

  for (const h of hierarchy.filter((r) => r.level === 'sha_2006')) {
    const phase = /pilot/i.test(h.notes) ? 'pilot' : /phase 1/i.test(h.notes) ? 'phase-1' : 'phase-2';
    const target = Number(/target (\d+)/.exec(h.notes)?.[1] ?? (phase === 'pilot' ? 80 : 60));
    await db
      .insertInto('network_regions')
      .values({
        code: h.ods_code,
        organisation_id: idByOds.get(h.ods_code),
        name: SHORT_NAMES[h.ods_code] ?? h.name.replace(/^NHS /, ''),
        phase_key: phase,
        recruitment_target: target,
        status: phase === 'pilot' ? 'launched' : 'planning',
      })
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table role_assignments drop constraint if exists role_assignments_region_fk`.execute(db);
  for (const t of ['network_partners', 'network_regions', 'rollout_phases', 'organisations']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
