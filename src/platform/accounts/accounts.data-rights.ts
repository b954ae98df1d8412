import { addToSubject, type DataRightsContributor, erasedEmail, erasedLabel } from '../data-rights.ts';
import * as repo from './accounts.data-rights.repository.ts';

/** Accounts: the sign-in account, roles, sessions, API tokens, reset links and failed sign-ins. */
export const accountsDataRights: DataRightsContributor = {
  module: 'account',
  title: 'Your account',
  personalColumns: {
    users: ['email', 'name', 'password_hash'],
    sessions: ['id_hash', 'ip', 'user_agent'],
    api_tokens: ['name', 'token_hash', 'token_prefix'],
    password_reset_tokens: ['token_hash'],
    sign_in_failures: ['email', 'ip'],
  },
  async describe(db, subject) {
    const user = await repo.findAccount(db, subject.userId);
    if (user) addToSubject(subject, { names: [user.name], emails: [user.email] });
  },
  async exportFor(db, subject) {
    const [user, roles, sessions, tokens, failures] = await Promise.all([
      repo.findAccount(db, subject.userId),
      repo.listRoles(db, subject.userId),
      repo.listSessions(db, subject.userId),
      repo.listApiTokens(db, subject.userId),
      repo.listSignInFailures(db, subject.emails),
    ]);
    return [
      { key: 'account', title: 'Account', records: user ? [user] : [] },
      { key: 'roles', title: 'Roles', records: roles },
      { key: 'sessions', title: 'Signed-in sessions', records: sessions },
      { key: 'apiTokens', title: 'API tokens', records: tokens },
      { key: 'signInFailures', title: 'Failed sign-ins with your email address', records: failures },
    ];
  },
  async erase(trx, subject) {
    await repo.deleteAccountSecrets(trx, subject.userId, subject.emails);
    await repo.anonymiseAccount(trx, subject.userId, {
      name: erasedLabel(subject.userId),
      email: erasedEmail(subject.userId),
    });
  },
};
