import ical, { ICalCalendarMethod } from 'ical-generator';

type CalendarSession = {
  id: number;
  starts_at: Date;
  ends_at: Date;
  location: string | null;
  online_url: string | null;
  updated_at: Date;
  set_id: number;
  set_name: string;
  facilitator_name: string | null;
};

/** An RFC 5545 calendar of a person's set sessions, with stable UIDs so updates replace events. */
export function renderCalendar(
  calendar: { name: string; sessions: CalendarSession[] },
  baseUrl = '',
): string {
  const cal = ical({
    name: 'Clinical Leaders Network: action learning',
    prodId: { company: 'NHS Clinical Leaders Network', product: 'learning-sets', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
  });
  for (const s of calendar.sessions) {
    const where = [s.location, s.online_url].filter(Boolean).join(' · ');
    cal.createEvent({
      id: `cln-set-session-${s.id}@cln.nhs.example`,
      start: s.starts_at,
      end: s.ends_at,
      stamp: s.updated_at,
      lastModified: s.updated_at,
      summary: `Action learning set: ${s.set_name}`,
      location: where || null,
      description:
        `Session of ${s.set_name}` +
        (s.facilitator_name ? `, facilitated by ${s.facilitator_name}` : '') +
        (s.online_url ? `.\nJoin online: ${s.online_url}` : '.'),
      url: baseUrl ? `${baseUrl}/learning-sets/sessions/${s.id}` : (s.online_url ?? null),
    });
  }
  return cal.toString();
}
