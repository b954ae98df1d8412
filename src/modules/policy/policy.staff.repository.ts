import type { Executor } from '../../db/database.ts';

// The SQL of the policy staff records: the named role a policy maker answers under, and whether
// they are a named patient-safety lead.

/** Policy makers and anyone else holding a staff record, with their record (if any); by name. */
export async function listStaff(x: Executor, opts: { limit: number; offset: number }) {
  const people = x
    .selectFrom('users as u')
    .leftJoin('policy_staff as s', 's.user_id', 'u.id')
    .select(['u.id', 'u.name', 'u.email', 's.role_title', 's.safety_lead', 's.updated_at'])
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb(
          'u.id',
          'in',
          eb.selectFrom('role_assignments').select('user_id').where('role', '=', 'policy-maker'),
        ),
        eb('s.user_id', 'is not', null),
      ]),
    );
  const [rows, total] = await Promise.all([
    people.orderBy('u.name').orderBy('u.id').limit(opts.limit).offset(opts.offset).execute(),
    x
      .selectFrom(people.as('p'))
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** The person, when they may hold a staff record: a policy maker or a member of the national team. */
export async function findStaffCandidate(x: Executor, userId: number) {
  return x
    .selectFrom('users as u')
    .leftJoin('policy_staff as s', 's.user_id', 'u.id')
    .select(['u.id', 'u.name', 'u.email', 's.role_title', 's.safety_lead', 's.updated_at'])
    .where('u.id', '=', userId)
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_assignments as r')
          .select('r.id')
          .whereRef('r.user_id', '=', 'u.id')
          .where('r.role', 'in', ['policy-maker', 'national']),
      ),
    )
    .executeTakeFirst();
}

export async function upsertStaff(
  x: Executor,
  values: { user_id: number; role_title: string; safety_lead: boolean },
) {
  await x
    .insertInto('policy_staff')
    .values({ ...values, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        role_title: values.role_title,
        safety_lead: values.safety_lead,
        updated_at: new Date(),
      }),
    )
    .execute();
}

/** The named patient-safety leads whose accounts are in use, by user id (the first is the lead of record). */
export async function listSafetyLeads(x: Executor) {
  return x
    .selectFrom('policy_staff as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.name', 'u.email', 's.role_title'])
    .where('s.safety_lead', '=', true)
    .where('u.disabled_at', 'is', null)
    .orderBy('u.id')
    .limit(50)
    .execute();
}

/** The national team's accounts in use: who receives a safety concern when no safety lead is named. */
export async function listNationalTeam(x: Executor) {
  return x
    .selectFrom('users as u')
    .select(['u.id', 'u.name', 'u.email'])
    .where('u.disabled_at', 'is', null)
    .where((eb) =>
      eb('u.id', 'in', eb.selectFrom('role_assignments').select('user_id').where('role', '=', 'national')),
    )
    .orderBy('u.id')
    .limit(50)
    .execute();
}
