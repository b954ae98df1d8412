import type { Executor } from '../../db/database.ts';

/** The SQL of the programme data-rights contributor: the regions that name one person. */

export async function listRegionsNaming(x: Executor, userId: number, emails: string[]) {
  return x
    .selectFrom('network_regions')
    .select(['code', 'name', 'lead_facilitator_user_id', 'senior_manager_name', 'senior_manager_email'])
    .where((eb) =>
      eb.or([
        eb('lead_facilitator_user_id', '=', userId),
        ...(emails.length ? [eb(eb.fn('lower', ['senior_manager_email']), 'in', emails)] : []),
      ]),
    )
    .orderBy('code')
    .execute();
}

/** The region keeps its place on the programme pages; the person is no longer named there. */
export async function removePersonFromRegions(x: Executor, userId: number, emails: string[]) {
  await x
    .updateTable('network_regions')
    .set({ lead_facilitator_user_id: null, updated_at: new Date() })
    .where('lead_facilitator_user_id', '=', userId)
    .execute();
  if (emails.length)
    await x
      .updateTable('network_regions')
      .set({ senior_manager_name: null, senior_manager_email: null, updated_at: new Date() })
      .where((eb) => eb(eb.fn('lower', ['senior_manager_email']), 'in', emails))
      .execute();
}
