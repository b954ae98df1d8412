import { type Kysely, sql } from 'kysely';

// A cohort is a region's intake: applications are made to an intake, members join one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('intakes')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('region_code', 'text', (c) => c.notNull().references('network_regions.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('opens_on', 'date', (c) => c.notNull())
    .addColumn('closes_on', 'date')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('intakes_region_name', ['region_code', 'name'])
    .execute();
  // Every region starts with an open intake for the current rollout year.
  await sql`insert into intakes (region_code, name, opens_on, status)
    select code, case when phase_key = 'pilot' then 'Pilot cohort' else '2026/27' end,
      case when phase_key = 'pilot' then date '2025-09-01' else date '2026-09-01' end,
      case when phase_key = 'pilot' then 'closed' else 'open' end
    from network_regions`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('intakes').ifExists().execute();
}
