import type { z } from 'zod';
import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import {
  AppError,
  ConflictError,
  type FieldError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts';
import { cachedFor, REFERENCE_TTL_MS } from '../../platform/cache.ts';
import { toFieldErrors } from '../../platform/forms.ts';
import { letterText } from '../../platform/emails.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import { type Actor, type AnonymousActor, regionsWhere, requireRole } from '../../platform/permissions.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import { londonDate } from '../../platform/dates.ts';
import * as repo from './development.repository.ts';
import * as totals from './development.profile-totals.ts';
import { rankElements, rowFigures } from './development.report.ts';
import {
  type FeedbackInput,
  feedbackInput,
  type FrameworkStructureInput,
  frameworkStructureInput,
  type GoalInput,
  goalInput,
  type NewFrameworkInput,
  newFrameworkInput,
  planInput,
  RATER_GROUP_LABELS,
  RATER_GROUPS,
  type RaterInput,
  raterInput,
  reviewInput,
  type RoundInput,
  roundInput,
  type SelfAssessmentInput,
  selfAssessmentInput,
  type SharingInput,
  sharingInput,
} from './development.schemas.ts';
import type { RaterGroup } from './development.table.ts';

/** Fewer people than this behind a regional or national figure: the figure is not shown. */
export const MIN_PEOPLE = 5;
/** A rater group's scores are shown on their own only with at least this many responses. */
export const MIN_GROUP_RESPONSES = 3;
export const REMINDER_AFTER_DAYS = 3;
export const MAX_REMINDERS = 3;
const MAX_ROUND_DAYS = 366;

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

/** What a plan's visibility depends on. */
export type PlanAccessFacts = {
  userId: number;
  regionCode: string | null;
  shareWithMentor: boolean;
  shareWithFacilitator: boolean;
};

export type DevelopmentDeps = {
  db: DB;
  baseUrl: string;
  /**
   * From the mentoring module: whether this mentor currently mentors this member. Required: there is
   * no wider fallback. It runs on the executor it is given, so a check inside a transaction uses
   * that transaction (the embedded database has a single connection).
   */
  isMentorOf: (x: Executor, mentorUserId: number, memberUserId: number) => Promise<boolean>;
  now?: () => Date;
};

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(toFieldErrors(result.error));
  return result.data;
}

/**
 * Which columns a 360 report may show. A group with fewer than 3 responses is merged into
 * "others"; if "others" would then hold only 1 or 2 responses, the smallest separate group joins it
 * too, so no column (and no difference between columns and the total) rests on 1 or 2 people.
 */
export function anonymiseGroups(counts: Record<RaterGroup, number>): {
  separate: RaterGroup[];
  merged: RaterGroup[];
  mergedResponses: number;
  total: number;
} {
  const total = RATER_GROUPS.reduce((s, g) => s + counts[g], 0);
  let separate = RATER_GROUPS.filter((g) => g !== 'other' && counts[g] >= MIN_GROUP_RESPONSES);
  const merged = RATER_GROUPS.filter((g) => !separate.includes(g) && counts[g] > 0);
  let mergedResponses = merged.reduce((s, g) => s + counts[g], 0);
  while (mergedResponses > 0 && mergedResponses < MIN_GROUP_RESPONSES && separate.length) {
    const smallest = [...separate].sort((a, b) => counts[a] - counts[b])[0]!;
    separate = separate.filter((g) => g !== smallest);
    merged.push(smallest);
    mergedResponses += counts[smallest];
  }
  return { separate, merged, mergedResponses, total };
}

export function createDevelopmentService(deps: DevelopmentDeps) {
  const { db, baseUrl } = deps;
  const now = deps.now ?? (() => new Date());
  const today = () => londonDate(now());

  // ---- frameworks ----

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

  // ---- ratings checks ----

  function checkRatings(
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

  // ---- self-assessment ----

  /** Saves a self-assessment; every required element rated on the version's scale, or nothing is saved. */
  async function saveSelfAssessment(actor: Actor, raw: SelfAssessmentInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(selfAssessmentInput, raw);
    return db.transaction().execute(async (trx) => {
      const current = await currentVersionFor(trx, actor.userId);
      const version = await loadVersion(trx, input.versionId);
      if (version.frameworkId !== current.frameworkId) {
        throw new ValidationError([
          {
            field: 'versionId',
            message: 'Assess yourself against the framework your region or cohort uses',
          },
        ]);
      }
      const errors = checkRatings(version, input.ratings, { requireAll: true });
      if (errors.length) throw new ValidationError(errors);
      const row = await repo.insertSelfAssessment(
        trx,
        { userId: actor.userId, versionId: version.id, regionCode: current.regionCode },
        input.ratings,
      );
      await totals.refreshMemberProfile(trx, actor.userId, version.id, today(), ['self']);
      await recordAudit(trx, actor, {
        action: 'development.self-assessment.create',
        entityType: 'dev_self_assessment',
        entityId: row.id,
        summary: `Recorded a self-assessment against ${version.frameworkName} (${input.ratings.length} competencies)`,
      });
      return { id: row.id };
    });
  }

  async function listSelfAssessments(actor: Actor, page: number, pageSize: number) {
    requireRole(actor, ['member']);
    const { rows, total } = await repo.selectSelfAssessmentsOf(
      db,
      actor.userId,
      pageSize,
      (page - 1) * pageSize,
    );
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        versionId: r.version_id,
        framework: `${r.framework_name} (version ${r.version_number})`,
        meanRating: r.mean_rating === null ? null : round2(Number(r.mean_rating)),
      })),
    };
  }

  /** One of the member's own self-assessments, with the change since the one before (same framework). */
  async function getSelfAssessment(actor: Actor, id: number) {
    requireRole(actor, ['member']);
    const a = await repo.selectSelfAssessment(db, id);
    if (!a || a.user_id !== actor.userId) throw new NotFoundError('There is no such self-assessment');
    const version = await loadVersion(db, a.version_id);
    const previous = await repo.selectPreviousSelfAssessment(db, {
      userId: actor.userId,
      frameworkId: version.frameworkId,
      before: { createdAt: a.created_at, id: a.id },
    });
    const [ratings, previousRatings] = await Promise.all([
      repo.selectSelfRatings(db, a.id),
      previous ? repo.selectSelfRatings(db, previous.id) : Promise.resolve([]),
    ]);
    // Versions may differ: match elements by name within their domain.
    const prior = new Map(previousRatings.map((r) => [`${r.domain}|${r.element}`.toLowerCase(), r.rating]));
    const labels = new Map(version.scale.map((s) => [s.value, s.label]));
    return {
      id: a.id,
      createdAt: a.created_at,
      versionId: a.version_id,
      version,
      previous: previous ? { id: previous.id, createdAt: previous.created_at } : null,
      ratings: ratings.map((r) => {
        const before = prior.get(`${r.domain}|${r.element}`.toLowerCase()) ?? null;
        return {
          elementId: r.element_id,
          element: r.element,
          domain: r.domain,
          rating: r.rating,
          label: labels.get(r.rating) ?? String(r.rating),
          evidence: r.evidence,
          previousRating: before,
          change: before === null ? null : r.rating - before,
        };
      }),
    };
  }

  /** The form's starting point: the member's framework and their last ratings on it, as hints. */
  async function prepareSelfAssessment(actor: Actor) {
    requireRole(actor, ['member']);
    const current = await currentVersionFor(db, actor.userId);
    const version = await loadVersion(db, current.versionId);
    const previous = await repo.selectPreviousSelfAssessment(db, {
      userId: actor.userId,
      frameworkId: current.frameworkId,
      before: null,
    });
    const previousRatings = previous ? await repo.selectSelfRatings(db, previous.id) : [];
    const labels = new Map(version.scale.map((s) => [s.value, s.label]));
    const lastTime: Record<number, string> = {};
    for (const d of version.domains)
      for (const e of d.elements) {
        const r = previousRatings.find(
          (p) =>
            p.element.toLowerCase() === e.name.toLowerCase() &&
            p.domain.toLowerCase() === d.name.toLowerCase(),
        );
        if (r) lastTime[e.id] = `${labels.get(r.rating) ?? r.rating} (${r.rating})`;
      }
    return {
      version,
      previous: previous ? { id: previous.id, createdAt: previous.created_at } : null,
      lastTime,
    };
  }

  // ---- 360-degree feedback ----

  async function createRound(actor: Actor, raw: RoundInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(roundInput, raw);
    const t = today();
    if (input.closesOn <= t)
      throw new ValidationError([{ field: 'closesOn', message: 'The closing date must be in the future' }]);
    if (input.closesOn > addDays(t, MAX_ROUND_DAYS))
      throw new ValidationError([{ field: 'closesOn', message: 'The closing date must be within a year' }]);
    return db.transaction().execute(async (trx) => {
      const current = await currentVersionFor(trx, actor.userId);
      const round = await repo.insertRound(trx, {
        userId: actor.userId,
        versionId: current.versionId,
        regionCode: current.regionCode,
        title: input.title,
        closesOn: input.closesOn,
      });
      await recordAudit(trx, actor, {
        action: 'development.feedback.create',
        entityType: 'dev_feedback_round',
        entityId: round.id,
        summary: `Started 360-degree feedback "${input.title}", closing ${input.closesOn}`,
      });
      return { id: round.id };
    });
  }

  function isOpen(r: { closed_at: Date | null; closes_on: string }) {
    return r.closed_at === null && r.closes_on >= today();
  }

  /**
   * When a round actually closed: closed by hand before its planned date is "closed early" on that
   * day; closed by date (by the scheduled task, or not yet marked) is its planned closing date.
   */
  function closingOf(r: { closed_at: Date | null; closes_on: string }) {
    if (r.closed_at === null)
      return { closedOn: r.closes_on < today() ? r.closes_on : null, closedEarly: false };
    const on = londonDate(r.closed_at);
    if (on < r.closes_on) return { closedOn: on, closedEarly: true };
    // Closed on its last day, or by the task after the end of that day: it closed as planned.
    return { closedOn: r.closes_on, closedEarly: false };
  }

  async function ownRound(x: Executor, actor: Actor, roundId: number, opts: { forUpdate?: boolean } = {}) {
    const round = await repo.selectRound(x, roundId, opts);
    if (!round || round.user_id !== actor.userId) throw new NotFoundError('There is no such feedback round');
    return round;
  }

  async function listRounds(actor: Actor, page: number, pageSize: number) {
    requireRole(actor, ['member']);
    const { rows, total } = await repo.selectRoundsOf(db, actor.userId, pageSize, (page - 1) * pageSize);
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        title: r.title,
        closesOn: r.closes_on,
        open: isOpen(r),
        invited: Number(r.invited),
        responses: Number(r.responses),
      })),
    };
  }

  async function getRound(actor: Actor, roundId: number) {
    requireRole(actor, ['member']);
    const round = await ownRound(db, actor, roundId);
    const raters = await repo.selectRaters(db, roundId);
    const responses = raters.filter((r) => r.responded_at !== null).length;
    return {
      id: round.id,
      title: round.title,
      closesOn: round.closes_on,
      open: isOpen(round),
      ...closingOf(round),
      versionId: round.version_id,
      responses,
      raters: raters.map((r) => ({
        id: r.id,
        name: r.name,
        email: r.email,
        group: r.rater_group,
        groupLabel: RATER_GROUP_LABELS[r.rater_group],
        responded: r.responded_at !== null,
        remindersSent: r.reminders_sent,
      })),
    };
  }

  function invitationText(p: {
    raterName: string;
    memberName: string;
    title: string;
    closesOn: string;
    token: string;
    reminder: boolean;
  }) {
    return letterText({
      name: p.raterName,
      body: [
        p.reminder
          ? `This is a reminder: ${p.memberName} would value your feedback for "${p.title}". Earlier links no longer work; use this one.`
          : `${p.memberName} has asked for your feedback on their leadership, as part of the Clinical Leaders Network ("${p.title}").`,
        {
          text: `Give your feedback here (no account needed; the link works once, until ${p.closesOn}):`,
          link: `${baseUrl}/feedback/${p.token}`,
        },
        `Your answers are anonymous. Scores are shown by group only when at least ${MIN_GROUP_RESPONSES} people in a group answer; ` +
          'otherwise they are combined with others. Comments are shown without names.',
      ],
    });
  }

  /** Invites raters by email, each with a single-use link; all or none are invited. */
  async function inviteRaters(actor: Actor, roundId: number, rawRaters: (RaterInput | unknown)[]) {
    requireRole(actor, ['member']);
    const raters = rawRaters.map((r, i) => {
      try {
        return parseWith(raterInput, r);
      } catch (err) {
        if (err instanceof ValidationError && rawRaters.length > 1)
          throw new ValidationError(err.errors.map((e) => ({ ...e, field: `raters.${i}.${e.field}` })));
        throw err;
      }
    });
    const errors: FieldError[] = [];
    const own = actor.email.toLowerCase();
    const emails = new Set<string>();
    raters.forEach((r, i) => {
      const field = raters.length > 1 ? `raters.${i}.email` : 'email';
      if (r.email === own) errors.push({ field, message: 'You cannot invite yourself as a rater' });
      if (emails.has(r.email)) errors.push({ field, message: `${r.email} is listed twice` });
      emails.add(r.email);
    });
    if (errors.length) throw new ValidationError(errors);
    return db.transaction().execute(async (trx) => {
      const round = await ownRound(trx, actor, roundId, { forUpdate: true });
      if (!isOpen(round))
        throw new ConflictError('This feedback round has closed: no more raters can be invited');
      for (const [i, r] of raters.entries()) {
        if (await repo.selectRaterByEmail(trx, roundId, r.email)) {
          throw new ValidationError([
            {
              field: raters.length > 1 ? `raters.${i}.email` : 'email',
              message: `${r.email} has already been invited`,
            },
          ]);
        }
        const token = createToken();
        const rater = await repo.insertRater(trx, {
          roundId,
          name: r.name,
          email: r.email,
          group: r.group,
          tokenHash: hashToken(token),
        });
        await enqueueEmail(trx, {
          to: r.email,
          kind: 'development.feedback.invite',
          subject: `${actor.name} asks for your feedback`,
          text: invitationText({
            raterName: r.name,
            memberName: actor.name,
            title: round.title,
            closesOn: round.closes_on,
            token,
            reminder: false,
          }),
        });
        await recordAudit(trx, actor, {
          action: 'development.feedback.rater.invite',
          entityType: 'dev_feedback_round',
          entityId: roundId,
          summary: `Invited ${r.email} (${RATER_GROUP_LABELS[r.group]}) to give 360-degree feedback`,
          details: { raterId: rater.id },
        });
      }
      return { invited: raters.length };
    });
  }

  async function closeRound(actor: Actor, roundId: number) {
    requireRole(actor, ['member']);
    await db.transaction().execute(async (trx) => {
      const round = await ownRound(trx, actor, roundId, { forUpdate: true });
      if (round.closed_at) return;
      await repo.closeRound(trx, roundId);
      await totals.refreshMemberProfile(trx, round.user_id, round.version_id, today(), ['raters']);
      await recordAudit(trx, actor, {
        action: 'development.feedback.close',
        entityType: 'dev_feedback_round',
        entityId: roundId,
        summary: `Closed 360-degree feedback "${round.title}"`,
      });
    });
  }

  /** What a rater's link shows; a used, unknown or closed link gets a clear refusal. */
  async function openRaterLink(token: string) {
    const rater = await repo.selectRaterByTokenHash(db, hashToken(token));
    if (!rater) throw new RaterLinkError('not-found');
    if (rater.responded_at) throw new RaterLinkError('used');
    if (rater.closed_at !== null || rater.closes_on < today()) throw new RaterLinkError('closed');
    const version = await loadVersion(db, rater.version_id);
    return {
      memberName: rater.member_name,
      title: rater.title,
      closesOn: rater.closes_on,
      group: rater.rater_group,
      groupLabel: RATER_GROUP_LABELS[rater.rater_group],
      version,
    };
  }

  /** Saves a rater's answers once: the response keeps the rater's group but not who they are. */
  async function submitFeedback(token: string, raw: FeedbackInput | unknown, who: AnonymousActor) {
    const input = parseWith(feedbackInput, raw);
    return db.transaction().execute(async (trx) => {
      const rater = await repo.selectRaterByTokenHash(trx, hashToken(token), { forUpdate: true });
      if (!rater) throw new RaterLinkError('not-found');
      if (rater.responded_at) throw new RaterLinkError('used');
      if (rater.closed_at !== null || rater.closes_on < today()) throw new RaterLinkError('closed');
      const version = await loadVersion(trx, rater.version_id);
      const errors = checkRatings(version, input.ratings, { requireAll: false });
      if (!input.ratings.length && !input.strengths && !input.development)
        errors.push({ field: 'form', message: 'Rate at least one competency or leave a comment' });
      if (errors.length) throw new ValidationError(errors);
      await repo.insertResponse(trx, {
        roundId: rater.round_id,
        group: rater.rater_group,
        strengths: input.strengths,
        development: input.development,
        ratings: input.ratings,
      });
      await repo.markRaterResponded(trx, rater.id);
      await recordAudit(trx, who, {
        action: 'development.feedback.respond',
        entityType: 'dev_feedback_round',
        entityId: rater.round_id,
        summary: `A rater (${RATER_GROUP_LABELS[rater.rater_group]}) gave 360-degree feedback`,
      });
      return { memberName: rater.member_name };
    });
  }

  /** The 360 report, once the round has closed, with the anonymity rules applied. */
  async function getReport(actor: Actor, roundId: number) {
    requireRole(actor, ['member']);
    const round = await ownRound(db, actor, roundId);
    if (isOpen(round)) {
      throw new ConflictError(
        `The report is ready when feedback closes on ${round.closes_on}, so that no answer can be singled out. You can close it early on the feedback page.`,
      );
    }
    const [version, responses, ratings, self] = await Promise.all([
      loadVersion(db, round.version_id),
      repo.selectResponses(db, roundId),
      repo.selectResponseRatings(db, roundId),
      repo.selectLatestSelfOnVersion(db, actor.userId, round.version_id),
    ]);
    const selfRatings = self ? await repo.selectSelfRatings(db, self.id) : [];
    const counts = Object.fromEntries(RATER_GROUPS.map((g) => [g, 0])) as Record<RaterGroup, number>;
    for (const r of responses) counts[r.rater_group]++;
    const plan = anonymiseGroups(counts);
    const enough = plan.total >= MIN_GROUP_RESPONSES;

    type Column = { key: string; label: string; responses: number; groups: RaterGroup[] };
    const columns: Column[] = [];
    if (enough) {
      for (const g of plan.separate)
        columns.push({ key: g, label: RATER_GROUP_LABELS[g], responses: counts[g], groups: [g] });
      if (plan.mergedResponses >= MIN_GROUP_RESPONSES)
        columns.push({
          key: 'others',
          label:
            plan.merged.length === 1 && plan.merged[0] === 'other'
              ? 'Other raters'
              : `Other raters (${plan.merged.map((g) => RATER_GROUP_LABELS[g].toLowerCase()).join(', ')} combined)`,
          responses: plan.mergedResponses,
          groups: plan.merged,
        });
    }

    // Every figure needs MIN_GROUP_RESPONSES raters who rated it ("not able to say" is no rating);
    // see development.report.ts for the rules.
    const answers = responses.map((r) => ({ id: r.id, group: r.rater_group }));
    const given = ratings.map((r) => ({
      responseId: r.response_id,
      elementId: r.element_id,
      rating: r.rating,
    }));
    const selfByElement = new Map(selfRatings.map((r) => [r.element_id, r.rating]));
    const selfMean = (elementIds: number[]) => {
      const m = mean(
        elementIds.map((id) => selfByElement.get(id)).filter((v): v is number => v !== undefined),
      );
      return m === null ? null : round2(m);
    };
    const figures = (elementIds: number[]) => {
      const f = rowFigures(elementIds, enough ? columns : [], answers, given, MIN_GROUP_RESPONSES);
      return {
        self: selfMean(elementIds),
        raters: enough ? f.raters : null,
        byColumn: Object.fromEntries(columns.map((c) => [c.key, f.byColumn[c.key] ?? null])),
        // "Not able to say": raters who answered but rated none of these; a count, never a score.
        notAbleToSay: enough ? plan.total - f.ratedBy : null,
      };
    };

    const domains = version.domains.map((d) => ({ name: d.name, ...figures(d.elements.map((e) => e.id)) }));
    const elements = version.domains.flatMap((d) =>
      d.elements.map((e) => ({ id: e.id, name: e.name, domain: d.name, ...figures([e.id]) })),
    );
    const { strengths, gaps } = rankElements(elements);
    const comments = (pick: (r: (typeof responses)[number]) => string | null) =>
      enough
        ? responses
            .map(pick)
            .filter((c): c is string => !!c)
            .sort((a, b) => a.localeCompare(b))
        : [];
    const closed = closingOf(round);
    return {
      roundId: round.id,
      title: round.title,
      closesOn: round.closes_on,
      closedOn: closed.closedOn,
      closedEarly: closed.closedEarly,
      version,
      responses: plan.total,
      enough,
      selfAssessedAt: self?.created_at ?? null,
      scale: version.scale,
      columns: columns.map(({ key, label, responses: n }) => ({ key, label, responses: n })),
      domains,
      elements,
      strengths,
      gaps,
      comments: {
        strengths: comments((r) => r.strengths_comment),
        development: comments((r) => r.development_comment),
      },
    };
  }

  /**
   * Closes rounds past their closing date and reminds raters who have not answered (a new link each
   * time, as only a hash of the old one is kept). Run periodically; safe to run from several processes.
   */
  async function sendReminders() {
    return db.transaction().execute((trx) => remindIn(trx, {}));
  }

  async function remindIn(trx: Executor, opts: { roundId?: number; actor?: Actor }) {
    const t = today();
    const before = new Date(now().getTime() - (opts.roundId ? 1 : REMINDER_AFTER_DAYS) * 86_400_000);
    const closed = opts.roundId ? [] : await repo.closeExpiredRounds(trx, t);
    for (const c of closed) {
      await recordAudit(trx, 'system', {
        action: 'development.feedback.close',
        entityType: 'dev_feedback_round',
        entityId: c.id,
        summary: 'Closed 360-degree feedback: its closing date passed',
      });
    }
    // Rounds closed by date (or missed) join the competency profile figures.
    if (!opts.roundId)
      for (const r of await totals.roundsToCount(trx, t, 500))
        await totals.refreshMemberProfile(trx, r.user_id, r.version_id, t, ['raters']);
    const due = await repo.selectRatersDueReminder(trx, {
      today: t,
      before,
      maxReminders: MAX_REMINDERS,
      limit: 500,
      roundId: opts.roundId,
    });
    for (const r of due) {
      const token = createToken();
      await repo.rotateRaterToken(trx, r.id, hashToken(token));
      await enqueueEmail(trx, {
        to: r.email,
        kind: 'development.feedback.reminder',
        subject: `Reminder: ${r.member_name} asks for your feedback by ${r.closes_on}`,
        text: invitationText({
          raterName: r.name,
          memberName: r.member_name,
          title: r.title,
          closesOn: r.closes_on,
          token,
          reminder: true,
        }),
      });
    }
    if (due.length) {
      await recordAudit(trx, opts.actor ?? 'system', {
        action: 'development.feedback.remind',
        entityType: 'dev_feedback_round',
        entityId: opts.roundId ?? null,
        summary: `Sent ${due.length} reminder${due.length === 1 ? '' : 's'} to raters who have not answered`,
        details: { raterIds: due.map((r) => r.id) },
      });
    }
    return { closed: closed.length, reminded: due.length };
  }

  /**
   * The member asks for reminders now (at most once a day per rater). When no one can be reminded
   * it says why, as a ConflictError, rather than reporting success.
   */
  async function remindNow(actor: Actor, roundId: number) {
    requireRole(actor, ['member']);
    return db.transaction().execute(async (trx) => {
      // Checked in the transaction that rotates the links: the round is the member's and still open.
      const round = await ownRound(trx, actor, roundId, { forUpdate: true });
      if (!isOpen(round))
        throw new ConflictError('This feedback round has closed, so no reminders can be sent');
      const result = await remindIn(trx, { roundId, actor });
      if (result.reminded === 0)
        throw new ConflictError(whyNoReminder(await repo.selectRaters(trx, roundId)));
      return result;
    });
  }

  function whyNoReminder(
    raters: {
      responded_at: Date | null;
      invited_at: Date;
      last_reminded_at: Date | null;
      reminders_sent: number;
    }[],
  ): string {
    const waiting = raters.filter((r) => r.responded_at === null);
    if (!raters.length) return 'No reminder was sent: you have not invited anyone yet.';
    if (!waiting.length) return 'No reminder was sent: everyone you invited has answered.';
    const dayAgo = now().getTime() - 86_400_000;
    const recent = waiting.filter(
      (r) => r.invited_at.getTime() > dayAgo || (r.last_reminded_at?.getTime() ?? 0) > dayAgo,
    );
    const spent = waiting.filter((r) => r.reminders_sent >= MAX_REMINDERS);
    const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);
    const parts: string[] = [];
    if (recent.length)
      parts.push(
        `${people(recent.length)} who ${recent.length === 1 ? 'has' : 'have'} not answered ${recent.length === 1 ? 'was' : 'were'} invited or reminded less than a day ago`,
      );
    if (spent.length)
      parts.push(`${people(spent.length)} already had ${MAX_REMINDERS} reminders, the most we send`);
    return `No reminder was sent: ${parts.join('; ')}. You can remind people once a day.`;
  }

  // ---- development plans ----

  /**
   * Who may see a plan: its owner; a mentor or facilitator only when the member shared it with them.
   * A facilitator must work in the member's region; a mentor must mentor them (the mentoring module
   * answers that, on the executor given: the transaction's when the check guards a write). The
   * national team gets no special view: a plan is personal.
   */
  async function canViewPlan(
    x: Executor,
    actor: Pick<Actor, 'userId' | 'roles'>,
    plan: PlanAccessFacts,
  ): Promise<boolean> {
    if (actor.userId === plan.userId) return true;
    if (plan.shareWithFacilitator && plan.regionCode) {
      if (actor.roles.some((g) => g.role === 'facilitator' && g.regionCode === plan.regionCode)) return true;
    }
    if (plan.shareWithMentor && actor.roles.some((g) => g.role === 'mentor'))
      return deps.isMentorOf(x, actor.userId, plan.userId);
    return false;
  }

  async function createPlan(actor: Actor, raw: unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(planInput, raw);
    return db.transaction().execute(async (trx) => {
      const current = await currentVersionFor(trx, actor.userId);
      const plan = await repo.insertPlan(trx, {
        userId: actor.userId,
        versionId: current.versionId,
        regionCode: current.regionCode,
        title: input.title,
      });
      await recordAudit(trx, actor, {
        action: 'development.plan.create',
        entityType: 'dev_plan',
        entityId: plan.id,
        summary: `Created the development plan "${input.title}"`,
      });
      return { id: plan.id };
    });
  }

  async function listPlans(actor: Actor, page: number, pageSize: number) {
    requireRole(actor, ['member']);
    const { rows, total } = await repo.selectPlansOf(db, actor.userId, pageSize, (page - 1) * pageSize);
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        title: r.title,
        goals: Number(r.goals),
        shareWithMentor: r.share_with_mentor,
        shareWithFacilitator: r.share_with_facilitator,
        updatedAt: r.updated_at,
      })),
    };
  }

  async function visiblePlan(x: Executor, actor: Actor, planId: number) {
    const plan = await repo.selectPlan(x, planId);
    // Someone who may not see a plan is told it does not exist, not that it is private.
    if (
      !plan ||
      !(await canViewPlan(x, actor, {
        userId: plan.user_id,
        regionCode: plan.region_code,
        shareWithMentor: plan.share_with_mentor,
        shareWithFacilitator: plan.share_with_facilitator,
      }))
    )
      throw new NotFoundError('There is no such development plan');
    return plan;
  }

  async function ownPlan(x: Executor, actor: Actor, planId: number) {
    const plan = await repo.selectPlan(x, planId);
    if (!plan || plan.user_id !== actor.userId) throw new NotFoundError('There is no such development plan');
    return plan;
  }

  async function getPlan(actor: Actor, planId: number) {
    const plan = await visiblePlan(db, actor, planId);
    const [goals, reviews] = await Promise.all([
      repo.selectGoals(db, planId),
      repo.selectReviews(db, planId),
    ]);
    return {
      id: plan.id,
      title: plan.title,
      versionId: plan.version_id,
      framework: `${plan.framework_name} (version ${plan.version_number})`,
      shareWithMentor: plan.share_with_mentor,
      shareWithFacilitator: plan.share_with_facilitator,
      isOwner: plan.user_id === actor.userId,
      owner: { id: plan.user_id, name: plan.owner_name },
      regionCode: plan.region_code,
      goals: goals.map((g) => ({
        id: g.id,
        elementId: g.element_id,
        element: g.element,
        domain: g.domain,
        title: g.title,
        actions: g.actions,
        evidence: g.evidence,
        targetDate: g.target_date,
        status: g.status,
      })),
      reviews: reviews.map((r) => ({
        id: r.id,
        author: r.author_name,
        notes: r.notes,
        createdAt: r.created_at,
      })),
    };
  }

  async function updateSharing(actor: Actor, planId: number, raw: SharingInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(sharingInput, raw);
    await db.transaction().execute(async (trx) => {
      const plan = await ownPlan(trx, actor, planId);
      await repo.updatePlanSharing(trx, planId, input);
      const said = (on: boolean) => (on ? 'shared with' : 'not shared with');
      await recordAudit(trx, actor, {
        action: 'development.plan.share',
        entityType: 'dev_plan',
        entityId: planId,
        summary: `Plan "${plan.title}" ${said(input.shareWithMentor)} mentor, ${said(input.shareWithFacilitator)} facilitator`,
        details: input,
      });
    });
  }

  async function checkGoalElement(x: Executor, plan: { version_id: number }, elementId: number) {
    if (!(await repo.selectElementInVersion(x, elementId, plan.version_id))) {
      const v = await loadVersion(x, plan.version_id);
      throw new ValidationError([
        {
          field: 'elementId',
          message: `Choose a competency from ${v.frameworkName} (version ${v.versionNumber}), the framework this plan uses`,
        },
      ]);
    }
  }

  async function addGoal(actor: Actor, planId: number, raw: GoalInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(goalInput, raw);
    return db.transaction().execute(async (trx) => {
      const plan = await ownPlan(trx, actor, planId);
      await checkGoalElement(trx, plan, input.elementId);
      const goal = await repo.insertGoal(trx, { planId, ...input });
      await repo.touchPlan(trx, planId);
      await recordAudit(trx, actor, {
        action: 'development.plan.goal.create',
        entityType: 'dev_plan',
        entityId: planId,
        summary: `Added the goal "${input.title}" to plan "${plan.title}"`,
        details: { goalId: goal.id },
      });
      return { id: goal.id };
    });
  }

  async function getGoal(actor: Actor, goalId: number) {
    requireRole(actor, ['member']);
    const goal = await repo.selectGoal(db, goalId);
    if (!goal) throw new NotFoundError('There is no such goal');
    const plan = await ownPlan(db, actor, goal.plan_id);
    return { goal, plan: { id: plan.id, title: plan.title, versionId: plan.version_id } };
  }

  async function updateGoal(actor: Actor, goalId: number, raw: GoalInput | unknown) {
    requireRole(actor, ['member']);
    const input = parseWith(goalInput, raw);
    return db.transaction().execute(async (trx) => {
      const goal = await repo.selectGoal(trx, goalId);
      if (!goal) throw new NotFoundError('There is no such goal');
      const plan = await ownPlan(trx, actor, goal.plan_id);
      await checkGoalElement(trx, plan, input.elementId);
      await repo.updateGoal(trx, goalId, input);
      await repo.touchPlan(trx, plan.id);
      await recordAudit(trx, actor, {
        action: 'development.plan.goal.update',
        entityType: 'dev_plan',
        entityId: plan.id,
        summary: `Updated the goal "${input.title}" (${input.status})`,
        details: { goalId },
      });
      return { planId: plan.id };
    });
  }

  async function addReview(actor: Actor, planId: number, raw: unknown) {
    const input = parseWith(reviewInput, raw);
    return db.transaction().execute(async (trx) => {
      const plan = await visiblePlan(trx, actor, planId);
      const review = await repo.insertReview(trx, {
        planId,
        authorUserId: actor.userId,
        authorName: actor.name,
        notes: input.notes,
      });
      await repo.touchPlan(trx, planId);
      await recordAudit(trx, actor, {
        action: 'development.plan.review',
        entityType: 'dev_plan',
        entityId: planId,
        summary: `Reviewed the development plan "${plan.title}"`,
        details: { reviewId: review.id },
      });
      return { id: review.id };
    });
  }

  /** Plans members have shared with this mentor or facilitator. */
  async function listSharedPlans(actor: Actor, page: number, pageSize: number) {
    requireRole(actor, ['mentor', 'facilitator']);
    const regionsOf = (role: 'mentor' | 'facilitator'): 'all' | string[] => {
      const grants = actor.roles.filter((g) => g.role === role);
      if (grants.some((g) => g.regionCode === null)) return 'all';
      return grants.map((g) => g.regionCode as string);
    };
    const { rows, total } = await repo.selectSharedPlans(db, {
      mentorRegions: regionsOf('mentor'),
      facilitatorRegions: regionsOf('facilitator'),
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    const visible = [];
    for (const r of rows) {
      const plan = await repo.selectPlan(db, r.id);
      if (
        plan &&
        (await canViewPlan(db, actor, {
          userId: plan.user_id,
          regionCode: plan.region_code,
          shareWithMentor: plan.share_with_mentor,
          shareWithFacilitator: plan.share_with_facilitator,
        }))
      )
        visible.push({
          id: r.id,
          title: r.title,
          owner: r.owner_name,
          regionCode: r.region_code,
          updatedAt: r.updated_at,
        });
    }
    return { total, rows: visible };
  }

  // ---- regional and national profiles ----

  /**
   * Competency profiles by region and nationally, from self and 360 ratings. A figure resting on
   * fewer than MIN_PEOPLE people is withheld, and while the figures a reader cannot see (withheld,
   * without a region, other regions) rest on 1 to 4 people in all, the smallest region shown is
   * withheld too, so they cannot be worked out from the national figure.
   * National team: every region; a regional lead: their own region(s) and the national profile.
   * The figures are the published snapshot: a scope's figures change only once at least
   * PUBLISH_AFTER_MEMBERS different members have contributed since its last snapshot.
   */
  /** The figures, kept on write in the profile totals tables (development.profile-totals.ts). */
  async function profileFigures(vid: number) {
    const [regions, figures, published, live] = await Promise.all([
      regionsList.get(),
      totals.selectProfileTotals(db, vid, true),
      totals.selectProfilePeopleTotals(db, vid, true),
      totals.selectProfilePeopleTotals(db, vid),
    ]);
    // A scope never published yet has fewer than 5 people: it shows "fewer than 5" (or 0), never a figure.
    const people = [
      ...published,
      ...live
        .filter(
          (l) =>
            !published.some(
              (p) => p.kind === l.kind && p.is_national === l.is_national && p.region_code === l.region_code,
            ),
        )
        .map((l) => ({ ...l, people: Math.min(l.people, MIN_PEOPLE - 1) })),
    ];
    const of = (kind: string, level: string) => figures.filter((f) => f.kind === kind && f.level === level);
    return [
      regions,
      of('self', 'element'),
      of('self', 'domain'),
      of('raters', 'element'),
      of('raters', 'domain'),
      people,
    ] as const;
  }

  async function getProfiles(actor: Actor, versionId?: number) {
    requireRole(actor, ['regional-lead']);
    const scope = regionsWhere(actor, 'regional-lead');
    let vid = versionId;
    if (vid === undefined) {
      vid = await defaultProfileVersion.get();
      if (vid === undefined) throw new NotFoundError('No leadership framework has been set up yet');
    }
    const version = await loadVersion(db, vid);
    const [regions, selfEl, selfDom, ratEl, ratDom, people] = await profileFigures(vid);
    const visibleRegions = regions.filter((r) => scope === 'all' || scope.includes(r.code));

    type Cell = { people: number | null; mean: number | null; suppressed: boolean };
    const key = (region: string | null, national: boolean, item: number) =>
      `${national ? '*' : region}|${item}`;
    const count = (region: string | null, national: boolean, kind: string) => {
      const r = people.find(
        (p) => p.kind === kind && p.is_national === national && (national || p.region_code === region),
      );
      const n = r?.people ?? 0;
      return n > 0 && n < MIN_PEOPLE ? null : n;
    };
    const shownRegions = new Set(visibleRegions.map((r) => r.code));
    const index = (rows: repo.ProfileFigure[], kind: string) => {
      const m = new Map<string, repo.ProfileFigure>();
      for (const r of rows) m.set(key(r.region_code, r.is_national, r.item_id), r);
      // Secondary suppression per item. The national figure is the sum of the regional ones (and of
      // ratings without a region), so the national figure minus the regional figures shown gives the
      // figures not shown taken together: withheld (under 5), without a region, or of regions this
      // reader does not see. While those rest on 1 to 4 people, the smallest shown region is
      // withheld too.
      const withheld = new Set<string>();
      const items = new Set(rows.map((r) => r.item_id));
      for (const item of items) {
        const regional = rows.filter((r) => !r.is_national && r.item_id === item);
        const shown = regional
          .filter((r) => r.region_code !== null && shownRegions.has(r.region_code) && r.people >= MIN_PEOPLE)
          .sort((a, b) => a.people - b.people);
        let hidden = regional.reduce((n, r) => n + r.people, 0) - shown.reduce((n, r) => n + r.people, 0);
        while (hidden > 0 && hidden < MIN_PEOPLE && shown.length) {
          const next = shown.shift()!;
          withheld.add(key(next.region_code, false, item));
          hidden += next.people;
        }
      }
      return (region: string | null, national: boolean, item: number): Cell => {
        const k = key(region, national, item);
        const r = m.get(k);
        if (!r)
          return count(region, national, kind) === null
            ? { people: null, mean: null, suppressed: true }
            : { people: 0, mean: null, suppressed: false };
        if (r.people < MIN_PEOPLE || withheld.has(k)) return { people: null, mean: null, suppressed: true };
        return { people: r.people, mean: round2(r.mean), suppressed: false };
      };
    };
    const selfE = index(selfEl, 'self');
    const selfD = index(selfDom, 'self');
    const ratE = index(ratEl, 'raters');
    const ratD = index(ratDom, 'raters');
    const row = (regionCode: string | null, name: string) => {
      const national = regionCode === null;
      return {
        scope: national ? 'national' : regionCode!,
        name,
        selfPeople: count(regionCode, national, 'self'),
        raterPeople: count(regionCode, national, 'raters'),
        domains: version.domains.map((d) => ({
          domainId: d.id,
          name: d.name,
          self: selfD(regionCode, national, d.id),
          raters: ratD(regionCode, national, d.id),
        })),
        elements: version.domains.flatMap((d) =>
          d.elements.map((e) => ({
            elementId: e.id,
            name: e.name,
            self: selfE(regionCode, national, e.id),
            raters: ratE(regionCode, national, e.id),
          })),
        ),
      };
    };
    return {
      versionId: version.id,
      version,
      framework: `${version.frameworkName} (version ${version.versionNumber})`,
      minimumPeople: MIN_PEOPLE,
      publishAfterMembers: totals.PUBLISH_AFTER_MEMBERS,
      rows: [row(null, 'England (all regions)'), ...visibleRegions.map((r) => row(r.code, r.name))],
    };
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
    prepareSelfAssessment,
    saveSelfAssessment,
    listSelfAssessments,
    getSelfAssessment,
    createRound,
    listRounds,
    getRound,
    inviteRaters,
    closeRound,
    openRaterLink,
    submitFeedback,
    getReport,
    sendReminders,
    remindNow,
    canViewPlan,
    createPlan,
    listPlans,
    getPlan,
    updateSharing,
    addGoal,
    getGoal,
    updateGoal,
    addReview,
    listSharedPlans,
    getProfiles,
  };
}

export type DevelopmentService = ReturnType<typeof createDevelopmentService>;

/** A rater link that cannot be used: unknown (404), already used or its round closed (410). */
export class RaterLinkError extends AppError {
  override readonly status: number;
  override readonly code: string;
  constructor(readonly reason: 'not-found' | 'used' | 'closed') {
    super(
      reason === 'used'
        ? 'This feedback link has already been used. Each link works once, so your answers are saved and cannot be changed.'
        : reason === 'closed'
          ? 'Feedback for this request has closed, so this link no longer works.'
          : 'This feedback link is not valid. Check you copied the whole link from the email; if you were sent a reminder, use the newest link.',
    );
    this.status = reason === 'not-found' ? 404 : 410;
    this.code = reason === 'not-found' ? 'not_found' : reason === 'used' ? 'link_used' : 'link_closed';
  }
}
