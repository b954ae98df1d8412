import { type Kysely, sql } from 'kysely';

// The moderation queue lists hidden posts with the reported ones (whose open reports have their own
// partial index), newest first: a partial index keeps the few hidden posts out of a scan of them all.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index knowledge_posts_hidden on knowledge_posts (id) where status = 'hidden'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists knowledge_posts_hidden`.execute(db);
}
