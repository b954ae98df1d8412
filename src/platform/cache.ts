/**
 * A value read from the database and kept in this process for `ttlMs`: for reference lists that
 * change rarely (regions, specialties) and that many pages show. `clear()` after a write in this
 * process makes the next read fresh; the time limit bounds how stale another process sharing the
 * database can be. Concurrent readers share one load; a failed load is not kept.
 */
export function cachedFor<T>(ttlMs: number, load: () => Promise<T>): { get(): Promise<T>; clear(): void } {
  let entry: { at: number; value: Promise<T> } | null = null;
  return {
    get() {
      if (entry && Date.now() - entry.at < ttlMs) return entry.value;
      const current = { at: Date.now(), value: load() };
      entry = current;
      current.value.catch(() => {
        if (entry === current) entry = null;
      });
      return current.value;
    },
    clear() {
      entry = null;
    },
  };
}

/** How long a process keeps a reference list (regions, specialties) before reading it again. */
export const REFERENCE_TTL_MS = 60_000;
