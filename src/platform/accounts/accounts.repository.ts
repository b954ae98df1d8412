import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { RoleGrant } from '../permissions.ts';

export async function findUserByEmail(x: Executor, email: string) {
  return x.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export async function findUserById(x: Executor, id: number) {
  return x.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(
  x: Executor,
  v: { email: string; name: string; passwordHash: string | null },
) {
  return x
    .insertInto('users')
    .values({ email: v.email.toLowerCase(), name: v.name, password_hash: v.passwordHash })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateUser(
  x: Executor,
  id: number,
  v: Partial<{ name: string; password_hash: string; disabled_at: Date | null; last_sign_in_at: Date }>,
) {
  await x
    .updateTable('users')
    .set({ ...v, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function rolesOfUser(x: Executor, userId: number): Promise<RoleGrant[]> {
  const rows = await x
    .selectFrom('role_assignments')
    .select(['role', 'region_code'])
    .where('user_id', '=', userId)
    .orderBy('role')
    .orderBy('region_code')
    .execute();
  return rows.map((r) => ({ role: r.role as RoleGrant['role'], regionCode: r.region_code }));
}

export async function insertRole(x: Executor, userId: number, grant: RoleGrant): Promise<boolean> {
  const res = await sql`insert into role_assignments (user_id, role, region_code)
    values (${userId}, ${grant.role}, ${grant.regionCode}) on conflict do nothing`.execute(x);
  return Number(res.numAffectedRows ?? 0) > 0;
}

export async function deleteRole(x: Executor, userId: number, grant: RoleGrant): Promise<boolean> {
  let q = x.deleteFrom('role_assignments').where('user_id', '=', userId).where('role', '=', grant.role);
  q =
    grant.regionCode === null
      ? q.where('region_code', 'is', null)
      : q.where('region_code', '=', grant.regionCode);
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function countActiveNationalUsers(x: Executor): Promise<number> {
  const row = await x
    .selectFrom('role_assignments as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .where('r.role', '=', 'national')
    .where('u.disabled_at', 'is', null)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Accounts by name, filtered and paginated. With `countCap` the total stops at that many matches
 * (`capped` says so): a list page needs no exact count of 100,000 accounts on every view.
 */
export async function listUsers(
  x: Executor,
  f: { q?: string; role?: string; page: number; pageSize: number; countCap?: number },
) {
  let q = x.selectFrom('users');
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('email', 'ilike', like)]));
  }
  if (f.role) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_assignments as ra')
          .select('ra.id')
          .whereRef('ra.user_id', '=', 'users.id')
          .where('ra.role', '=', f.role!),
      ),
    );
  }
  const [rows, count] = await Promise.all([
    q
      .select(['id', 'email', 'name', 'disabled_at', 'last_sign_in_at', 'created_at'])
      .orderBy('name')
      .orderBy('id')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    f.countCap
      ? x
          .selectFrom(
            q
              .select('id')
              // In key order: unfiltered or matching most accounts, the count walks the primary key
              // and stops at the cap; a selective search still uses the trigram indexes.
              .orderBy('id')
              .limit(f.countCap + 1)
              .as('matches'),
          )
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      : q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const ids = rows.map((r) => r.id);
  const grants = ids.length
    ? await x
        .selectFrom('role_assignments')
        .select(['user_id', 'role', 'region_code'])
        .where('user_id', 'in', ids)
        .orderBy('role')
        .execute()
    : [];
  const n = Number(count.n);
  const capped = f.countCap !== undefined && n > f.countCap;
  return {
    total: capped ? f.countCap! : n,
    capped,
    rows: rows.map((r) => ({
      ...r,
      roles: grants
        .filter((g) => g.user_id === r.id)
        .map((g) => ({ role: g.role as RoleGrant['role'], regionCode: g.region_code })),
    })),
  };
}

// Sessions

export async function insertSession(
  x: Executor,
  v: { idHash: string; userId: number; expiresAt: Date; ip: string | null; userAgent: string | null },
) {
  await x
    .insertInto('sessions')
    .values({
      id_hash: v.idHash,
      user_id: v.userId,
      expires_at: v.expiresAt,
      last_seen_at: new Date(),
      ip: v.ip,
      user_agent: v.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
}

/** A user's roles as one JSON value, so the per-request session lookup is a single round trip. */
const rolesOfUserJson = sql<RoleGrant[]>`coalesce((select json_agg(json_build_object('role', ra.role,
  'regionCode', ra.region_code) order by ra.role, ra.region_code) from role_assignments ra
  where ra.user_id = u.id), '[]'::json)`;

export async function findSessionWithUser(x: Executor, idHash: string) {
  return x
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id_hash',
      's.last_seen_at',
      's.expires_at',
      'u.id as user_id',
      'u.email',
      'u.name',
      'u.disabled_at',
      rolesOfUserJson.as('roles'),
    ])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
}

export async function touchSession(x: Executor, idHash: string) {
  await x.updateTable('sessions').set({ last_seen_at: new Date() }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(x: Executor, idHash: string) {
  await x.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of the account, or every one but `keepIdHash` (the session making the change). */
export async function deleteSessionsOfUser(x: Executor, userId: number, keepIdHash?: string) {
  let q = x.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepIdHash) q = q.where('id_hash', '<>', keepIdHash);
  await q.execute();
}

export async function deleteExpiredSessions(x: Executor, idleMinutes: number) {
  await x
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', new Date()),
        eb('last_seen_at', '<', new Date(Date.now() - idleMinutes * 60_000)),
      ]),
    )
    .execute();
}

// Sign-in throttling

export async function insertSignInFailure(x: Executor, email: string, ip: string) {
  await x.insertInto('sign_in_failures').values({ email: email.toLowerCase(), ip }).execute();
}

export async function countRecentFailures(x: Executor, since: Date, by: { email?: string; ip?: string }) {
  let q = x.selectFrom('sign_in_failures').where('at', '>', since);
  if (by.email) q = q.where('email', '=', by.email.toLowerCase());
  if (by.ip) q = q.where('ip', '=', by.ip);
  const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function clearFailuresForEmail(x: Executor, email: string) {
  await x.deleteFrom('sign_in_failures').where('email', '=', email.toLowerCase()).execute();
}

export async function deleteOldFailures(x: Executor, before: Date) {
  await x.deleteFrom('sign_in_failures').where('at', '<', before).execute();
}

// Single-use tokens (password reset, invitations, first-administrator setup)

export async function insertResetToken(
  x: Executor,
  v: { tokenHash: string; userId: number; purpose: string; expiresAt: Date },
) {
  await x
    .insertInto('password_reset_tokens')
    .values({ token_hash: v.tokenHash, user_id: v.userId, purpose: v.purpose, expires_at: v.expiresAt })
    .execute();
}

export async function findResetToken(x: Executor, tokenHash: string) {
  return x
    .selectFrom('password_reset_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Uses up every outstanding reset and invitation link of an account (after its password changes). */
export async function consumeResetTokensOfUser(x: Executor, userId: number) {
  await x
    .updateTable('password_reset_tokens')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}

/** Marks a token used; returns false when it was already used (a race between two clicks). */
export async function consumeResetToken(x: Executor, tokenHash: string): Promise<boolean> {
  const res = await x
    .updateTable('password_reset_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function insertSetupToken(x: Executor, tokenHash: string, expiresAt: Date) {
  await x.insertInto('setup_tokens').values({ token_hash: tokenHash, expires_at: expiresAt }).execute();
}

export async function findSetupToken(x: Executor, tokenHash: string) {
  return x.selectFrom('setup_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function consumeSetupToken(x: Executor, tokenHash: string): Promise<boolean> {
  const res = await x
    .updateTable('setup_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

// API tokens

export async function insertApiToken(
  x: Executor,
  v: { userId: number; name: string; tokenHash: string; prefix: string },
) {
  return x
    .insertInto('api_tokens')
    .values({ user_id: v.userId, name: v.name, token_hash: v.tokenHash, token_prefix: v.prefix })
    .returning(['id', 'name', 'token_prefix', 'created_at'])
    .executeTakeFirstOrThrow();
}

export async function listApiTokensOfUser(x: Executor, userId: number) {
  return x
    .selectFrom('api_tokens')
    .select(['id', 'name', 'token_prefix', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function revokeApiTokenOfUser(x: Executor, userId: number, id: number): Promise<boolean> {
  const res = await x
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function findApiTokenWithUser(x: Executor, tokenHash: string) {
  return x
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id as token_id',
      't.revoked_at',
      't.last_used_at',
      'u.id as user_id',
      'u.email',
      'u.name',
      'u.disabled_at',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchApiToken(x: Executor, id: number) {
  await x.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
}

// Settings

export async function readSetting(x: Executor, key: string): Promise<string | undefined> {
  const row = await x.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Writes a setting only if absent and returns the stored value, so concurrent starters agree. */
export async function ensureSetting(x: Executor, key: string, value: string): Promise<string> {
  await sql`insert into app_settings (key, value) values (${key}, ${value}) on conflict (key) do nothing`.execute(
    x,
  );
  return (await readSetting(x, key))!;
}

/** The network's regions, for choosing a regional role's scope. */
export function listRegions(executor: Executor) {
  return executor.selectFrom('network_regions').select(['code', 'name']).orderBy('code').execute();
}

export async function regionExists(executor: Executor, code: string): Promise<boolean> {
  return !!(await executor
    .selectFrom('network_regions')
    .select('code')
    .where('code', '=', code)
    .executeTakeFirst());
}
