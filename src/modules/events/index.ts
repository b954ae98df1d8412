import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { DB } from '../../db/database.ts';
import { createEventsAccess } from './events.access.ts';
import { eventsApi } from './events.api.ts';
import { eventsPages } from './events.pages.ts';
import { createEventsService } from './events.service.ts';

export type { EventsService } from './events.service.ts';
export { createEventsService };
export { createEventsAccess };
export { eventsDataRights } from './events.data-rights.ts';

/** A person's coming events (registered, waitlisted, offered), for their own page. */
export function createUpcomingEvents(opts: { db: DB; config: Config }) {
  const access = createEventsAccess({ db: opts.db });
  return createEventsService({ db: opts.db, access, baseUrl: opts.config.baseUrl }).myUpcoming;
}

/**
 * Events: national and regional network events with their agenda, audience and places;
 * registration with a fair waitlist (offers in order, accepted or declined, running out on time);
 * the network calendar and the organisers' pages, as HTML and JSON.
 */
export async function eventsModule(app: FastifyInstance, opts: { db: DB; config: Config }) {
  const access = createEventsAccess({ db: opts.db });
  const events = createEventsService({ db: opts.db, access, baseUrl: opts.config.baseUrl });
  // Offers from the waitlist not answered in time run out and go to the next person.
  app.scheduledTasks.push({ name: 'events.offer-expiry', everyMinutes: 5, run: () => events.expireOffers() });
  await eventsPages(app, { events });
  await eventsApi(app, { events });
}
