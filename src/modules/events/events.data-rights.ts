import { addToSubject, type DataRightsContributor } from '../../platform/data-rights.ts';
import * as repo from './events.data-rights.repository.ts';

/** Events: the person's registrations (with their state and history) and the events they were invited to. */
export const eventsDataRights: DataRightsContributor = {
  module: 'events',
  title: 'Events',
  personalColumns: {
    event_registrations: ['status', 'cancel_reason'],
  },
  async describe(db, subject) {
    const regs = await repo.listRegistrationsOf(db, subject.userId);
    addToSubject(subject, { entities: regs.map((r) => ({ type: 'event_registration', id: r.id })) });
  },
  async exportFor(db, subject) {
    const [regs, invitations] = await Promise.all([
      repo.listRegistrationsOf(db, subject.userId),
      repo.listInvitationsOf(db, subject.userId),
    ]);
    return [
      {
        key: 'eventRegistrations',
        title: 'Your event registrations',
        records: regs.map((r) => ({
          event: r.title,
          startsAt: r.starts_at,
          status: r.status,
          reservedPlace: r.reserved,
          waitlistedAt: r.waitlisted_at,
          offeredAt: r.offered_at,
          offerExpiresAt: r.offer_expires_at,
          cancelledAt: r.cancelled_at,
          cancelReason: r.cancel_reason,
          registeredAt: r.created_at,
          updatedAt: r.updated_at,
        })),
      },
      {
        key: 'eventInvitations',
        title: 'Events you were invited to',
        records: invitations.map((i) => ({ event: i.title, startsAt: i.starts_at })),
      },
    ];
  },
  async erase(trx, subject) {
    // A registration is only about its person: it goes, and with it the invitations.
    await repo.deleteRegistrationsAndInvitationsOf(trx, subject.userId);
  },
};
