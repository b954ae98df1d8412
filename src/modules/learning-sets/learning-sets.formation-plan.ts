import type { DB, Executor } from '../../db/database.ts';
import { formatLongDate } from '../../platform/dates.ts';
import { ConflictError } from '../../platform/errors.ts';
import type { Actor } from '../../platform/permissions.ts';
import { type CohortMember, listCohortMembers } from '../members/index.ts';
import {
  buildDiversityMatrix,
  type GroupingProblem,
  listSameValuePairs,
  type PersonAttributes,
  type PersonPair,
} from './engine/index.ts';
import type { Access } from './learning-sets.access.ts';
import * as repo from './learning-sets.repository.ts';
import type { FormationInput } from './learning-sets.schemas.ts';
import { diversityAttributes, facilitatorCapacity, fail, londonTimeOfDay } from './learning-sets.shared.ts';
import type { FormationPerson, FormationSettings } from './learning-sets.table.ts';

/** A rough seniority band from a job title, for diversity (4 most senior); null when unknown. */
export function seniorityFromJobTitle(jobTitle: string | null): number | null {
  const t = (jobTitle ?? '').toLowerCase();
  if (!t.trim()) return null;
  if (/\b(director|chief|head of|executive|dean)\b/.test(t)) return 4;
  if (/\b(consultant|clinical lead|principal|matron|partner|lead)\b/.test(t)) return 3;
  if (/\b(senior|advanced|specialist|manager|registrar|charge)\b/.test(t)) return 2;
  return 1;
}

function cohortAttributes(m: CohortMember): Record<string, string | number | null> {
  return {
    profession: m.professionLabel,
    organisation: m.organisationName,
    system: m.systemName,
    specialty: m.specialtyName,
    seniority: seniorityFromJobTitle(m.jobTitle),
  };
}

/** "Ann Smith; Bob Jones" lines become pairs of user ids, matched on email or unique name. */
function parsePairs(text: string | undefined, cohort: CohortMember[], field: string, label: string) {
  const byEmail = new Map(cohort.map((m) => [m.email.toLowerCase(), m]));
  const byName = new Map<string, CohortMember[]>();
  for (const m of cohort) {
    const key = m.name.trim().toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), m]);
  }
  const pairs: [number, number][] = [];
  const lines = (text ?? '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const parts = line
      .split(/[;,]/)
      .map((p) => p.trim().toLowerCase())
      .filter(Boolean);
    if (parts.length !== 2)
      fail(
        field,
        `${label}, line ${i + 1}: write two members separated by a semicolon, like "Ann Smith; Bob Jones"`,
      );
    const ids = parts.map((p) => {
      const found = byEmail.get(p) ?? (byName.get(p)?.length === 1 ? byName.get(p)![0] : undefined);
      if (!found) {
        const many = (byName.get(p)?.length ?? 0) > 1;
        return fail(
          field,
          many
            ? `${label}, line ${i + 1}: more than one member is called "${p}"; use their email address`
            : `${label}, line ${i + 1}: "${p}" is not an active member of this cohort`,
        );
      }
      return found.userId;
    });
    if (ids[0] === ids[1]) fail(field, `${label}, line ${i + 1}: a member cannot be paired with themselves`);
    pairs.push([ids[0]!, ids[1]!]);
  });
  return pairs;
}

/** Groups connected by keep-together pairs (union-find), as lists of user ids. */
function togetherGroups(pairs: [number, number][]): number[][] {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    const p = parent.get(x) ?? x;
    if (p === x) return x;
    const r = find(p);
    parent.set(x, r);
    return r;
  };
  for (const [a, b] of pairs) {
    parent.set(a, find(a));
    parent.set(b, find(b));
    parent.set(find(a), find(b));
  }
  const groups = new Map<number, number[]>();
  for (const x of parent.keys()) {
    const r = find(x);
    groups.set(r, [...(groups.get(r) ?? []), x]);
  }
  return [...groups.values()];
}

/**
 * A cohort has at most one formation in progress: refused (409) when its sets are published or
 * a draft exists, naming who formed the draft and when, so the lead opens it rather than
 * forming a second one beside it.
 */
export async function requireCohortOpen(executor: Executor, intake: { id: number; name: string }) {
  if (await repo.findPublishedFormationForIntake(executor, intake.id))
    throw new ConflictError(`Sets for ${intake.name} are already published`);
  const draft = await repo.findDraftFormationForIntake(executor, intake.id);
  if (draft)
    throw new ConflictError(
      `Sets for ${intake.name} were formed by ${draft.created_by_name} at ${londonTimeOfDay(draft.created_at)} on ${formatLongDate(draft.created_at)}: open the draft (/learning-sets/formations/${draft.id}) to check and publish it, or discard it to form the sets again`,
    );
}

/** Checking a formation request and reading its cohort, before the engine runs. */
export function createFormationPlanning(deps: {
  db: DB;
  solveTimeMs: number;
  requireLead: Access['requireLead'];
}) {
  const { db, solveTimeMs, requireLead } = deps;

  /**
   * Checks the request and reads the cohort (no transaction): every rule that cannot be met is a
   * ValidationError on the field at fault, before any engine time is spent.
   */
  async function planFormation(actor: Actor, regionCode: string, input: FormationInput) {
    requireLead(actor, regionCode);
    const intake = await repo.findIntake(db, input.intakeId);
    if (!intake || intake.region_code !== regionCode)
      return fail('intakeId', 'Choose a cohort of this region');
    await requireCohortOpen(db, intake);
    const cohort = await listCohortMembers(db, regionCode, intake.id);
    const n = cohort.length;
    const { minSize, maxSize } = input;
    if (n < minSize)
      return fail(
        'intakeId',
        `${intake.name} has ${n} active member${n === 1 ? '' : 's'}, fewer than the smallest set size of ${minSize}`,
      );
    const fewest = Math.ceil(n / maxSize);
    const most = Math.floor(n / minSize);
    const m = input.setCount ?? fewest;
    if (fewest > most)
      return fail(
        'minSize',
        `${n} members cannot be split into sets of ${minSize} to ${maxSize}: ${fewest} sets would be too small and ${most} too large. Widen the size bounds.`,
      );
    if (m < fewest || m > most)
      return fail(
        'setCount',
        `${n} members in sets of ${minSize} to ${maxSize} need between ${fewest} and ${most} sets; ${m} is outside that`,
      );

    const keepApart = parsePairs(input.keepApart, cohort, 'keepApart', 'Keep apart');
    const keepTogether = parsePairs(input.keepTogether, cohort, 'keepTogether', 'Keep together');
    const nameOf = new Map(cohort.map((c) => [c.userId, c.name]));
    const groups = togetherGroups(keepTogether);
    for (const g of groups) {
      if (g.length > maxSize)
        fail(
          'keepTogether',
          `${g.map((id) => nameOf.get(id)).join(', ')} must be kept together, but sets hold at most ${maxSize}`,
        );
    }
    for (const [a, b] of keepApart) {
      if (groups.some((g) => g.includes(a) && g.includes(b)))
        fail(
          'keepApart',
          `${nameOf.get(a)} and ${nameOf.get(b)} must be kept apart, but the keep-together pairs put them in the same set`,
        );
    }

    const facilitators = await facilitatorCapacity(db, regionCode);
    const spare = facilitators.reduce((s, f) => s + f.spare, 0);
    if (spare < m) {
      const list = facilitators.length
        ? facilitators.map((f) => `${f.name} ${f.spare} of ${f.maxSets}`).join(', ')
        : 'none is registered';
      return fail(
        'setCount',
        `This cohort needs ${m} sets, each with a facilitator, but the region's facilitators can take only ${spare} more (${list}). Add a facilitator or raise a capacity.`,
      );
    }

    const settings: FormationSettings = {
      attributes: [
        { key: 'profession', weight: input.weightProfession },
        { key: 'organisation', weight: input.weightOrganisation },
        { key: 'system', weight: input.weightSystem },
        { key: 'specialty', weight: input.weightSpecialty },
        { key: 'seniority', weight: input.weightSeniority },
      ],
      keepApart,
      keepTogether,
      seed: input.seed,
      timeLimitMs: solveTimeMs,
    };
    const people: FormationPerson[] = cohort.map((c) => ({
      userId: c.userId,
      name: c.name,
      attributes: cohortAttributes(c),
    }));
    const attrs = people.map((p) => p.attributes as PersonAttributes);
    const index = new Map(cohort.map((c, i) => [c.userId, i]));
    const lower = new Array<number>(m).fill(input.sizing === 'equal' ? Math.floor(n / m) : minSize);
    const upper = new Array<number>(m).fill(input.sizing === 'equal' ? Math.ceil(n / m) : maxSize);
    const problem: GroupingProblem = {
      n,
      distances: buildDiversityMatrix(attrs, diversityAttributes(settings)),
      lower,
      upper,
      keepApart: keepApart.map(([a, b]) => [index.get(a)!, index.get(b)!] as PersonPair),
      keepTogether: groups.map((g) => g.map((id) => index.get(id)!)),
      avoidTogether: input.separateOrganisations ? listSameValuePairs(attrs, 'organisation') : [],
    };
    return {
      regionCode,
      input,
      intake,
      cohort,
      people,
      settings,
      problem,
      facilitators,
      keepApart,
      keepTogether,
      lower,
      upper,
      m,
      n,
    };
  }

  return { planFormation };
}
export type FormationPlan = Awaited<ReturnType<ReturnType<typeof createFormationPlanning>['planFormation']>>;
