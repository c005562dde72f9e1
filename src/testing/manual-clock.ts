// A clock a test moves by hand: time stands still until advance(), which runs what falls due in time order.
// Implements util/clock's Clock, so a test key system (and anything else taking a Clock) runs in it.

import type { Clock } from '../util/clock.js';

export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, running each scheduled callback at its own time, earliest first. */
  advance(ms: number): void;
}

export function manualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let now = startMs;
  let order = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const next = () => {
    let found: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of timers) if (!found || entry[1].at < found[1].at) found = entry;
    return found;
  };
  return {
    now: () => now,
    schedule(ms, fn) {
      const id = order++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return () => void timers.delete(id);
    },
    advance(ms) {
      const end = now + ms;
      for (let due = next(); due && due[1].at <= end; due = next()) {
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}
