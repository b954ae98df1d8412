import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/db.ts';
import type { Executor } from './db/database.ts';
import { DATA_RIGHTS_CONTRIBUTORS, NOT_PERSONAL_COLUMNS } from './data-rights.ts';
import type { DataRightsContributor } from './platform/data-rights.ts';

/** Column kinds that can hold a name, an email, an identifier, free text or a photo. */
const PERSONAL_KINDS = [
  'text',
  'character varying',
  'character',
  'jsonb',
  'json',
  'bytea',
  'inet',
  'tsvector',
];

type Column = { table: string; column: string; personalKind: boolean };

/** Every column of every table of a migrated database, from information_schema. */
async function readColumns(db: Executor): Promise<Column[]> {
  const res = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    element_type: string | null;
  }>`
    select c.table_name, c.column_name, c.data_type, e.data_type as element_type
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      left join information_schema.element_types e on e.object_schema = c.table_schema
        and e.object_name = c.table_name and e.object_type = 'TABLE' and e.collection_type_identifier = c.dtd_identifier
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  return res.rows.map((r) => ({
    table: r.table_name,
    column: r.column_name,
    personalKind:
      PERSONAL_KINDS.includes(r.data_type) ||
      (r.data_type === 'ARRAY' && PERSONAL_KINDS.includes(r.element_type ?? '')),
  }));
}

/** What the registry fails to explain: personal columns nobody covers, stale or doubled entries. */
function coverageProblems(
  columns: Column[],
  contributors: readonly DataRightsContributor[],
  notPersonal: Readonly<Record<string, string>>,
) {
  const existing = new Set(columns.map((c) => `${c.table}.${c.column}`));
  const personal = new Map<string, string>();
  const doubled: string[] = [];
  const owners = new Map<string, string>();
  for (const c of contributors) {
    for (const [table, cols] of Object.entries(c.personalColumns)) {
      const owner = owners.get(table);
      if (owner && owner !== c.module) doubled.push(`${table} (listed by ${owner} and ${c.module})`);
      owners.set(table, c.module);
      for (const col of cols) personal.set(`${table}.${col}`, c.module);
    }
  }
  const uncovered = columns
    .filter((c) => c.personalKind)
    .map((c) => `${c.table}.${c.column}`)
    .filter((k) => !personal.has(k) && !(k in notPersonal));
  const stale = [...personal.keys(), ...Object.keys(notPersonal)].filter((k) => !existing.has(k));
  const both = Object.keys(notPersonal).filter((k) => personal.has(k));
  const unexplained = Object.entries(notPersonal)
    .filter(([, reason]) => reason.trim().length < 3)
    .map(([k]) => k);
  return { uncovered, stale, both, doubled, unexplained };
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('data-rights coverage', () => {
  it('lists every personal column of every table in a contributor or explains why it is not personal', async () => {
    const columns = await readColumns(database.db);
    expect(columns.length).toBeGreaterThan(300);
    expect(coverageProblems(columns, DATA_RIGHTS_CONTRIBUTORS, NOT_PERSONAL_COLUMNS)).toEqual({
      uncovered: [],
      stale: [],
      both: [],
      doubled: [],
      unexplained: [],
    });
  });

  it('has one contributor per module, each with an export and an erase', () => {
    const modules = DATA_RIGHTS_CONTRIBUTORS.map((c) => c.module);
    expect(new Set(modules).size).toBe(modules.length);
    for (const m of [
      'recruitment',
      'programme',
      'development',
      'learning-sets',
      'mentoring',
      'members',
      'account',
      'audit',
    ])
      expect(modules, m).toContain(m);
    // The audit log goes last: it searches its own text for what the others held.
    expect(modules.at(-1)).toBe('audit');
  });

  it('fails on a new table with a personal column that nobody covers, and on stale entries', async () => {
    await sql`create table zz_new_notes (id serial primary key, user_id integer, body text, tags text[], score integer)`.execute(
      database.db,
    );
    try {
      const columns = await readColumns(database.db);
      const problems = coverageProblems(columns, DATA_RIGHTS_CONTRIBUTORS, NOT_PERSONAL_COLUMNS);
      expect(problems.uncovered).toEqual(expect.arrayContaining(['zz_new_notes.body', 'zz_new_notes.tags']));
      expect(problems.uncovered).not.toContain('zz_new_notes.score');

      const covering: DataRightsContributor = {
        module: 'zz',
        personalColumns: { zz_new_notes: ['body', 'tags', 'gone'] },
        exportFor: async () => [],
        erase: async () => {},
      };
      const withIt = coverageProblems(columns, [...DATA_RIGHTS_CONTRIBUTORS, covering], {
        ...NOT_PERSONAL_COLUMNS,
        'zz_new_notes.user_id': 'an id',
        'no_such_table.note': 'stale',
        'zz_new_notes.body': 'listed twice',
      });
      expect(withIt.uncovered.filter((k) => k.startsWith('zz_'))).toEqual([]);
      expect(withIt.stale).toEqual(['zz_new_notes.gone', 'no_such_table.note']);
      expect(withIt.both).toEqual(['zz_new_notes.body']);
    } finally {
      await sql`drop table zz_new_notes`.execute(database.db);
    }
  });
});
