import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

type CalendarEvent = {
  id: number;
  title: string;
  summary: string;
  status: 'draft' | 'published' | 'cancelled';
  startsAt: string;
  endsAt: string;
  venueName: string | null;
  venueAddress: string | null;
  onlineUrl: string | null;
  sequence: number;
  updatedAt: Date;
};

/**
 * One event as an RFC 5545 calendar file. Its UID never changes, so a calendar that imports it
 * again replaces the entry; SEQUENCE rises with every change; a cancelled event stays in the file
 * as STATUS:CANCELLED, so calendars remove it. Times are UTC instants (the UK times they name).
 */
export function renderEventCalendar(e: CalendarEvent, baseUrl: string): string {
  const cal = ical({
    name: 'Clinical Leaders Network events',
    prodId: { company: 'NHS Clinical Leaders Network', product: 'events', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
  });
  const where = [e.venueName, e.venueAddress?.replace(/\s*\n\s*/g, ', '), e.onlineUrl].filter(Boolean);
  cal.createEvent({
    id: `cln-event-${e.id}@cln.nhs.example`,
    sequence: e.sequence,
    start: new Date(e.startsAt),
    end: new Date(e.endsAt),
    stamp: e.updatedAt,
    lastModified: e.updatedAt,
    summary: e.title,
    description: e.summary + (e.onlineUrl ? `\nJoin online: ${e.onlineUrl}` : ''),
    location: where.length ? where.join(' · ') : null,
    url: `${baseUrl}/events/${e.id}`,
    status: e.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return cal.toString();
}
