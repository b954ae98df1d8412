import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { londonDate } from '../../platform/dates.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, hasRole, isNational, regionsWhere, requireRole } from '../../platform/permissions.ts';
import * as repo from './programme.repository.ts';
import { CONTRACT_KINDS } from './programme.schemas.ts';

export type RegionSummary = {
  code: string;
  name: string;
  onsCode: string | null;
  phase: { key: string; name: string };
  recruitmentTarget: number;
  status: string;
};

export type MilestoneState = 'not-set' | 'due' | 'late' | 'done-on-time' | 'done-late';
export type Milestone = { target: string | null; actual: string | null; state: MilestoneState };

export function milestone(target: string | null, actual: string | null, today: string): Milestone {
  let state: MilestoneState;
  if (actual) state = target && actual > target ? 'done-late' : 'done-on-time';
  else if (!target) state = 'not-set';
  else state = target < today ? 'late' : 'due';
  return { target, actual, state };
}

const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 100) / 100;

/**
 * A region's places belong to recruitment (its waitlist takes freed places): the programme page
 * changes the target only through this, wired in app.ts from recruitment's index.ts.
 */
export type SetRecruitmentTarget = (
  actor: Actor,
  regionCode: string,
  input: { target: number; reason?: string },
) => Promise<unknown>;

export function createProgrammeService(deps: { db: DB; setRecruitmentTarget: SetRecruitmentTarget }) {
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
      /** The phases as stored (the page's form to change their dates). */
      phaseRows: phases,
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
        .reduce((total, r) => total + r.recruitmentTarget, 0),
    };
  }

  /** The regions whose programme the actor may see: all for the national team and partners. */
  function visibleRegions(actor: Actor): 'all' | string[] {
    if (isNational(actor) || hasRole(actor, 'partner')) return 'all';
    const lead = regionsWhere(actor, 'regional-lead');
    const facilitator = regionsWhere(actor, 'facilitator');
    if (lead === 'all' || facilitator === 'all') return 'all';
    return [...new Set([...lead, ...facilitator])];
  }

  function requireRegionVisible(actor: Actor, code: string) {
    const scope = visibleRegions(actor);
    if (scope !== 'all' && !scope.includes(code))
      throw new ForbiddenError('You can see the programme of your own region only');
  }

  /** Every figure of the national dashboard, limited to the regions the actor may see. */
  async function dashboard(actor: Actor, now = new Date()) {
    const scope = visibleRegions(actor);
    if (scope !== 'all' && scope.length === 0) throw new ForbiddenError();
    const [lines, phases] = await Promise.all([repo.selectDashboardLines(db), repo.selectPhases(db)]);
    const today = londonDate(now);
    const regions = lines
      .filter((r) => scope === 'all' || scope.includes(r.code))
      .map((r) => ({
        code: r.code,
        name: r.name,
        phase: { key: r.phase_key, name: r.phase_name },
        status: r.status,
        target: r.recruitment_target,
        recruited: r.accepted,
        offered: r.offered,
        recruitedPercent: r.recruitment_target ? r.accepted / r.recruitment_target : 0,
        firstEvent: milestone(
          r.first_event_target ?? r.phase_first_event_target,
          r.first_event_actual,
          today,
        ),
        goLive: milestone(r.go_live_target ?? r.phase_go_live_target, r.go_live_actual, today),
        readiness: { done: r.readiness_done, total: r.readiness_total },
        funding: { allocated: r.allocated, received: r.received, spent: r.spent },
        contract: { promised: r.promised, delivered: r.delivered },
      }));
    const rollout = regions.filter((r) => r.phase.key !== 'pilot');
    const target = rollout.reduce((a, r) => a + r.target, 0);
    const recruited = rollout.reduce((a, r) => a + r.recruited, 0);
    const lateOf = (r: (typeof regions)[number]) =>
      r.firstEvent.state === 'late' ||
      r.firstEvent.state === 'done-late' ||
      r.goLive.state === 'late' ||
      r.goLive.state === 'done-late';
    return {
      asOf: today,
      regions,
      national: {
        target,
        recruited,
        recruitedPercent: target ? recruited / target : 0,
        // Launch counts are public knowledge (the home page shows each region's status).
        regionsLaunched: lines.filter((r) => r.status === 'launched').length,
        regionsTotal: lines.length,
        fundingAllocated: sum(regions.map((r) => r.funding.allocated)),
        fundingReceived: sum(regions.map((r) => r.funding.received)),
        fundingSpent: sum(regions.map((r) => r.funding.spent)),
      },
      /** The phases as stored (the page's form to change their dates). */
      phaseRows: phases,
      phases: phases.map((p) => ({
        key: p.key,
        name: p.name,
        firstEventTarget: p.first_event_target,
        goLiveTarget: p.go_live_target,
        late: regions.filter((r) => r.phase.key === p.key && lateOf(r)).map((r) => r.name),
      })),
    };
  }

  /** One region's programme in full: dates, people, funding lines, readiness and the contract. */
  async function regionDetail(actor: Actor, code: string, now = new Date()) {
    const r = await repo.selectRegionProgramme(db, code);
    if (!r) throw new NotFoundError('Region not found');
    requireRegionVisible(actor, code);
    // The dashboard's lines hold the current intake's counts (a few rows per region, summed there).
    const [lines, people, funding, readiness, contract] = await Promise.all([
      repo.selectDashboardLines(db),
      repo.selectRegionLeads(db, [code]),
      repo.selectFunding(db, [code]),
      repo.selectReadiness(db, [code]),
      repo.selectContractLines(db, [code]),
    ]);
    const line = lines.find((l) => l.code === code);
    const today = londonDate(now);
    return {
      code: r.code,
      name: r.name,
      status: r.status,
      phase: {
        key: r.phase_key,
        name: r.phase_name,
        firstEventTarget: r.phase_first_event_target,
        goLiveTarget: r.phase_go_live_target,
      },
      target: r.recruitment_target,
      recruited: line?.accepted ?? 0,
      offered: line?.offered ?? 0,
      regionDates: {
        firstEventTarget: r.first_event_target,
        goLiveTarget: r.go_live_target,
        firstEventActual: r.first_event_actual,
        goLiveActual: r.go_live_actual,
      },
      firstEvent: milestone(r.first_event_target ?? r.phase_first_event_target, r.first_event_actual, today),
      goLive: milestone(r.go_live_target ?? r.phase_go_live_target, r.go_live_actual, today),
      leads: people
        .filter((p) => p.role === 'regional-lead')
        .map((p) => ({ id: p.id, name: p.name, email: p.email })),
      facilitators: people
        .filter((p) => p.role === 'facilitator')
        .map((p) => ({ id: p.id, name: p.name, email: p.email })),
      leadFacilitator: r.lead_facilitator_user_id
        ? { id: r.lead_facilitator_user_id, name: r.lead_facilitator_name }
        : null,
      seniorManager: { name: r.senior_manager_name, email: r.senior_manager_email },
      allocations: funding.allocations.map((a) => ({
        id: a.id,
        amount: a.amount,
        allocatedOn: a.allocated_on,
        receivedOn: a.received_on,
        reference: a.reference,
      })),
      spend: funding.spend.map((s) => ({
        id: s.id,
        amount: s.amount,
        spentOn: s.spent_on,
        description: s.description,
      })),
      fundingTotals: {
        allocated: sum(funding.allocations.map((a) => a.amount)),
        received: sum(funding.allocations.filter((a) => a.received_on).map((a) => a.amount)),
        spent: sum(funding.spend.map((s) => s.amount)),
      },
      readiness: readiness.items.map((i) => {
        const d = readiness.done.find((x) => x.item_key === i.key);
        return { key: i.key, label: i.label, done: Boolean(d), completedOn: d?.completed_on ?? null };
      }),
      contract: CONTRACT_KINDS.map((k) => {
        const l = contract.find((c) => c.kind === k.key);
        return { kind: k.key, label: k.label, promised: l?.promised ?? 0, delivered: l?.delivered ?? 0 };
      }),
      canEdit: isNational(actor),
      canTickReadiness: isNational(actor) || hasRole(actor, 'regional-lead', code),
    };
  }

  async function lockedRegion(trx: Parameters<typeof repo.lockRegion>[0], code: string) {
    const region = await repo.lockRegion(trx, code);
    if (!region) throw new NotFoundError('Region not found');
    return region;
  }

  /**
   * The recruitment target (the region's quota): the national team's alone to change. Recruitment
   * writes it (refusing one below the places taken, offering new places to the waitlist), audited.
   */
  async function setTarget(actor: Actor, code: string, input: { target: number; reason?: string }) {
    requireRole(actor, ['national']);
    await deps.setRecruitmentTarget(actor, code, input);
  }

  async function updatePlan(
    actor: Actor,
    code: string,
    input: {
      status: string;
      firstEventTarget: string | null;
      goLiveTarget: string | null;
      firstEventActual: string | null;
      goLiveActual: string | null;
    },
  ) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const region = await lockedRegion(trx, code);
      const next = {
        status: input.status,
        first_event_target: input.firstEventTarget,
        go_live_target: input.goLiveTarget,
        first_event_actual: input.firstEventActual,
        go_live_actual: input.goLiveActual,
      };
      const changes = Object.entries(next).filter(([k, v]) => (region as Record<string, unknown>)[k] !== v);
      if (!changes.length) return;
      await repo.updateRegion(trx, code, next);
      await recordAudit(trx, actor, {
        action: 'region.plan',
        entityType: 'region',
        entityId: code,
        summary: `Updated ${region.name}: ${changes.map(([k, v]) => `${k.replace(/_/g, ' ')} ${v ?? 'cleared'}`).join(', ')}`,
        details: Object.fromEntries(
          changes.map(([k, v]) => [k, { from: (region as Record<string, unknown>)[k], to: v }]),
        ),
      });
    });
  }

  async function updatePeople(
    actor: Actor,
    code: string,
    input: {
      leadFacilitatorUserId: number | null;
      seniorManagerName: string | null;
      seniorManagerEmail: string | null;
    },
  ) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const region = await lockedRegion(trx, code);
      if (input.leadFacilitatorUserId !== null) {
        const ok = (await repo.selectRegionLeads(trx, [code])).some(
          (p) => p.role === 'facilitator' && p.id === input.leadFacilitatorUserId,
        );
        if (!ok)
          throw new ValidationError([
            { field: 'leadFacilitatorUserId', message: `Choose one of ${region.name}'s facilitators` },
          ]);
      }
      await repo.updateRegion(trx, code, {
        lead_facilitator_user_id: input.leadFacilitatorUserId,
        senior_manager_name: input.seniorManagerName,
        senior_manager_email: input.seniorManagerEmail,
      });
      await recordAudit(trx, actor, {
        action: 'region.people',
        entityType: 'region',
        entityId: code,
        summary: `Updated ${region.name}'s lead facilitator and the consultancy's senior manager`,
        details: { ...input },
      });
    });
  }

  async function addFunding(
    actor: Actor,
    code: string,
    input: { amount: number; allocatedOn: string; receivedOn: string | null; reference: string | null },
  ) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const region = await lockedRegion(trx, code);
      const row = await repo.insertFundingAllocation(trx, {
        region_code: code,
        amount: input.amount,
        allocated_on: input.allocatedOn,
        received_on: input.receivedOn,
        reference: input.reference,
      });
      await recordAudit(trx, actor, {
        action: 'funding.allocate',
        entityType: 'funding_allocation',
        entityId: row.id,
        summary: `DH funding of £${input.amount.toFixed(2)} allocated to ${region.name}`,
        details: { ...input },
      });
    });
  }

  async function markFundingReceived(actor: Actor, code: string, id: number, receivedOn: string) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      if (!(await repo.markFundingReceived(trx, code, id, receivedOn)))
        throw new NotFoundError('Funding allocation not found');
      await recordAudit(trx, actor, {
        action: 'funding.receive',
        entityType: 'funding_allocation',
        entityId: id,
        summary: `Funding allocation ${id} for ${code} received on ${receivedOn}`,
      });
    });
  }

  async function addSpend(
    actor: Actor,
    code: string,
    input: { amount: number; spentOn: string; description: string },
  ) {
    requireRole(actor, ['regional-lead'], code);
    await db.transaction().execute(async (trx) => {
      const region = await lockedRegion(trx, code);
      const row = await repo.insertFundingSpend(trx, {
        region_code: code,
        amount: input.amount,
        spent_on: input.spentOn,
        description: input.description,
      });
      await recordAudit(trx, actor, {
        action: 'funding.spend',
        entityType: 'funding_spend',
        entityId: row.id,
        summary: `Spend of £${input.amount.toFixed(2)} recorded for ${region.name}: ${input.description}`,
      });
    });
  }

  async function setReadiness(actor: Actor, code: string, doneKeys: string[], now = new Date()) {
    requireRole(actor, ['regional-lead'], code);
    await db.transaction().execute(async (trx) => {
      const region = await lockedRegion(trx, code);
      const { items, done } = await repo.selectReadiness(trx, [code]);
      const unknown = doneKeys.filter((k) => !items.some((i) => i.key === k));
      if (unknown.length)
        throw new ValidationError([{ field: 'done', message: 'Choose items from the checklist' }]);
      const was = new Set(done.map((d) => d.item_key));
      const want = new Set(doneKeys);
      const added = [...want].filter((k) => !was.has(k));
      const removed = [...was].filter((k) => !want.has(k));
      await repo.changeReadiness(trx, code, { added, removed, on: londonDate(now) });
      if (added.length || removed.length) {
        await recordAudit(trx, actor, {
          action: 'region.readiness',
          entityType: 'region',
          entityId: code,
          summary: `Readiness of ${region.name}: ${[...added.map((k) => `done ${k}`), ...removed.map((k) => `not done ${k}`)].join(', ')}`,
        });
      }
    });
  }

  async function addReadinessItem(actor: Actor, label: string) {
    requireRole(actor, ['national']);
    const key =
      label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 60) || 'item';
    await db.transaction().execute(async (trx) => {
      if (!(await repo.insertReadinessItem(trx, key, label))) {
        throw new ValidationError([{ field: 'label', message: 'That item is already on the checklist' }]);
      }
      await recordAudit(trx, actor, {
        action: 'readiness.item.add',
        entityType: 'readiness_item',
        entityId: key,
        summary: `Added "${label}" to every region's readiness checklist`,
      });
    });
  }

  async function setContract(actor: Actor, code: string, input: Record<string, number>) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const region = await lockedRegion(trx, code);
      for (const k of CONTRACT_KINDS) {
        const promised = input[`${k.key}.promised`] ?? 0;
        const delivered = input[`${k.key}.delivered`] ?? 0;
        await repo.upsertContractLine(trx, { region_code: code, kind: k.key, promised, delivered });
      }
      await recordAudit(trx, actor, {
        action: 'region.contract',
        entityType: 'region',
        entityId: code,
        summary: `Updated the consultancy contract for ${region.name}`,
        details: input,
      });
    });
  }

  async function updatePhase(
    actor: Actor,
    key: string,
    input: { firstEventTarget: string | null; goLiveTarget: string | null },
  ) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const phase = await repo.lockPhase(trx, key);
      if (!phase) throw new NotFoundError('Phase not found');
      await repo.updatePhase(trx, key, {
        first_event_target: input.firstEventTarget,
        go_live_target: input.goLiveTarget,
      });
      await recordAudit(trx, actor, {
        action: 'phase.dates',
        entityType: 'phase',
        entityId: key,
        summary: `${phase.name} target dates: first event ${input.firstEventTarget ?? 'none'}, go-live ${input.goLiveTarget ?? 'none'}`,
        details: { from: { firstEvent: phase.first_event_target, goLive: phase.go_live_target }, to: input },
      });
    });
  }

  return {
    listRegions,
    describeNetwork,
    visibleRegions,
    dashboard,
    regionDetail,
    setTarget,
    updatePlan,
    updatePeople,
    addFunding,
    markFundingReceived,
    addSpend,
    setReadiness,
    addReadinessItem,
    setContract,
    updatePhase,
  };
}

export type ProgrammeService = ReturnType<typeof createProgrammeService>;
export type Dashboard = Awaited<ReturnType<ProgrammeService['dashboard']>>;
export type RegionDetail = Awaited<ReturnType<ProgrammeService['regionDetail']>>;
