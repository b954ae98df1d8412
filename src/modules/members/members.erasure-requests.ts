import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import * as repo from './members.repository.ts';

/**
 * Data rights, the request: a member asks for their data to be erased; the national team lists the
 * requests. The download and the decision are in members.data-rights.ts.
 */
export function createErasureRequests(deps: { db: DB }) {
  const { db } = deps;

  async function requestErasure(actor: Actor, reason: string | null) {
    await db.transaction().execute(async (trx) => {
      if (await repo.findPendingErasure(trx, actor.userId))
        throw new ConflictError(
          'You have already asked for your data to be erased. The national team will decide soon.',
        );
      const { id } = await repo.insertErasureRequest(trx, actor.userId, reason);
      await recordAudit(trx, actor, {
        action: 'member.erasure.request',
        entityType: 'member',
        entityId: actor.userId,
        summary: `Member #${actor.userId} asked for their personal data to be erased (request #${id})`,
      });
    });
  }

  async function pendingErasureOf(userId: number) {
    return repo.findPendingErasure(db, userId);
  }

  async function listErasureRequests(actor: Actor, f: { status?: string; page: number; pageSize: number }) {
    requireRole(actor, ['national']);
    return repo.listErasureRequests(db, f);
  }

  return { requestErasure, pendingErasureOf, listErasureRequests };
}
