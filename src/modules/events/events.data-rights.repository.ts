import type { Executor } from '../../db/database.ts';

/** The SQL of the events module's data-rights contributor: rows about one person only. */

export function listRegistrationsOf(x: Executor, userId: number) {
  return x
    .selectFrom('event_registrations as g')
    .innerJoin('events as e', 'e.id', 'g.event_id')
    .select([
      'g.id',
      'e.title',
      'e.starts_at',
      'g.status',
      'g.reserved',
      'g.waitlisted_at',
      'g.offered_at',
      'g.offer_expires_at',
      'g.cancelled_at',
      'g.cancel_reason',
      'g.created_at',
      'g.updated_at',
    ])
    .where('g.user_id', '=', userId)
    .orderBy('e.starts_at')
    .execute();
}

export function listInvitationsOf(x: Executor, userId: number) {
  return x
    .selectFrom('event_invitees as i')
    .innerJoin('events as e', 'e.id', 'i.event_id')
    .select(['e.id', 'e.title', 'e.starts_at'])
    .where('i.user_id', '=', userId)
    .orderBy('e.starts_at')
    .execute();
}

export async function deleteRegistrationsAndInvitationsOf(x: Executor, userId: number) {
  await x.deleteFrom('event_registrations').where('user_id', '=', userId).execute();
  await x.deleteFrom('event_invitees').where('user_id', '=', userId).execute();
}
