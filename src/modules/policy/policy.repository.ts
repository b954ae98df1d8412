import type { Executor } from '../../db/database.ts';

// The SQL shared by every part of the policy channel. Each part keeps the rest of its SQL in its
// own repository file (policy.<part>.repository.ts).

export function findCall(x: Executor, callId: number) {
  return x.selectFrom('policy_calls').selectAll().where('id', '=', callId).executeTakeFirst();
}

export function findStaff(x: Executor, userId: number) {
  return x.selectFrom('policy_staff').selectAll().where('user_id', '=', userId).executeTakeFirst();
}
