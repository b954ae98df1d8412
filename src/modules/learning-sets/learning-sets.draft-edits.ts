import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { describeGroupDiversity, type PersonAttributes } from './engine/index.ts';
import type { Access } from './learning-sets.access.ts';
import * as repo from './learning-sets.repository.ts';
import { diversityAttributes, facilitatorCapacity, fail } from './learning-sets.shared.ts';
import type { FormationPerson, FormationSettings } from './learning-sets.table.ts';

/** Hand edits of a draft formation (move, swap, change a facilitator), each re-scored and audited. */
export function createDraftEdits(deps: { db: DB; access: Pick<Access, 'loadFormation'> }) {
  const { db } = deps;
  const { loadFormation } = deps.access;

  /** Re-scores a formation after a hand edit, from the stored snapshot. */
  async function rescore(
    trx: Executor,
    formationId: number,
    people: FormationPerson[],
    settings: FormationSettings,
  ) {
    const members = await repo.listFormationMembers(trx, formationId);
    const bySet = new Map<number, number[]>();
    for (const m of members) bySet.set(m.set_id, [...(bySet.get(m.set_id) ?? []), m.person_index]);
    const attrs = people.map((p) => p.attributes as PersonAttributes);
    const attributes = diversityAttributes(settings);
    let objective = 0;
    for (const indexes of bySet.values())
      objective += describeGroupDiversity(attrs, attributes, indexes).totalDistance;
    return objective;
  }

  type EditContext = { formation: Awaited<ReturnType<typeof loadFormation>>; trx: Executor };

  async function editDraft(actor: Actor, formationId: number, edit: (c: EditContext) => Promise<string>) {
    return db.transaction().execute(async (trx) => {
      await repo.lockFormation(trx, formationId);
      const formation = await loadFormation(actor, formationId, trx);
      if (formation.status !== 'draft') throw new ConflictError('Published sets cannot be changed by hand');
      const summary = await edit({ formation, trx });
      const people = formation.people as FormationPerson[];
      const settings = formation.settings as FormationSettings;
      const objective = await rescore(trx, formationId, people, settings);
      await repo.updateFormationScore(trx, formationId, objective, formation.unmet_preferences);
      await recordAudit(trx, actor, {
        action: 'learning-sets.formation.edit',
        entityType: 'set-formation',
        entityId: formationId,
        summary,
        details: { objective },
      });
      return summary;
    });
  }

  /** The hard pair rules broken if `userId` ends up in a set with `others`. */
  function pairRuleProblems(
    settings: FormationSettings,
    nameOf: (id: number) => string,
    userId: number,
    newMates: number[],
    leftBehind: number[],
  ): string | null {
    for (const [a, b] of settings.keepApart) {
      const other = a === userId ? b : b === userId ? a : null;
      if (other !== null && newMates.includes(other))
        return `${nameOf(userId)} and ${nameOf(other)} must be kept apart`;
    }
    for (const [a, b] of settings.keepTogether) {
      const other = a === userId ? b : b === userId ? a : null;
      if (other !== null && leftBehind.includes(other))
        return `${nameOf(userId)} and ${nameOf(other)} must be kept together: move or swap them together`;
    }
    return null;
  }

  async function moveMember(actor: Actor, formationId: number, input: { userId: number; setId: number }) {
    return editDraft(actor, formationId, async ({ formation, trx }) => {
      const members = await repo.listFormationMembers(trx, formationId);
      const sets = await repo.listFormationSets(trx, formationId);
      const people = formation.people as FormationPerson[];
      const nameOf = (id: number) => people.find((p) => p.userId === id)?.name ?? `member ${id}`;
      const moving = members.find((m) => m.user_id === input.userId);
      if (!moving) return fail('userId', 'Choose a member of these sets');
      const target = sets.find((s) => s.id === input.setId);
      if (!target) return fail('setId', 'Choose one of these sets');
      const source = sets.find((s) => s.id === moving.set_id)!;
      if (source.id === target.id)
        return fail('setId', `${nameOf(input.userId)} is already in ${target.name}`);
      const sourceSize = members.filter((m) => m.set_id === source.id).length;
      const targetSize = members.filter((m) => m.set_id === target.id).length;
      if (sourceSize - 1 < source.min_size)
        return fail(
          'userId',
          `${source.name} would have ${sourceSize - 1} members; it needs at least ${source.min_size}. Swap instead.`,
        );
      if (targetSize + 1 > target.max_size)
        return fail(
          'setId',
          `${target.name} would have ${targetSize + 1} members; it can have at most ${target.max_size}. Swap instead.`,
        );
      const problem = pairRuleProblems(
        formation.settings as FormationSettings,
        nameOf,
        input.userId,
        members.filter((m) => m.set_id === target.id).map((m) => m.user_id),
        members.filter((m) => m.set_id === source.id && m.user_id !== input.userId).map((m) => m.user_id),
      );
      if (problem) return fail('userId', problem);
      await repo.moveMember(trx, formationId, input.userId, target.id);
      return `Moved ${nameOf(input.userId)} from ${source.name} to ${target.name}`;
    });
  }

  async function swapMembers(
    actor: Actor,
    formationId: number,
    input: { userId: number; otherUserId: number },
  ) {
    return editDraft(actor, formationId, async ({ formation, trx }) => {
      const members = await repo.listFormationMembers(trx, formationId);
      const sets = await repo.listFormationSets(trx, formationId);
      const people = formation.people as FormationPerson[];
      const nameOf = (id: number) => people.find((p) => p.userId === id)?.name ?? `member ${id}`;
      const a = members.find((m) => m.user_id === input.userId);
      const b = members.find((m) => m.user_id === input.otherUserId);
      if (!a) return fail('userId', 'Choose a member of these sets');
      if (!b) return fail('otherUserId', 'Choose a member of these sets');
      if (a.set_id === b.set_id)
        return fail(
          'otherUserId',
          `${nameOf(a.user_id)} and ${nameOf(b.user_id)} are already in the same set`,
        );
      const settings = formation.settings as FormationSettings;
      const inSet = (setId: number, except: number) =>
        members.filter((m) => m.set_id === setId && m.user_id !== except).map((m) => m.user_id);
      const problem =
        pairRuleProblems(
          settings,
          nameOf,
          a.user_id,
          inSet(b.set_id, b.user_id),
          inSet(a.set_id, a.user_id),
        ) ??
        pairRuleProblems(settings, nameOf, b.user_id, inSet(a.set_id, a.user_id), inSet(b.set_id, b.user_id));
      if (problem) return fail('userId', problem);
      await repo.moveMember(trx, formationId, a.user_id, b.set_id);
      await repo.moveMember(trx, formationId, b.user_id, a.set_id);
      const setName = (id: number) => sets.find((s) => s.id === id)?.name ?? '';
      return `Swapped ${nameOf(a.user_id)} (${setName(a.set_id)}) and ${nameOf(b.user_id)} (${setName(b.set_id)})`;
    });
  }

  async function changeFacilitator(
    actor: Actor,
    formationId: number,
    setId: number,
    facilitatorUserId: number,
  ) {
    return editDraft(actor, formationId, async ({ formation, trx }) => {
      const sets = await repo.listFormationSets(trx, formationId);
      const set = sets.find((s) => s.id === setId);
      if (!set) throw new NotFoundError('There is no such set in this formation');
      const capacity = await facilitatorCapacity(trx, formation.region_code);
      const f = capacity.find((c) => c.userId === facilitatorUserId);
      if (!f) return fail('facilitatorUserId', 'Choose a facilitator of this region');
      const inThisDraft = sets.filter((s) => s.facilitator_user_id === f.userId && s.id !== setId).length;
      if (inThisDraft + 1 > f.spare)
        return fail(
          'facilitatorUserId',
          `${f.name} has capacity for ${f.spare} more set${f.spare === 1 ? '' : 's'} and already has ${inThisDraft} here`,
        );
      await repo.setFacilitatorOfSet(trx, setId, f.userId);
      return `Made ${f.name} the facilitator of ${set.name}`;
    });
  }

  return { moveMember, swapMembers, changeFacilitator };
}
