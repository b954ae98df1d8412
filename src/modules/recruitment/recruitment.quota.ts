import type { DB, Executor } from '../../db/database.ts';
import { findAccountById } from '../../platform/accounts/accounts.service.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import type { Places } from './recruitment.places.ts';
import { quotaDecisionLetter } from './recruitment.emails.ts';
import * as repo from './recruitment.repository.ts';
import { statusLabels } from './recruitment.schemas.ts';
import type { ApplicationStatus } from './recruitment.table.ts';
import { PROFESSIONS } from '../../platform/registration.ts';

function professionLabel(key: string): string {
  return PROFESSIONS.find((p) => p.key === key)?.label ?? key;
}

/**
 * A region's places: the quota meter, automatic offers from the waitlist, requests for more places
 * and their decision, and the one writer of the target (setPlaces).
 */
export function createQuotaFunctions(deps: { db: DB; fillFreePlaces: Places['fillFreePlaces'] }) {
  const { db, fillFreePlaces } = deps;

  /** Regions' quota meters and profession mixes, for their leads and the national team. */
  async function regionSummaries(actor: Actor, regionCodes: string[]) {
    for (const code of regionCodes) requireRole(actor, ['regional-lead'], code);
    const [regions, pending] = await Promise.all([
      repo.findRegionsWithCurrentIntake(db, regionCodes),
      repo.findPendingQuotaRequests(db, regionCodes),
    ]);
    const counted = await repo.intakeCounts(
      db,
      regions.flatMap((r) => (r.intake_id === null ? [] : [r.intake_id])),
    );
    return regionCodes.map((code) => {
      const region = regions.find((r) => r.code === code);
      if (!region) throw new NotFoundError('Region not found');
      const { byStatus: counts, professionMix: mix } = (region.intake_id !== null &&
        counted.get(region.intake_id)) || {
        byStatus: {} as Partial<Record<ApplicationStatus, number>>,
        professionMix: [],
      };
      const taken = (counts.offered ?? 0) + (counts.accepted ?? 0);
      const request = pending.find((p) => p.region_code === code);
      return {
        region: { code: region.code, name: region.name, autoOffer: region.auto_offer_waitlist },
        intake:
          region.intake_id !== null
            ? { id: region.intake_id, name: region.intake_name!, status: region.intake_status! }
            : null,
        quota: region.recruitment_target,
        taken,
        free: Math.max(0, region.recruitment_target - taken),
        percent: region.recruitment_target ? taken / region.recruitment_target : 0,
        counts: Object.fromEntries(
          (Object.keys(statusLabels) as ApplicationStatus[]).map((s) => [s, counts[s] ?? 0]),
        ) as Record<ApplicationStatus, number>,
        professionMix: mix.map((m) => ({ ...m, label: professionLabel(m.profession) })),
        pendingQuotaRequest: request ? { id: request.id, requestedQuota: request.requested_quota } : null,
      };
    });
  }

  /** One region's quota meter and profession mix. */
  async function regionSummary(actor: Actor, regionCode: string) {
    return (await regionSummaries(actor, [regionCode]))[0]!;
  }

  async function setAutoOffer(actor: Actor, regionCode: string, on: boolean) {
    requireRole(actor, ['regional-lead'], regionCode);
    await db.transaction().execute(async (trx) => {
      const region = await repo.lockRegion(trx, regionCode);
      if (!region) throw new NotFoundError('Region not found');
      await repo.setAutoOffer(trx, regionCode, on);
      await recordAudit(trx, actor, {
        action: 'region.auto-offer',
        entityType: 'region',
        entityId: regionCode,
        summary: `${on ? 'Turned on' : 'Turned off'} automatic offers from the waitlist in ${region.name}`,
      });
      if (on) await fillFreePlaces(trx, regionCode, actor);
    });
  }

  async function requestQuota(
    actor: Actor,
    regionCode: string,
    input: { requestedQuota: number; reason: string },
  ) {
    requireRole(actor, ['regional-lead'], regionCode);
    return db.transaction().execute(async (trx) => {
      const region = await repo.lockRegion(trx, regionCode);
      if (!region) throw new NotFoundError('Region not found');
      if (input.requestedQuota <= region.recruitment_target) {
        throw new ValidationError([
          {
            field: 'requestedQuota',
            message: `Enter a number of places greater than the current quota of ${region.recruitment_target}`,
          },
        ]);
      }
      if (await repo.findPendingQuotaRequest(trx, regionCode)) {
        throw new ConflictError('There is already a request for more places waiting for the national team.');
      }
      const row = await repo.insertQuotaRequest(trx, {
        region_code: regionCode,
        requested_by_user_id: actor.userId,
        requested_by_label: `${actor.name} <${actor.email}>`,
        current_quota: region.recruitment_target,
        requested_quota: input.requestedQuota,
        reason: input.reason,
      });
      await recordAudit(trx, actor, {
        action: 'quota.request',
        entityType: 'quota_request',
        entityId: row.id,
        summary: `Asked to raise ${region.name}'s quota from ${region.recruitment_target} to ${input.requestedQuota}`,
        details: { reason: input.reason },
      });
      return row.id;
    });
  }

  async function listQuotaRequests(actor: Actor, f: { regionCode?: string; status?: string }) {
    if (f.regionCode) requireRole(actor, ['regional-lead'], f.regionCode);
    else requireRole(actor, ['national']);
    return repo.listQuotaRequests(db, { ...f, limit: 100 });
  }

  async function decideQuotaRequest(
    actor: Actor,
    id: number,
    input: { outcome: 'approve' | 'refuse'; note?: string },
  ) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      const r0 = await repo.lockQuotaRequest(trx, id);
      if (!r0) throw new NotFoundError('Request not found');
      const region = (await repo.lockRegion(trx, r0.region_code))!;
      if (r0.status !== 'pending') throw new ConflictError('This request has already been decided.');
      const approved = input.outcome === 'approve';
      await repo.decideQuotaRequest(trx, id, {
        status: approved ? 'approved' : 'refused',
        decided_by_label: `${actor.name} <${actor.email}>`,
        decision_note: input.note ?? null,
      });
      await recordAudit(trx, actor, {
        action: approved ? 'quota.approve' : 'quota.refuse',
        entityType: 'quota_request',
        entityId: id,
        summary: approved
          ? `Approved ${region.name}'s quota rising from ${region.recruitment_target} to ${r0.requested_quota}`
          : `Refused ${region.name}'s request to raise its quota to ${r0.requested_quota}`,
        details: { note: input.note ?? null },
      });
      if (approved)
        await changePlacesInTransaction(trx, actor, r0.region_code, {
          target: r0.requested_quota,
          reason: `quota request ${id}`,
        });
      if (r0.requested_by_user_id) {
        const requester = await findAccountById(trx, r0.requested_by_user_id);
        if (requester) {
          await enqueueEmail(
            trx,
            quotaDecisionLetter({
              to: requester.email,
              name: requester.name,
              regionName: region.name,
              approved,
              requestedQuota: r0.requested_quota,
              note: input.note,
            }),
          );
        }
      }
    });
  }

  /**
   * The one writer of a region's places (its recruitment target): the programme page and API, and
   * approving a request for more places, all come here. A target below the places already taken
   * (accepted plus offers awaiting a reply, in the current intake) is refused; a higher one offers
   * the freed places to the top of the waitlist by the rule decisions follow (fillFreePlaces).
   * National team only; audited.
   */
  async function setPlaces(actor: Actor, regionCode: string, input: { target: number; reason?: string }) {
    requireRole(actor, ['national']);
    return db.transaction().execute((trx) => changePlacesInTransaction(trx, actor, regionCode, input));
  }

  async function changePlacesInTransaction(
    trx: Executor,
    actor: Actor,
    regionCode: string,
    input: { target: number; reason?: string },
  ) {
    requireRole(actor, ['national']);
    const region = await repo.lockRegion(trx, regionCode);
    if (!region) throw new NotFoundError('Region not found');
    if (!Number.isInteger(input.target) || input.target < 0 || input.target > 10_000)
      throw new ValidationError([
        { field: 'target', message: 'Enter the recruitment target as a whole number from 0 to 10,000' },
      ]);
    const intake = await repo.findCurrentIntake(trx, regionCode);
    const counts = intake ? await repo.countPlacesTakenByStatus(trx, intake.id) : { accepted: 0, offered: 0 };
    const taken = counts.accepted + counts.offered;
    if (input.target < taken)
      throw new ValidationError([
        {
          field: 'target',
          message:
            `The target cannot be lower than the ${taken} places already taken in ${region.name} ` +
            `(${counts.accepted} accepted and ${counts.offered} offers awaiting a reply). Enter ${taken} or more`,
        },
      ]);
    if (input.target === region.recruitment_target) return { changed: false, offered: 0 };
    await repo.setRegionTarget(trx, regionCode, input.target);
    await recordAudit(trx, actor, {
      action: 'region.target',
      entityType: 'region',
      entityId: regionCode,
      summary: `Recruitment target of ${region.name} changed from ${region.recruitment_target} to ${input.target}${input.reason ? `: ${input.reason}` : ''}`,
      details: { from: region.recruitment_target, to: input.target, reason: input.reason ?? null },
    });
    const offered = await fillFreePlaces(trx, regionCode, actor);
    return { changed: true, offered };
  }

  return {
    regionSummaries,
    regionSummary,
    setAutoOffer,
    requestQuota,
    listQuotaRequests,
    decideQuotaRequest,
    setPlaces,
  };
}
