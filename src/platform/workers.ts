import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import Tinypool from 'tinypool';

/**
 * CPU-heavy engines (set formation, mentor matching) run here, in worker threads, so the request
 * thread keeps serving everyone else. A well-kept pool (tinypool, vitest's own) holds the threads;
 * this file adds what the platform needs on top: a time budget, cancellation with an AbortSignal,
 * progress messages and a cap on queued work.
 *
 * A task names its worker module by URL (`workerModule(import.meta.url, './x.worker')`); the module's
 * default export receives the payload and a `report(progress)` function and returns the result
 * (structured-cloneable both ways). Run from TypeScript source (tsx, vitest) the threads load
 * `worker-boot.mjs`, which registers tsx before importing the TypeScript entry: Node 20 does not
 * pass a parent's loader hooks or `--import` to a worker. From the build (`dist/`) they load the
 * compiled `worker-entry.js` directly.
 */

/** Everything a worker module's default export receives besides its payload. */
export type WorkerContext = {
  report(progress: unknown): void;
  /** True once the task is cancelled: an anytime engine checks it and returns early. */
  cancelled(): boolean;
};
export type WorkerFunction<P, R> = (payload: P, context: WorkerContext) => R | Promise<R>;

export type RunOptions<Progress> = {
  /**
   * Aborting rejects the promise at once. The task is asked to stop (`context.cancelled()`), which
   * keeps its thread warm; one that has not stopped after `graceMs` has its thread terminated.
   */
  signal?: AbortSignal;
  /** A hard limit on the task's wall-clock time, queueing included, after which it is aborted. */
  timeoutMs?: number;
  onProgress?: (progress: Progress) => void;
};

export type WorkerPool = {
  /** How many tasks may run at once (one per thread); more wait in the queue. */
  readonly threads: number;
  run<P, R, Progress = unknown>(entry: URL, payload: P, options?: RunOptions<Progress>): Promise<R>;
  /** Ends every thread; queued and running tasks reject. */
  close(): Promise<void>;
};

/** Refused when the queue is full: the caller says the server is busy rather than waiting for ever. */
export class WorkerPoolBusyError extends Error {
  override name = 'WorkerPoolBusyError';
}

/** The task went past its hard time limit (the engine's own budget is normally well within it). */
export class WorkerTimeoutError extends Error {
  override name = 'WorkerTimeoutError';
}

const fromSource = import.meta.url.endsWith('.ts');

/**
 * The URL of a worker module beside the caller, with the caller's own extension: `.ts` under tsx
 * and vitest, `.js` in `dist/` (tsc rewrites import specifiers, not URLs built at run time).
 */
export function workerModule(callerUrl: string, relativePathWithoutExtension: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`${relativePathWithoutExtension}${extension}`, callerUrl);
}

/** The cores this process may use (cgroup-aware in Node 20). */
export const cores = () => Math.max(1, availableParallelism());

export function createWorkerPool(
  opts: { maxThreads?: number; maxQueue?: number; idleTimeoutMs?: number; graceMs?: number } = {},
): WorkerPool {
  const graceMs = opts.graceMs ?? 2000;
  const threads = Math.max(1, opts.maxThreads ?? cores());
  const maxQueue = opts.maxQueue ?? threads * 8;
  const pool = new Tinypool({
    filename: new URL(fromSource ? './worker-boot.mjs' : './worker-entry.js', import.meta.url).href,
    minThreads: 0,
    maxThreads: threads,
    // Keep a thread warm for a while: under tsx a fresh thread compiles the engine again.
    idleTimeout: opts.idleTimeoutMs ?? 60_000,
    maxQueue,
  });
  let closed = false;

  async function run<P, R, Progress>(entry: URL, payload: P, options: RunOptions<Progress> = {}) {
    if (closed) throw new Error('The worker pool is closed');
    if (pool.queueSize >= maxQueue)
      throw new WorkerPoolBusyError('The server is busy with other long calculations: try again in a minute');
    const signals: AbortSignal[] = [];
    if (options.signal) signals.push(options.signal);
    const timeout = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
    if (timeout) signals.push(timeout);
    const signal = signals.length ? AbortSignal.any(signals) : undefined;
    signal?.throwIfAborted();
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const hardStop = new AbortController();
    let graceTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      Atomics.store(cancelFlag, 0, 1);
      graceTimer = setTimeout(() => hardStop.abort(signal?.reason), graceMs);
      graceTimer.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const channel = new MessageChannel();
    if (options.onProgress) {
      const onProgress = options.onProgress;
      channel.port1.on('message', (message: Progress) => onProgress(message));
    }
    const task = pool.run(
      { entry: entry.href, payload, port: channel.port2, cancelFlag },
      { transferList: [channel.port2], signal: hardStop.signal },
    ) as Promise<R>;
    try {
      if (!signal) return await task;
      // The caller hears of the abort at once; the thread finishes stopping in the background.
      const aborted = new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
      );
      task.catch(() => undefined);
      const result = await Promise.race([task, aborted]);
      return result;
    } catch (err) {
      if (timeout?.aborted && !options.signal?.aborted)
        throw new WorkerTimeoutError(
          `The calculation took longer than ${options.timeoutMs} ms and was stopped`,
        );
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Close the progress channel once the thread is done with the task, not before.
      void task.then(
        () => {
          clearTimeout(graceTimer);
          channel.port1.close();
        },
        () => {
          clearTimeout(graceTimer);
          channel.port1.close();
        },
      );
    }
  }

  return {
    threads,
    run,
    async close() {
      if (closed) return;
      closed = true;
      await pool.destroy();
    },
  };
}
