// A thing a test waits on that says when it changed, in a file of its own: the player drivers use it, and
// bench:player's player process loads the drivers without vitest.

/**
 * Something a test waits on that says when it changed (a player's error reports, the EME trace), so the test waits
 * for the change itself rather than polling on a timer.
 */
export class Changes {
  readonly #waiters = new Set<() => void>();

  /** Called after each change. */
  changed(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves once `condition` holds (checked now and after each change); fails with `context()` after `ms`. */
  until(condition: () => boolean, ms: number, context: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      const check = () => {
        if (!condition()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`still waiting after ${ms} ms: ${context()}`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }
}
