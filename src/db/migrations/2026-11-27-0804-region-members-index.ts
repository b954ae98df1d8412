import { type Kysely, sql } from 'kysely';

// A region's members page counts the profiles the viewer may see in one region (capped at 1,001).
// With only (region_code, name) to go on, PostgreSQL read every profile of the region from the table
// to test its visibility: about 6 ms at 100,000 members, the largest part of the page's database
// time (issue 8). This index holds what the test needs, so the count reads the index alone.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index member_profiles_region_visible on member_profiles (region_code)
    include (visibility_profile, user_id) where erased_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists member_profiles_region_visible`.execute(db);
}
