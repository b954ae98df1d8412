import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

/**
 * Published items at or past their review-by date whose owner has not been asked about that date
 * yet, oldest date first (the partial index on review_by serves it), locked so that two processes
 * never ask twice.
 */
export function claimItemsDueForReview(x: Executor, today: string, limit: number) {
  return x
    .selectFrom('knowledge_items as i')
    .leftJoin('users as u', 'u.id', 'i.owner_user_id')
    .where('i.status', '=', 'published')
    .where('i.review_by', '<=', today)
    .where((eb) =>
      eb.or([eb('i.review_asked_for', 'is', null), eb('i.review_asked_for', '<>', eb.ref('i.review_by'))]),
    )
    .select([
      'i.id',
      'i.title',
      'i.review_by',
      'u.name as owner_name',
      'u.email as owner_email',
      'u.disabled_at',
    ])
    .orderBy('i.review_by')
    .orderBy('i.id')
    .limit(limit)
    .forUpdate('i')
    .skipLocked()
    .execute();
}

export function markReviewAsked(x: Executor, itemIds: number[]) {
  if (!itemIds.length) return Promise.resolve();
  return x
    .updateTable('knowledge_items')
    .set({ review_asked_for: sql`review_by` })
    .where('id', 'in', itemIds)
    .execute();
}

export function confirmItem(x: Executor, itemId: number, reviewedOn: string, reviewBy: string) {
  return x
    .updateTable('knowledge_items')
    .set({ reviewed_on: reviewedOn, review_by: reviewBy, review_asked_for: null, updated_at: new Date() })
    .where('id', '=', itemId)
    .execute();
}

/** The distinct contacts of published items not yet asked about, after `afterUserId`, a batch at a time. */
export async function listContactsToCheck(x: Executor, afterUserId: number, limit: number) {
  const rows = await x
    .selectFrom('knowledge_items')
    .where('status', '=', 'published')
    .where('contact_asked_at', 'is', null)
    .where('contact_user_id', '>', afterUserId)
    .select('contact_user_id')
    .distinct()
    .orderBy('contact_user_id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.contact_user_id!);
}

/** The published items whose contact is one of these people and that have not asked for a new one. */
export function claimItemsWithContacts(x: Executor, contactIds: number[]) {
  return x
    .selectFrom('knowledge_items')
    .where('status', '=', 'published')
    .where('contact_asked_at', 'is', null)
    .where('contact_user_id', 'in', contactIds)
    .select(['id', 'title', 'organisation_ids', 'contact_user_id'])
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
}

export function markContactAsked(x: Executor, itemId: number) {
  return x
    .updateTable('knowledge_items')
    .set({ contact_asked_at: new Date() })
    .where('id', '=', itemId)
    .execute();
}

export function findUserName(x: Executor, userId: number) {
  return x.selectFrom('users').select(['name']).where('id', '=', userId).executeTakeFirst();
}
