import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { Actor } from '../../platform/permissions.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import * as repo from './learning-sets.repository.ts';

/** A person's secret calendar feed address of their sessions (learning-sets.calendar.ts writes the feed). */
export function createCalendarFeeds(deps: { db: DB; baseUrl: string }) {
  const { db, baseUrl } = deps;

  async function calendarStatus(actor: Actor) {
    return repo.findActiveFeed(db, actor.userId);
  }

  /** A new secret feed address (shown once); any earlier address stops working. */
  async function createCalendarFeed(actor: Actor) {
    const token = createToken(24);
    await db.transaction().execute(async (trx) => {
      await repo.revokeFeeds(trx, actor.userId);
      await repo.insertFeed(trx, actor.userId, hashToken(token), token.slice(0, 6));
      await recordAudit(trx, actor, {
        action: 'learning-sets.calendar.create',
        entityType: 'user',
        entityId: actor.userId,
        summary: 'Created a calendar feed address (earlier ones revoked)',
      });
    });
    return `${baseUrl}/calendar/${token}.ics`;
  }

  async function revokeCalendarFeed(actor: Actor) {
    await db.transaction().execute(async (trx) => {
      await repo.revokeFeeds(trx, actor.userId);
      await recordAudit(trx, actor, {
        action: 'learning-sets.calendar.revoke',
        entityType: 'user',
        entityId: actor.userId,
        summary: 'Revoked the calendar feed address',
      });
    });
  }

  /** The sessions behind a feed token, or null when the token is unknown or revoked. */
  async function calendarFor(token: string) {
    if (!/^[A-Za-z0-9_-]{10,100}$/.test(token)) return null;
    const feed = await repo.findFeedByHash(db, hashToken(token));
    if (!feed) return null;
    const sessions = await repo.listCalendarSessions(db, feed.user_id);
    return { name: feed.name, sessions };
  }

  return { calendarStatus, createCalendarFeed, revokeCalendarFeed, calendarFor };
}
