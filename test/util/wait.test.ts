import { describe, expect, it } from 'vitest';
import { waitForCall } from '../../src/util/wait.js';

describe('waitForCall', () => {
  it('resolves true when its waiter is called, and takes the waiter out of the set', async () => {
    const waiters = new Set<() => void>();
    const waiting = waitForCall(waiters, 10_000);
    expect(waiters.size).toBe(1);
    for (const wake of [...waiters]) wake();
    await expect(waiting).resolves.toBe(true);
    expect(waiters.size).toBe(0);
  });

  it('resolves false after the timeout, and takes the waiter out of the set', async () => {
    const waiters = new Set<() => void>();
    const started = Date.now();
    await expect(waitForCall(waiters, 30)).resolves.toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(waiters.size).toBe(0);
  });

  it('a call after the timeout changes nothing', async () => {
    const waiters = new Set<() => void>();
    const waiting = waitForCall(waiters, 10);
    const [wake] = [...waiters];
    await expect(waiting).resolves.toBe(false);
    wake!();
    expect(waiters.size).toBe(0);
  });
});
