import type { Executor } from '../../db/database.ts';

/** The SQL of the accounts' data-rights contributor: only rows about one person. */

export async function findAccount(x: Executor, userId: number) {
  return x
    .selectFrom('users')
    .select(['id', 'email', 'name', 'created_at', 'last_sign_in_at', 'disabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

export async function listRoles(x: Executor, userId: number) {
  return x
    .selectFrom('role_assignments')
    .select(['role', 'region_code', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export async function listSessions(x: Executor, userId: number) {
  return x
    .selectFrom('sessions')
    .select(['created_at', 'last_seen_at', 'expires_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export async function listApiTokens(x: Executor, userId: number) {
  return x
    .selectFrom('api_tokens')
    .select(['name', 'token_prefix', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export async function listSignInFailures(x: Executor, emails: string[]) {
  if (!emails.length) return [];
  return x
    .selectFrom('sign_in_failures')
    .select(['at', 'ip'])
    .where('email', 'in', emails)
    .orderBy('at')
    .execute();
}

export async function deleteAccountSecrets(x: Executor, userId: number, emails: string[]) {
  await x.deleteFrom('sessions').where('user_id', '=', userId).execute();
  await x.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
  await x.deleteFrom('password_reset_tokens').where('user_id', '=', userId).execute();
  if (emails.length) await x.deleteFrom('sign_in_failures').where('email', 'in', emails).execute();
}

/** The account row stays (disabled, anonymised) so what refers to it keeps its counts. */
export async function anonymiseAccount(x: Executor, userId: number, v: { name: string; email: string }) {
  await x
    .updateTable('users')
    .set({
      name: v.name,
      email: v.email,
      password_hash: null,
      disabled_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', userId)
    .execute();
}
