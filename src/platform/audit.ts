import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { Actor, AnonymousActor } from './permissions.ts';

export type AuditEntry = {
  action: string;
  entityType: string;
  entityId?: string | number | null;
  summary: string;
  details?: Record<string, unknown>;
};

/**
 * The one place every change to personal data and every decision is recorded. Call it inside the
 * same transaction as the change, so the record and the change stand or fall together.
 */
export async function recordAudit(
  executor: Executor,
  actor: Actor | AnonymousActor | 'system',
  entry: AuditEntry,
): Promise<void> {
  await recordAudits(executor, actor, [entry]);
}

/** Several audit entries by one actor in one statement (a scheduled task's batch). */
export async function recordAudits(
  executor: Executor,
  actor: Actor | AnonymousActor | 'system',
  entries: AuditEntry[],
): Promise<void> {
  if (!entries.length) return;
  const who =
    actor === 'system'
      ? { actor_user_id: null, actor_label: 'system', ip: null, request_id: null }
      : actor.userId === null
        ? { actor_user_id: null, actor_label: actor.label, ip: actor.ip, request_id: actor.requestId }
        : {
            actor_user_id: actor.userId,
            actor_label: `${actor.name} <${actor.email}>`,
            ip: actor.ip,
            request_id: actor.requestId,
          };
  await executor
    .insertInto('audit_log')
    .values(
      entries.map((entry) => ({
        ...who,
        action: entry.action,
        entity_type: entry.entityType,
        entity_id: entry.entityId == null ? null : String(entry.entityId),
        summary: entry.summary,
        details: entry.details ? JSON.stringify(entry.details) : null,
      })),
    )
    .execute();
}

export type AuditFilter = {
  action?: string;
  entityType?: string;
  entityId?: string;
  actor?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
};

export type AuditRecord = {
  id: number;
  at: Date;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  summary: string;
  details: unknown;
  ip: string | null;
  requestId: string | null;
};

/** Past this many matches the count stops: counting millions of records on every view is wasteful. */
export const AUDIT_COUNT_CAP = 10_000;

/** Newest first, filtered and paginated; every filter is served by an index on audit_log. */
export async function listAudit(
  executor: Executor,
  f: AuditFilter,
): Promise<{ rows: AuditRecord[]; total: number; capped: boolean }> {
  let q = executor.selectFrom('audit_log');
  if (f.action) q = q.where('action', '=', f.action);
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.actor) q = q.where('actor_label', 'ilike', `%${f.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (f.from) q = q.where('at', '>=', sql<Date>`${f.from}::date`);
  if (f.to) q = q.where('at', '<', sql<Date>`${f.to}::date + 1`);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    executor
      .selectFrom(
        q
          .select('id')
          .limit(AUDIT_COUNT_CAP + 1)
          .as('matches'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  const n = Number(count.n);
  return {
    total: Math.min(n, AUDIT_COUNT_CAP),
    capped: n > AUDIT_COUNT_CAP,
    rows: rows.map((r) => ({
      id: Number(r.id),
      at: r.at,
      actorLabel: r.actor_label,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      summary: r.summary,
      details: r.details,
      ip: r.ip,
      requestId: r.request_id,
    })),
  };
}

/**
 * The distinct actions, by walking the (action, at) index one action at a time: a plain DISTINCT
 * would read every record.
 */
export async function listAuditActions(executor: Executor): Promise<string[]> {
  const result = await sql<{ action: string }>`
    with recursive actions as (
      (select action from audit_log order by action limit 1)
      union all
      select (select l.action from audit_log l where l.action > a.action order by l.action limit 1)
      from actions a where a.action is not null
    )
    select action from actions where action is not null`.execute(executor);
  return result.rows.map((r) => r.action);
}
