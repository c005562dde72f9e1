// Waiting on a set of callbacks that some other part calls when something happens (keys changed, playback resumed).

/**
 * Adds a waiter to `waiters` and resolves true when it is called, or false after `timeoutMs`; either way the waiter
 * is removed and the timer cleared, so a wait that ends leaves nothing behind.
 */
export function waitForCall(waiters: Set<() => void>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (called: boolean) => {
      clearTimeout(timer);
      waiters.delete(wake);
      resolve(called);
    };
    const wake = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    waiters.add(wake);
  });
}
