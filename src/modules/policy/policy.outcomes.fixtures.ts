import type { DB } from '../../db/database.ts';

/**
 * Themes and assignments written straight to the tables, for the tests of outcomes, the ledger,
 * closing the loop and the exports (the analysis part builds the real way in).
 */
export async function seedTheme(
  db: DB,
  opts: { callId: number; questionId: number; name: string; mergedIntoId?: number | null },
): Promise<number> {
  const row = await db
    .insertInto('policy_themes')
    .values({
      call_id: opts.callId,
      question_id: opts.questionId,
      name: opts.name,
      description: null,
      merged_into_id: opts.mergedIntoId ?? null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Counts a response under a theme (live unless `removed`). */
export async function assignToTheme(
  db: DB,
  opts: {
    themeId: number;
    responseId: number;
    questionId: number;
    excerpt?: string | null;
    evidenceRich?: boolean;
    removed?: boolean;
  },
): Promise<number> {
  const row = await db
    .insertInto('policy_theme_assignments')
    .values({
      theme_id: opts.themeId,
      response_id: opts.responseId,
      question_id: opts.questionId,
      excerpt: opts.excerpt ?? null,
      sentiment: null,
      evidence_rich: opts.evidenceRich ?? false,
      removed_at: opts.removed ? new Date() : null,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The emails queued to this address of this kind, oldest first. */
export function emailsTo(db: DB, to: string, kind: string) {
  return db
    .selectFrom('outbox')
    .select(['subject', 'body_text'])
    .where('to_address', '=', to.toLowerCase())
    .where('kind', '=', kind)
    .orderBy('id')
    .execute();
}

/** How many emails of this kind were queued, to anyone. */
export async function countEmails(db: DB, kind: string): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('kind', '=', kind)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
