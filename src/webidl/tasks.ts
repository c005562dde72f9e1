// "Queue a task" and "in parallel" from the HTML event loop, mapped onto Node's.
// A task is a macrotask (setImmediate): microtasks (promise reactions) run between tasks, as in a browser, and
// nothing queued here can run synchronously inside the call that queued it.

export function queueTask(steps: () => void): void {
  setImmediate(steps);
}

/**
 * Runs steps "in parallel" with the caller: they start after the current task, so the calling method returns first.
 * CDM work is asynchronous already; this only guarantees the ordering the spec relies on.
 */
export function inParallel(steps: () => Promise<void>): void {
  queueMicrotask(() => {
    steps().catch(reportBug);
  });
}

/** Steps are written to catch their own failures; reaching here is a bug worth surfacing loudly. */
export function reportBug(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
