import type { KnowledgeItemRow } from './knowledge.table.ts';

/**
 * True when a published item is past its review-by date (the owner has not confirmed it since):
 * search ranks stale items lower and pages show a "Review due" tag. `today` is a London date,
 * YYYY-MM-DD.
 */
export function isStale(row: Pick<KnowledgeItemRow, 'status' | 'review_by'>, today: string): boolean {
  return row.status === 'published' && row.review_by !== null && row.review_by < today;
}
