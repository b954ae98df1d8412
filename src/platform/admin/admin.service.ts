import type { DB } from '../../db/database.ts';
import { listRegions } from '../accounts/accounts.repository.ts';
import { listAudit, listAuditActions } from '../audit.ts';
import { findOutboxMessage, listOutbox } from '../outbox.ts';

/** What the national team's audit, outbox and account pages read; the pages never touch the database. */
export function createAdminService(deps: { db: DB }) {
  const { db } = deps;
  return {
    listRegions: () => listRegions(db),
    listAudit: (f: Parameters<typeof listAudit>[1]) => listAudit(db, f),
    listAuditActions: () => listAuditActions(db),
    listOutbox: (f: Parameters<typeof listOutbox>[1]) => listOutbox(db, f),
    findOutboxMessage: (id: number) => findOutboxMessage(db, id),
  };
}
export type AdminService = ReturnType<typeof createAdminService>;
