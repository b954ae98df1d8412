import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

// What search reads of an item, kept up to date by every part that changes the item's words: the
// title weighs most, then the summary, then the case study's structured fields and its PDSA cycles,
// then the body. The items service calls this after each save; search adds its own upkeep here
// (the words kept for typo tolerance).

/** Rebuilds the item's search vector from its row and its PDSA cycles. */
export async function indexItem(x: Executor, itemId: number): Promise<void> {
  await sql`update knowledge_items i set search_vector =
      setweight(to_tsvector('english', i.title), 'A') ||
      setweight(to_tsvector('english', i.summary), 'B') ||
      setweight(to_tsvector('english', concat_ws(' ', i.problem, i.baseline, i.aim, i.results, i.cost,
        (select string_agg(concat_ws(' ', c.plan, c.prediction, c.happened), ' ')
           from knowledge_pdsa_cycles c where c.item_id = i.id))), 'C') ||
      setweight(to_tsvector('english', coalesce(i.body, '')), 'D')
    where i.id = ${itemId}`.execute(x);
}
