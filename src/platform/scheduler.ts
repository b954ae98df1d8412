import { sql } from 'kysely';
import type { DB } from '../db/database.ts';

/** Periodic background work (reminders, housekeeping) that a module registers on the app. */
export type ScheduledTask = {
  name: string;
  everyMinutes: number;
  /** Wait one interval after the task is first seen instead of running it at once (heavy work). */
  firstRunAfterInterval?: boolean;
  run(): Promise<unknown>;
};

/**
 * Runs the task if no process has run it within its interval. The lease is a row update, so with
 * several app processes on one PostgreSQL database exactly one of them runs each round.
 */
export async function runTaskIfDue(db: DB, task: ScheduledTask): Promise<boolean> {
  const firstDue = task.firstRunAfterInterval
    ? sql`now() + ${`${task.everyMinutes} minutes`}::interval`
    : sql`null`;
  await sql`insert into scheduled_tasks (name, locked_until) values (${task.name}, ${firstDue})
    on conflict (name) do nothing`.execute(db);
  const claimed = await sql`
    update scheduled_tasks
    set locked_until = now() + ${`${task.everyMinutes} minutes`}::interval, last_started_at = now()
    where name = ${task.name} and (locked_until is null or locked_until <= now())
    returning name`.execute(db);
  if (claimed.rows.length === 0) return false;
  let error: string | null = null;
  try {
    await task.run();
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    throw err;
  } finally {
    await db
      .updateTable('scheduled_tasks')
      .set({ last_finished_at: new Date(), last_error: error })
      .where('name', '=', task.name)
      .execute();
  }
  return true;
}

export type Scheduler = { stop(): Promise<void> };

/** Checks every task once a minute (and once at start), one at a time. */
export function startScheduler(opts: {
  db: DB;
  tasks: ScheduledTask[];
  tickMs?: number;
  log: { warn(obj: object, msg: string): void };
}): Scheduler {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      for (const task of opts.tasks) {
        if (stopped) return;
        try {
          await runTaskIfDue(opts.db, task);
        } catch (err) {
          opts.log.warn({ task: task.name, err: String(err) }, 'scheduled task failed');
        }
      }
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, opts.tickMs ?? 60_000);
  timer.unref();
  setImmediate(tick);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
    },
  };
}
