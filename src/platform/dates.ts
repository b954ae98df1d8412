// Intl formatters are costly to build (a fraction of a millisecond each): build them once.
const londonDateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });

/** The calendar date in England at that instant, as YYYY-MM-DD (the form dates are kept in). */
export function londonDate(at: Date = new Date()): string {
  return londonDateFormat.format(at);
}
