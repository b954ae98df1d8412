import { sql } from 'kysely';
import type { DB } from '../db/database.ts';
import { AppError, ConflictError } from './errors.ts';
import { WorkerPoolBusyError, WorkerTimeoutError } from './workers.ts';

/**
 * Long calculations as jobs: a row in `engine_jobs` per run, written by the process that runs it
 * (progress and a heartbeat every `heartbeatMs`) and read by whichever process serves the person
 * waiting. A cancel is a column any process sets; the running process reads it with each heartbeat
 * (and at once when the cancel arrives at the same process) and aborts the work. The module that
 * starts a job checks who may see and cancel it; this file knows nothing of regions or roles.
 */

export type EngineJobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export type EngineJob = {
  id: number;
  kind: string;
  regionCode: string | null;
  subjectKey: string;
  subjectId: number | null;
  status: EngineJobStatus;
  progress: Record<string, unknown> | null;
  startedBy: number | null;
  startedByName: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  cancelRequested: boolean;
  resultId: number | null;
  error: string | null;
};

export type JobContext = {
  /** Aborted when the job is cancelled or the server stops. */
  signal: AbortSignal;
  /** The latest progress; written with the next heartbeat. */
  progress(progress: Record<string, unknown>): void;
};

export type EngineJobs = {
  /**
   * Records a running job and starts `work` in the background; returns the job's id at once.
   * Refused (409) while another job runs for the same subject. `work` resolves to the id of what it
   * made (a formation, a run); a thrown AppError's message is what the person is shown.
   */
  start(
    spec: {
      kind: string;
      regionCode: string | null;
      subjectKey: string;
      subjectId?: number;
      startedBy: number;
    },
    work: (context: JobContext) => Promise<number>,
  ): Promise<number>;
  find(id: number): Promise<EngineJob | null>;
  /** The job running for a subject now, if any (one whose process died is not running). */
  findRunning(subjectKey: string): Promise<EngineJob | null>;
  /** Asks the job to stop; a job already finished is left as it is. */
  requestCancel(id: number): Promise<void>;
  /** Waits for a job run by this process to end (tests, the CLI). */
  settled(id: number): Promise<void>;
  /** Stops every job of this process (marked failed: the server stopped) and waits for them. */
  close(): Promise<void>;
};

/** A running job whose heartbeat is older than this has lost its process. */
const STALE_AFTER_MS = 30_000;

export function createEngineJobs(opts: {
  db: DB;
  heartbeatMs?: number;
  log?: { error(obj: object, msg: string): void };
}): EngineJobs {
  const { db } = opts;
  const heartbeatMs = opts.heartbeatMs ?? 500;
  const local = new Map<number, { controller: AbortController; done: Promise<void> }>();
  let closing = false;

  const staleCutoff = () => new Date(Date.now() - STALE_AFTER_MS);

  const select = () =>
    db
      .selectFrom('engine_jobs as j')
      .leftJoin('users as u', 'u.id', 'j.started_by')
      .selectAll('j')
      .select('u.name as started_by_name');

  type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof select>['executeTakeFirst']>>>;

  function present(row: Row): EngineJob {
    const interrupted = row.status === 'running' && row.heartbeat_at < staleCutoff();
    return {
      id: row.id,
      kind: row.kind,
      regionCode: row.region_code,
      subjectKey: row.subject_key,
      subjectId: row.subject_id,
      status: interrupted ? 'failed' : row.status,
      progress: (row.progress as Record<string, unknown> | null) ?? null,
      startedBy: row.started_by,
      startedByName: row.started_by_name,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      cancelRequested: row.cancel_requested_at !== null,
      resultId: row.result_id,
      error: interrupted
        ? 'The server running this calculation stopped before it finished: start it again'
        : row.error,
    };
  }

  async function find(id: number) {
    const row = await select().where('j.id', '=', id).executeTakeFirst();
    return row ? present(row) : null;
  }

  async function findRunning(subjectKey: string) {
    const row = await select()
      .where('j.subject_key', '=', subjectKey)
      .where('j.status', '=', 'running')
      .where('j.heartbeat_at', '>=', staleCutoff())
      .executeTakeFirst();
    return row ? present(row) : null;
  }

  async function finish(id: number, status: EngineJobStatus, fields: { resultId?: number; error?: string }) {
    await db
      .updateTable('engine_jobs')
      .set({
        status,
        finished_at: new Date(),
        result_id: fields.resultId ?? null,
        error: fields.error ?? null,
        heartbeat_at: new Date(),
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .execute();
  }

  async function start(
    spec: {
      kind: string;
      regionCode: string | null;
      subjectKey: string;
      subjectId?: number;
      startedBy: number;
    },
    work: (context: JobContext) => Promise<number>,
  ) {
    if (closing) throw new ConflictError('The server is stopping: try again in a minute');
    const id = await db.transaction().execute(async (trx) => {
      // A job whose process died keeps its row, marked as what it is, and frees the subject.
      await trx
        .updateTable('engine_jobs')
        .set({
          status: 'failed',
          finished_at: new Date(),
          error: 'The server running this calculation stopped before it finished: start it again',
        })
        .where('subject_key', '=', spec.subjectKey)
        .where('status', '=', 'running')
        .where('heartbeat_at', '<', staleCutoff())
        .execute();
      const inserted = await sql<{ id: number }>`
        insert into engine_jobs (kind, region_code, subject_key, subject_id, started_by)
        values (${spec.kind}, ${spec.regionCode}, ${spec.subjectKey}, ${spec.subjectId ?? null}, ${spec.startedBy})
        on conflict (subject_key) where status = 'running' do nothing
        returning id`.execute(trx);
      return inserted.rows[0]?.id ?? null;
    });
    if (id === null) throw new ConflictError('This calculation is already running: wait for it to finish');

    const controller = new AbortController();
    let latest: Record<string, unknown> | null = null;
    let written: Record<string, unknown> | null = null;
    const beat = async () => {
      // What this beat writes; progress reported while the update is in flight waits for the next.
      const snapshot = latest;
      const row = await db
        .updateTable('engine_jobs')
        .set({
          heartbeat_at: new Date(),
          ...(snapshot !== written ? { progress: JSON.stringify(snapshot) } : {}),
        })
        .where('id', '=', id)
        .returning(['cancel_requested_at'])
        .executeTakeFirst();
      written = snapshot;
      if (row?.cancel_requested_at && !controller.signal.aborted) controller.abort(new JobCancelled());
    };
    let beating: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      beating = beating
        .then(beat)
        .catch((err) => opts.log?.error({ err, jobId: id }, 'job heartbeat failed'));
    }, heartbeatMs);
    timer.unref();

    const done = (async () => {
      try {
        const resultId = await work({
          signal: controller.signal,
          progress: (p) => {
            latest = p;
          },
        });
        clearInterval(timer);
        await beating;
        if (controller.signal.aborted) throw controller.signal.reason;
        await beat(); // the final progress, as the work left it
        await finish(id, 'succeeded', { resultId });
      } catch (err) {
        clearInterval(timer);
        await beating;
        const reason = controller.signal.aborted ? controller.signal.reason : err;
        if (reason instanceof JobCancelled) await finish(id, 'cancelled', {});
        else if (reason instanceof ServerStopping)
          await finish(id, 'failed', {
            error: 'The server stopped before the calculation finished: start it again',
          });
        else if (
          reason instanceof AppError ||
          reason instanceof WorkerPoolBusyError ||
          reason instanceof WorkerTimeoutError
        )
          await finish(id, 'failed', { error: reason.message });
        else {
          opts.log?.error({ err: reason, jobId: id }, 'job failed');
          await finish(id, 'failed', { error: 'Something went wrong in the calculation: try again' });
        }
      }
    })()
      .catch((err) => opts.log?.error({ err, jobId: id }, 'job could not record its end'))
      .finally(() => local.delete(id));
    local.set(id, { controller, done });
    return id;
  }

  async function requestCancel(id: number) {
    await db
      .updateTable('engine_jobs')
      .set({ cancel_requested_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('cancel_requested_at', 'is', null)
      .execute();
    local.get(id)?.controller.abort(new JobCancelled());
  }

  return {
    start,
    find,
    findRunning,
    requestCancel,
    async settled(id) {
      await local.get(id)?.done;
    },
    async close() {
      closing = true;
      const running = [...local.values()];
      for (const job of running) job.controller.abort(new ServerStopping());
      await Promise.all(running.map((job) => job.done));
    },
  };
}

class JobCancelled extends Error {
  override name = 'JobCancelled';
  constructor() {
    super('The calculation was cancelled');
  }
}

class ServerStopping extends Error {
  override name = 'ServerStopping';
  constructor() {
    super('The server is stopping');
  }
}
