import { type Kysely, sql } from 'kysely';

// The unfiltered directory counts the profiles its viewer may see, up to a cap of 1,001, walking
// them in user id order. Through the primary key that read 1,000 table rows for their visibility
// and region (1.2 ms at 100,000 members, on every directory page); this index holds both, so the
// count reads the index alone (0.35 ms) (issue 8).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index member_profiles_visible_by_id on member_profiles (user_id)
    include (visibility_profile, region_code) where erased_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists member_profiles_visible_by_id`.execute(db);
}
