import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedFor } from './cache.ts';

describe('cachedFor', () => {
  afterEach(() => vi.useRealTimers());

  it('loads once for concurrent readers and again after the time limit or a clear', async () => {
    vi.useFakeTimers();
    let loads = 0;
    const list = cachedFor(1000, async () => ++loads);
    expect(await Promise.all([list.get(), list.get()])).toEqual([1, 1]);
    vi.advanceTimersByTime(999);
    expect(await list.get()).toBe(1);
    vi.advanceTimersByTime(2);
    expect(await list.get()).toBe(2);
    list.clear();
    expect(await list.get()).toBe(3);
  });

  it('does not keep a failed load', async () => {
    let fail = true;
    const list = cachedFor(60_000, async () => {
      if (fail) throw new Error('database unavailable');
      return 'rows';
    });
    await expect(list.get()).rejects.toThrow('database unavailable');
    fail = false;
    expect(await list.get()).toBe('rows');
  });
});
