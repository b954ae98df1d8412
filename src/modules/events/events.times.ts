// Wall-clock times in the UK (Europe/London) and the instants they name, across the clock changes.

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** "2027-03-28 10:00": the UK wall-clock date and time of an instant. */
export function londonLocal(at: Date): { date: string; time: string; text: string } {
  const parts = londonParts.formatToParts(at);
  const p = (t: string) => parts.find((x) => x.type === t)!.value;
  const date = `${p('year')}-${p('month')}-${p('day')}`;
  const time = `${p('hour')}:${p('minute')}`;
  return { date, time, text: `${date} ${time}` };
}

/**
 * The instant a UK wall-clock date and time names. A time that the clocks skip (01:30 on the last
 * Sunday of March) names no instant: null. A time that happens twice (01:30 on the last Sunday of
 * October) is taken the first time, in British Summer Time.
 */
export function londonInstant(date: string, time: string): Date | null {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // The UK is UTC+0 or UTC+1: try summer time first, so a repeated hour is its first pass.
  for (const offsetHours of [1, 0]) {
    const at = new Date(wall - offsetHours * 3_600_000);
    if (londonLocal(at).text === `${date} ${time}`) return at;
  }
  return null;
}

const longFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});

/** "Sunday 28 March 2027, 10:00 to 16:00" (or to another day's date and time). */
export function describeWhen(startsAt: Date, endsAt: Date): string {
  const s = londonLocal(startsAt);
  const e = londonLocal(endsAt);
  const day = (at: Date) => longFormat.format(at).replace(',', '');
  if (s.date === e.date) return `${day(startsAt)}, ${s.time} to ${e.time}`;
  return `${day(startsAt)}, ${s.time} to ${day(endsAt)}, ${e.time}`;
}
