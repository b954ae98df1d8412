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
    .values({
      ...who,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId == null ? null : String(entry.entityId),
      summary: entry.summary,
      details: entry.details ? JSON.stringify(entry.details) : null,
    })
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

/** Newest first, filtered and paginated; every filter is served by an index on audit_log. */
export async function listAudit(
  executor: Executor,
  f: AuditFilter,
): Promise<{ rows: AuditRecord[]; total: number }> {
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
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
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

export async function listAuditActions(executor: Executor): Promise<string[]> {
  const rows = await executor.selectFrom('audit_log').select('action').distinct().orderBy('action').execute();
  return rows.map((r) => r.action);
}
