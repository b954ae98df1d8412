import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';

export async function selectRegionsWithPhase(x: Executor) {
  return x
    .selectFrom('network_regions as r')
    .innerJoin('rollout_phases as p', 'p.key', 'r.phase_key')
    .innerJoin('organisations as o', 'o.id', 'r.organisation_id')
    .select([
      'r.code',
      'r.name',
      'r.recruitment_target',
      'r.status',
      'p.key as phase_key',
      'p.name as phase_name',
      'p.sort_order as phase_order',
      'p.first_event_target',
      'p.go_live_target',
      'o.ons_code',
      'o.name as organisation_name',
    ])
    .orderBy('p.sort_order')
    .orderBy('r.name')
    .execute();
}

export async function selectPhases(x: Executor) {
  return x.selectFrom('rollout_phases').selectAll().orderBy('sort_order').execute();
}

export async function selectPartners(x: Executor) {
  return x
    .selectFrom('network_partners as np')
    .innerJoin('organisations as o', 'o.id', 'np.organisation_id')
    .select(['o.name', 'np.role', 'np.description'])
    .orderBy('np.role')
    .orderBy('o.name')
    .execute();
}

/** A region's programme record with its phase's dates and its people, for the region page. */
export async function selectRegionProgramme(x: Executor, code: string) {
  return x
    .selectFrom('network_regions as r')
    .innerJoin('rollout_phases as p', 'p.key', 'r.phase_key')
    .leftJoin('users as f', 'f.id', 'r.lead_facilitator_user_id')
    .select([
      'r.code',
      'r.name',
      'r.status',
      'r.recruitment_target',
      'r.phase_key',
      'p.name as phase_name',
      'p.sort_order as phase_order',
      'p.first_event_target as phase_first_event_target',
      'p.go_live_target as phase_go_live_target',
      'r.first_event_target',
      'r.go_live_target',
      'r.first_event_actual',
      'r.go_live_actual',
      'r.lead_facilitator_user_id',
      'f.name as lead_facilitator_name',
      'r.senior_manager_name',
      'r.senior_manager_email',
    ])
    .where('r.code', '=', code)
    .executeTakeFirst();
}

/**
 * Every region's dashboard line in one query: its programme dates, the applications joined and
 * offered in its current intake (the open one, else the latest; from application_counts, kept by
 * triggers), and its funding, readiness and contract totals summed here rather than read row by row
 * (issue 8: the national dashboard ran nine queries; each costs a round trip).
 */
export async function selectDashboardLines(x: Executor) {
  const rows = await sql<{
    code: string;
    name: string;
    status: string;
    recruitment_target: number;
    phase_key: string;
    phase_name: string;
    phase_first_event_target: string | null;
    phase_go_live_target: string | null;
    first_event_target: string | null;
    go_live_target: string | null;
    first_event_actual: string | null;
    go_live_actual: string | null;
    accepted: number;
    offered: number;
    allocated: number;
    received: number;
    spent: number;
    readiness_done: number;
    readiness_total: number;
    promised: number;
    delivered: number;
  }>`
    select r.code, r.name, r.status, r.recruitment_target, r.phase_key,
      p.name as phase_name, p.first_event_target as phase_first_event_target,
      p.go_live_target as phase_go_live_target,
      r.first_event_target, r.go_live_target, r.first_event_actual, r.go_live_actual,
      coalesce(c.accepted, 0)::int as accepted, coalesce(c.offered, 0)::int as offered,
      coalesce(f.allocated, 0) as allocated, coalesce(f.received, 0) as received,
      coalesce((select sum(s.amount) from funding_spend s where s.region_code = r.code), 0) as spent,
      (select count(*) from region_readiness d where d.region_code = r.code)::int as readiness_done,
      (select count(*) from readiness_items)::int as readiness_total,
      coalesce(k.promised, 0)::int as promised, coalesce(k.delivered, 0)::int as delivered
    from network_regions r
    join rollout_phases p on p.key = r.phase_key
    left join lateral (
      select sum(n) filter (where ac.status = 'accepted') as accepted,
        sum(n) filter (where ac.status = 'offered') as offered
      from application_counts ac
      where ac.intake_id = (select i.id from intakes i where i.region_code = r.code
                            order by (i.status = 'open') desc, i.opens_on desc, i.id desc limit 1)
    ) c on true
    left join lateral (
      select sum(a.amount) as allocated,
        sum(a.amount) filter (where a.received_on is not null) as received
      from funding_allocations a where a.region_code = r.code
    ) f on true
    left join lateral (
      select sum(l.promised) as promised, sum(l.delivered) as delivered
      from contract_lines l where l.region_code = r.code
    ) k on true
    order by p.sort_order, r.name`.execute(x);
  return rows.rows;
}

export async function selectRegionLeads(x: Executor, codes: string[]) {
  if (!codes.length) return [];
  return x
    .selectFrom('role_assignments as ra')
    .innerJoin('users as u', 'u.id', 'ra.user_id')
    .select(['ra.region_code', 'ra.role', 'u.id', 'u.name', 'u.email'])
    .where('ra.role', 'in', ['regional-lead', 'facilitator'])
    .where('ra.region_code', 'in', codes)
    .where('u.disabled_at', 'is', null)
    .orderBy('u.name')
    .execute();
}

export async function selectFunding(x: Executor, codes: string[]) {
  if (!codes.length) return { allocations: [], spend: [] };
  const [allocations, spend] = await Promise.all([
    x
      .selectFrom('funding_allocations')
      .selectAll()
      .where('region_code', 'in', codes)
      .orderBy('allocated_on')
      .execute(),
    x.selectFrom('funding_spend').selectAll().where('region_code', 'in', codes).orderBy('spent_on').execute(),
  ]);
  return { allocations, spend };
}

export async function selectReadiness(x: Executor, codes: string[]) {
  const items = await x
    .selectFrom('readiness_items')
    .selectAll()
    .orderBy('sort_order')
    .orderBy('key')
    .execute();
  const done = codes.length
    ? await x.selectFrom('region_readiness').selectAll().where('region_code', 'in', codes).execute()
    : [];
  return { items, done };
}

export async function selectContractLines(x: Executor, codes: string[]) {
  if (!codes.length) return [];
  return x.selectFrom('contract_lines').selectAll().where('region_code', 'in', codes).execute();
}

export async function lockRegion(x: Executor, code: string) {
  return x.selectFrom('network_regions').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
}

export async function updateRegion(
  x: Executor,
  code: string,
  v: Partial<{
    status: string;
    first_event_target: string | null;
    go_live_target: string | null;
    first_event_actual: string | null;
    go_live_actual: string | null;
    lead_facilitator_user_id: number | null;
    senior_manager_name: string | null;
    senior_manager_email: string | null;
  }>,
) {
  await x
    .updateTable('network_regions')
    .set({ ...v, updated_at: sql`now()` })
    .where('code', '=', code)
    .execute();
}

export async function updatePhase(
  x: Executor,
  key: string,
  v: { first_event_target: string | null; go_live_target: string | null },
) {
  await x.updateTable('rollout_phases').set(v).where('key', '=', key).execute();
}

export async function lockPhase(x: Executor, key: string) {
  return x.selectFrom('rollout_phases').selectAll().where('key', '=', key).forUpdate().executeTakeFirst();
}

export async function insertFundingAllocation(
  x: Executor,
  v: {
    region_code: string;
    amount: number;
    allocated_on: string;
    received_on: string | null;
    reference: string | null;
  },
) {
  return x.insertInto('funding_allocations').values(v).returning('id').executeTakeFirstOrThrow();
}

/** Marks one allocation of the region received; false when there is no such allocation there. */
export async function markFundingReceived(x: Executor, code: string, id: number, receivedOn: string) {
  const res = await x
    .updateTable('funding_allocations')
    .set({ received_on: receivedOn })
    .where('id', '=', id)
    .where('region_code', '=', code)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function insertFundingSpend(
  x: Executor,
  v: { region_code: string; amount: number; spent_on: string; description: string },
) {
  return x.insertInto('funding_spend').values(v).returning('id').executeTakeFirstOrThrow();
}

export async function changeReadiness(
  x: Executor,
  code: string,
  change: { added: string[]; removed: string[]; on: string },
) {
  if (change.removed.length)
    await x
      .deleteFrom('region_readiness')
      .where('region_code', '=', code)
      .where('item_key', 'in', change.removed)
      .execute();
  for (const k of change.added)
    await x
      .insertInto('region_readiness')
      .values({ region_code: code, item_key: k, completed_on: change.on })
      .execute();
}

/** Adds a checklist item at the end; false when the key is taken. */
export async function insertReadinessItem(x: Executor, key: string, label: string): Promise<boolean> {
  if (await x.selectFrom('readiness_items').select('key').where('key', '=', key).executeTakeFirst())
    return false;
  const max = await x
    .selectFrom('readiness_items')
    .select((eb) => eb.fn.max<number | null>('sort_order').as('m'))
    .executeTakeFirstOrThrow();
  await x
    .insertInto('readiness_items')
    .values({ key, label, sort_order: Number(max.m ?? 0) + 1 })
    .execute();
  return true;
}

export async function upsertContractLine(
  x: Executor,
  v: { region_code: string; kind: string; promised: number; delivered: number },
) {
  await x
    .insertInto('contract_lines')
    .values(v)
    .onConflict((oc) =>
      oc.columns(['region_code', 'kind']).doUpdateSet({ promised: v.promised, delivered: v.delivered }),
    )
    .execute();
}
