import type { DB, Executor } from '../../db/database.ts';
import { recordAudit, recordAudits } from '../../platform/audit.ts';
import { formatLongDate } from '../../platform/dates.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { letter } from '../../platform/emails.ts';
import { enqueueEmail, enqueueEmails } from '../../platform/outbox.ts';
import { type Actor, hasRole, isNational, regionsWhere, requireRole } from '../../platform/permissions.ts';
import { listOpenPlanGoals } from '../development/index.ts';
import { findMentoringFacts, type MentoringFacts } from '../members/index.ts';
import { createEngineJobs, type EngineJob, type EngineJobs } from '../../platform/engine-jobs.ts';
import { createWorkerPool, type WorkerPool, workerModule } from '../../platform/workers.ts';
import type { MatchingProblem } from './engine/index.ts';
import type { MatchingOutcome } from './mentoring.worker.ts';
import * as repo from './mentoring.repository.ts';
import type { OfferInput, RequestInput } from './mentoring.schemas.ts';
import { scorePair } from './mentoring.scoring.ts';
import type { AdjustmentKind, ScoreBreakdown, UnmatchedEntry } from './mentoring.table.ts';

type Adjustment = { request_id: number; mentor_user_id: number; kind: AdjustmentKind };

/** Weeks without a logged meeting after which a pair is reminded and shown as needing a check-in. */
export const DEFAULT_REMINDER_WEEKS = 6;
const PAGE_SIZE = 25;

const fail = (field: string, message: string): never => {
  throw new ValidationError([{ field, message }]);
};
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
function addMonths(iso: string, months: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return isoDate(d);
}
const goalLines = (goals: string) =>
  goals
    .split('\n')
    .map((l) => l.replace(/^[-*•\s]+/, '').trim())
    .filter(Boolean)
    .slice(0, 8)
    .map((l) => l.slice(0, 300));

const clock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** "14:05" in the UK. */
const formatTimeOfDay = (at: Date) => clock.format(at);

export type Health = 'on-track' | 'needs-check-in' | 'review-due';

const matchingEntry = workerModule(import.meta.url, './mentoring.worker');
/** Far above a national run (about 1 s); a solve still going after this has gone wrong. */
const MATCHING_TIME_LIMIT_MS = 120_000;
export const MATCHING_JOB = 'mentoring.matching';

/** The steps of a matching job, in order, as its progress page names them. */
export const MATCHING_STAGES = ['scoring', 'solving', 'saving'] as const;
export type MatchingStage = (typeof MATCHING_STAGES)[number];
type MatchingProgress = { stage: MatchingStage; mentees?: number; mentors?: number };

/** What a matching job does: a new run for a scope, or a draft computed again as it is or after one change. */
export const MATCHING_ACTIONS = ['new', 'rerun', 'pin', 'forbid', 'clear'] as const;
export type MatchingAction = (typeof MATCHING_ACTIONS)[number];
type AdjustmentChange = { requestId: number; mentorUserId: number; kind: 'pin' | 'forbid' | 'clear' };

export function createMentoringService(deps: {
  db: DB;
  baseUrl: string;
  reminderWeeks?: number;
  /** Worker threads the matching engine runs in, off the request thread (the app passes its own). */
  pool?: WorkerPool;
  /** Matching runs started from the pages and the API run as jobs the lead watches. */
  jobs?: EngineJobs;
}) {
  // Idle pool threads do not keep a process alive: a service made on its own may own a pool.
  const pool = deps.pool ?? createWorkerPool();
  const { db } = deps;
  const jobs = deps.jobs ?? createEngineJobs({ db });
  const reminderWeeks = deps.reminderWeeks ?? DEFAULT_REMINDER_WEEKS;
  const link = (path: string) => `${deps.baseUrl.replace(/\/$/, '')}${path}`;

  async function factsOf(executor: Executor, userId: number, field: string): Promise<MentoringFacts> {
    const facts = (await findMentoringFacts(executor, [userId])).get(userId);
    if (!facts) fail(field, 'Complete your member profile (profession and employer) before using mentoring');
    return facts!;
  }

  // Offers -------------------------------------------------------------------------------------

  async function getOffer(actor: Actor) {
    requireRole(actor, ['mentor']);
    const [offer, active] = await Promise.all([
      repo.findOffer(db, actor.userId),
      repo.countActiveMentees(db, actor.userId),
    ]);
    return offer ? presentOffer(offer, active) : null;
  }

  async function saveOffer(actor: Actor, input: OfferInput) {
    requireRole(actor, ['mentor']);
    return db.transaction().execute(async (trx) => {
      await factsOf(trx, actor.userId, 'capacity');
      const before = await repo.findOffer(trx, actor.userId);
      await repo.upsertOffer(trx, actor.userId, input);
      await recordAudit(trx, actor, {
        action: before ? 'mentoring.offer.update' : 'mentoring.offer.create',
        entityType: 'mentoring_offer',
        entityId: actor.userId,
        summary:
          input.capacity === 0
            ? 'Paused their mentoring offer (capacity 0)'
            : `Offered mentoring for up to ${input.capacity} mentee${input.capacity === 1 ? '' : 's'}`,
        details: { capacity: input.capacity, areas: input.areas, format: input.format },
      });
    });
  }

  // Requests -----------------------------------------------------------------------------------

  async function getMyRequest(actor: Actor) {
    const r = await repo.findOpenRequest(db, actor.userId);
    if (!r) return null;
    const goals = await listOpenPlanGoals(db, actor.userId);
    return { ...presentRequest(r), planGoals: goals.filter((g) => r.plan_goal_ids.includes(g.id)) };
  }

  /** Goals of the member's own development plan that a request may be about. */
  const listMyPlanGoals = (actor: Actor) => listOpenPlanGoals(db, actor.userId);

  async function saveRequest(actor: Actor, input: RequestInput) {
    requireRole(actor, ['member']);
    return db.transaction().execute(async (trx) => {
      await factsOf(trx, actor.userId, 'goals');
      const own = new Set((await listOpenPlanGoals(trx, actor.userId)).map((g) => g.id));
      if (input.planGoals.some((id) => !own.has(id))) {
        throw new ValidationError([
          {
            field: 'planGoals',
            message: 'Choose goals from your own development plan that you are still working on',
          },
        ]);
      }
      const open = await repo.findOpenRequest(trx, actor.userId);
      if (open?.status === 'matched')
        throw new ConflictError(
          'You already have a mentor. End or decline that mentoring before asking again.',
        );
      const id = open
        ? open.id
        : await repo.insertRequest(trx, actor.userId, input).catch((err: unknown) => {
            // Two submissions at once: the other one made the open request (unique per member).
            if ((err as { code?: string }).code === '23505')
              throw new ConflictError(
                'Your request for a mentor was just saved: open it to check or change it',
              );
            throw err;
          });
      if (open) await repo.updateRequest(trx, open.id, input);
      await recordAudit(trx, actor, {
        action: open ? 'mentoring.request.update' : 'mentoring.request.create',
        entityType: 'mentoring_request',
        entityId: id,
        summary: open ? 'Updated their request for a mentor' : 'Asked for a mentor',
        details: { goalAreas: input.goalAreas, format: input.format, planGoals: input.planGoals },
      });
      return id;
    });
  }

  async function withdrawRequest(actor: Actor) {
    return db.transaction().execute(async (trx) => {
      const open = await repo.findOpenRequest(trx, actor.userId);
      if (!open || open.status !== 'waiting')
        throw new NotFoundError('You have no request waiting for a mentor');
      await repo.setRequestStatus(trx, open.id, 'withdrawn', null);
      await recordAudit(trx, actor, {
        action: 'mentoring.request.withdraw',
        entityType: 'mentoring_request',
        entityId: open.id,
        summary: 'Withdrew their request for a mentor',
      });
    });
  }

  // Conflicts ----------------------------------------------------------------------------------

  const listConflicts = (actor: Actor) => repo.selectConflictsOf(db, actor.userId);

  async function declareConflict(
    actor: Actor,
    input: { email: string; kind: 'line-management' | 'conflict' },
  ) {
    return db.transaction().execute(async (trx) => {
      const other = await repo.findUserByEmail(trx, input.email);
      if (!other) fail('email', 'There is no account with that email address');
      if (other!.id === actor.userId) fail('email', 'Enter someone else’s email address');
      await repo.insertConflict(trx, actor.userId, other!.id, input.kind);
      await recordAudit(trx, actor, {
        action: 'mentoring.conflict.declare',
        entityType: 'mentoring_conflict',
        entityId: actor.userId,
        summary: `Declared ${input.kind === 'line-management' ? 'line management' : 'a conflict'} with user ${other!.id}`,
        details: { otherUserId: other!.id, kind: input.kind },
      });
    });
  }

  async function removeConflict(actor: Actor, id: number) {
    return db.transaction().execute(async (trx) => {
      const removed = await repo.deleteConflict(trx, actor.userId, id);
      if (!removed) throw new NotFoundError('Declaration not found');
      await recordAudit(trx, actor, {
        action: 'mentoring.conflict.remove',
        entityType: 'mentoring_conflict',
        entityId: actor.userId,
        summary: `Removed a declared conflict with user ${removed.other_user_id}`,
      });
    });
  }

  // Matching runs ------------------------------------------------------------------------------

  /** National runs are for the national team; a regional run for the national team or that region's lead. */
  function requireRunScope(actor: Actor, regionCode: string | null) {
    if (regionCode === null) {
      if (!isNational(actor))
        throw new ForbiddenError('Only the national team can run matching for the whole network');
      return;
    }
    if (!isNational(actor) && !hasRole(actor, 'regional-lead', regionCode))
      throw new ForbiddenError('You can run matching for your own region only');
  }

  function adminRegions(actor: Actor): 'all' | string[] {
    return regionsWhere(actor, 'regional-lead');
  }

  async function loadRunForAdmin(executor: Executor, actor: Actor, id: number, lock = false) {
    const run = lock ? await repo.lockRun(executor, id) : await repo.findRun(executor, id);
    if (!run) throw new NotFoundError('Matching run not found');
    requireRunScope(actor, run.region_code);
    return run;
  }

  /**
   * Everything the engine needs for a run's scope: waiting requests of mentees in scope, mentors in
   * scope with free places, the allowed pairs with scores and the reasons for exclusions.
   */
  async function buildProblem(executor: Executor, adjustments: Adjustment[], regionCode: string | null) {
    const [requests, offers] = await Promise.all([
      repo.selectWaitingRequests(executor),
      repo.selectOpenOffers(executor),
    ]);
    const facts = await findMentoringFacts(executor, [
      ...requests.map((r) => r.user_id),
      ...offers.map((o) => o.user_id),
    ]);
    const inScope = (userId: number) => {
      const f = facts.get(userId);
      return f !== undefined && (regionCode === null || f.regionCode === regionCode);
    };
    const mentees = requests.filter((r) => inScope(r.user_id));
    const mentors = offers
      .filter((o) => inScope(o.user_id))
      .map((o) => ({ ...o, free: Math.max(0, o.capacity - Number(o.active ?? 0)) }));
    const menteeIds = mentees.map((r) => r.user_id);
    const [conflicts, past] = await Promise.all([
      repo.selectConflictsAmong(executor, [...menteeIds, ...mentors.map((m) => m.user_id)]),
      repo.selectRelationshipPairsAmong(executor, menteeIds),
    ]);
    const key = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
    const conflictKinds = new Map(conflicts.map((c) => [key(c.user_id, c.other_user_id), c.kind]));
    const pastPairs = new Set(past.map((p) => `${p.mentee_user_id}:${p.mentor_user_id}`));
    const forbidden = new Set(
      adjustments.filter((a) => a.kind === 'forbid').map((a) => `${a.request_id}:${a.mentor_user_id}`),
    );

    /** Why a pair may not be proposed, or null when it may. */
    function exclusion(request: (typeof mentees)[number], mentorUserId: number): string | null {
      const a = facts.get(request.user_id)!;
      const b = facts.get(mentorUserId)!;
      if (a.userId === b.userId) return 'A member cannot mentor themselves';
      if (a.organisationId !== null && a.organisationId === b.organisationId)
        return 'They work for the same organisation';
      const kind = conflictKinds.get(key(a.userId, b.userId));
      if (kind === 'line-management') return 'A line management relationship is declared between them';
      if (kind) return 'A conflict of interest is declared between them';
      if (pastPairs.has(`${a.userId}:${b.userId}`))
        return 'They have a current or past mentoring relationship';
      if (forbidden.has(`${request.id}:${b.userId}`)) return 'An administrator ruled this pair out';
      return null;
    }

    const scores: [number, number, number][] = [];
    const breakdowns = new Map<string, ScoreBreakdown>();
    const allowedCount = new Map<number, number>();
    for (const r of mentees) {
      const a = facts.get(r.user_id)!;
      for (const m of mentors) {
        if (m.free === 0 || exclusion(r, m.user_id)) continue;
        const b = facts.get(m.user_id)!;
        const { score, breakdown } = scorePair(
          {
            goalAreas: r.goal_areas,
            format: r.format,
            mentorProfessions: r.mentor_professions,
            sameRegion: r.same_region,
            profession: a.profession,
            regionCode: a.regionCode,
            specialtyId: a.specialtyId,
            interests: a.interests,
          },
          {
            areas: m.areas,
            format: m.format,
            menteeProfessions: m.mentee_professions,
            profession: b.profession,
            regionCode: b.regionCode,
            specialtyId: b.specialtyId,
            expertise: b.expertise,
            interests: b.interests,
          },
        );
        scores.push([r.id, m.user_id, score]);
        breakdowns.set(`${r.id}:${m.user_id}`, breakdown);
        allowedCount.set(r.id, (allowedCount.get(r.id) ?? 0) + 1);
      }
    }
    return { mentees, mentors, facts, scores, breakdowns, allowedCount, adjustments, exclusion };
  }

  /**
   * Scores and solves a run's scope with no transaction open (seconds at national scale): reads
   * through `db`, returns what writeRun saves. The pins and exclusions it used come back with it,
   * so the write can tell whether they changed meanwhile.
   */
  async function planRun(
    regionCode: string | null,
    adjustments: Adjustment[],
    run: { signal?: AbortSignal; onProgress?: (p: MatchingProgress) => void } = {},
  ) {
    const { signal } = run;
    run.onProgress?.({ stage: 'scoring' });
    const p = await buildProblem(db, adjustments, regionCode);
    signal?.throwIfAborted();
    run.onProgress?.({ stage: 'solving', mentees: p.mentees.length, mentors: p.mentors.length });
    const allowed = new Set(p.scores.map(([r, m]) => `${r}:${m}`));
    const pins = adjustments
      .filter((a) => a.kind === 'pin' && allowed.has(`${a.request_id}:${a.mentor_user_id}`))
      .map((a) => [a.request_id, a.mentor_user_id] as const);
    // An exact solve: seconds at national scale, so in a worker thread, with a hard limit.
    const outcome = await pool.run<MatchingProblem, MatchingOutcome>(
      matchingEntry,
      {
        mentees: p.mentees.map((r) => r.id),
        mentors: p.mentors.map((m) => ({ id: m.user_id, capacity: m.free })),
        scores: p.scores,
        pinned: pins,
      },
      { timeoutMs: MATCHING_TIME_LIMIT_MS, signal },
    );
    if (!outcome.ok)
      return fail(
        'mentorUserId',
        `These pins cannot all hold: ${outcome.inputError}. Unpin a pair and run again.`,
      );
    const result = outcome.result;
    const freeMentors = p.mentors.filter((m) => m.free > 0).length;
    const unmatched: UnmatchedEntry[] = result.unmatchedMentees.map((id) => ({
      requestId: Number(id),
      reason:
        freeMentors === 0
          ? 'No mentor in scope has a free place'
          : !p.allowedCount.get(Number(id))
            ? 'Every mentor with a free place is ruled out (same organisation, line management, a current or past relationship, or a declared conflict)'
            : 'Every mentor who could take this mentee is needed to match others; more mentor places are needed',
    }));
    const menteeOf = new Map(p.mentees.map((r) => [r.id, r.user_id]));
    return {
      regionCode,
      adjustments,
      mentees: p.mentees.length,
      objective: result.objective,
      unmatched,
      pairs: result.assignments.map((a) => ({
        requestId: Number(a.mentee),
        menteeUserId: menteeOf.get(Number(a.mentee))!,
        mentorUserId: Number(a.mentor),
        score: a.score,
        pinned: a.pinned,
        breakdown: p.breakdowns.get(`${a.mentee}:${a.mentor}`) ?? [],
      })),
    };
  }
  type RunPlan = Awaited<ReturnType<typeof planRun>>;

  /**
   * Checks proposed pairs against the database as it is now, inside the caller's transaction:
   * locks the requests and the mentors' offers (in id order, so two checkers never deadlock), then
   * keeps a pair only while the request is still waiting, the offer open with a free place (counting
   * the pairs kept before it), both people still in scope, and no relationship, declared conflict
   * or shared employer between them. The rest come back with the reason.
   */
  async function recheckPairs<
    P extends { requestId: number; menteeUserId: number; mentorUserId: number; pinned: boolean },
  >(trx: Executor, regionCode: string | null, pairs: P[]) {
    if (pairs.length === 0)
      return { kept: [] as P[], dropped: [] as { pair: P; reason: string; waiting: boolean }[] };
    const menteeIds = pairs.map((p) => p.menteeUserId);
    const mentorIds = [...new Set(pairs.map((p) => p.mentorUserId))];
    const requests = new Map(
      (
        await repo.lockRequests(
          trx,
          pairs.map((p) => p.requestId),
        )
      ).map((r) => [r.id, r]),
    );
    const offers = new Map((await repo.lockOffers(trx, mentorIds)).map((o) => [o.user_id, o]));
    const active = await repo.countActiveMenteesOf(trx, mentorIds);
    const [facts, conflicts, past] = await Promise.all([
      findMentoringFacts(trx, [...menteeIds, ...mentorIds]),
      repo.selectConflictsAmong(trx, [...menteeIds, ...mentorIds]),
      repo.selectRelationshipPairsAmong(trx, menteeIds),
    ]);
    const key = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
    const conflictKinds = new Map(conflicts.map((c) => [key(c.user_id, c.other_user_id), c.kind]));
    const pastPairs = new Set(past.map((r) => `${r.mentee_user_id}:${r.mentor_user_id}`));
    const used = new Map<number, number>();
    const kept: P[] = [];
    const dropped: { pair: P; reason: string; waiting: boolean }[] = [];
    // Pinned pairs first: an administrator chose them, so they keep a place before the others.
    for (const p of [...pairs].sort((x, y) => Number(y.pinned) - Number(x.pinned))) {
      const request = requests.get(p.requestId);
      const waiting = request?.status === 'waiting' && request.user_id === p.menteeUserId;
      const offer = offers.get(p.mentorUserId);
      const a = facts.get(p.menteeUserId);
      const b = facts.get(p.mentorUserId);
      const taken = (active.get(p.mentorUserId) ?? 0) + (used.get(p.mentorUserId) ?? 0);
      const kind = conflictKinds.get(key(p.menteeUserId, p.mentorUserId));
      const reason = !waiting
        ? 'the request is no longer waiting for a mentor'
        : !offer || offer.capacity === 0
          ? 'the mentor has withdrawn or paused their offer'
          : taken >= offer.capacity
            ? 'the mentor has no free place left'
            : !a ||
                !b ||
                (regionCode !== null && (a.regionCode !== regionCode || b.regionCode !== regionCode))
              ? 'one of them is no longer a member in this scope'
              : a.organisationId !== null && a.organisationId === b.organisationId
                ? 'they now work for the same organisation'
                : kind === 'line-management'
                  ? 'a line management relationship has been declared between them'
                  : kind
                    ? 'a conflict of interest has been declared between them'
                    : pastPairs.has(`${p.menteeUserId}:${p.mentorUserId}`)
                      ? 'they now have a mentoring relationship'
                      : null;
      if (reason) dropped.push({ pair: p, reason, waiting });
      else {
        kept.push(p);
        used.set(p.mentorUserId, (used.get(p.mentorUserId) ?? 0) + 1);
      }
    }
    return { kept, dropped };
  }

  const adjustmentsKey = (list: Adjustment[]) =>
    list
      .map((a) => `${a.request_id}:${a.mentor_user_id}:${a.kind}`)
      .sort()
      .join(',');

  /**
   * Saves a plan as the run's result, inside a short transaction holding the run's lock. Refused
   * (409) when the run's pins or exclusions changed since the plan read them: the plan answered a
   * question nobody is asking any more. Pairs that no longer hold (a request withdrawn, a place
   * taken, a conflict declared while the engine ran) are dropped and their mentees listed as
   * unmatched with the reason; "Run again" matches them afresh, and approval checks once more.
   */
  async function writeRun(trx: Executor, runId: number, plan: RunPlan, thenCheck?: () => void) {
    const current = await repo.selectAdjustments(trx, runId);
    if (adjustmentsKey(current) !== adjustmentsKey(plan.adjustments))
      throw new ConflictError(
        'The pins or exclusions of this run were changed while it was being computed: open the run and run it again',
      );
    thenCheck?.();
    const { kept, dropped } = await recheckPairs(trx, plan.regionCode, plan.pairs);
    const gone = dropped.filter((d) => !d.waiting).length;
    const unmatched: UnmatchedEntry[] = [
      ...plan.unmatched,
      ...dropped
        .filter((d) => d.waiting)
        .map((d) => ({
          requestId: d.pair.requestId,
          reason: `Proposed with a mentor, but ${d.reason} since the run was computed; run it again to match this mentee`,
        })),
    ];
    const objective = dropped.length ? kept.reduce((sum, p) => sum + p.score, 0) : plan.objective;
    await repo.saveRunResult(trx, runId, {
      mentees: plan.mentees - gone,
      matched: kept.length,
      objective,
      unmatched,
      pairs: kept,
    });
    return {
      matched: kept.length,
      mentees: plan.mentees - gone,
      objective,
      dropped: dropped.map((d) => ({
        requestId: d.pair.requestId,
        mentorUserId: d.pair.mentorUserId,
        reason: d.reason,
      })),
    };
  }

  const scopeName = (regionCode: string | null) =>
    regionCode ? `region ${regionCode}` : 'the whole network';

  /** One draft run per scope: a second one is refused, naming the draft to open instead. */
  async function requireNoDraftRun(executor: Executor, regionCode: string | null) {
    const draft = await repo.findDraftRun(executor, regionCode);
    if (draft)
      throw new ConflictError(
        `A matching run for ${scopeName(regionCode)} was started by ${draft.created_by_name ?? 'someone'} at ${formatTimeOfDay(draft.created_at)} on ${formatLongDate(draft.created_at)} and is still a draft: open it (/mentoring/runs/${draft.id}) to adjust, approve or discard it`,
      );
  }

  /**
   * Scores and solves outside any transaction, then writes the run in one short transaction that
   * takes the scope's lock, refuses a second draft for the scope and re-checks every proposed pair.
   * `seams.afterSolve` runs between the solve and the write (tests change the data there).
   */
  async function createRun(
    actor: Actor,
    regionCode: string | null,
    seams: { afterSolve?: () => Promise<void> } = {},
  ) {
    requireRunScope(actor, regionCode);
    await requireNoDraftRun(db, regionCode);
    const plan = await planRun(regionCode, []);
    await seams.afterSolve?.();
    return writeNewRun(actor, plan);
  }

  /** Writes a new draft run from a plan: the scope's lock, no second draft, every pair re-checked. */
  function writeNewRun(actor: Actor, plan: RunPlan, signal?: AbortSignal) {
    const { regionCode } = plan;
    return db.transaction().execute(async (trx) => {
      await repo.lockRunScope(trx, regionCode);
      await requireNoDraftRun(trx, regionCode);
      const id = await repo.insertRun(trx, regionCode, actor.userId);
      const r = await writeRun(trx, id, plan);
      await recordAudit(trx, actor, {
        action: 'mentoring.run.create',
        entityType: 'mentoring_run',
        entityId: id,
        summary: `Ran matching for ${regionCode ?? 'the whole network'}: ${r.matched} of ${r.mentees} mentees matched`,
        details: r,
      });
      // A cancel that arrived while the write ran: nothing is kept.
      signal?.throwIfAborted();
      return id;
    });
  }

  const jobSubject = (regionCode: string | null) => `mentoring.scope:${regionCode ?? 'all'}`;
  const jobKind = (action: MatchingAction) => (action === 'new' ? MATCHING_JOB : `${MATCHING_JOB}.${action}`);
  const actionOf = (kind: string): MatchingAction | null =>
    MATCHING_ACTIONS.find((a) => jobKind(a) === kind) ?? null;

  /** Refused (409) while a matching job runs for the scope, naming who started it. */
  async function refuseWhileMatching(regionCode: string | null) {
    const running = await jobs.findRunning(jobSubject(regionCode));
    if (running)
      throw new ConflictError(
        `A matching run for ${scopeName(regionCode)} was started by ${running.startedByName ?? 'someone'} at ${formatTimeOfDay(running.startedAt)} on ${formatLongDate(running.startedAt)} and is still being computed: follow its progress at /mentoring/matching-jobs/${running.id}`,
      );
  }

  /**
   * Starts a matching job for a scope: one job per scope at a time (a new run, a re-run or an
   * adjustment of the scope's draft), so a second start is refused naming the first. `work` gets the
   * job's signal and progress, and resolves to the run it wrote.
   */
  async function startMatchingJob(
    actor: Actor,
    spec: { regionCode: string | null; action: MatchingAction; runId?: number },
    work: (signal: AbortSignal, progress: (p: MatchingProgress) => void) => Promise<number>,
    refusedBecause: () => Promise<void> = async () => {},
  ) {
    await refuseWhileMatching(spec.regionCode);
    const started = jobs.start(
      {
        kind: jobKind(spec.action),
        regionCode: spec.regionCode,
        subjectKey: jobSubject(spec.regionCode),
        subjectId: spec.runId,
        startedBy: actor.userId,
      },
      ({ signal, progress }) => work(signal, progress),
    );
    // Two people starting at the same moment: the database lets one job run; name it to the other.
    return started.catch(async (err) => {
      if (err instanceof ConflictError) {
        await refuseWhileMatching(spec.regionCode);
        await refusedBecause(); // the other job has already finished
      }
      throw err;
    });
  }

  /**
   * Starts a matching run as a job (the pages and the API): the scope is checked now, so a run the
   * actor may not start or a draft already open is refused at once; the engine then runs in a worker
   * thread while the lead watches the job's page, and the run is written with the same locked
   * re-check as createRun.
   */
  async function startRun(actor: Actor, regionCode: string | null) {
    requireRunScope(actor, regionCode);
    await requireNoDraftRun(db, regionCode);
    return startMatchingJob(
      actor,
      { regionCode, action: 'new' },
      async (signal, progress) => {
        const plan = await planRun(regionCode, [], { signal, onProgress: progress });
        signal.throwIfAborted();
        progress({ stage: 'saving', mentees: plan.mentees });
        return writeNewRun(actor, plan, signal);
      },
      () => requireNoDraftRun(db, regionCode),
    );
  }

  /**
   * A matching job, for those who may run matching in its scope (a regional lead of the region, the
   * national team); anyone else is told there is no such job (404).
   */
  async function getMatchingJob(actor: Actor, id: number) {
    const job = await jobs.find(id);
    const action = job ? actionOf(job.kind) : null;
    if (!job || !action || !mayRunMatching(actor, job.regionCode))
      throw new NotFoundError('There is no such matching run');
    return describeMatchingJob(job, action);
  }

  function mayRunMatching(actor: Actor, regionCode: string | null) {
    return isNational(actor) || (regionCode !== null && hasRole(actor, 'regional-lead', regionCode));
  }

  function describeMatchingJob(job: EngineJob, action: MatchingAction) {
    const p = (job.progress ?? {}) as Partial<MatchingProgress>;
    const stage: MatchingStage = p.stage ?? 'scoring';
    const step = job.status === 'succeeded' ? MATCHING_STAGES.length : MATCHING_STAGES.indexOf(stage) + 1;
    return {
      id: job.id,
      action,
      status: job.status,
      regionCode: job.regionCode,
      /** The draft this job computes again (null for a new run). */
      recomputesRunId: action === 'new' ? null : job.subjectId,
      startedBy: job.startedByName,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      cancelRequested: job.cancelRequested,
      runId: job.status === 'succeeded' ? job.resultId : null,
      error: job.error,
      progress: {
        stage,
        step,
        steps: MATCHING_STAGES.length,
        mentees: p.mentees ?? null,
        mentors: p.mentors ?? null,
      },
    };
  }

  async function cancelMatchingJob(actor: Actor, id: number) {
    const job = await getMatchingJob(actor, id);
    if (job.status !== 'running') throw new ConflictError('This matching run has already finished');
    await jobs.requestCancel(id);
    await recordAudit(db, actor, {
      action: 'mentoring.run.cancel',
      entityType: 'engine-job',
      entityId: id,
      summary: `Cancelled a matching run (job ${id}) for ${job.regionCode ?? 'the whole network'}`,
      details: { action: job.action, runId: job.recomputesRunId },
    });
  }

  /** What computing a draft again starts from: its scope, its pins and exclusions, when it was last computed. */
  async function readDraftRun(actor: Actor, id: number, decided: string) {
    const run = await loadRunForAdmin(db, actor, id);
    if (run.status !== 'draft') throw new ConflictError(decided);
    return {
      regionCode: run.region_code,
      computedAt: run.computed_at,
      adjustments: await repo.selectAdjustments(db, id),
    };
  }
  type DraftRead = Awaited<ReturnType<typeof readDraftRun>>;

  /**
   * Locks a draft for the write of a computation that read it earlier: refused (409) when it has been
   * decided, or computed again by someone else, since (the newer result stands).
   */
  async function lockDraft(trx: Executor, actor: Actor, id: number, decided: string) {
    const locked = await loadRunForAdmin(trx, actor, id, true);
    if (locked.status !== 'draft') throw new ConflictError(decided);
    return locked;
  }
  function requireNotRecomputed(locked: { computed_at: Date }, read: DraftRead) {
    if (locked.computed_at.getTime() !== read.computedAt.getTime())
      throw new ConflictError(
        'This run was computed again by someone else while this computation ran: open the run to see the latest pairs',
      );
  }

  const NOT_AGAIN = 'This run has been decided and cannot be run again';

  /** Saves a draft computed again, in one short transaction that re-checks what the computation read. */
  function saveRerun(actor: Actor, id: number, read: DraftRead, plan: RunPlan, signal?: AbortSignal) {
    return db.transaction().execute(async (trx) => {
      const locked = await lockDraft(trx, actor, id, NOT_AGAIN);
      const r = await writeRun(trx, id, plan, () => requireNotRecomputed(locked, read));
      await recordAudit(trx, actor, {
        action: 'mentoring.run.rerun',
        entityType: 'mentoring_run',
        entityId: id,
        summary: `Re-ran matching: ${r.matched} of ${r.mentees} mentees matched`,
        details: r,
      });
      // A cancel that arrived while the write ran: nothing is kept.
      signal?.throwIfAborted();
    });
  }

  /** Computes a draft again in the caller (tests and scripts; the pages and API use startRerun). */
  async function rerun(actor: Actor, id: number, seams: { afterSolve?: () => Promise<void> } = {}) {
    const read = await readDraftRun(actor, id, NOT_AGAIN);
    const plan = await planRun(read.regionCode, read.adjustments);
    await seams.afterSolve?.();
    await saveRerun(actor, id, read, plan);
  }

  /** Computes a draft again as a job the lead watches; refused at once when the run is decided. */
  async function startRerun(actor: Actor, id: number) {
    const read = await readDraftRun(actor, id, NOT_AGAIN);
    return startMatchingJob(
      actor,
      { regionCode: read.regionCode, action: 'rerun', runId: id },
      async (signal, progress) => {
        const plan = await planRun(read.regionCode, read.adjustments, { signal, onProgress: progress });
        signal.throwIfAborted();
        progress({ stage: 'saving', mentees: plan.mentees });
        await saveRerun(actor, id, read, plan, signal);
        return id;
      },
    );
  }

  /** The adjustments after one change, as repo.setAdjustment leaves them. */
  function applyAdjustment(list: Adjustment[], input: AdjustmentChange): Adjustment[] {
    const same = (a: Adjustment) =>
      a.request_id === input.requestId && a.mentor_user_id === input.mentorUserId;
    const rest = list.filter(
      (a) => !same(a) && !(input.kind === 'pin' && a.kind === 'pin' && a.request_id === input.requestId),
    );
    return input.kind === 'clear'
      ? rest
      : [...rest, { request_id: input.requestId, mentor_user_id: input.mentorUserId, kind: input.kind }];
  }

  const NOT_CHANGED = 'This run has been decided and cannot be changed';

  /** Checks an adjustment against the run as it is: a mentee and mentor in it, a pin that may hold. */
  async function readAdjustment(actor: Actor, id: number, input: AdjustmentChange) {
    const read = await readDraftRun(actor, id, NOT_CHANGED);
    const p = await buildProblem(db, read.adjustments, read.regionCode);
    const request = p.mentees.find((r) => r.id === input.requestId);
    if (!request) fail('requestId', 'That mentee is not waiting for a mentor in this run');
    const mentor = p.mentors.find((m) => m.user_id === input.mentorUserId);
    if (!mentor) fail('mentorUserId', 'That mentor has no open offer in this run');
    if (input.kind === 'pin') {
      const why = p.exclusion(request!, mentor!.user_id);
      if (why)
        fail('mentorUserId', `This pair cannot be pinned: ${why.charAt(0).toLowerCase()}${why.slice(1)}`);
      if (mentor!.free === 0) fail('mentorUserId', 'This mentor has no free place');
    }
    const names = `${p.facts.get(request!.user_id)!.name} and ${p.facts.get(mentor!.user_id)!.name}`;
    return { ...read, names };
  }

  /**
   * Saves an adjustment and the run computed with it, in one short transaction: refused when the run
   * was decided, its pins or exclusions changed, or it was computed again, since the computation read it.
   */
  function saveAdjustment(
    actor: Actor,
    id: number,
    input: AdjustmentChange,
    read: Awaited<ReturnType<typeof readAdjustment>>,
    plan: RunPlan,
    signal?: AbortSignal,
  ) {
    return db.transaction().execute(async (trx) => {
      const locked = await lockDraft(trx, actor, id, NOT_CHANGED);
      if (adjustmentsKey(await repo.selectAdjustments(trx, id)) !== adjustmentsKey(read.adjustments))
        throw new ConflictError(
          'Someone else changed the pins or exclusions of this run meanwhile: check the run and try again',
        );
      requireNotRecomputed(locked, read);
      await repo.setAdjustment(trx, id, input.requestId, input.mentorUserId, input.kind);
      await writeRun(trx, id, plan);
      await recordAudit(trx, actor, {
        action: `mentoring.run.${input.kind}`,
        entityType: 'mentoring_run',
        entityId: id,
        summary:
          input.kind === 'pin'
            ? `Pinned ${read.names} together`
            : input.kind === 'forbid'
              ? `Ruled out pairing ${read.names}`
              : `Cleared the adjustment for ${read.names}`,
        details: input,
      });
      signal?.throwIfAborted();
    });
  }

  /**
   * Pins, rules out or clears a pair and computes the run again in the caller (tests and scripts;
   * the pages and API use startAdjustment).
   */
  async function adjustRun(actor: Actor, id: number, input: AdjustmentChange) {
    const read = await readAdjustment(actor, id, input);
    const plan = await planRun(read.regionCode, applyAdjustment(read.adjustments, input));
    await saveAdjustment(actor, id, input, read, plan);
  }

  /**
   * Pins, rules out or clears a pair as a job: the change is checked now (a pair that cannot be
   * pinned is refused at once, on the form); the run is computed with it in a worker thread, and the
   * change and the new result are saved together, or neither (a cancel, a conflict).
   */
  async function startAdjustment(actor: Actor, id: number, input: AdjustmentChange) {
    const read = await readAdjustment(actor, id, input);
    return startMatchingJob(
      actor,
      { regionCode: read.regionCode, action: input.kind, runId: id },
      async (signal, progress) => {
        const plan = await planRun(read.regionCode, applyAdjustment(read.adjustments, input), {
          signal,
          onProgress: progress,
        });
        signal.throwIfAborted();
        progress({ stage: 'saving', mentees: plan.mentees });
        await saveAdjustment(actor, id, input, read, plan, signal);
        return id;
      },
    );
  }

  /** The matching job computing this draft now, if any (the run page links to its progress). */
  async function findJobComputing(regionCode: string | null, runId: number) {
    const running = await jobs.findRunning(jobSubject(regionCode));
    return running && running.subjectId === runId ? running.id : null;
  }

  async function getRun(actor: Actor, id: number) {
    const run = await loadRunForAdmin(db, actor, id);
    const [pairs, adjustments, computingJobId] = await Promise.all([
      repo.selectRunPairs(db, id),
      repo.selectAdjustments(db, id),
      run.status === 'draft' ? findJobComputing(run.region_code, id) : null,
    ]);
    const unmatched = run.unmatched;
    const requests = await Promise.all(unmatched.map((u) => repo.findRequest(db, u.requestId)));
    const facts = await findMentoringFacts(db, [
      ...requests.filter((r) => r !== undefined).map((r) => r.user_id),
      ...adjustments.map((a) => a.mentor_user_id),
    ]);
    const requestUser = new Map(requests.filter((r) => r !== undefined).map((r) => [r.id, r.user_id]));
    const adjRequests = await Promise.all(adjustments.map((a) => repo.findRequest(db, a.request_id)));
    const adjFacts = await findMentoringFacts(
      db,
      adjRequests.filter((r) => r !== undefined).map((r) => r.user_id),
    );
    return {
      id: run.id,
      regionCode: run.region_code,
      status: run.status,
      mentees: run.mentees,
      matched: run.matched,
      objective: run.objective,
      createdAt: run.created_at.toISOString(),
      computedAt: run.computed_at,
      /** A matching job computing this draft again now, if any. */
      computingJobId,
      pairs: pairs.map((p) => ({
        requestId: p.request_id,
        mentee: { userId: p.mentee_user_id, name: p.mentee_name },
        mentor: { userId: p.mentor_user_id, name: p.mentor_name },
        score: p.score,
        pinned: p.pinned,
        breakdown: p.breakdown,
      })),
      unmatched: unmatched.map((u) => ({
        requestId: u.requestId,
        name: facts.get(requestUser.get(u.requestId) ?? -1)?.name ?? 'A member',
        reason: u.reason,
      })),
      adjustments: adjustments.map((a, i) => ({
        requestId: a.request_id,
        mentorUserId: a.mentor_user_id,
        kind: a.kind,
        menteeName: adjFacts.get(adjRequests[i]?.user_id ?? -1)?.name ?? 'A member',
        mentorName: facts.get(a.mentor_user_id)?.name ?? 'A mentor',
      })),
    };
  }

  /** Mentees and mentors a run's adjustments may name, for the pin and rule-out form. */
  async function runCandidates(actor: Actor, id: number) {
    const run = await loadRunForAdmin(db, actor, id);
    const p = await buildProblem(db, await repo.selectAdjustments(db, id), run.region_code);
    return {
      mentees: p.mentees
        .map((r) => ({ requestId: r.id, name: p.facts.get(r.user_id)!.name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      mentors: p.mentors
        .map((m) => ({ userId: m.user_id, name: p.facts.get(m.user_id)!.name, free: m.free }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  async function listRuns(actor: Actor, page: number) {
    const regions = adminRegions(actor);
    if (regions !== 'all' && regions.length === 0) throw new ForbiddenError();
    const { rows, total } = await repo.selectRuns(db, regions, page, PAGE_SIZE);
    return {
      total,
      pageSize: PAGE_SIZE,
      rows: rows.map((r) => ({
        id: r.id,
        regionCode: r.region_code,
        status: r.status,
        mentees: r.mentees,
        matched: r.matched,
        objective: r.objective,
        createdAt: r.created_at,
      })),
    };
  }

  async function approveRun(actor: Actor, id: number, today = new Date()) {
    return db.transaction().execute(async (trx) => {
      const run = await loadRunForAdmin(trx, actor, id, true);
      if (run.status !== 'draft') throw new ConflictError('This run has already been decided');
      const pairs = await repo.selectRunPairs(trx, id);
      const facts = await findMentoringFacts(trx, [
        ...pairs.map((p) => p.mentee_user_id),
        ...pairs.map((p) => p.mentor_user_id),
      ]);
      const startedOn = isoDate(today);
      // Every rule the run checked, checked again under the requests' and offers' locks: two runs
      // approved at once (a regional and a national one) cannot both take one request or place.
      const { dropped } = await recheckPairs(
        trx,
        run.region_code,
        pairs.map((p) => ({
          requestId: p.request_id,
          menteeUserId: p.mentee_user_id,
          mentorUserId: p.mentor_user_id,
          pinned: p.pinned,
          names: `${p.mentee_name} and ${p.mentor_name}`,
        })),
      );
      if (dropped.length)
        throw new ConflictError(
          `Things have changed since this run was computed (${dropped.map((d) => `${d.pair.names}: ${d.reason}`).join('; ')}). Run it again before approving.`,
        );
      for (const p of pairs) {
        const request = (await repo.findRequest(trx, p.request_id))!;
        const relId = await repo.insertRelationship(trx, {
          requestId: p.request_id,
          runId: id,
          menteeUserId: p.mentee_user_id,
          mentorUserId: p.mentor_user_id,
          regionCode: facts.get(p.mentee_user_id)?.regionCode ?? run.region_code ?? 'Q30',
          score: p.score,
          startedOn,
          reviewDueOn: addMonths(startedOn, 6),
        });
        await repo.insertGoals(trx, relId, goalLines(request.goals));
        await repo.setRequestStatus(trx, p.request_id, 'matched', null);
        await recordAudit(trx, actor, {
          action: 'mentoring.pair.approve',
          entityType: 'mentoring_relationship',
          entityId: relId,
          summary: `Matched ${p.mentee_name} with mentor ${p.mentor_name} (score ${p.score})`,
          details: { runId: id, requestId: p.request_id, score: p.score, pinned: p.pinned },
        });
        const url = link(`/mentoring/pairs/${relId}`);
        await enqueueEmail(
          trx,
          letter({
            to: p.mentee_email,
            name: p.mentee_name,
            kind: 'mentoring.matched',
            subject: 'You have been matched with a mentor',
            body: [
              `You have been matched with ${p.mentor_name} as your mentor in the Clinical Leaders Network.`,
              { text: 'Agree your ground rules and log your first meeting here:', link: url },
              'If the match does not suit you, you can decline it on that page; you will go back into the pool for the next matching run, and no reason is needed.',
            ],
          }),
        );
        await enqueueEmail(
          trx,
          letter({
            to: p.mentor_email,
            name: p.mentor_name,
            kind: 'mentoring.matched',
            subject: 'You have a new mentee',
            body: [
              `${p.mentee_name} has been matched with you as a mentee in the Clinical Leaders Network.`,
              `Their goals:\n${request.goals}`,
              { text: 'Agree your ground rules and log your first meeting here:', link: url },
              'If the match does not suit you, you can decline it on that page without giving a reason.',
            ],
          }),
        );
      }
      for (const u of run.unmatched) await repo.setWaitlistReason(trx, u.requestId, u.reason);
      await repo.decideRun(trx, id, 'approved', actor.userId);
      await recordAudit(trx, actor, {
        action: 'mentoring.run.approve',
        entityType: 'mentoring_run',
        entityId: id,
        summary: `Approved matching run ${id}: ${pairs.length} pairs; ${run.unmatched.length} on the waitlist`,
      });
      return pairs.length;
    });
  }

  async function discardRun(actor: Actor, id: number) {
    return db.transaction().execute(async (trx) => {
      const run = await loadRunForAdmin(trx, actor, id, true);
      if (run.status !== 'draft') throw new ConflictError('This run has already been decided');
      await repo.decideRun(trx, id, 'discarded', actor.userId);
      await recordAudit(trx, actor, {
        action: 'mentoring.run.discard',
        entityType: 'mentoring_run',
        entityId: id,
        summary: `Discarded matching run ${id}`,
      });
    });
  }

  // Relationships ------------------------------------------------------------------------------

  /** Only the two people in a pair see its page: not administrators, not other members. */
  async function loadOwnPair(executor: Executor, actor: Actor, id: number, message?: string) {
    // Inside a write's transaction the pair is locked first, so that the rule each write checks
    // (still active, no meeting yet, no feedback yet) holds until it commits: a decline and a
    // logged meeting at the same moment cannot both pass.
    if (executor !== db) await repo.lockRelationship(executor, id);
    const r = await repo.findRelationship(executor, id);
    if (!r) throw new NotFoundError('Mentoring pair not found');
    if (actor.userId !== r.mentee_user_id && actor.userId !== r.mentor_user_id)
      throw new ForbiddenError(
        message ?? 'Only the mentee and the mentor can see this mentoring relationship',
      );
    return r;
  }

  async function getPair(actor: Actor, id: number) {
    const r = await loadOwnPair(db, actor, id);
    const [goals, meetings, request, openPlanGoals] = await Promise.all([
      repo.selectGoals(db, id),
      repo.selectMeetings(db, id),
      repo.findRequest(db, r.request_id),
      listOpenPlanGoals(db, r.mentee_user_id),
    ]);
    // Only the plan goals the mentee chose to link to their request are shown to the mentor.
    const linked = new Set(request?.plan_goal_ids ?? []);
    return {
      planGoals: openPlanGoals
        .filter((g) => linked.has(g.id))
        .map((g) => ({ title: g.title, competency: g.competency })),
      id: r.id,
      status: r.status,
      role: actor.userId === r.mentor_user_id ? ('mentor' as const) : ('mentee' as const),
      mentee: { userId: r.mentee_user_id, name: r.mentee_name },
      mentor: { userId: r.mentor_user_id, name: r.mentor_name },
      startedOn: r.started_on,
      reviewDueOn: r.review_due_on,
      agreement:
        r.ground_rules && r.meeting_frequency && r.duration_months
          ? {
              groundRules: r.ground_rules,
              meetingFrequency: r.meeting_frequency,
              durationMonths: r.duration_months,
            }
          : null,
      goals: goals.map((g) => ({ id: g.id, title: g.title, status: g.status })),
      meetings: meetings.map((m) => ({
        id: m.id,
        metOn: m.met_on,
        format: m.format,
        notes: m.notes,
        loggedBy: m.logged_by_name,
      })),
      review: r.review_text,
      reviewedAt: r.reviewed_at,
      endedAt: r.ended_at ? r.ended_at.toISOString() : null,
      menteeFeedback: r.mentee_feedback,
      mentorFeedback: r.mentor_feedback,
    };
  }

  const listMyPairs = async (actor: Actor) =>
    (await repo.selectRelationshipsOf(db, actor.userId)).map((r) => ({
      id: r.id,
      status: r.status,
      role: r.mentor_user_id === actor.userId ? ('mentor' as const) : ('mentee' as const),
      mentee: { userId: r.mentee_user_id, name: r.mentee_name },
      mentor: { userId: r.mentor_user_id, name: r.mentor_name },
      startedOn: r.started_on,
    }));

  function requireActive(r: { status: string }) {
    if (r.status !== 'active') throw new ConflictError('This mentoring relationship is no longer active');
  }

  async function declinePair(actor: Actor, id: number) {
    return db.transaction().execute(async (trx) => {
      const r = await loadOwnPair(trx, actor, id, 'You can only decline a mentoring match you are part of');
      requireActive(r);
      if ((await repo.countMeetings(trx, id)) > 0)
        throw new ConflictError('You have already met: end the mentoring instead, with your feedback');
      await repo.updateRelationship(trx, id, { status: 'declined', ended_at: new Date() });
      await repo.setRequestStatus(
        trx,
        r.request_id,
        'waiting',
        'Your last match did not go ahead. You are back in the pool for the next matching run.',
      );
      await recordAudit(trx, actor, {
        action: 'mentoring.pair.decline',
        entityType: 'mentoring_relationship',
        entityId: id,
        summary: `The match of ${r.mentee_name} with ${r.mentor_name} was declined; the mentee returns to the pool`,
      });
      for (const to of [r.mentee_email, r.mentor_email])
        await enqueueEmail(trx, {
          to,
          kind: 'mentoring.declined',
          subject: 'Your mentoring match will not go ahead',
          text: `The mentoring match between ${r.mentee_name} and ${r.mentor_name} will not go ahead. This happens, and nobody is at fault.\n\n${r.mentee_name} goes back into the pool for the next matching run.\n`,
        });
    });
  }

  async function saveAgreement(
    actor: Actor,
    id: number,
    input: { groundRules: string; meetingFrequency: string; durationMonths: number },
  ) {
    return db.transaction().execute(async (trx) => {
      const r = await loadOwnPair(trx, actor, id);
      requireActive(r);
      await repo.updateRelationship(trx, id, {
        ground_rules: input.groundRules,
        meeting_frequency: input.meetingFrequency,
        duration_months: input.durationMonths,
        agreed_at: new Date(),
      });
      await recordAudit(trx, actor, {
        action: 'mentoring.agreement.save',
        entityType: 'mentoring_relationship',
        entityId: id,
        summary: `Recorded the mentoring agreement: ${input.meetingFrequency}, ${input.durationMonths} months`,
      });
    });
  }

  async function logMeeting(
    actor: Actor,
    id: number,
    input: { metOn: string; format: 'online' | 'in-person'; notes: string | null },
    now = new Date(),
  ) {
    return db.transaction().execute(async (trx) => {
      const r = await loadOwnPair(trx, actor, id);
      requireActive(r);
      if (input.metOn > isoDate(now)) fail('metOn', 'The date of the meeting must be today or in the past');
      if (input.metOn < r.started_on)
        fail('metOn', 'The date of the meeting must be on or after the match began');
      const meetingId = await repo.insertMeeting(trx, {
        relationshipId: id,
        ...input,
        loggedBy: actor.userId,
      });
      // The notes are private to the pair: the audit log records that a meeting happened, not what was said.
      await recordAudit(trx, actor, {
        action: 'mentoring.meeting.log',
        entityType: 'mentoring_relationship',
        entityId: id,
        summary: `Logged a mentoring meeting on ${input.metOn} (${input.format})`,
        details: { meetingId },
      });
      return meetingId;
    });
  }

  async function updateGoal(actor: Actor, id: number, input: { goalId: number; status: string }) {
    return db.transaction().execute(async (trx) => {
      const r = await loadOwnPair(trx, actor, id);
      requireActive(r);
      const goal = await repo.updateGoalStatus(trx, id, input.goalId, input.status);
      if (!goal) throw new NotFoundError('Goal not found');
      await recordAudit(trx, actor, {
        action: 'mentoring.goal.progress',
        entityType: 'mentoring_relationship',
        entityId: id,
        summary: `Marked a mentoring goal as ${input.status.replace('-', ' ')}`,
        details: { goalId: input.goalId, status: input.status },
      });
    });
  }

  async function saveReview(actor: Actor, id: number, review: string) {
    return db.transaction().execute(async (trx) => {
      const r = await loadOwnPair(trx, actor, id);
      requireActive(r);
      await repo.updateRelationship(trx, id, { review_text: review, reviewed_at: new Date() });
      await recordAudit(trx, actor, {
        action: 'mentoring.review.save',
        entityType: 'mentoring_relationship',
        entityId: id,
        summary: 'Recorded the six-month mentoring review',
      });
    });
  }

  /** Ends the relationship with the actor's feedback; the other person adds theirs afterwards. */
  async function endPair(actor: Actor, id: number, feedback: string) {
    return db.transaction().execute(async (trx) => {
      const r = await loadOwnPair(trx, actor, id);
      if (r.status === 'declined') throw new ConflictError('This match was declined and cannot be ended');
      const asMentor = actor.userId === r.mentor_user_id;
      if ((asMentor ? r.mentor_feedback : r.mentee_feedback) !== null)
        throw new ConflictError('You have already given your feedback on this mentoring');
      const ending = r.status === 'active';
      await repo.updateRelationship(trx, id, {
        ...(asMentor ? { mentor_feedback: feedback } : { mentee_feedback: feedback }),
        ...(ending ? { status: 'ended' as const, ended_at: new Date() } : {}),
      });
      if (ending) await repo.setRequestStatus(trx, r.request_id, 'closed', null);
      await recordAudit(trx, actor, {
        action: ending ? 'mentoring.pair.end' : 'mentoring.pair.feedback',
        entityType: 'mentoring_relationship',
        entityId: id,
        summary: ending
          ? `Ended the mentoring of ${r.mentee_name} by ${r.mentor_name}, with feedback`
          : 'Added feedback on ended mentoring',
      });
      if (ending) {
        const other = asMentor ? r.mentee_email : r.mentor_email;
        const otherName = asMentor ? r.mentee_name : r.mentor_name;
        await enqueueEmail(
          trx,
          letter({
            to: other,
            name: otherName,
            kind: 'mentoring.ended',
            subject: 'Your mentoring has ended: add your feedback',
            body: [
              `${actor.name} has ended your mentoring relationship.`,
              { text: 'Please add your own feedback:', link: link(`/mentoring/pairs/${id}`) },
            ],
          }),
        );
      }
    });
  }

  // Health and reminders -----------------------------------------------------------------------

  /** Each active pair's health for the national team or a region's lead: never the notes. */
  async function health(actor: Actor, page: number, now = new Date()) {
    const regions = adminRegions(actor);
    if (regions !== 'all' && regions.length === 0) throw new ForbiddenError();
    const { rows, total } = await repo.selectHealth(db, regions, page, PAGE_SIZE);
    const quietSince = isoDate(new Date(now.getTime() - reminderWeeks * 7 * 86_400_000));
    const today = isoDate(now);
    return {
      total,
      pageSize: PAGE_SIZE,
      reminderWeeks,
      rows: rows.map((r) => {
        const last = r.last_met_on ?? null;
        const quiet = (last ?? r.started_on) < quietSince;
        const status: Health = quiet
          ? 'needs-check-in'
          : r.review_due_on <= today && !r.reviewed_at
            ? 'review-due'
            : 'on-track';
        return {
          id: r.id,
          mentee: r.mentee_name,
          mentor: r.mentor_name,
          regionCode: r.region_code,
          startedOn: r.started_on,
          meetings: Number(r.meetings ?? 0),
          lastMeetingOn: last,
          health: status,
          agreed: r.agreed_at !== null,
        };
      }),
    };
  }

  /**
   * Emails both people of each pair with no meeting logged for `reminderWeeks`; once per window.
   * `batchSize` pairs to a transaction: one update, one insert of their emails and one of their
   * audit entries each, so a backlog (the first start after importing a network) is a few
   * statements per hundred pairs rather than four per pair.
   */
  async function sendReminders(now = new Date(), batchSize = 200): Promise<number> {
    const since = new Date(now.getTime() - reminderWeeks * 7 * 86_400_000);
    const quiet = await repo.selectQuietRelationships(db, since);
    for (let i = 0; i < quiet.length; i += batchSize) {
      const batch = quiet.slice(i, i + batchSize);
      await db.transaction().execute(async (trx) => {
        await repo.markReminded(
          trx,
          batch.map((r) => r.id),
          now,
        );
        await enqueueEmails(
          trx,
          batch.flatMap((r) => {
            const url = link(`/mentoring/pairs/${r.id}`);
            const people = [
              [r.mentee_email, r.mentee_name],
              [r.mentor_email, r.mentor_name],
            ] as const;
            return people.map(([to, name]) =>
              letter({
                to,
                name,
                kind: 'mentoring.reminder',
                subject: 'Time for a mentoring meeting?',
                body: [
                  `No mentoring meeting between ${r.mentee_name} and ${r.mentor_name} has been logged for ${reminderWeeks} weeks.`,
                  { text: 'When you next meet, log it here:', link: url },
                ],
              }),
            );
          }),
        );
        await recordAudits(
          trx,
          'system',
          batch.map((r) => ({
            action: 'mentoring.reminder',
            entityType: 'mentoring_relationship',
            entityId: r.id,
            summary: `Reminded the pair: no meeting logged for ${reminderWeeks} weeks`,
          })),
        );
      });
    }
    return quiet.length;
  }

  /** True when this mentor currently mentors this member (for plans shared "with my mentor"). */
  const isMentorOf = (mentorUserId: number, memberUserId: number) =>
    repo.hasActiveRelationship(db, mentorUserId, memberUserId);

  async function overview(actor: Actor) {
    const [offer, request, pairs, conflicts] = await Promise.all([
      hasRole(actor, 'mentor') ? getOffer(actor) : Promise.resolve(null),
      getMyRequest(actor),
      listMyPairs(actor),
      listConflicts(actor),
    ]);
    return { offer, request, pairs, conflicts };
  }

  return {
    reminderWeeks,
    overview,
    getOffer,
    saveOffer,
    getMyRequest,
    listMyPlanGoals,
    saveRequest,
    withdrawRequest,
    listConflicts,
    declareConflict,
    removeConflict,
    createRun,
    startRun,
    getMatchingJob,
    cancelMatchingJob,
    rerun,
    startRerun,
    adjustRun,
    startAdjustment,
    getRun,
    runCandidates,
    listRuns,
    approveRun,
    discardRun,
    getPair,
    listMyPairs,
    declinePair,
    saveAgreement,
    logMeeting,
    updateGoal,
    saveReview,
    endPair,
    health,
    sendReminders,
    isMentorOf,
  };
}

export type MentoringService = ReturnType<typeof createMentoringService>;

function presentOffer(o: NonNullable<Awaited<ReturnType<typeof repo.findOffer>>>, activeMentees: number) {
  return {
    userId: o.user_id,
    capacity: o.capacity,
    areas: o.areas,
    format: o.format,
    menteeProfessions: o.mentee_professions,
    notes: o.notes,
    activeMentees,
  };
}

function presentRequest(r: NonNullable<Awaited<ReturnType<typeof repo.findRequest>>>) {
  return {
    id: r.id,
    status: r.status,
    goals: r.goals,
    goalAreas: r.goal_areas,
    format: r.format,
    mentorProfessions: r.mentor_professions,
    sameRegion: r.same_region,
    planGoalIds: r.plan_goal_ids,
    waitlistReason: r.waitlist_reason,
  };
}
