import { type Expression, type SqlBool, sql } from 'kysely';
import type { Executor } from '../db/database.ts';

/** The SQL of the audit log's and the outbox's data-rights contributors. */

export type EntityRef = { type: string; id: string };

function aboutExpr(userId: number, entities: EntityRef[]): Expression<SqlBool> {
  const refs = [{ type: 'user', id: String(userId) }, { type: 'member', id: String(userId) }, ...entities];
  return sql<SqlBool>`(entity_type, entity_id) in (${sql.join(refs.map((r) => sql`(${r.type}, ${r.id})`))})`;
}

/** Entries by the person or about them (their account, profile and the entities modules named). */
export async function listAuditAbout(x: Executor, userId: number, entities: EntityRef[]) {
  return x
    .selectFrom('audit_log')
    .select(['at', 'action', 'entity_type', 'entity_id', 'summary', 'actor_user_id'])
    .where((eb) => eb.or([eb('actor_user_id', '=', userId), aboutExpr(userId, entities)]))
    .orderBy('at')
    .orderBy('id')
    .execute();
}

/** A PostgreSQL pattern matching any of the values as whole words (case-insensitive with ~*). */
export function wordsPattern(values: string[]): string | null {
  const escaped = values
    .filter((v) => v.length >= 3)
    .map((v) => `\\m${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\M`);
  return escaped.length ? escaped.join('|') : null;
}

export async function scrubAudit(
  x: Executor,
  userId: number,
  entities: EntityRef[],
  label: string,
  pattern: string | null,
) {
  // What the person did stays (what and when), not who they were or where from.
  await x
    .updateTable('audit_log')
    .set({ actor_label: label, ip: null })
    .where('actor_user_id', '=', userId)
    .execute();
  // Entries about them keep the action and the time, not the details, nor who a visitor acting on
  // their records was (their sponsor, their raters); staff keep their own names.
  await x
    .updateTable('audit_log')
    .set({
      summary: sql`action || ' (personal details erased)'`,
      details: null,
      actor_label: sql`case when actor_user_id is null and actor_label <> 'system' then 'Visitor (details erased)' else actor_label end`,
      ip: sql`case when actor_user_id is null then null else ip end`,
    })
    .where(aboutExpr(userId, entities))
    .execute();
  // Entries about other records that name them (a mentoring match, an invitation): the audit log's
  // own text, searched for the person's names, emails and registration numbers.
  if (pattern) {
    await sql`update audit_log set
        summary = regexp_replace(summary, ${pattern}, ${label}, 'gi'),
        actor_label = regexp_replace(actor_label, ${pattern}, ${label}, 'gi'),
        details = case when details::text ~* ${pattern}
          then regexp_replace(details::text, ${pattern}, ${label}, 'gi')::jsonb else details end
      where summary ~* ${pattern} or actor_label ~* ${pattern} or details::text ~* ${pattern}`.execute(x);
  }
}

export async function listEmailsTo(x: Executor, emails: string[]) {
  if (!emails.length) return [];
  return x
    .selectFrom('outbox')
    .select(['created_at', 'to_address', 'subject', 'body_text', 'kind', 'status', 'sent_at'])
    .where('to_address', 'in', emails)
    .orderBy('created_at')
    .execute();
}

/**
 * Emails to the person go, and so do emails to others that name them (a sponsor's request, a
 * rater's invitation, a mentor's introduction): they are about the person, and with them goes the
 * address of whoever the person named.
 */
export async function scrubOutbox(x: Executor, emails: string[], pattern: string | null) {
  if (emails.length) await x.deleteFrom('outbox').where('to_address', 'in', emails).execute();
  if (pattern)
    await sql`delete from outbox where subject ~* ${pattern} or body_text ~* ${pattern}
      or last_error ~* ${pattern}`.execute(x);
}

/** The long calculations a person started (set formation, matching runs). */
export async function listEngineJobsStartedBy(x: Executor, userId: number) {
  return x
    .selectFrom('engine_jobs')
    .select(['kind', 'status', 'started_at', 'finished_at'])
    .where('started_by', '=', userId)
    .orderBy('id')
    .execute();
}

/** Forgets who started each job, and any job message that names the person. */
export async function scrubEngineJobs(x: Executor, userId: number, pattern: string | null) {
  await x.updateTable('engine_jobs').set({ started_by: null }).where('started_by', '=', userId).execute();
  if (pattern) await sql`update engine_jobs set error = null where error ~* ${pattern}`.execute(x);
}
