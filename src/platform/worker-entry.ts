import type { MessagePort } from 'node:worker_threads';
import { setPriority } from 'node:os';
import type { WorkerFunction } from './workers.ts';

// Engines run at a lower CPU priority than the request thread: on Linux a thread's nice value is
// its own, so while every core searches, a request still gets a core as soon as it arrives.
try {
  setPriority(10);
} catch {
  // Not permitted everywhere; the engine then runs at normal priority.
}

const loaded = new Map<string, Promise<WorkerFunction<unknown, unknown>>>();

/** Tinypool's entry in every worker thread: loads the task's module once and runs its default export. */
export default async function runTask(task: {
  entry: string;
  payload: unknown;
  port: MessagePort;
  cancelFlag: Int32Array;
}) {
  let fn = loaded.get(task.entry);
  if (!fn) {
    fn = import(task.entry).then((m: { default: WorkerFunction<unknown, unknown> }) => m.default);
    loaded.set(task.entry, fn);
  }
  try {
    return await (
      await fn
    )(task.payload, {
      report: (progress) => task.port.postMessage(progress),
      cancelled: () => Atomics.load(task.cancelFlag, 0) === 1,
    });
  } finally {
    task.port.close();
  }
}
