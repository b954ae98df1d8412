import { sql } from 'kysely';
import type { DB } from '../src/db/database.ts';
import { indexItem } from '../src/modules/knowledge/index.ts';

// The schema's own words (src/modules/knowledge/knowledge.table.ts), written out: tests reach a
// module only through its index.ts.
type ItemKind = 'resource' | 'case-study' | 'innovation' | 'guidance';
type ItemStatus = 'draft' | 'published' | 'archived';
type ItemVisibility = 'public' | 'network' | 'region' | 'groups';

/**
 * Library items written straight to the tables, for the tests of the parts of the library that
 * come after an item exists (discussion, search, adoption, files, freshness). Journeys and the
 * authorisation matrix go through the pages and API instead. The search vector is filled as the
 * items service fills it (weighted title, summary, structured fields, body).
 */
export async function seedItem(
  db: DB,
  opts: {
    ownerUserId: number;
    title?: string;
    summary?: string;
    body?: string | null;
    kind?: ItemKind;
    status?: ItemStatus;
    visibility?: ItemVisibility;
    regionCode?: string | null;
    groupIds?: number[];
    organisationIds?: number[];
    topicIds?: number[];
    problem?: string | null;
    careSetting?:
      'acute' | 'community' | 'primary-care' | 'mental-health' | 'ambulance' | 'social-care' | 'other';
    spreadStage?: 'idea' | 'pilot' | 'local' | 'spreading' | 'national';
    reviewedOn?: string | null;
    reviewBy?: string | null;
    contactUserId?: number | null;
  },
): Promise<number> {
  const status = opts.status ?? 'published';
  const item = await db
    .insertInto('knowledge_items')
    .values({
      kind: opts.kind ?? 'case-study',
      status,
      visibility: opts.visibility ?? 'network',
      region_code: opts.regionCode ?? null,
      title: opts.title ?? 'Same-day emergency care for frail older people',
      summary: opts.summary ?? 'A frailty team at the front door of the emergency department cut admissions.',
      body: opts.body ?? null,
      resource_url: null,
      problem: opts.problem ?? null,
      baseline: null,
      aim: null,
      results: null,
      cost: null,
      care_setting: opts.careSetting ?? null,
      spread_stage: opts.spreadStage ?? null,
      evidence_level: null,
      contact_user_id: opts.contactUserId ?? opts.ownerUserId,
      owner_user_id: opts.ownerUserId,
      reviewed_on: opts.reviewedOn ?? null,
      review_by: opts.reviewBy ?? null,
      review_asked_for: null,
      contact_asked_at: null,
      topic_ids: opts.topicIds ?? [],
      organisation_ids: opts.organisationIds ?? [],
      published_at: status === 'published' ? new Date() : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await indexItem(db, item.id);
  for (const setId of opts.groupIds ?? []) {
    await db.insertInto('knowledge_item_groups').values({ item_id: item.id, set_id: setId }).execute();
  }
  for (const organisationId of opts.organisationIds ?? []) {
    await db
      .insertInto('knowledge_item_organisations')
      .values({ item_id: item.id, organisation_id: organisationId })
      .execute();
  }
  return item.id;
}

/** A topic by name (made when missing). */
export async function seedTopic(db: DB, name: string): Promise<number> {
  const found = await db
    .selectFrom('knowledge_topics')
    .select('id')
    .where(sql`lower(name)`, '=', name.toLowerCase())
    .executeTakeFirst();
  if (found) return found.id;
  const row = await db
    .insertInto('knowledge_topics')
    .values({ name })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
