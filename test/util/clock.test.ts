import { afterEach, describe, expect, it, vi } from 'vitest';
import { realClock } from '../../src/util/clock.js';

describe('realClock', () => {
  afterEach(() => vi.useRealTimers());

  it('follows fake timers installed after it was created', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const fired: number[] = [];
    realClock.schedule(500, () => fired.push(realClock.now()));
    const cancelled = realClock.schedule(700, () => fired.push(-1));
    cancelled();
    expect(realClock.now()).toBe(1_000_000);
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([1_000_500]);
  });
});
