import type { DB, Executor } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit.ts';
import { createEngineJobs, type EngineJob, type EngineJobs } from '../../platform/engine-jobs.ts';
import { cores, createWorkerPool, type WorkerPool } from '../../platform/workers.ts';
import { cachedFor, REFERENCE_TTL_MS } from '../../platform/cache.ts';
import { formatLongDate, londonDate } from '../../platform/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { letter } from '../../platform/emails.ts';
import { enqueueEmail } from '../../platform/outbox.ts';
import { type Actor, hasRole, isNational, requireRole } from '../../platform/permissions.ts';
import { createToken, hashToken } from '../../platform/security.ts';
import { type CohortMember, listCohortMembers, listMemberCards } from '../members/index.ts';
import {
  buildDiversityMatrix,
  describeGroupDiversity,
  type DiversityAttribute,
  type GroupingProblem,
  InfeasibleError,
  LearningSetsError,
  listSameValuePairs,
  type PersonAttributes,
  type PersonPair,
} from './engine/index.ts';
import { type FormationProgress, MAX_PARALLEL_SEARCHES, solveInWorkers } from './learning-sets.solve.ts';
import * as repo from './learning-sets.repository.ts';
import {
  ACTION_STATUS_LABELS,
  type ActionInput,
  type AttendanceInput,
  ATTRIBUTES,
  type FormationInput,
  type ReviewInput,
  type SessionInput,
} from './learning-sets.schemas.ts';
import type { FormationPerson, FormationSettings } from './learning-sets.table.ts';

export type LearningSetsServiceOptions = {
  db: DB;
  baseUrl: string;
  /** Engine time budget per formation; the issue asks for about 2 s. */
  solveTimeMs: number;
  /** Worker threads the engine runs in, off the request thread (the app passes its own). */
  pool?: WorkerPool;
  /** Formations started from the pages and the API run as jobs the lead watches. */
  jobs?: EngineJobs;
  /** Independent searches per formation, each on its own thread; the best is kept. */
  searches?: number;
};

export const FORMATION_JOB = 'learning-sets.formation';

const fail = (field: string, message: string): never => {
  throw new ValidationError([{ field, message }]);
};

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

function diversityAttributes(settings: FormationSettings): DiversityAttribute[] {
  return settings.attributes
    .filter((a) => a.weight > 0)
    .map((a) => ({ key: a.key, weight: a.weight, kind: a.key === 'seniority' ? 'numeric' : 'categorical' }));
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

/** Minutes east of UTC of Europe/London at that instant. */
const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
function londonOffsetMinutes(at: Date): number {
  const parts = londonParts.formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
  return Math.round((asUtc - Math.floor(at.getTime() / 60000) * 60000) / 60000);
}

/** A wall-clock date and time in the UK as an instant. */
export function londonTime(date: string, time: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const first = new Date(guess - londonOffsetMinutes(new Date(guess)) * 60000);
  return new Date(guess - londonOffsetMinutes(first) * 60000);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Who joined and who left a cohort between two readings, or null when the members are the same. */
function describeCohortChange(before: CohortMember[], after: CohortMember[]): string | null {
  const was = new Set(before.map((m) => m.userId));
  const is = new Set(after.map((m) => m.userId));
  const joined = after.filter((m) => !was.has(m.userId)).map((m) => m.name);
  const left = before.filter((m) => !is.has(m.userId)).map((m) => m.name);
  if (joined.length === 0 && left.length === 0) return null;
  const list = (names: string[]) =>
    names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return [joined.length ? `${list(joined)} joined` : '', left.length ? `${list(left)} left` : '']
    .filter(Boolean)
    .join('; ');
}

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** "14:05" in the UK. */
const londonTimeOfDay = (at: Date) => londonClock.format(at);

export function createLearningSetsService(opts: LearningSetsServiceOptions) {
  const { db } = opts;
  // Idle pool threads do not keep a process alive, so a service made on its own (the CLI, the
  // demo seed, tests) may own a pool without closing it.
  const pool = opts.pool ?? createWorkerPool();
  const jobs = opts.jobs ?? createEngineJobs({ db });
  const searches = Math.max(
    1,
    Math.min(opts.searches ?? Math.min(cores(), pool.threads), MAX_PARALLEL_SEARCHES),
  );
  const regionsList = cachedFor(REFERENCE_TTL_MS, () => repo.listRegions(db));

  // ---- Access --------------------------------------------------------------------------------

  /** Regional lead of the region (or national): forms sets and manages facilitators. */
  function requireLead(actor: Actor, regionCode: string) {
    requireRole(actor, ['regional-lead'], regionCode);
  }

  function isStaffOf(actor: Actor, regionCode: string) {
    return (
      isNational(actor) ||
      hasRole(actor, 'regional-lead', regionCode) ||
      hasRole(actor, 'facilitator', regionCode)
    );
  }

  type SetRow = NonNullable<Awaited<ReturnType<typeof repo.findSet>>>;

  /**
   * Who may see a set: its members and facilitator once published; the region's lead and
   * facilitators and the national team always. Anyone else gets 404, so a set's existence is not
   * revealed to other regions or sets.
   */
  async function loadSetFor(actor: Actor, setId: number, executor: Executor = db) {
    const found = await repo.findSetWithMemberIds(executor, setId);
    if (!found) throw new NotFoundError('There is no such action learning set');
    return checkSetAccess(actor, found.set, found.memberIds);
  }

  function checkSetAccess(actor: Actor, set: SetRow, memberIds: number[]) {
    const staff = isStaffOf(actor, set.region_code);
    const member = memberIds.includes(actor.userId);
    if (!staff) {
      if (set.formation_status !== 'published')
        throw new NotFoundError('There is no such action learning set');
      if (!member && set.facilitator_user_id !== actor.userId)
        throw new NotFoundError('There is no such action learning set');
    }
    return { set, memberIds, staff, member, canManage: canManageSet(actor, set) };
  }

  /** The set's facilitator, the region's lead, or the national team run sessions and record them. */
  function canManageSet(actor: Actor, set: SetRow) {
    return (
      isNational(actor) ||
      hasRole(actor, 'regional-lead', set.region_code) ||
      (hasRole(actor, 'facilitator', set.region_code) && set.facilitator_user_id === actor.userId)
    );
  }

  function requireManage(actor: Actor, set: SetRow) {
    if (!canManageSet(actor, set))
      throw new ForbiddenError('Only the set’s facilitator or the regional lead can do that');
    if (set.formation_status !== 'published')
      throw new ConflictError('Publish the sets before scheduling sessions');
  }

  /** A session and its set, as loadSetFor checks access (a set the actor may not see: 404). */
  async function loadSession(actor: Actor, sessionId: number, executor: Executor = db) {
    const found = await repo.findSessionWithSet(executor, sessionId);
    if (!found) throw new NotFoundError('There is no such session');
    return { session: found.session, ...checkSetAccess(actor, found.set, found.memberIds) };
  }

  // ---- Facilitators --------------------------------------------------------------------------

  async function listFacilitators(actor: Actor, regionCode: string) {
    if (!isStaffOf(actor, regionCode)) throw new ForbiddenError();
    const rows = await repo.listFacilitators(db, regionCode);
    return rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      email: r.email,
      disabled: r.disabled_at !== null,
      isLead: r.is_lead,
      maxSets: r.max_sets,
      publishedSets: Number(r.published_sets ?? 0),
      organisation: r.organisation_name,
    }));
  }

  async function saveFacilitator(
    actor: Actor,
    regionCode: string,
    input: { email: string; maxSets: number; isLead: boolean },
  ) {
    requireLead(actor, regionCode);
    return db.transaction().execute(async (trx) => {
      const user = await repo.findUserByEmail(trx, input.email);
      if (!user) return fail('email', `There is no account with the email address ${input.email}`);
      if (!(await repo.holdsRole(trx, user.id, 'facilitator', regionCode)))
        return fail(
          'email',
          `${user.name} is not a facilitator in ${regionCode}: give them the facilitator role for this region first`,
        );
      const supplier = await repo.findSupplier(trx);
      if (!supplier) throw new ConflictError('The consultancy supplier organisation is not set up');
      const existing = await repo.findFacilitator(trx, user.id);
      if (existing && existing.region_code !== regionCode)
        throw new ConflictError(`${user.name} already facilitates in ${existing.region_code}`);
      await repo.upsertFacilitator(trx, {
        userId: user.id,
        regionCode,
        organisationId: supplier.id,
        isLead: input.isLead,
        maxSets: input.maxSets,
      });
      await recordAudit(trx, actor, {
        action: existing ? 'learning-sets.facilitator.update' : 'learning-sets.facilitator.add',
        entityType: 'facilitator',
        entityId: user.id,
        summary: `${existing ? 'Updated' : 'Added'} facilitator ${user.email} in ${regionCode} (${supplier.name}), capacity ${input.maxSets} sets${input.isLead ? ', lead facilitator' : ''}`,
        details: { regionCode, maxSets: input.maxSets, isLead: input.isLead },
      });
      return user;
    });
  }

  // ---- Forming sets --------------------------------------------------------------------------

  async function cohortOptions(actor: Actor, regionCode: string) {
    requireLead(actor, regionCode);
    const region = await repo.findRegion(db, regionCode);
    if (!region) throw new NotFoundError('There is no such region');
    const intakes = await repo.listIntakes(db, regionCode);
    return { region, intakes: intakes.map((i) => ({ ...i, active_members: Number(i.active_members ?? 0) })) };
  }

  /** Facilitators with spare capacity, lead first then the most spare capacity. */
  async function facilitatorCapacity(executor: Executor, regionCode: string) {
    const rows = await repo.listFacilitators(executor, regionCode);
    return rows
      .filter((r) => r.disabled_at === null)
      .map((r) => ({
        userId: r.user_id,
        name: r.name,
        isLead: r.is_lead,
        maxSets: r.max_sets,
        spare: Math.max(0, r.max_sets - Number(r.published_sets ?? 0)),
      }));
  }

  /**
   * A cohort has at most one formation in progress: refused (409) when its sets are published or
   * a draft exists, naming who formed the draft and when, so the lead opens it rather than
   * forming a second one beside it.
   */
  async function requireCohortOpen(executor: Executor, intake: { id: number; name: string }) {
    if (await repo.findPublishedFormationForIntake(executor, intake.id))
      throw new ConflictError(`Sets for ${intake.name} are already published`);
    const draft = await repo.findDraftFormationForIntake(executor, intake.id);
    if (draft)
      throw new ConflictError(
        `Sets for ${intake.name} were formed by ${draft.created_by_name} at ${londonTimeOfDay(draft.created_at)} on ${formatLongDate(draft.created_at)}: open the draft (/learning-sets/formations/${draft.id}) to check and publish it, or discard it to form the sets again`,
      );
  }

  /**
   * Runs the engine on a region's cohort and saves the result as a draft formation. Every rule
   * that cannot be met (sizes, pairs, facilitators) is explained as a ValidationError on the
   * field at fault; nothing is saved unless the whole formation is.
   *
   * The cohort is read and the engine run (seconds of CPU) outside any transaction; the write is
   * one short transaction that locks the cohort and re-checks everything the solve read: no
   * published or draft formation, the same members, the facilitators still within capacity. A
   * second lead forming at the same moment gets a 409 naming the draft the first one made.
   * `seams.afterSolve` runs between the solve and the write (tests change the data there).
   */
  async function formSets(
    actor: Actor,
    regionCode: string,
    input: FormationInput,
    seams: { afterSolve?: () => Promise<void> } = {},
  ) {
    const plan = await planFormation(actor, regionCode, input);
    const result = await solveFormation(plan, {});
    await seams.afterSolve?.();
    return writeFormation(actor, plan, result);
  }

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
      timeLimitMs: opts.solveTimeMs,
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
  type FormationPlan = Awaited<ReturnType<typeof planFormation>>;

  /** The engine in worker threads: `searches` seeds at once, the best kept. */
  async function solveFormation(
    plan: FormationPlan,
    run: { signal?: AbortSignal; onProgress?: (p: FormationProgress) => void },
  ) {
    try {
      return await solveInWorkers(pool, plan.problem, {
        seed: plan.input.seed,
        timeLimitMs: opts.solveTimeMs,
        searches,
        ...run,
      });
    } catch (err) {
      if (err instanceof InfeasibleError || err instanceof LearningSetsError)
        return fail('keepApart', `The sets cannot be formed with these rules: ${err.message}`);
      throw err;
    }
  }

  async function writeFormation(
    actor: Actor,
    plan: FormationPlan,
    result: Awaited<ReturnType<typeof solveFormation>>,
  ) {
    const { regionCode, input, intake, cohort, people, settings, facilitators, keepApart, keepTogether } =
      plan;
    const { lower, upper, m, n } = plan;
    const { minSize, maxSize } = input;
    // Facilitators: spread the sets over those with spare capacity, lead facilitator first.
    const pool = facilitators.map((f) => ({ ...f }));
    const assigned: number[] = [];
    for (let g = 0; g < m; g++) {
      pool.sort(
        (a, b) => b.spare - a.spare || Number(b.isLead) - Number(a.isLead) || a.name.localeCompare(b.name),
      );
      const f = pool[0]!;
      f.spare--;
      assigned.push(f.userId);
    }

    return db.transaction().execute(async (trx) => {
      await repo.lockIntake(trx, intake.id);
      await repo.lockFacilitators(trx, regionCode);
      await requireCohortOpen(trx, intake);
      const now = await listCohortMembers(trx, regionCode, intake.id);
      const changed = describeCohortChange(cohort, now);
      if (changed)
        throw new ConflictError(
          `The members of ${intake.name} changed while the sets were being formed (${changed}): form the sets again`,
        );
      const capacityNow = new Map((await facilitatorCapacity(trx, regionCode)).map((f) => [f.userId, f]));
      for (const f of facilitators) {
        const wanted = assigned.filter((id) => id === f.userId).length;
        if (wanted === 0) continue;
        const current = capacityNow.get(f.userId);
        if (!current || current.spare < wanted)
          throw new ConflictError(
            `${f.name} can no longer take ${wanted} more set${wanted === 1 ? '' : 's'} (their capacity or account changed while the sets were being formed): form the sets again`,
          );
      }
      const formationId = await repo.insertFormation(trx, {
        regionCode,
        intakeId: intake.id,
        minSize,
        maxSize,
        equalSizes: input.sizing === 'equal',
        separateOrganisations: input.separateOrganisations,
        settings,
        people,
        objective: result.objective,
        unmetPreferences: result.unmetPreferences.length,
        createdBy: actor.userId,
      });
      for (let g = 0; g < m; g++) {
        const setId = await repo.insertSet(trx, {
          formationId,
          regionCode,
          name: `${intake.name} set ${String.fromCharCode(65 + (g % 26))}${g >= 26 ? Math.floor(g / 26) : ''}`,
          position: g,
          facilitatorUserId: assigned[g]!,
          minSize: lower[g]!,
          maxSize: upper[g]!,
        });
        await repo.insertSetMembers(
          trx,
          result.groups[g]!.map((i) => ({ formationId, setId, userId: people[i]!.userId, personIndex: i })),
        );
      }
      await recordAudit(trx, actor, {
        action: 'learning-sets.formation.create',
        entityType: 'set-formation',
        entityId: formationId,
        summary: `Formed ${m} draft sets for ${intake.name} (${regionCode}) from ${n} members`,
        details: {
          minSize,
          maxSize,
          sizing: input.sizing,
          separateOrganisations: input.separateOrganisations,
          attributes: settings.attributes,
          keepApart: keepApart.length,
          keepTogether: keepTogether.length,
          objective: result.objective,
          seed: input.seed,
          searches: result.searches,
          bestSeed: result.seed,
        },
      });
      return formationId;
    });
  }

  const subjectKey = (intakeId: number) => `learning-sets.intake:${intakeId}`;

  /**
   * Starts forming sets as a job (the pages and the API): the request is checked and the cohort
   * read now, so a broken rule is refused at once; the engine then runs in worker threads while the
   * lead watches the job's page, and the draft is written with the same locked re-check as
   * formSets. One job per cohort at a time: a second is refused naming the first.
   */
  async function startFormation(actor: Actor, regionCode: string, input: FormationInput) {
    const plan = await planFormation(actor, regionCode, input);
    const refuseWhileRunning = async () => {
      const running = await jobs.findRunning(subjectKey(plan.intake.id));
      if (running)
        throw new ConflictError(
          `Sets for ${plan.intake.name} are being formed by ${running.startedByName ?? 'someone'}, who started at ${londonTimeOfDay(running.startedAt)} on ${formatLongDate(running.startedAt)}: follow the progress at /learning-sets/formation-jobs/${running.id}`,
        );
    };
    await refuseWhileRunning();
    const started = jobs.start(
      {
        kind: FORMATION_JOB,
        regionCode,
        subjectKey: subjectKey(plan.intake.id),
        subjectId: plan.intake.id,
        startedBy: actor.userId,
      },
      async ({ signal, progress }) => {
        progress({ elapsedMs: 0, budgetMs: opts.solveTimeMs, bestObjective: null, searches });
        const result = await solveFormation(plan, {
          signal,
          onProgress: (p) => progress({ ...p, searches }),
        });
        signal.throwIfAborted();
        const id = await writeFormation(actor, plan, result);
        progress({
          elapsedMs: opts.solveTimeMs,
          budgetMs: opts.solveTimeMs,
          bestObjective: result.objective,
          searches,
        });
        return id;
      },
    );
    // Two leads starting at the same moment: the database lets one job run; name it to the other.
    return started.catch(async (err) => {
      if (err instanceof ConflictError) await refuseWhileRunning();
      throw err;
    });
  }

  /** A formation job, for the region's lead and the national team only (anyone else: 404). */
  async function getFormationJob(actor: Actor, id: number) {
    const job = await jobs.find(id);
    if (
      !job ||
      job.kind !== FORMATION_JOB ||
      (!isNational(actor) && !hasRole(actor, 'regional-lead', job.regionCode ?? ''))
    )
      throw new NotFoundError('There is no such set formation');
    const intake = job.subjectId === null ? undefined : await repo.findIntake(db, job.subjectId);
    return { ...describeFormationJob(job), intakeName: intake?.name ?? null };
  }

  function describeFormationJob(job: EngineJob) {
    const p = (job.progress ?? {}) as Partial<FormationProgress & { searches: number }>;
    const budgetMs = p.budgetMs ?? opts.solveTimeMs;
    const elapsedMs = Math.min(p.elapsedMs ?? 0, budgetMs);
    return {
      id: job.id,
      status: job.status,
      regionCode: job.regionCode!,
      intakeId: job.subjectId,
      startedBy: job.startedByName,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      cancelRequested: job.cancelRequested,
      formationId: job.status === 'succeeded' ? job.resultId : null,
      error: job.error,
      progress: {
        percent: job.status === 'succeeded' ? 100 : Math.round((100 * elapsedMs) / Math.max(1, budgetMs)),
        elapsedMs,
        budgetMs,
        bestObjective: p.bestObjective ?? null,
        searches: p.searches ?? searches,
      },
    };
  }

  async function cancelFormationJob(actor: Actor, id: number) {
    const job = await getFormationJob(actor, id);
    if (job.status !== 'running') throw new ConflictError('This formation has already finished');
    await jobs.requestCancel(id);
    await recordAudit(db, actor, {
      action: 'learning-sets.formation.cancel',
      entityType: 'engine-job',
      entityId: id,
      summary: `Cancelled forming sets (job ${id}) in ${job.regionCode}`,
      details: { intakeId: job.intakeId },
    });
  }

  async function loadFormation(actor: Actor, id: number, executor: Executor = db) {
    const formation = await repo.findFormation(executor, id);
    if (!formation) throw new NotFoundError('There is no such set formation');
    if (!isNational(actor) && !hasRole(actor, 'regional-lead', formation.region_code))
      throw new NotFoundError('There is no such set formation');
    return formation;
  }

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
                  link: `${opts.baseUrl}/learning-sets/sets/${s.id}`,
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
                { text: 'Schedule its sessions:', link: `${opts.baseUrl}/learning-sets/sets/${s.id}` },
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

  // ---- Sets, sessions, actions -------------------------------------------------------------

  async function listMySets(actor: Actor) {
    return repo.listSetsOfUser(db, actor.userId);
  }

  async function listRegionSets(actor: Actor, regionCode: string, page: number, pageSize: number) {
    if (!isStaffOf(actor, regionCode)) throw new ForbiddenError();
    return repo.listPublishedSetsOfRegion(db, regionCode, pageSize, (page - 1) * pageSize);
  }

  /** Attendance per session (those with attendance recorded) and how the set's actions went. */
  function setHealth(
    sessions: Awaited<ReturnType<typeof repo.listSessions>>,
    actions: Awaited<ReturnType<typeof repo.listActionsOfSet>>,
  ) {
    const attendance = sessions.filter((s) => Number(s.attendance_recorded) > 0);
    const reviewed = actions.filter((a) => a.status !== 'open');
    const done = reviewed.filter((a) => a.status === 'done').length;
    const partly = reviewed.filter((a) => a.status === 'partly').length;
    return {
      attendance: attendance.map((a) => {
        const recorded = Number(a.attendance_recorded);
        const present = Number(a.attendance_present);
        return {
          sessionId: a.id,
          startsAt: a.starts_at,
          present,
          recorded,
          rate: recorded ? present / recorded : 0,
        };
      }),
      actions: {
        total: actions.length,
        reviewed: reviewed.length,
        done,
        partly,
        completionRate: reviewed.length ? done / reviewed.length : null,
      },
    };
  }

  async function getSet(actor: Actor, setId: number) {
    const access = await loadSetFor(actor, setId);
    const [cards, sessions, actions] = await Promise.all([
      listMemberCards(db, actor, access.memberIds),
      repo.listSessions(db, setId),
      repo.listActionsOfSet(db, setId),
    ]);
    return { ...access, members: cards, sessions, actions, health: setHealth(sessions, actions) };
  }

  async function listActions(actor: Actor, setId: number) {
    await loadSetFor(actor, setId);
    return repo.listActionsOfSet(db, setId);
  }

  async function scheduleSession(actor: Actor, setId: number, input: SessionInput) {
    return db.transaction().execute(async (trx) => {
      const { set } = await loadSetFor(actor, setId, trx);
      requireManage(actor, set);
      const startsAt = londonTime(input.date, input.startTime);
      const endsAt = new Date(startsAt.getTime() + input.durationMinutes * 60000);
      const id = await repo.insertSession(trx, {
        setId,
        startsAt,
        endsAt,
        location: input.location || null,
        onlineUrl: input.onlineUrl || null,
        by: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'learning-sets.session.schedule',
        entityType: 'set-session',
        entityId: id,
        summary: `Scheduled a session of ${set.name} on ${input.date} at ${input.startTime}`,
      });
      return id;
    });
  }

  async function getSession(actor: Actor, sessionId: number) {
    // Only the author ever sees a facilitator's notes (not the lead, not the national team): the
    // note read is the viewer's own.
    const found = await repo.findSessionForPage(db, sessionId, actor.userId);
    if (!found) throw new NotFoundError('There is no such session');
    const { session, returned, noteBody } = found;
    const access = checkSetAccess(actor, found.set, found.memberIds);
    const { set } = access;
    const [members, actions] = await Promise.all([
      repo.listSessionMembers(db, set.id, sessionId),
      repo.listActionsOfSet(db, set.id),
    ]);
    const isFacilitator = set.facilitator_user_id === actor.userId;
    const rotation = members
      .map((m) => ({
        userId: m.user_id,
        name: m.name,
        lastPresentedAt: (m.last_at as Date | null) ?? null,
        times: Number(m.times ?? 0),
      }))
      .sort(
        (a, b) =>
          a.times - b.times ||
          (a.lastPresentedAt?.getTime() ?? 0) - (b.lastPresentedAt?.getTime() ?? 0) ||
          a.name.localeCompare(b.name),
      );
    return {
      session,
      ...access,
      members: members.map((m) => ({
        userId: m.user_id,
        name: m.name,
        status: m.status ?? null,
        presented: m.presented ?? false,
      })),
      committed: actions.filter((a) => a.session_id === sessionId),
      toReview: actions.filter(
        (a) =>
          a.session_id !== sessionId &&
          new Date(a.session_starts_at).getTime() < new Date(session.starts_at).getTime() &&
          (a.status === 'open' || a.reviewed_session_id === sessionId),
      ),
      rotation,
      note: isFacilitator ? (noteBody ?? '') : null,
      isFacilitator,
      returned,
    };
  }

  async function recordAttendance(actor: Actor, sessionId: number, input: AttendanceInput) {
    return db.transaction().execute(async (trx) => {
      const { session, set, memberIds } = await loadSession(actor, sessionId, trx);
      requireManage(actor, set);
      const seen = new Set<number>();
      for (const e of input.entries) {
        if (!memberIds.includes(e.userId))
          fail('entries', 'Attendance can only be recorded for members of this set');
        if (seen.has(e.userId)) fail('entries', 'Each member can be recorded once');
        seen.add(e.userId);
        if (e.presented && e.status !== 'present')
          fail(`status-${e.userId}`, 'Only a member who was present can have presented');
      }
      if (session.starts_at.getTime() > Date.now())
        fail('entries', 'Attendance can be recorded once the session has started');
      await repo.replaceAttendance(trx, sessionId, input.entries, actor.userId);
      await recordAudit(trx, actor, {
        action: 'learning-sets.attendance.record',
        entityType: 'set-session',
        entityId: sessionId,
        summary: `Recorded attendance for a session of ${set.name}: ${input.entries.filter((e) => e.status === 'present').length} of ${memberIds.length} present`,
        details: { entries: input.entries },
      });
    });
  }

  async function addAction(actor: Actor, sessionId: number, input: ActionInput) {
    return db.transaction().execute(async (trx) => {
      const { session, set, memberIds } = await loadSession(actor, sessionId, trx);
      requireManage(actor, set);
      if (!memberIds.includes(input.ownerUserId)) fail('ownerUserId', 'Choose a member of this set');
      if (input.dueOn < londonDate(session.starts_at))
        fail('dueOn', 'The due date must be on or after the session');
      const id = await repo.insertAction(trx, {
        setId: set.id,
        sessionId,
        ownerUserId: input.ownerUserId,
        description: input.description,
        dueOn: input.dueOn,
        by: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'learning-sets.action.add',
        entityType: 'set-action',
        entityId: id,
        summary: `Recorded an action for user #${input.ownerUserId} in ${set.name}, due ${input.dueOn}`,
      });
      return id;
    });
  }

  async function reviewAction(actor: Actor, actionId: number, input: ReviewInput) {
    return db.transaction().execute(async (trx) => {
      // Locked: two reviews at once would both see it open and both carry it over.
      const action = await repo.lockAction(trx, actionId);
      if (!action) throw new NotFoundError('There is no such action');
      const { session, set } = await loadSession(actor, input.sessionId, trx);
      requireManage(actor, set);
      if (session.set_id !== action.set_id) fail('sessionId', 'Review an action at a session of its own set');
      const committedAt = await repo.findSession(trx, action.session_id);
      if (!committedAt || committedAt.starts_at.getTime() >= session.starts_at.getTime())
        fail('sessionId', 'An action is reviewed at a later session than the one where it was agreed');
      if (action.status !== 'open' && action.reviewed_session_id !== session.id)
        throw new ConflictError('This action was already reviewed at another session');
      await repo.reviewAction(trx, actionId, {
        status: input.status,
        sessionId: session.id,
        note: input.note || null,
      });
      let carried: number | null = null;
      if (input.status === 'carried-over' && action.status !== 'carried-over') {
        carried = await repo.insertAction(trx, {
          setId: set.id,
          sessionId: session.id,
          ownerUserId: action.owner_user_id,
          description: action.description,
          dueOn: input.newDueOn ?? addDays(londonDate(session.starts_at), 28),
          by: actor.userId,
        });
      }
      await recordAudit(trx, actor, {
        action: 'learning-sets.action.review',
        entityType: 'set-action',
        entityId: actionId,
        summary: `Reviewed an action of ${set.name}: ${ACTION_STATUS_LABELS[input.status]}`,
        details: { status: input.status, carriedOverAs: carried },
      });
    });
  }

  async function saveNotes(actor: Actor, sessionId: number, body: string) {
    return db.transaction().execute(async (trx) => {
      const { set } = await loadSession(actor, sessionId, trx);
      if (set.facilitator_user_id !== actor.userId)
        throw new ForbiddenError('Only the set’s facilitator keeps notes on its sessions');
      await repo.saveNote(trx, sessionId, actor.userId, body);
      await recordAudit(trx, actor, {
        action: 'learning-sets.notes.save',
        entityType: 'set-session',
        entityId: sessionId,
        summary: `Saved facilitator notes on a session of ${set.name}`,
      });
    });
  }

  async function submitReturn(actor: Actor, sessionId: number, themes: string) {
    return db.transaction().execute(async (trx) => {
      const { session, set, memberIds: members } = await loadSession(actor, sessionId, trx);
      if (set.facilitator_user_id !== actor.userId && !isNational(actor))
        throw new ForbiddenError('The set’s facilitator makes the session return');
      const attendance = await repo.listAttendance(trx, sessionId);
      if (attendance.length === 0) fail('themes', 'Record the attendance before making the return');
      const actions = await repo.listActionsOfSet(trx, set.id);
      const reviewed = actions.filter((a) => a.reviewed_session_id === sessionId);
      await repo.saveReturn(trx, {
        sessionId,
        setId: set.id,
        regionCode: set.region_code,
        sessionDate: londonDate(session.starts_at),
        membersCount: members.length,
        present: attendance.filter((a) => a.status === 'present').length,
        apologies: attendance.filter((a) => a.status === 'apologies').length,
        absent: attendance.filter((a) => a.status === 'absent').length,
        actionsReviewed: reviewed.length,
        actionsDone: reviewed.filter((a) => a.status === 'done').length,
        themes,
        by: actor.userId,
      });
      await recordAudit(trx, actor, {
        action: 'learning-sets.return.submit',
        entityType: 'set-session',
        entityId: sessionId,
        summary: `Made the session return for ${set.name} to ${set.region_code}`,
      });
    });
  }

  // ---- Calendar feeds ------------------------------------------------------------------------

  async function calendarStatus(actor: Actor) {
    return repo.findActiveFeed(db, actor.userId);
  }

  /** A new secret feed address (shown once); any earlier address stops working. */
  async function createCalendarFeed(actor: Actor) {
    const token = createToken(24);
    await db.transaction().execute(async (trx) => {
      await repo.revokeFeeds(trx, actor.userId);
      await repo.insertFeed(trx, actor.userId, hashToken(token), token.slice(0, 6));
      await recordAudit(trx, actor, {
        action: 'learning-sets.calendar.create',
        entityType: 'user',
        entityId: actor.userId,
        summary: 'Created a calendar feed address (earlier ones revoked)',
      });
    });
    return `${opts.baseUrl}/calendar/${token}.ics`;
  }

  async function revokeCalendarFeed(actor: Actor) {
    await db.transaction().execute(async (trx) => {
      await repo.revokeFeeds(trx, actor.userId);
      await recordAudit(trx, actor, {
        action: 'learning-sets.calendar.revoke',
        entityType: 'user',
        entityId: actor.userId,
        summary: 'Revoked the calendar feed address',
      });
    });
  }

  /** The sessions behind a feed token, or null when the token is unknown or revoked. */
  async function calendarFor(token: string) {
    if (!/^[A-Za-z0-9_-]{10,100}$/.test(token)) return null;
    const feed = await repo.findFeedByHash(db, hashToken(token));
    if (!feed) return null;
    const sessions = await repo.listCalendarSessions(db, feed.user_id);
    return { name: feed.name, sessions };
  }

  return {
    listFacilitators,
    saveFacilitator,
    cohortOptions,
    formSets,
    startFormation,
    getFormationJob,
    cancelFormationJob,
    describeFormation,
    listFormations,
    moveMember,
    swapMembers,
    changeFacilitator,
    publishFormation,
    discardFormation,
    listMySets,
    listRegionSets,
    getSet,
    listActions,
    scheduleSession,
    getSession,
    recordAttendance,
    addAction,
    reviewAction,
    saveNotes,
    submitReturn,
    calendarStatus,
    createCalendarFeed,
    revokeCalendarFeed,
    calendarFor,
    isStaffOf,
    isLeadOf: (actor: Actor, regionCode: string) =>
      isNational(actor) || hasRole(actor, 'regional-lead', regionCode),
    // Regions change only through migrations (see platform/cache.ts).
    listRegions: () => regionsList.get(),
    summariseReturns: (regionCode: string | 'all') => summariseSessionReturns(db, regionCode),
  };
}
export type LearningSetsService = ReturnType<typeof createLearningSetsService>;

/** A published rate rests on at least this many attendances or actions, else it is withheld. */
export const MIN_RATE_BASE = 5;
const rate = (part: number, whole: number) => (whole >= MIN_RATE_BASE ? part / whole : null);

/**
 * Session returns of a region (or all regions) for the regional and national dashboards:
 * attendance and actions totals and recent themes. No personal detail: counts and themes only,
 * and no rate resting on fewer than five attendances or actions (one set's first session with two
 * people there would otherwise say who came).
 */
export async function summariseSessionReturns(db: Executor, regionCode: string | 'all') {
  const { totals, byRegion, recent } = await repo.summariseReturns(db, regionCode);
  const members = Number(totals.members);
  const reviewed = Number(totals.reviewed);
  return {
    returns: Number(totals.returns),
    sets: Number(totals.sets),
    present: Number(totals.present),
    apologies: Number(totals.apologies),
    absent: Number(totals.absent),
    attendanceRate: rate(Number(totals.present), members),
    actionsReviewed: reviewed,
    actionsDone: Number(totals.done),
    actionCompletionRate: rate(Number(totals.done), reviewed),
    byRegion: byRegion.map((r) => ({
      regionCode: r.region_code,
      returns: Number(r.returns),
      attendanceRate: rate(Number(r.present), Number(r.members)),
    })),
    recentThemes: recent.map((r) => ({
      regionCode: r.region_code,
      sessionDate: r.session_date,
      themes: r.themes,
    })),
  };
}
export type SessionReturnsSummary = Awaited<ReturnType<typeof summariseSessionReturns>>;
