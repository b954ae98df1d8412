import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { letter } from '../../platform/emails.ts';
import { longDate } from '../../platform/dates.ts';
import { ConflictError, ValidationError } from '../../platform/errors.ts';
import { enqueueEmails } from '../../platform/outbox.ts';
import type { Actor } from '../../platform/permissions.ts';
import { PROFESSIONS } from '../../platform/registration.ts';
import {
  countPolicyAudienceBy,
  listPolicyAudienceBatch,
  listPolicyReferenceLists,
  type PolicyAudience,
} from '../members/index.ts';
import { type PolicyAccess, requirePolicyTeam } from './policy.access.ts';
import { presentCallSummary } from './policy.calls.ts';
import * as repo from './policy.participation.repository.ts';
import { GROUP_DIMENSIONS, type NudgeInput } from './policy.schemas.ts';
import type { GroupDimension, PolicyCallRow } from './policy.table.ts';

/** No count under this is shown: "fewer than 5". */
export const SUPPRESS_BELOW = 5;
const NOT_RECORDED = '';

export type Cell = {
  value: string;
  label: string;
  responses: number | null;
  /** Why a hidden count is hidden: under 5, or hidden so another cannot be worked out. */
  responsesNote: string | null;
  audience: number | null;
  audienceNote: string | null;
  shareOfResponses: number | null;
  responseRate: number | null;
  suppressed: boolean;
};

/**
 * Small-number suppression of one column of counts whose total is shown: every count under 5 is
 * hidden, and when exactly one is hidden the next smallest is hidden too, so no hidden count can be
 * worked out by taking the others from the total.
 */
export function suppress(counts: number[]): boolean[] {
  const hidden = counts.map((n) => n < SUPPRESS_BELOW);
  const nHidden = hidden.filter(Boolean).length;
  if (nHidden === 1 && counts.length > 1) {
    let next = -1;
    for (const [i, n] of counts.entries()) if (!hidden[i] && (next < 0 || n < counts[next]!)) next = i;
    if (next >= 0) hidden[next] = true;
  }
  return hidden;
}

const note = (n: number) => (n < SUPPRESS_BELOW ? 'fewer than 5' : 'hidden');

export function audienceOf(call: PolicyCallRow): PolicyAudience {
  return {
    regions: call.audience_regions,
    professions: call.audience_professions,
    specialtyIds: call.audience_specialty_ids,
    intakeId: call.audience_intake_id,
  };
}

const DIMENSION_LABELS: Record<GroupDimension, string> = {
  profession: 'Profession',
  region: 'Region',
  specialty: 'Specialty',
  setting: 'Setting (kind of employer)',
};

/**
 * Who has responded before the call closes, by profession, region, specialty and setting, against
 * the make-up of the call's audience in the network: counts and shares, never names, and no count
 * under 5. The call's owner and the national team can nudge a group that is under-represented.
 */
export function createParticipation(deps: { db: DB; access: PolicyAccess; baseUrl: string }) {
  const { db, access, baseUrl } = deps;

  async function labelsFor() {
    const lists = await listPolicyReferenceLists(db);
    const labels: Record<GroupDimension, Map<string, string>> = {
      region: new Map(lists.regions.map((r) => [r.code, r.name])),
      profession: new Map(PROFESSIONS.map((p) => [p.key as string, p.label as string])),
      specialty: new Map(lists.specialties.map((s) => [String(s.id), s.name])),
      setting: new Map(
        lists.settings.map((s) => [s, s.charAt(0).toUpperCase() + s.slice(1).replace(/-/g, ' ')]),
      ),
    };
    return labels;
  }

  async function getParticipation(actor: Actor, callId: number) {
    requirePolicyTeam(actor);
    const { call, manage } = await access.loadCallFor(actor, callId);
    const labels = await labelsFor();
    const audience = audienceOf(call);
    const dimensions = [];
    let totalResponses = 0;
    let totalAudience = 0;
    for (const dimension of GROUP_DIMENSIONS) {
      const [responses, members] = [
        await repo.countResponsesBy(db, callId, dimension),
        await countPolicyAudienceBy(db, audience, dimension),
      ];
      const keys = new Map<string, { responses: number; audience: number }>();
      for (const m of members) keys.set(m.value ?? NOT_RECORDED, { responses: 0, audience: m.count });
      for (const r of responses) {
        const k = r.value ?? NOT_RECORDED;
        keys.set(k, { responses: r.count, audience: keys.get(k)?.audience ?? 0 });
      }
      // Groups by name; "not recorded" last.
      const sortKey = (k: string) => (k === NOT_RECORDED ? '~' : (labels[dimension].get(k) ?? k));
      const entries = [...keys.entries()].sort((a, b) => sortKey(a[0]).localeCompare(sortKey(b[0])));
      const rTotal = entries.reduce((s, [, v]) => s + v.responses, 0);
      const aTotal = entries.reduce((s, [, v]) => s + v.audience, 0);
      totalResponses = rTotal;
      totalAudience = aTotal;
      const hideR = suppress(entries.map(([, v]) => v.responses));
      const hideA = suppress(entries.map(([, v]) => v.audience));
      const cells: Cell[] = entries.map(([value, v], i) => {
        const r = hideR[i] ? null : v.responses;
        const a = hideA[i] ? null : v.audience;
        return {
          value,
          label: value === NOT_RECORDED ? 'Not recorded' : (labels[dimension].get(value) ?? value),
          responses: r,
          responsesNote: r === null ? note(v.responses) : null,
          audience: a,
          audienceNote: a === null ? note(v.audience) : null,
          shareOfResponses: r !== null && rTotal > 0 ? r / rTotal : null,
          responseRate: r !== null && a !== null && a > 0 ? r / a : null,
          suppressed: hideR[i]! || hideA[i]!,
        };
      });
      dimensions.push({ dimension, label: DIMENSION_LABELS[dimension], cells });
    }
    const nudges = await repo.listNudges(db, callId);
    return {
      call: presentCallSummary(call),
      callId,
      canNudge: manage && call.status === 'open',
      // A total is a count like any other: under 5 it would give away a group that is the whole.
      totalResponses: totalResponses < SUPPRESS_BELOW ? null : totalResponses,
      totalAudience: totalAudience < SUPPRESS_BELOW ? null : totalAudience,
      dimensions,
      nudges: nudges.map((n) => ({
        dimension: n.dimension,
        value: n.value,
        label: n.value === NOT_RECORDED ? 'Not recorded' : (labels[n.dimension].get(n.value) ?? n.value),
        recipients: n.recipients,
        sentAt: n.sent_at.toISOString(),
        sentBy: n.sent_by_name,
      })),
    };
  }

  /** Emails the members of one group of the audience who have not responded; returns how many. */
  async function nudgeGroup(
    actor: Actor,
    callId: number,
    input: NudgeInput,
  ): Promise<{ recipients: number; label: string }> {
    const labels = await labelsFor();
    return db.transaction().execute(async (trx) => {
      const { call } = await access.loadCallToManage(actor, callId, trx);
      if (call.status !== 'open') throw new ConflictError('Only an open call’s audience can be nudged');
      const label = labels[input.dimension].get(input.value);
      if (!label)
        throw new ValidationError([
          { field: 'value', message: `Choose a ${input.dimension} of the call’s audience` },
        ]);
      const group = { dimension: input.dimension, value: input.value };
      let after = 0;
      let recipients = 0;
      for (;;) {
        const batch = await listPolicyAudienceBatch(trx, audienceOf(call), {
          afterUserId: after,
          limit: 1000,
          group,
          excludeRespondedTo: callId,
        });
        if (!batch.length) break;
        await enqueueEmails(
          trx,
          batch.map((m) =>
            letter({
              to: m.email,
              name: m.name,
              kind: 'policy.call.nudge',
              subject: `Your view is still wanted: ${call.title}`,
              body: [
                `We have heard from fewer clinicians in your group (${label}) than we hoped about “${call.title}”. The call closes on ${longDate(call.closes_on)}.`,
                input.message,
                { text: 'Read the call and respond:', link: `${baseUrl}/policy/calls/${call.id}` },
              ],
            }),
          ),
        );
        recipients += batch.length;
        after = batch[batch.length - 1]!.userId;
      }
      await repo.insertNudge(trx, {
        callId,
        dimension: input.dimension,
        value: input.value,
        message: input.message,
        recipients,
        by: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'policy.call.nudge',
        entityType: 'policy_call',
        entityId: callId,
        summary: `Nudged the ${input.dimension} ${label} about “${call.title}”: ${recipients} members who had not responded`,
        details: { dimension: input.dimension, value: input.value, recipients },
      });
      return { recipients, label };
    });
  }

  return { getParticipation, nudgeGroup };
}
export type PolicyParticipation = ReturnType<typeof createParticipation>;
