// Time as the media element and a scripted CDM see it. Real by default; emekit/dom's virtual clock advances with
// media time, and a test key system shares it, so that expiry and renewals happen in media time.

export interface Clock {
  /** Milliseconds since the epoch (an EME `expiration` is on this scale). */
  now(): number;
  /** Runs `fn` once the clock has advanced by `ms`; returns a function that cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

/**
 * Wall-clock time. The globals are looked up on each call, so fake timers installed later (vitest's
 * `vi.useFakeTimers()`) are followed.
 */
export const realClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
