import { type Kysely, sql } from 'kysely';

// The programme module: each region's dates, people, funding, readiness and the consultancy contract.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table network_regions
    add column first_event_target date,
    add column go_live_target date,
    add column first_event_actual date,
    add column go_live_actual date,
    add column lead_facilitator_user_id integer references users (id) on delete set null,
    add column senior_manager_name text,
    add column senior_manager_email text,
    add column updated_at timestamptz not null default now()`.execute(db);

  await db.schema
    .createTable('funding_allocations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('region_code', 'text', (c) => c.notNull().references('network_regions.code'))
    .addColumn('amount', sql`numeric(12, 2)`, (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('allocated_on', 'date', (c) => c.notNull())
    .addColumn('received_on', 'date')
    .addColumn('reference', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('funding_allocations_region')
    .on('funding_allocations')
    .column('region_code')
    .execute();

  await db.schema
    .createTable('funding_spend')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('region_code', 'text', (c) => c.notNull().references('network_regions.code'))
    .addColumn('spent_on', 'date', (c) => c.notNull())
    .addColumn('amount', sql`numeric(12, 2)`, (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('funding_spend_region')
    .on('funding_spend')
    .columns(['region_code', 'spent_on'])
    .execute();

  await db.schema
    .createTable('readiness_items')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db
    .insertInto('readiness_items')
    .values([
      { key: 'lead-appointed', label: 'Regional lead appointed', sort_order: 1 },
      { key: 'facilitator-assigned', label: 'Lead facilitator assigned', sort_order: 2 },
      { key: 'funding-received', label: 'DH funding received', sort_order: 3 },
      { key: 'first-event-booked', label: 'First event booked', sort_order: 4 },
      { key: 'cohort-recruited', label: 'Cohort recruited', sort_order: 5 },
    ])
    .execute();

  await db.schema
    .createTable('region_readiness')
    .addColumn('region_code', 'text', (c) => c.notNull().references('network_regions.code'))
    .addColumn('item_key', 'text', (c) => c.notNull().references('readiness_items.key').onDelete('cascade'))
    .addColumn('completed_on', 'date', (c) => c.notNull())
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('region_readiness_pk', ['region_code', 'item_key'])
    .execute();

  await db.schema
    .createTable('contract_lines')
    .addColumn('region_code', 'text', (c) => c.notNull().references('network_regions.code'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('promised', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`promised >= 0`),
    )
    .addColumn('delivered', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`delivered >= 0`),
    )
    .addPrimaryKeyConstraint('contract_lines_pk', ['region_code', 'kind'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'contract_lines',
    'region_readiness',
    'readiness_items',
    'funding_spend',
    'funding_allocations',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`alter table network_regions
    drop column if exists first_event_target, drop column if exists go_live_target,
    drop column if exists first_event_actual, drop column if exists go_live_actual,
    drop column if exists lead_facilitator_user_id, drop column if exists senior_manager_name,
    drop column if exists senior_manager_email, drop column if exists updated_at`.execute(db);
}
