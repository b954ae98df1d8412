import type { DB, Executor } from '../../db/database.ts';
import { cachedFor, REFERENCE_TTL_MS } from '../../platform/cache.ts';
import { type FieldError, NotFoundError } from '../../platform/errors.ts';
import * as repo from './development.repository.ts';

export type VersionStructure = {
  id: number;
  frameworkId: number;
  frameworkKey: string;
  frameworkName: string;
  publisher: string;
  versionNumber: number;
  edition: string;
  note: string | null;
  createdAt: Date;
  scale: { value: number; label: string; descriptor: string }[];
  domains: {
    id: number;
    name: string;
    optional: boolean;
    elements: { id: number; name: string; description: string | null }[];
  }[];
};

/**
 * The frameworks as every section of the service reads them: the frameworks with their current
 * versions, a version's structure (kept once read), which framework and version a member uses, and
 * the reference lists the profiles open on. Internal: not part of the service's interface.
 */
export function createVersions(deps: { db: DB }) {
  const { db } = deps;

  async function listFrameworks() {
    const rows = await repo.selectFrameworksWithCurrentVersion(db);
    return rows.map((r) => ({
      id: r.id,
      key: r.key,
      name: r.name,
      publisher: r.publisher,
      currentVersion: { id: r.version_id, versionNumber: r.version_number, edition: r.edition },
    }));
  }

  // A framework version never changes once recorded (a change is a new version), so its structure
  // is read once per process. Only reads outside a transaction fill the cache: a version created in
  // a transaction that rolls back is never remembered.
  const versions = new Map<number, VersionStructure>();
  async function loadVersion(x: Executor, versionId: number): Promise<VersionStructure> {
    const known = versions.get(versionId);
    if (known) return known;
    const structure = await readVersion(x, versionId);
    if (x === db) {
      if (versions.size >= 100) versions.clear();
      versions.set(versionId, structure);
    }
    return structure;
  }
  async function readVersion(x: Executor, versionId: number): Promise<VersionStructure> {
    const v = await repo.selectVersion(x, versionId);
    if (!v) throw new NotFoundError('There is no such framework version');
    const [scale, domains, elements] = await Promise.all([
      repo.selectScale(x, versionId),
      repo.selectDomains(x, versionId),
      repo.selectElements(x, versionId),
    ]);
    return {
      id: v.id,
      frameworkId: v.framework_id,
      frameworkKey: v.framework_key,
      frameworkName: v.framework_name,
      publisher: v.publisher,
      versionNumber: v.version_number,
      edition: v.edition,
      note: v.note,
      createdAt: v.created_at,
      scale,
      domains: domains.map((d) => ({
        id: d.id,
        name: d.name,
        optional: d.optional,
        elements: elements
          .filter((e) => e.domain_id === d.id)
          .map((e) => ({ id: e.id, name: e.name, description: e.description })),
      })),
    };
  }

  /** The framework a member uses: their intake's, else their region's, else the network default. */
  async function frameworkIdFor(x: Executor, userId: number) {
    const [placement, choices] = await Promise.all([
      repo.selectMemberPlacement(x, userId),
      repo.selectChoices(x),
    ]);
    const pick = (scope: string, key: string | number | null) =>
      key === null ? undefined : choices.find((c) => c.scope === scope && c.scope_key === String(key));
    const choice =
      pick('intake', placement.intakeId) ??
      pick('region', placement.regionCode) ??
      pick('network', 'default');
    if (choice) return { frameworkId: choice.framework_id, regionCode: placement.regionCode };
    const first = await repo.selectFrameworksWithCurrentVersion(x);
    if (!first[0]) throw new NotFoundError('No leadership framework has been set up yet');
    return { frameworkId: first[0].id, regionCode: placement.regionCode };
  }

  /** The member's framework, its current version and their region. */
  async function currentVersionFor(x: Executor, userId: number) {
    const { frameworkId, regionCode } = await frameworkIdFor(x, userId);
    const latest = await repo.selectLatestVersionOf(x, frameworkId);
    if (!latest) throw new NotFoundError('The framework has no published version');
    return { versionId: latest.id, frameworkId, regionCode };
  }

  // Read on every profiles view and changed only by the national team: which version the profiles
  // open on (the network framework's current one) and the regions. Kept for a minute at most,
  // cleared once this process has created a framework, published a version or changed a choice.
  const defaultProfileVersion = cachedFor(REFERENCE_TTL_MS, async () => {
    const choices = await repo.selectChoices(db);
    const fwId = choices.find((c) => c.scope === 'network')?.framework_id;
    const frameworks = await listFrameworks();
    return (frameworks.find((f) => f.id === fwId) ?? frameworks[0])?.currentVersion.id;
  });
  const regionsList = cachedFor(REFERENCE_TTL_MS, () => repo.selectRegions(db));

  return { listFrameworks, loadVersion, currentVersionFor, defaultProfileVersion, regionsList };
}
export type Versions = ReturnType<typeof createVersions>;

/** Checks ratings against a version: each element of it, rated once, on its scale; all required ones when asked. */
export function checkRatings(
  version: VersionStructure,
  ratings: { elementId: number; rating: number }[],
  opts: { requireAll: boolean },
): FieldError[] {
  const errors: FieldError[] = [];
  const elements = new Map(
    version.domains.flatMap((d) => d.elements.map((e) => [e.id, { ...e, domain: d }])),
  );
  const values = version.scale.map((s) => s.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const seen = new Set<number>();
  for (const r of ratings) {
    const field = `rating-${r.elementId}`;
    const element = elements.get(r.elementId);
    if (!element) {
      errors.push({
        field,
        message: `Competency ${r.elementId} is not part of ${version.frameworkName} version ${version.versionNumber}`,
      });
      continue;
    }
    if (seen.has(r.elementId)) errors.push({ field, message: `${element.name} is rated more than once` });
    seen.add(r.elementId);
    if (!values.includes(r.rating)) {
      errors.push({
        field,
        message: `Rating for ${element.name} must be on the scale, from ${min} (${version.scale[0]!.label}) to ${max} (${version.scale.at(-1)!.label})`,
      });
    }
  }
  if (opts.requireAll) {
    for (const d of version.domains) {
      if (d.optional) continue;
      for (const e of d.elements)
        if (!seen.has(e.id))
          errors.push({ field: `rating-${e.id}`, message: `Choose a rating for ${e.name}` });
    }
  }
  return errors;
}
