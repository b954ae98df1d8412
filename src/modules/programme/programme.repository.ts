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
