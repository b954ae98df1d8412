import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { letter } from '../../platform/emails.ts';
import { ConflictError, NotFoundError } from '../../platform/errors.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import type { Actor } from '../../platform/permissions.ts';
import { describeGroupDiversity, type PersonAttributes } from './engine/index.ts';
import type { Access } from './learning-sets.access.ts';
import * as repo from './learning-sets.repository.ts';
import { ATTRIBUTES } from './learning-sets.schemas.ts';
import { diversityAttributes, facilitatorCapacity } from './learning-sets.shared.ts';
import type { FormationPerson, FormationSettings } from './learning-sets.table.ts';

/** A draft formation: shown with its diversity, listed, published or discarded. */
export function createDrafts(deps: {
  db: DB;
  baseUrl: string;
  access: Pick<Access, 'requireLead' | 'loadFormation'>;
}) {
  const { db, baseUrl } = deps;
  const { requireLead, loadFormation } = deps.access;

  /** Every set of a formation with its members, diversity and the rules it breaks, for the page and the API. */
  async function describeFormation(actor: Actor, id: number) {
    const formation = await loadFormation(actor, id);
    const [sets, members] = await Promise.all([
      repo.listFormationSets(db, id),
      repo.listFormationMembers(db, id),
    ]);
    const people = formation.people as FormationPerson[];
    const settings = formation.settings as FormationSettings;
    const attrs = people.map((p) => p.attributes as PersonAttributes);
    const attributes = diversityAttributes(settings);
    const labelOf = new Map(ATTRIBUTES.map((a) => [a.key as string, a.label]));
    const described = sets.map((s) => {
      const indexes = members.filter((m) => m.set_id === s.id).map((m) => m.person_index);
      const diversity = describeGroupDiversity(attrs, attributes, indexes);
      const sameOrganisation = diversity.attributes.find((a) => a.key === 'organisation')?.repeated ?? [];
      return {
        id: s.id,
        name: s.name,
        minSize: s.min_size,
        maxSize: s.max_size,
        facilitator: s.facilitator_user_id
          ? { userId: s.facilitator_user_id, name: s.facilitator_name ?? '' }
          : null,
        members: indexes
          .map((i) => ({ userId: people[i]!.userId, name: people[i]!.name, ...people[i]!.attributes }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        score: diversity.totalDistance,
        meanPairScore: diversity.meanPairDistance,
        spreads: diversity.attributes.map((a) => ({
          key: a.key,
          label: labelOf.get(a.key) ?? a.key,
          distinct: a.distinctValues,
          repeated: a.repeated,
          missing: a.missing,
          counts: Object.entries(a.counts)
            .sort((x, y) => y[1] - x[1])
            .map(([value, count]) => ({ value, count })),
          range: a.kind === 'numeric' && a.min !== undefined ? { min: a.min, max: a.max! } : null,
        })),
        sameOrganisation: formation.separate_organisations ? sameOrganisation : [],
      };
    });
    const objective = described.reduce((s, x) => s + x.score, 0);
    return {
      formation: {
        id: formation.id,
        status: formation.status,
        regionCode: formation.region_code,
        regionName: formation.region_name,
        intakeId: formation.intake_id,
        intakeName: formation.intake_name,
        minSize: formation.min_size,
        maxSize: formation.max_size,
        equalSizes: formation.equal_sizes,
        separateOrganisations: formation.separate_organisations,
        objective,
        createdAt: formation.created_at,
        publishedAt: formation.published_at,
        settings,
        memberCount: people.length,
      },
      sets: described,
    };
  }

  async function listFormations(actor: Actor, regionCode: string) {
    requireLead(actor, regionCode);
    return repo.listFormations(db, regionCode);
  }

  /**
   * Publishes a draft. The cohort and the region's facilitators are locked first (as formSets
   * locks them), so two drafts of one cohort are never both published and a facilitator's
   * capacity, counted over published sets, is checked against what is published at this moment.
   */
  async function publishFormation(actor: Actor, formationId: number) {
    return db.transaction().execute(async (trx) => {
      const found = await repo.findFormation(trx, formationId);
      if (!found) throw new NotFoundError('There is no such set formation');
      await repo.lockIntake(trx, found.intake_id);
      await repo.lockFacilitators(trx, found.region_code);
      await repo.lockFormation(trx, formationId);
      const formation = await loadFormation(actor, formationId, trx);
      if (formation.status !== 'draft') throw new ConflictError('These sets are already published');
      if (await repo.findPublishedFormationForIntake(trx, formation.intake_id))
        throw new ConflictError(`Sets for ${formation.intake_name} are already published`);
      const sets = await repo.listFormationSets(trx, formationId);
      const missing = sets.filter((s) => !s.facilitator_user_id);
      if (missing.length)
        throw new ConflictError(`Give ${missing.map((s) => s.name).join(', ')} a facilitator first`);
      const capacity = new Map(
        (await facilitatorCapacity(trx, formation.region_code)).map((f) => [f.userId, f]),
      );
      for (const s of sets) {
        const wanted = sets.filter((x) => x.facilitator_user_id === s.facilitator_user_id).length;
        const f = capacity.get(s.facilitator_user_id!);
        if (!f)
          throw new ConflictError(
            `${s.facilitator_name ?? 'The facilitator'} of ${s.name} is no longer an active facilitator in ${formation.region_code}: choose another facilitator`,
          );
        if (wanted > f.spare)
          throw new ConflictError(
            `${f.name} would facilitate ${wanted} of these sets but can take only ${f.spare} more (capacity ${f.maxSets}): choose another facilitator for a set or raise their capacity`,
          );
      }
      await repo.publishFormation(trx, formationId, actor.userId);
      for (const s of sets) {
        const members = await repo.listSetMembersWithNames(trx, s.id);
        const names = members.map((m) => m.name).join(', ');
        for (const m of members) {
          await enqueueEmail(
            trx,
            letter({
              to: m.email,
              name: m.name,
              kind: 'learning-sets.published',
              subject: `Your action learning set: ${s.name}`,
              body: [
                `You are in ${s.name}, facilitated by ${s.facilitator_name}. Its members are ${names}.`,
                {
                  text: 'See your set and its sessions:',
                  link: `${baseUrl}/learning-sets/sets/${s.id}`,
                },
              ],
            }),
          );
        }
        if (s.facilitator_email) {
          await enqueueEmail(
            trx,
            letter({
              to: s.facilitator_email,
              name: s.facilitator_name,
              kind: 'learning-sets.published',
              subject: `You facilitate ${s.name}`,
              body: [
                `You facilitate ${s.name} (${members.length} members: ${names}).`,
                { text: 'Schedule its sessions:', link: `${baseUrl}/learning-sets/sets/${s.id}` },
              ],
            }),
          );
        }
      }
      await recordAudit(trx, actor, {
        action: 'learning-sets.formation.publish',
        entityType: 'set-formation',
        entityId: formationId,
        summary: `Published ${sets.length} sets for ${formation.intake_name} (${formation.region_code})`,
      });
      return formation;
    });
  }

  async function discardFormation(actor: Actor, formationId: number) {
    return db.transaction().execute(async (trx) => {
      await repo.lockFormation(trx, formationId);
      const formation = await loadFormation(actor, formationId, trx);
      if (formation.status !== 'draft') throw new ConflictError('Published sets cannot be discarded');
      await repo.deleteFormation(trx, formationId);
      await recordAudit(trx, actor, {
        action: 'learning-sets.formation.discard',
        entityType: 'set-formation',
        entityId: formationId,
        summary: `Discarded the draft sets for ${formation.intake_name} (${formation.region_code})`,
      });
      return formation;
    });
  }

  return { describeFormation, listFormations, publishFormation, discardFormation };
}
