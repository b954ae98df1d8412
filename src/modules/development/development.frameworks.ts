import type { DB } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { type FieldError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type Actor, requireRole } from '../../platform/permissions.ts';
import * as repo from './development.repository.ts';
import {
  type FrameworkStructureInput,
  frameworkStructureInput,
  type NewFrameworkInput,
  newFrameworkInput,
} from './development.schemas.ts';
import { parseWith } from './development.shared.ts';
import type { Versions } from './development.versions.ts';

/**
 * Competency frameworks, the national team's side: reading frameworks and versions, creating a
 * framework, publishing its next version, and choosing the framework of the network, a region or an
 * intake.
 */
export function createFrameworks(deps: { db: DB; versions: Versions }) {
  const { db } = deps;
  const { listFrameworks, loadVersion, currentVersionFor, defaultProfileVersion } = deps.versions;
  async function getVersion(versionId: number) {
    return loadVersion(db, versionId);
  }

  async function getFramework(frameworkId: number) {
    const f = await repo.selectFramework(db, frameworkId);
    if (!f) throw new NotFoundError('There is no such framework');
    const versions = await repo.selectVersionsOf(db, frameworkId);
    return {
      id: f.id,
      key: f.key,
      name: f.name,
      publisher: f.publisher,
      versions: versions.map((v) => ({
        id: v.id,
        versionNumber: v.version_number,
        edition: v.edition,
        createdAt: v.created_at,
      })),
    };
  }

  async function getMyFramework(actor: Actor) {
    requireRole(actor, ['member']);
    const { versionId } = await currentVersionFor(db, actor.userId);
    return loadVersion(db, versionId);
  }

  function checkStructure(input: FrameworkStructureInput): FieldError[] {
    const errors: FieldError[] = [];
    const domainNames = new Set<string>();
    const elementNames = new Set<string>();
    for (const d of input.domains) {
      if (domainNames.has(d.name.toLowerCase()))
        errors.push({ field: 'structure', message: `The domain "${d.name}" appears twice` });
      domainNames.add(d.name.toLowerCase());
      for (const e of d.elements) {
        if (elementNames.has(e.name.toLowerCase()))
          errors.push({ field: 'structure', message: `The element "${e.name}" appears twice` });
        elementNames.add(e.name.toLowerCase());
      }
    }
    const labels = new Set(input.scale.map((s) => s.label.toLowerCase()));
    if (labels.size !== input.scale.length)
      errors.push({ field: 'scale', message: 'Each point of the rating scale needs its own label' });
    return errors;
  }
  async function createFramework(actor: Actor, raw: NewFrameworkInput | unknown) {
    requireRole(actor, ['national']);
    const input = parseWith(newFrameworkInput, raw);
    const problems = checkStructure(input);
    if (problems.length) throw new ValidationError(problems);
    const created = await db.transaction().execute(async (trx) => {
      if (await repo.selectFrameworkByKey(trx, input.key)) {
        throw new ValidationError([
          { field: 'key', message: `A framework with the key ${input.key} already exists` },
        ]);
      }
      const fw = await repo.insertFramework(trx, {
        key: input.key,
        name: input.name,
        publisher: input.publisher,
      });
      const versionId = await repo.insertVersion(trx, {
        frameworkId: fw.id,
        versionNumber: 1,
        edition: input.edition,
        note: input.note,
        createdBy: actor.userId,
        scale: input.scale,
        domains: input.domains,
      });
      await recordAudit(trx, actor, {
        action: 'development.framework.create',
        entityType: 'dev_framework',
        entityId: fw.id,
        summary: `Created the framework ${input.name} (${input.key})`,
      });
      return { frameworkId: fw.id, versionId };
    });
    defaultProfileVersion.clear();
    return created;
  }

  /** Editing a framework publishes its next version; earlier versions stay as they were. */
  async function publishVersion(actor: Actor, frameworkId: number, raw: FrameworkStructureInput | unknown) {
    requireRole(actor, ['national']);
    const input = parseWith(frameworkStructureInput, raw);
    const problems = checkStructure(input);
    if (problems.length) throw new ValidationError(problems);
    const published = await db.transaction().execute(async (trx) => {
      const fw = await repo.selectFramework(trx, frameworkId);
      if (!fw) throw new NotFoundError('There is no such framework');
      const latest = await repo.selectLatestVersionOf(trx, frameworkId);
      const versionNumber = (latest?.version_number ?? 0) + 1;
      const versionId = await repo.insertVersion(trx, {
        frameworkId,
        versionNumber,
        edition: input.edition,
        note: input.note,
        createdBy: actor.userId,
        scale: input.scale,
        domains: input.domains,
      });
      await recordAudit(trx, actor, {
        action: 'development.framework.version',
        entityType: 'dev_framework',
        entityId: frameworkId,
        summary: `Published version ${versionNumber} of ${fw.name}`,
        details: { versionId },
      });
      return { versionId, versionNumber };
    });
    defaultProfileVersion.clear();
    return published;
  }

  async function listChoices(actor: Actor) {
    requireRole(actor, ['national']);
    const [choices, regions, intakes, frameworks] = await Promise.all([
      repo.selectChoices(db),
      repo.selectRegions(db),
      repo.selectIntakes(db),
      listFrameworks(),
    ]);
    const find = (scope: string, key: string) =>
      choices.find((c) => c.scope === scope && c.scope_key === key)?.framework_id ?? null;
    return {
      frameworks,
      network: find('network', 'default'),
      regions: regions.map((r) => ({ code: r.code, name: r.name, frameworkId: find('region', r.code) })),
      intakes: intakes.map((i) => ({
        id: i.id,
        name: i.name,
        regionCode: i.region_code,
        status: i.status,
        frameworkId: find('intake', String(i.id)),
      })),
    };
  }

  /** Sets the framework of the network (default), a region or an intake; null returns to the wider choice. */
  async function setFrameworkChoice(
    actor: Actor,
    c: { scope: 'network' | 'region' | 'intake'; scopeKey: string; frameworkId: number | null },
  ) {
    requireRole(actor, ['national']);
    await db.transaction().execute(async (trx) => {
      if (c.scope === 'network' && c.frameworkId === null)
        throw new ValidationError([
          { field: 'frameworkId', message: 'Choose the network’s default framework' },
        ]);
      if (c.frameworkId !== null && !(await repo.selectFramework(trx, c.frameworkId)))
        throw new ValidationError([{ field: 'frameworkId', message: 'Choose a framework from the list' }]);
      if (c.scope === 'region' && !(await repo.selectRegions(trx)).some((r) => r.code === c.scopeKey))
        throw new NotFoundError('There is no such region');
      if (c.scope === 'intake' && !(await repo.selectIntakes(trx)).some((i) => String(i.id) === c.scopeKey))
        throw new NotFoundError('There is no such intake');
      if (c.frameworkId === null) await repo.deleteChoice(trx, c.scope as 'region' | 'intake', c.scopeKey);
      else
        await repo.upsertChoice(trx, {
          scope: c.scope,
          scopeKey: c.scope === 'network' ? 'default' : c.scopeKey,
          frameworkId: c.frameworkId,
        });
      await recordAudit(trx, actor, {
        action: 'development.framework.choice',
        entityType: 'dev_framework_choice',
        entityId: `${c.scope}:${c.scopeKey}`,
        summary:
          c.frameworkId === null
            ? `The ${c.scope} ${c.scopeKey} now uses the wider default framework`
            : `Set the framework of the ${c.scope} ${c.scopeKey} to framework ${c.frameworkId}`,
      });
    });
    defaultProfileVersion.clear();
  }

  return {
    listFrameworks,
    getVersion,
    getFramework,
    getMyFramework,
    createFramework,
    publishVersion,
    listChoices,
    setFrameworkChoice,
  };
}
