// What moves media time: one ticker per installMedia(window), shared by its elements. With the real clock, playing
// elements advance by the wall time elapsed since the last tick (times their playbackRate). With a virtual clock,
// each tick moves the clock by as much as the elements could play (at most STEP_MS), so media plays as fast as it
// is buffered and decryptable; the clock's own callbacks (a test key system's timers) fall due in that time.
// Ticks are scheduled through the global setTimeout/setImmediate looked up on each call, so fake timers drive them.

import type { Clock } from '../../util/clock.js';
import { VirtualClock } from '../../util/virtual-clock.js';

/** An element that media time moves for. */
export interface Playing {
  /**
   * Advances the element's playback position by up to `seconds` of media time; returns how much it advanced (0:
   * it cannot advance now — stalled, blocked, paused — and leaves the ticker until woken again).
   */
  advance(seconds: number, clockMs: number): number;
  readonly playbackRate: number;
}

/** Media time per virtual tick: a timeupdate every 250 ms of media, as browsers fire them while playing. */
const STEP_MS = 250;
/** Real-clock tick interval. */
const REAL_TICK_MS = 40;

export class Ticker {
  readonly #active = new Set<Playing>();
  #scheduled = false;
  #last = 0;

  constructor(readonly clock: Clock) {}

  get virtual(): boolean {
    return this.clock instanceof VirtualClock;
  }

  /** The element may be able to advance: tick until it cannot. */
  wake(playing: Playing): void {
    if (this.#active.size === 0) this.#last = this.clock.now();
    this.#active.add(playing);
    this.#schedule();
  }

  /** The element stopped (paused, load(), error): no more ticks for it. */
  sleep(playing: Playing): void {
    this.#active.delete(playing);
  }

  #schedule(): void {
    if (this.#scheduled || this.#active.size === 0) return;
    this.#scheduled = true;
    const tick = () => {
      this.#scheduled = false;
      this.#tick();
    };
    if (this.virtual) setImmediate(tick);
    else setTimeout(tick, REAL_TICK_MS);
  }

  #tick(): void {
    const clock = this.clock;
    if (clock instanceof VirtualClock) {
      // Timers due now run before media moves on.
      if (clock.untilNext() === 0) clock.advance(0);
      const stepMs = Math.min(STEP_MS, clock.untilNext());
      let advancedMs = 0;
      for (const playing of [...this.#active]) {
        const rate = Math.abs(playing.playbackRate) || 1;
        const seconds = playing.advance((stepMs / 1000) * rate, clock.now() + stepMs);
        if (seconds <= 0) this.#active.delete(playing);
        else advancedMs = Math.max(advancedMs, (seconds / rate) * 1000);
      }
      clock.advance(advancedMs);
    } else {
      const now = clock.now();
      const elapsedMs = Math.max(0, now - this.#last);
      this.#last = now;
      for (const playing of [...this.#active]) {
        if (playing.advance((elapsedMs / 1000) * playing.playbackRate, now) <= 0) this.#active.delete(playing);
      }
    }
    this.#schedule();
  }
}
