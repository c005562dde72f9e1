// A Clock whose time moves only when told to: emekit/dom advances it as fast as media can play, and a test key
// system scheduling on the same clock sees expiry and renewals happen in that media time.

import type { Clock } from './clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  /** Pending timers, kept sorted by (at, seq). */
  #timers: Timer[] = [];

  /** @param start the epoch milliseconds it starts at (Date.now() by default) */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.#now + Math.max(0, Number(ms) || 0), seq: this.#seq++, fn };
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.at > timer.at) i--;
    this.#timers.splice(i, 0, timer);
    return () => {
      const index = this.#timers.indexOf(timer);
      if (index !== -1) this.#timers.splice(index, 1);
    };
  }

  /** Milliseconds until the next scheduled callback is due (Infinity when none is). */
  untilNext(): number {
    const next = this.#timers[0];
    return next === undefined ? Infinity : Math.max(0, next.at - this.#now);
  }

  /**
   * Moves time forward by `ms`, running each callback that falls due at its own time, in order (a callback that
   * schedules another inside the interval sees it run too).
   */
  advance(ms: number): void {
    const end = this.#now + Math.max(0, ms);
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.at > end) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = end;
  }
}
