// Intl formatters are costly to build (a fraction of a millisecond each): build them once.
const londonDateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });

/** The calendar date in England at that instant, as YYYY-MM-DD (the form dates are kept in). */
export function londonDate(at: Date = new Date()): string {
  return londonDateFormat.format(at);
}

const longDateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});

/** The day of that instant in England, as people write it: "11 December 2026" (the `date` filter). */
export function formatLongDate(at: Date): string {
  return longDateFormat.format(at);
}

/** A calendar date (YYYY-MM-DD) as people write it: "11 December 2026". */
export function longDate(ymd: string): string {
  // Noon UTC is the same calendar day in London all year round.
  return longDateFormat.format(new Date(`${ymd}T12:00:00Z`));
}

/** The calendar date in England `days` days after that instant (a reply-by date). */
export function londonDateAfter(days: number, at: Date = new Date()): string {
  // Count calendar days, not 24-hour spans: late in a GMT evening, 94 spans back lands
  // after midnight in a BST September, one calendar day short.
  return addDays(londonDate(at), days);
}

/** The calendar date `days` days after (or, negative, before) a calendar date, both YYYY-MM-DD. */
export function addDays(ymd: string, days: number): string {
  // Noon UTC keeps the sum on the right calendar day whatever the clocks do.
  const d = new Date(`${ymd}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (calendar dates, YYYY-MM-DD): negative when `to` comes first. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);
}
