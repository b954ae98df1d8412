import type { DB } from '../../db/database.ts';
import * as repo from './programme.repository.ts';

export type RegionSummary = {
  code: string;
  name: string;
  onsCode: string | null;
  phase: { key: string; name: string };
  recruitmentTarget: number;
  status: string;
};

export function createProgrammeService(deps: { db: DB }) {
  const { db } = deps;

  async function listRegions(): Promise<RegionSummary[]> {
    const rows = await repo.selectRegionsWithPhase(db);
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      onsCode: r.ons_code,
      phase: { key: r.phase_key, name: r.phase_name },
      recruitmentTarget: r.recruitment_target,
      status: r.status,
    }));
  }

  /** The network at a glance: its regions grouped by rollout phase, with the national target. */
  async function describeNetwork() {
    const [regions, phases, partners] = await Promise.all([
      listRegions(),
      repo.selectPhases(db),
      repo.selectPartners(db),
    ]);
    return {
      regions,
      partners,
      phases: phases.map((p) => ({
        key: p.key,
        name: p.name,
        description: p.description,
        firstEventTarget: p.first_event_target,
        goLiveTarget: p.go_live_target,
        regions: regions.filter((r) => r.phase.key === p.key),
      })),
      nationalTarget: regions
        .filter((r) => r.phase.key !== 'pilot')
        .reduce((sum, r) => sum + r.recruitmentTarget, 0),
    };
  }

  return { listRegions, describeNetwork };
}

export type ProgrammeService = ReturnType<typeof createProgrammeService>;
