import type { Executor } from '../../db/database.ts';
import type { GroupDimension } from './policy.table.ts';

// The SQL of participation before close: sent responses by group, and nudges to groups.

/** Sent responses to a call in each group of one dimension (the groups kept on each response). */
export async function countResponsesBy(
  x: Executor,
  callId: number,
  dimension: GroupDimension,
): Promise<{ value: string | null; count: number }[]> {
  const base = x
    .selectFrom('policy_responses')
    .where('call_id', '=', callId)
    .where('status', '=', 'submitted');
  const rows =
    dimension === 'region'
      ? await base
          .select((eb) => ['region_code as value', eb.fn.countAll<string>().as('n')])
          .groupBy('region_code')
          .execute()
      : dimension === 'profession'
        ? await base
            .select((eb) => ['profession as value', eb.fn.countAll<string>().as('n')])
            .groupBy('profession')
            .execute()
        : dimension === 'specialty'
          ? await base
              .select((eb) => [
                eb.cast<string>('specialty_id', 'text').as('value'),
                eb.fn.countAll<string>().as('n'),
              ])
              .groupBy('specialty_id')
              .execute()
          : await base
              .select((eb) => ['setting as value', eb.fn.countAll<string>().as('n')])
              .groupBy('setting')
              .execute();
  return rows.map((r) => ({ value: (r.value as string | null) ?? null, count: Number(r.n) }));
}

export async function insertNudge(
  x: Executor,
  v: {
    callId: number;
    dimension: GroupDimension;
    value: string;
    message: string | null;
    recipients: number;
    by: number;
  },
) {
  return (
    await x
      .insertInto('policy_nudges')
      .values({
        call_id: v.callId,
        dimension: v.dimension,
        value: v.value,
        message: v.message,
        recipients: v.recipients,
        sent_by: v.by,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

export function listNudges(x: Executor, callId: number) {
  return x
    .selectFrom('policy_nudges as n')
    .leftJoin('users as u', 'u.id', 'n.sent_by')
    .select(['n.id', 'n.dimension', 'n.value', 'n.recipients', 'n.sent_at', 'u.name as sent_by_name'])
    .where('n.call_id', '=', callId)
    .orderBy('n.id', 'desc')
    .limit(50)
    .execute();
}
