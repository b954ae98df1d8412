import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

/** Membership statuses of someone who is a member now (alumni and leavers may apply again). */
export const CURRENT_MEMBERSHIP = ['active', 'on-leave'] as const;

/**
 * A current member of the network with this email (their account's) or registration number, if
 * any: recruitment refuses an application from them. Read-only; runs in the caller's transaction.
 */
export async function findCurrentMember(
  executor: Executor,
  who: { email: string; registrationNumber: string | null },
): Promise<{ userId: number; regionCode: string; by: 'email' | 'registrationNumber' } | undefined> {
  const row = await executor
    .selectFrom('member_profiles as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .where('p.erased_at', 'is', null)
    .where('p.status', 'in', [...CURRENT_MEMBERSHIP])
    .where((eb) =>
      who.registrationNumber
        ? eb.or([
            eb('u.email', '=', who.email.toLowerCase()),
            eb('p.registration_number', '=', who.registrationNumber),
          ])
        : eb('u.email', '=', who.email.toLowerCase()),
    )
    .select(['p.user_id', 'p.region_code', sql<boolean>`u.email = ${who.email.toLowerCase()}`.as('by_email')])
    .executeTakeFirst();
  return row
    ? { userId: row.user_id, regionCode: row.region_code, by: row.by_email ? 'email' : 'registrationNumber' }
    : undefined;
}

/**
 * Of these people, those who were members and are no longer (left, or erased): the library asks an
 * item's organisation for a new contact when its contact has gone. Read-only.
 */
export async function listFormerMembers(executor: Executor, userIds: readonly number[]): Promise<number[]> {
  if (!userIds.length) return [];
  const rows = await executor
    .selectFrom('member_profiles')
    .where('user_id', 'in', [...new Set(userIds)])
    .where((eb) => eb.or([eb('erased_at', 'is not', null), eb('status', 'not in', [...CURRENT_MEMBERSHIP])]))
    .select('user_id')
    .orderBy('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}
