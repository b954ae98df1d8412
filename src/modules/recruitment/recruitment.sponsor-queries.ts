import type { Executor } from '../../db/database.ts';

/**
 * The sponsors named on the accepted applications of these people (each sponsor once, by email):
 * the library's monthly organisation digest and its "new contact needed" letters go to them.
 * Read-only; an erased application's sponsor (an @erased.invalid address) is left out.
 */
export async function listSponsorsOf(
  x: Executor,
  userIds: readonly number[],
): Promise<{ name: string; email: string }[]> {
  if (!userIds.length) return [];
  const rows = await x
    .selectFrom('applications')
    .where('user_id', 'in', [...new Set(userIds)])
    .where('status', '=', 'accepted')
    .where('sponsor_email', 'not like', '%@erased.invalid')
    .select(['sponsor_name', 'sponsor_email'])
    .orderBy('accepted_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const seen = new Map<string, { name: string; email: string }>();
  for (const r of rows) {
    const email = r.sponsor_email.toLowerCase();
    if (!seen.has(email)) seen.set(email, { name: r.sponsor_name, email });
  }
  return [...seen.values()];
}
