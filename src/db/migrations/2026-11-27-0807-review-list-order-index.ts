import { type Kysely, sql } from 'kysely';

// The review list's default order (newest first, then id) straight from an index, with the id in
// it: a page is chosen by reading the index alone, then only its 25 rows are fetched. Before, page
// 20 sorted the region's newest 500 applications and read every one of them (issue 8). It replaces
// applications_region_submitted, whose columns it starts with.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index applications_region_recent on applications (region_code, submitted_at desc, id)`.execute(
    db,
  );
  await sql`drop index if exists applications_region_submitted`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists applications_region_submitted on applications (region_code, submitted_at)`.execute(
    db,
  );
  await sql`drop index if exists applications_region_recent`.execute(db);
}
