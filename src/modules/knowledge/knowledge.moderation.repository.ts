import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

// The SQL of moderation: the queue of reported and hidden posts, and the reports' resolution.

export type QueueFilter = {
  /** The regions moderated ('all' for the national team). */
  regions: 'all' | string[];
  /** A regional lead sees only posts on items they may read: published (or their own), not another group's. */
  readerUserId: number;
  groupIds: number[];
};

/** Posts with open reports or hidden, on items the moderator moderates and may read: newest first. */
export async function listQueue(x: Executor, f: QueueFilter, page: { limit: number; offset: number }) {
  if (f.regions !== 'all' && !f.regions.length) return { rows: [], total: 0 };
  const base = x
    .selectFrom('knowledge_posts as p')
    .innerJoin('knowledge_items as i', 'i.id', 'p.item_id')
    // A union, not "hidden or reported": each side reads its own partial index (the few hidden
    // posts, the open reports), where an "or" walks every post.
    .where('p.id', 'in', (eb) =>
      eb
        .selectFrom('knowledge_posts as h')
        .select('h.id')
        .where('h.status', '=', 'hidden')
        .union(
          eb
            .selectFrom('knowledge_post_reports as r')
            .select('r.post_id as id')
            .where('r.resolved_at', 'is', null),
        ),
    )
    .$if(f.regions !== 'all', (q) =>
      q
        .where('i.region_code', 'in', f.regions as string[])
        .where((eb) => eb.or([eb('i.status', '=', 'published'), eb('i.owner_user_id', '=', f.readerUserId)]))
        .where((eb) =>
          eb.or([
            eb('i.visibility', '<>', 'groups'),
            ...(f.groupIds.length
              ? [
                  eb(
                    'i.id',
                    'in',
                    eb
                      .selectFrom('knowledge_item_groups as g')
                      .select('g.item_id')
                      .where('g.set_id', 'in', f.groupIds),
                  ),
                ]
              : []),
          ]),
        ),
    );
  const [rows, total] = await Promise.all([
    base
      .leftJoin('users as u', 'u.id', 'p.author_user_id')
      .select([
        'p.id',
        'p.item_id',
        'p.body',
        'p.status',
        'p.hidden_reason',
        'p.created_at',
        'i.title as item_title',
        'i.region_code',
        'u.name as author_name',
        sql<string>`(select count(*) from knowledge_post_reports r where r.post_id = p.id and r.resolved_at is null)`.as(
          'open_reports',
        ),
      ])
      .orderBy('p.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** The open reports on these posts, oldest first. */
export async function listOpenReports(x: Executor, postIds: number[]) {
  if (!postIds.length) return [];
  return x
    .selectFrom('knowledge_post_reports as r')
    .leftJoin('users as u', 'u.id', 'r.reporter_user_id')
    .select(['r.id', 'r.post_id', 'r.reason', 'r.created_at', 'u.name as reporter_name'])
    .where('r.post_id', 'in', postIds)
    .where('r.resolved_at', 'is', null)
    .orderBy('r.id')
    .limit(500)
    .execute();
}

export async function hidePost(x: Executor, postId: number, by: number, reason: string): Promise<void> {
  await x
    .updateTable('knowledge_posts')
    .set({ status: 'hidden', hidden_by: by, hidden_at: sql`now()`, hidden_reason: reason })
    .where('id', '=', postId)
    .execute();
}

export async function restorePost(x: Executor, postId: number): Promise<void> {
  await x
    .updateTable('knowledge_posts')
    .set({ status: 'visible', hidden_by: null, hidden_at: null, hidden_reason: null })
    .where('id', '=', postId)
    .execute();
}

/** Closes the post's open reports with this outcome; returns how many were closed. */
export async function resolveReports(
  x: Executor,
  postId: number,
  by: number,
  resolution: 'hidden' | 'kept',
): Promise<number> {
  const res = await x
    .updateTable('knowledge_post_reports')
    .set({ resolved_at: sql`now()`, resolved_by: by, resolution })
    .where('post_id', '=', postId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
