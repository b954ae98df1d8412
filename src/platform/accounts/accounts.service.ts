import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../audit.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  ValidationError,
} from '../errors.ts';
import { letter } from '../emails.ts';
import { enqueueEmail } from '../outbox.ts';
import {
  type Actor,
  type AnonymousActor,
  REGIONAL_ROLES,
  ROLE_LABELS,
  type RoleGrant,
  requireRole,
} from '../permissions.ts';
import { checkPasswordPolicy, createToken, hashPassword, hashToken, verifyPassword } from '../security.ts';
import * as repo from './accounts.repository.ts';

export type AccountsConfig = {
  baseUrl: string;
  session: { idleMinutes: number; absoluteHours: number };
};

export const THROTTLE = { windowMinutes: 15, perAccount: 5, perAddress: 20 };
const RESET_TTL_MINUTES = 60;
const INVITE_TTL_DAYS = 14;
const SETUP_TTL_HOURS = 24;

export type SignedInUser = { userId: number; email: string; name: string; roles: RoleGrant[] };

function describeGrant(g: RoleGrant): string {
  return g.regionCode ? `${ROLE_LABELS[g.role]} (${g.regionCode})` : ROLE_LABELS[g.role];
}

/**
 * Emails a single-use link to set a password, inside the caller's transaction (so the invitation
 * exists only if the account does). Used by account creation and by modules that create accounts.
 */
export async function sendInvitationInTransaction(
  trx: Executor,
  baseUrl: string,
  user: { userId: number; email: string; name: string },
  intro = 'An account has been created for you on the Clinical Leaders Network platform.',
) {
  const token = createToken();
  await repo.insertResetToken(trx, {
    tokenHash: hashToken(token),
    userId: user.userId,
    purpose: 'invite',
    expiresAt: new Date(Date.now() + INVITE_TTL_DAYS * 86_400_000),
  });
  await enqueueEmail(
    trx,
    letter({
      to: user.email,
      name: user.name,
      kind: 'account.invite',
      subject: 'Set your password for the Clinical Leaders Network',
      body: [
        intro,
        {
          text: `Set your password here (the link works once and expires in ${INVITE_TTL_DAYS} days):`,
          link: `${baseUrl}/reset-password/${token}`,
        },
      ],
    }),
  );
}

/** An account's name and email, for modules that write to a person (inside their transaction). */
export async function findAccountById(x: Executor, userId: number) {
  const user = await repo.findUserById(x, userId);
  return user ? { id: user.id, email: user.email, name: user.name } : undefined;
}

/**
 * Changes an account's name inside the caller's transaction: the members module calls it when a
 * member renames themselves on their profile, so the account (which accounts own) follows.
 */
export async function renameAccount(x: Executor, userId: number, name: string): Promise<void> {
  await repo.updateUser(x, userId, { name });
}

/**
 * Makes sure a person has an account holding the Member role of a region, inside the caller's
 * transaction: creates the account (no password) when there is none, adds the role when it is
 * missing, and audits what changed. Recruitment (accepting an offer, importing members) and the
 * members import enter the network this way; the caller sends the invitation or welcome.
 */
export async function ensureMemberAccountInTransaction(
  trx: Executor,
  input: { email: string; name: string; regionCode: string; reason: string },
  actor: Actor | AnonymousActor | 'system',
): Promise<{
  user: { id: number; email: string; name: string; hasPassword: boolean };
  newAccount: boolean;
  roleAdded: boolean;
}> {
  const existing = await repo.findUserByEmail(trx, input.email);
  const user =
    existing ?? (await repo.insertUser(trx, { email: input.email, name: input.name, passwordHash: null }));
  const grant: RoleGrant = { role: 'member', regionCode: input.regionCode };
  const roleAdded = await repo.insertRole(trx, user.id, grant);
  if (!existing || roleAdded) {
    await recordAudit(trx, actor, {
      action: existing ? 'user.role.grant' : 'user.create',
      entityType: 'user',
      entityId: user.id,
      summary: `${existing ? 'Granted Member' : 'Created account'} ${user.email} (member, ${input.regionCode}) ${input.reason}`,
      details: { role: 'member', regionCode: input.regionCode },
    });
  }
  return {
    user: { id: user.id, email: user.email, name: user.name, hasPassword: user.password_hash !== null },
    newAccount: !existing,
    roleAdded,
  };
}

export function createAccountsService(deps: { db: DB; config: AccountsConfig }) {
  const { db, config } = deps;

  async function assertRegionsExist(grants: RoleGrant[]) {
    for (const g of grants) {
      if (REGIONAL_ROLES.has(g.role) && !g.regionCode) {
        throw new ValidationError([
          {
            field: 'region',
            message: `${ROLE_LABELS[g.role]} needs a region, for example Q34 for West Midlands`,
          },
        ]);
      }
      if (g.regionCode) {
        if (!(await repo.regionExists(db, g.regionCode))) {
          throw new ValidationError([
            {
              field: 'region',
              message: `There is no region with code ${g.regionCode}. Use a code from Q30 to Q39`,
            },
          ]);
        }
      }
    }
  }

  /** Creates an account with roles; with no password, emails an invitation to set one. */
  async function createUser(
    input: { email: string; name: string; password?: string; roles: RoleGrant[] },
    actor: Actor | 'system',
  ) {
    if (actor !== 'system') requireRole(actor, ['national']);
    if (input.password !== undefined) {
      const problem = checkPasswordPolicy(input.password, { email: input.email, name: input.name });
      if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
    }
    await assertRegionsExist(input.roles);
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    return db.transaction().execute(async (trx) => {
      if (await repo.findUserByEmail(trx, input.email)) {
        throw new ConflictError(`An account with the email address ${input.email} already exists`);
      }
      const user = await repo.insertUser(trx, { email: input.email, name: input.name, passwordHash });
      for (const g of input.roles) await repo.insertRole(trx, user.id, g);
      await recordAudit(trx, actor, {
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        summary: `Created account ${user.email} with roles ${input.roles.map(describeGrant).join(', ') || 'none'}`,
        details: { roles: input.roles },
      });
      if (passwordHash === null) await inviteInTransaction(trx, user.id, user.email, user.name);
      return { id: user.id, email: user.email, name: user.name, roles: input.roles };
    });
  }

  async function inviteInTransaction(trx: Executor, userId: number, email: string, name: string) {
    await sendInvitationInTransaction(trx, config.baseUrl, { userId, email, name });
  }

  async function grantRole(userId: number, grant: RoleGrant, actor: Actor | 'system') {
    if (actor !== 'system') requireRole(actor, ['national']);
    await assertRegionsExist([grant]);
    await db.transaction().execute(async (trx) => {
      const user = await repo.findUserById(trx, userId);
      if (!user) throw new NotFoundError('Account not found');
      if (await repo.insertRole(trx, userId, grant)) {
        await recordAudit(trx, actor, {
          action: 'user.role.grant',
          entityType: 'user',
          entityId: userId,
          summary: `Granted ${describeGrant(grant)} to ${user.email}`,
          details: { ...grant },
        });
      }
    });
  }

  async function revokeRole(userId: number, grant: RoleGrant, actor: Actor) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const user = await repo.findUserById(trx, userId);
      if (!user) throw new NotFoundError('Account not found');
      if (grant.role === 'national' && userId === actor.userId) {
        throw new ForbiddenError('You cannot remove your own national team role');
      }
      if (await repo.deleteRole(trx, userId, grant)) {
        await recordAudit(trx, actor, {
          action: 'user.role.revoke',
          entityType: 'user',
          entityId: userId,
          summary: `Removed ${describeGrant(grant)} from ${user.email}`,
          details: { ...grant },
        });
      }
    });
  }

  async function setDisabled(userId: number, disabled: boolean, actor: Actor | 'system') {
    if (actor !== 'system') {
      requireRole(actor, ['national']);
      if (actor.userId === userId && disabled)
        throw new ForbiddenError('You cannot disable your own account');
    }
    await db.transaction().execute(async (trx) => {
      const user = await repo.findUserById(trx, userId);
      if (!user) throw new NotFoundError('Account not found');
      await repo.updateUser(trx, userId, { disabled_at: disabled ? new Date() : null });
      if (disabled) await repo.deleteSessionsOfUser(trx, userId);
      await recordAudit(trx, actor, {
        action: disabled ? 'user.disable' : 'user.enable',
        entityType: 'user',
        entityId: userId,
        summary: `${disabled ? 'Disabled' : 'Enabled'} account ${user.email}`,
      });
    });
  }

  async function throttleCheck(email: string, ip: string) {
    const since = new Date(Date.now() - THROTTLE.windowMinutes * 60_000);
    const [byAccount, byAddress] = await Promise.all([
      repo.countRecentFailures(db, since, { email }),
      repo.countRecentFailures(db, since, { ip }),
    ]);
    if (byAccount >= THROTTLE.perAccount) {
      throw new TooManyRequestsError(
        `There have been too many failed attempts to sign in to this account. Wait ${THROTTLE.windowMinutes} minutes and try again, or reset your password.`,
      );
    }
    if (byAddress >= THROTTLE.perAddress) {
      throw new TooManyRequestsError(
        `There have been too many failed sign-in attempts from your network address. Wait ${THROTTLE.windowMinutes} minutes and try again.`,
      );
    }
  }

  /**
   * Checks the password and opens a new session (a new id every time, so a session fixed before
   * sign-in is never promoted). Returns the raw session token for the cookie.
   */
  async function signIn(
    input: { email: string; password: string },
    from: { ip: string; userAgent: string | null },
  ) {
    const email = input.email.trim().toLowerCase();
    await throttleCheck(email, from.ip);
    const user = await repo.findUserByEmail(db, email);
    const ok = await verifyPassword(input.password, user?.password_hash ?? null);
    if (!user || !ok || user.disabled_at) {
      await repo.insertSignInFailure(db, email, from.ip);
      if (user && ok && user.disabled_at) {
        throw new ValidationError([
          {
            field: 'email',
            message: 'This account has been disabled. Contact the national team if you think this is wrong',
          },
        ]);
      }
      throw new ValidationError([{ field: 'email', message: 'Enter a correct email address and password' }]);
    }
    const token = createToken();
    await db.transaction().execute(async (trx) => {
      await repo.insertSession(trx, {
        idHash: hashToken(token),
        userId: user.id,
        expiresAt: new Date(Date.now() + config.session.absoluteHours * 3_600_000),
        ip: from.ip,
        userAgent: from.userAgent,
      });
      await repo.updateUser(trx, user.id, { last_sign_in_at: new Date() });
      await repo.clearFailuresForEmail(trx, email);
    });
    return {
      token,
      user: {
        userId: user.id,
        email: user.email,
        name: user.name,
        roles: await repo.rolesOfUser(db, user.id),
      },
    };
  }

  /** The signed-in user for a session token, or null when missing, expired, idle or disabled. */
  async function resolveSession(token: string): Promise<SignedInUser | null> {
    const idHash = hashToken(token);
    const s = await repo.findSessionWithUser(db, idHash);
    if (!s) return null;
    const now = Date.now();
    const idleLimit = s.last_seen_at.getTime() + config.session.idleMinutes * 60_000;
    if (s.disabled_at || s.expires_at.getTime() <= now || idleLimit <= now) {
      await repo.deleteSession(db, idHash);
      return null;
    }
    // Refresh the idle clock at most once a minute: a write on every request would be wasteful.
    if (now - s.last_seen_at.getTime() > 60_000) await repo.touchSession(db, idHash);
    return { userId: s.user_id, email: s.email, name: s.name, roles: s.roles };
  }

  async function signOut(token: string) {
    await repo.deleteSession(db, hashToken(token));
  }

  /** Always looks the same to the caller, so it cannot be used to find out who has an account. */
  async function requestPasswordReset(email: string, actor: AnonymousActor) {
    const user = await repo.findUserByEmail(db, email.trim());
    if (!user || user.disabled_at) return;
    const token = createToken();
    await db.transaction().execute(async (trx) => {
      await repo.insertResetToken(trx, {
        tokenHash: hashToken(token),
        userId: user.id,
        purpose: 'reset',
        expiresAt: new Date(Date.now() + RESET_TTL_MINUTES * 60_000),
      });
      await enqueueEmail(
        trx,
        letter({
          to: user.email,
          name: user.name,
          kind: 'account.password-reset',
          subject: 'Reset your Clinical Leaders Network password',
          body: [
            {
              text:
                'Someone asked to reset the password for this account. If it was you, ' +
                `use this link within ${RESET_TTL_MINUTES} minutes (it works once):`,
              link: `${config.baseUrl}/reset-password/${token}`,
            },
            'If it was not you, you can ignore this email.',
          ],
        }),
      );
      await recordAudit(trx, actor, {
        action: 'user.password-reset.request',
        entityType: 'user',
        entityId: user.id,
        summary: `Password reset requested for ${user.email}`,
      });
    });
  }

  /** Checks a reset or invitation link without using it up (for showing the form). */
  async function checkResetToken(token: string) {
    const t = await repo.findResetToken(db, hashToken(token));
    if (!t || t.used_at || t.expires_at.getTime() <= Date.now()) return null;
    const user = await repo.findUserById(db, t.user_id);
    if (!user || user.disabled_at) return null;
    return { purpose: t.purpose, email: user.email, name: user.name };
  }

  async function resetPassword(token: string, password: string, actor: AnonymousActor) {
    const valid = await checkResetToken(token);
    if (!valid) throw new NotFoundError('This link has expired or has already been used. Ask for a new one.');
    const problem = checkPasswordPolicy(password, { email: valid.email });
    if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
    const passwordHash = await hashPassword(password);
    await db.transaction().execute(async (trx) => {
      const tokenHash = hashToken(token);
      if (!(await repo.consumeResetToken(trx, tokenHash))) {
        throw new NotFoundError('This link has expired or has already been used. Ask for a new one.');
      }
      const t = (await repo.findResetToken(trx, tokenHash))!;
      await repo.updateUser(trx, t.user_id, { password_hash: passwordHash });
      // A new password ends every session and every other link emailed for this account: a stolen
      // session, or an older reset email someone else has read, must not survive a reset.
      await repo.deleteSessionsOfUser(trx, t.user_id);
      await repo.consumeResetTokensOfUser(trx, t.user_id);
      await repo.clearFailuresForEmail(trx, valid.email);
      await recordAudit(trx, actor, {
        action: t.purpose === 'invite' ? 'user.password.set' : 'user.password.reset',
        entityType: 'user',
        entityId: t.user_id,
        summary: `Password ${t.purpose === 'invite' ? 'set from invitation' : 'reset'} for ${valid.email}`,
      });
    });
  }

  /**
   * Changes the password of the signed-in person. Every other session of the account ends (a
   * password is changed because it may be known to someone else) and so do outstanding reset
   * links; `currentSessionToken`, the session making the change, goes on.
   */
  async function changePassword(
    actor: Actor,
    current: string,
    next: string,
    currentSessionToken: string | null = null,
  ) {
    const user = await repo.findUserById(db, actor.userId);
    if (!user || !(await verifyPassword(current, user.password_hash))) {
      throw new ValidationError([
        { field: 'currentPassword', message: 'Your current password is not correct' },
      ]);
    }
    const problem = checkPasswordPolicy(next, { email: user.email });
    if (problem) throw new ValidationError([{ field: 'newPassword', message: problem }]);
    const passwordHash = await hashPassword(next);
    await db.transaction().execute(async (trx) => {
      await repo.updateUser(trx, user.id, { password_hash: passwordHash });
      await repo.deleteSessionsOfUser(
        trx,
        user.id,
        currentSessionToken ? hashToken(currentSessionToken) : undefined,
      );
      await repo.consumeResetTokensOfUser(trx, user.id);
      await recordAudit(trx, actor, {
        action: 'user.password.change',
        entityType: 'user',
        entityId: user.id,
        summary: `Password changed for ${user.email}`,
      });
    });
  }

  /** When no national-team account exists, a one-time link lets the first one be created in the browser. */
  async function createSetupLinkIfNeeded(): Promise<string | null> {
    if ((await repo.countActiveNationalUsers(db)) > 0) return null;
    const token = createToken();
    await repo.insertSetupToken(db, hashToken(token), new Date(Date.now() + SETUP_TTL_HOURS * 3_600_000));
    return `${config.baseUrl}/setup/${token}`;
  }

  async function isSetupTokenValid(token: string): Promise<boolean> {
    const t = await repo.findSetupToken(db, hashToken(token));
    if (!t || t.used_at || t.expires_at.getTime() <= Date.now()) return false;
    return (await repo.countActiveNationalUsers(db)) === 0;
  }

  async function completeSetup(
    token: string,
    input: { email: string; name: string; password: string },
    from: AnonymousActor,
  ) {
    const problem = checkPasswordPolicy(input.password, { email: input.email, name: input.name });
    if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
    const passwordHash = await hashPassword(input.password);
    return db.transaction().execute(async (trx) => {
      if (
        !(await repo.consumeSetupToken(trx, hashToken(token))) ||
        (await repo.countActiveNationalUsers(trx)) > 0
      ) {
        throw new NotFoundError('This set-up link has expired or has already been used.');
      }
      if (await repo.findUserByEmail(trx, input.email)) {
        throw new ConflictError(`An account with the email address ${input.email} already exists`);
      }
      const user = await repo.insertUser(trx, { email: input.email, name: input.name, passwordHash });
      await repo.insertRole(trx, user.id, { role: 'national', regionCode: null });
      await recordAudit(trx, from, {
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        summary: `Created the first national team account ${user.email} through the set-up link`,
      });
      return user.id;
    });
  }

  async function createApiToken(actor: Actor, name: string) {
    const raw = `cln_${createToken()}`;
    return db.transaction().execute(async (trx) => {
      const row = await repo.insertApiToken(trx, {
        userId: actor.userId,
        name,
        tokenHash: hashToken(raw),
        prefix: raw.slice(0, 10),
      });
      await recordAudit(trx, actor, {
        action: 'api-token.create',
        entityType: 'api_token',
        entityId: row.id,
        summary: `Created API token "${name}"`,
      });
      return { id: row.id, name: row.name, token: raw };
    });
  }

  async function revokeApiToken(actor: Actor, id: number) {
    await db.transaction().execute(async (trx) => {
      if (!(await repo.revokeApiTokenOfUser(trx, actor.userId, id)))
        throw new NotFoundError('API token not found');
      await recordAudit(trx, actor, {
        action: 'api-token.revoke',
        entityType: 'api_token',
        entityId: id,
        summary: `Revoked API token ${id}`,
      });
    });
  }

  async function resolveApiToken(raw: string): Promise<SignedInUser | null> {
    const t = await repo.findApiTokenWithUser(db, hashToken(raw));
    if (!t || t.revoked_at || t.disabled_at) return null;
    if (!t.last_used_at || Date.now() - t.last_used_at.getTime() > 60_000)
      await repo.touchApiToken(db, t.token_id);
    return { userId: t.user_id, email: t.email, name: t.name, roles: await repo.rolesOfUser(db, t.user_id) };
  }

  async function findUser(id: number) {
    const user = await repo.findUserById(db, id);
    if (!user) throw new NotFoundError('Account not found');
    return { ...user, roles: await repo.rolesOfUser(db, id) };
  }

  async function housekeeping() {
    await repo.deleteExpiredSessions(db, config.session.idleMinutes);
    await repo.deleteOldFailures(db, new Date(Date.now() - 24 * 3_600_000));
  }

  return {
    createUser,
    grantRole,
    revokeRole,
    setDisabled,
    signIn,
    resolveSession,
    signOut,
    requestPasswordReset,
    checkResetToken,
    resetPassword,
    changePassword,
    createSetupLinkIfNeeded,
    isSetupTokenValid,
    completeSetup,
    createApiToken,
    revokeApiToken,
    listApiTokens: (actor: Actor) => repo.listApiTokensOfUser(db, actor.userId),
    resolveApiToken,
    findUser,
    findUserByEmail: (email: string) => repo.findUserByEmail(db, email),
    listUsers: (f: Parameters<typeof repo.listUsers>[1]) => repo.listUsers(db, f),
    housekeeping,
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
