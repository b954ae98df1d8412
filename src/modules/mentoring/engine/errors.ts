/** Bad matching input: the message names the offending id or pair and says what is wrong. */
export class MatchingInputError extends Error {
  override readonly name = 'MatchingInputError';
}

/** Formats an id the way it was given, so "7" (text) and 7 (number) read differently. */
export function describeId(id: unknown): string {
  if (typeof id === 'string') return JSON.stringify(id);
  if (typeof id === 'number') return String(id);
  if (id === undefined) return 'nothing';
  return JSON.stringify(id) ?? String(id);
}

/** Formats a pair for messages: (mentee "a", mentor "m1"). */
export function describePair(menteeId: unknown, mentorId: unknown): string {
  return `(mentee ${describeId(menteeId)}, mentor ${describeId(mentorId)})`;
}
