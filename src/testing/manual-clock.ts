// A clock a test moves by hand: time stands still until advance(), which runs what falls due in time order. The
// same VirtualClock emekit/dom's media element plays on (one implementation), so a test key system can share it.

import { VirtualClock } from '../util/virtual-clock.js';

export type ManualClock = VirtualClock;

/** A clock starting at `startMs` (2026-01-01 by default, so tests do not depend on the day they run). */
export function manualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  return new VirtualClock(startMs);
}
