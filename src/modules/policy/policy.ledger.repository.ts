import { type ExpressionBuilder, sql } from 'kysely';
import type { Database, Executor } from '../../db/database.ts';

// The SQL of the ledger (every closed or concluded call against its response-due date) and of the
// policy channel's figures on the national dashboard.

/** Whose ledger: the policy team sees every call, signed-out visitors the public ones, a member theirs. */
export type LedgerReach =
  | { kind: 'all' }
  | { kind: 'public' }
  | {
      kind: 'member';
      regionCode: string;
      profession: string | null;
      specialtyId: number | null;
      intakeId: number | null;
    };

function visible(reach: LedgerReach) {
  return (eb: ExpressionBuilder<Database, 'policy_calls'>) => {
    if (reach.kind === 'all') return eb.lit(true);
    if (reach.kind === 'public') return eb('policy_calls.is_public', '=', true);
    return eb.or([
      eb('policy_calls.is_public', '=', true),
      eb.and([
        sql<boolean>`(cardinality(policy_calls.audience_regions) = 0 or ${reach.regionCode} = any(policy_calls.audience_regions))`,
        sql<boolean>`(cardinality(policy_calls.audience_professions) = 0 or ${reach.profession}::text = any(policy_calls.audience_professions))`,
        sql<boolean>`(cardinality(policy_calls.audience_specialty_ids) = 0 or ${reach.specialtyId}::integer = any(policy_calls.audience_specialty_ids))`,
        sql<boolean>`(policy_calls.audience_intake_id is null or policy_calls.audience_intake_id = ${reach.intakeId}::integer)`,
      ]),
    ]);
  };
}

const LEDGER_STATES = ['closed', 'concluded'] as const;

export function countLedger(x: Executor, reach: LedgerReach) {
  return x
    .selectFrom('policy_calls')
    .where('status', 'in', LEDGER_STATES)
    .where(visible(reach))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
}

/**
 * A page of the ledger: overdue calls first (no published response, past the response-due date;
 * the longest overdue first), then those still awaiting their response by due date, soonest first,
 * then those whose response is published, the latest first.
 */
export function listLedger(x: Executor, reach: LedgerReach, today: string, page: number, pageSize: number) {
  return x
    .selectFrom('policy_calls')
    .where('status', 'in', LEDGER_STATES)
    .where(visible(reach))
    .select((eb) => [
      'policy_calls.id',
      'policy_calls.kind',
      'policy_calls.title',
      'policy_calls.summary',
      'policy_calls.status',
      'policy_calls.closes_on',
      'policy_calls.response_due_on',
      'policy_calls.published_at',
      'policy_calls.is_public',
      'policy_calls.owner_user_id',
      sql<boolean>`(policy_calls.published_at is null and policy_calls.response_due_on < ${today}::date)`.as(
        'overdue',
      ),
      sql<number>`(${today}::date - policy_calls.closes_on)`.as('days_since_close'),
      sql<number>`(policy_calls.response_due_on - ${today}::date)`.as('days_to_due'),
      eb
        .selectFrom('policy_responses as r')
        .whereRef('r.call_id', '=', 'policy_calls.id')
        .where('r.status', '=', 'submitted')
        .select(sql<string>`count(*)`.as('n'))
        .as('responses'),
    ])
    .orderBy(
      sql`case when policy_calls.published_at is not null then 2
        when policy_calls.response_due_on < ${today}::date then 0 else 1 end`,
    )
    .orderBy(sql`case when policy_calls.published_at is null then policy_calls.response_due_on end`, 'asc')
    .orderBy('policy_calls.published_at', 'desc')
    .orderBy('policy_calls.id', 'asc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
}
export type LedgerRow = Awaited<ReturnType<typeof listLedger>>[number];

// ---- the national dashboard's policy figures ----

export function countCallsByStatus(x: Executor) {
  return x
    .selectFrom('policy_calls')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('status')
    .execute();
}

export function countResponsesByRegion(x: Executor) {
  return x
    .selectFrom('policy_responses')
    .where('status', '=', 'submitted')
    .select(['region_code', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('region_code')
    .orderBy('region_code')
    .execute();
}

export function responseTimes(x: Executor, today: string) {
  return x
    .selectFrom('policy_calls')
    .select([
      sql<
        number | null
      >`percentile_cont(0.5) within group (order by ((published_at at time zone 'Europe/London')::date - closes_on))`.as(
        'median_days',
      ),
      sql<string>`count(published_at)`.as('published'),
      sql<string>`count(*) filter (where status in ('closed', 'concluded') and published_at is null and response_due_on < ${today}::date)`.as(
        'overdue_calls',
      ),
    ])
    .where('status', 'in', LEDGER_STATES)
    .executeTakeFirstOrThrow();
}

export function countOverdueMilestones(x: Executor, today: string) {
  return x
    .selectFrom('policy_milestones')
    .where('status', 'in', ['planned', 'in-progress'])
    .where('due_on', '<', today)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
}
