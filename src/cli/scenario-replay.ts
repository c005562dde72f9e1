// What `emekit scenario` runs: a player's EME flow for a file (Clear Key access for its tracks, MediaKeys, one
// session, its license, every later message such as a renewal answered by the same license source) on the test key
// system, with a script of timed steps played on a virtual clock. The clock moves from one due step or timer to the
// next once everything in flight has settled, so a scenario of minutes replays at once and in order. The result is
// the EME trace stamped with the clock's time (ms from the first call), with the script's steps among it.

import { prepareMediaKeys, runLicenseExchange } from '../client/eme-decrypt.js';
import type { LicenseSource } from '../client/license-source.js';
import { createEME } from '../eme/platform.js';
import type { TraceEntry } from '../eme/trace.js';
import { manualClock, testKeySystem, type ScriptStep } from '../testing/index.js';

export interface ScenarioOptions {
  /** The protected MP4 whose init data and tracks the flow starts from. */
  readonly input: string;
  readonly steps: readonly ScriptStep[];
  readonly license: LicenseSource;
  /** Ms of the clock to run after the first license (the last step's time by default). */
  readonly until?: number;
}

export interface ScenarioResult {
  /** The trace, with script steps (target 'script', event 'step') and license failures (target 'license'). */
  readonly entries: TraceEntry[];
  /** Why the flow could not start (no first license); the entries show how far it got. */
  readonly error?: unknown;
}

/** Turns of the event loop with nothing new that count as settled. */
const QUIET_TURNS = 3;

export async function replayScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const clock = manualClock();
  const keySystem = testKeySystem({ clock });
  const entries: TraceEntry[] = [];
  // The clock's time, not the wall's: the timeline reads in scenario time.
  const eme = createEME({ keySystems: [keySystem], trace: (entry) => entries.push({ ...entry, time: clock.now() }) });
  const add = (entry: Omit<TraceEntry, 'time' | 'seq'>) => entries.push({ ...entry, time: clock.now(), seq: 0 });

  // License answers in flight (a license server is out of process): the clock waits for them.
  const inFlight = new Set<Promise<Uint8Array>>();
  const license: LicenseSource = (message, messageType) => {
    const answer = o.license(message, messageType);
    inFlight.add(answer);
    answer.then(
      () => inFlight.delete(answer),
      (error: unknown) => {
        inFlight.delete(answer);
        add({ kind: 'warning', target: 'license', message: `${messageType} not answered: ${error instanceof Error ? error.message : String(error)}` });
      },
    );
    return answer;
  };
  const settle = async () => {
    for (let quiet = 0; quiet < QUIET_TURNS; ) {
      const before = entries.length;
      if (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await new Promise((resolve) => setImmediate(resolve));
      quiet = entries.length === before && inFlight.size === 0 ? quiet + 1 : 0;
    }
  };

  const { mediaKeys, initDataType, initData } = await prepareMediaKeys(o.input, eme);
  const session = mediaKeys.createSession('temporary');
  try {
    await runLicenseExchange(session, initDataType, initData, license, () => {});
  } catch (error) {
    await settle();
    return { entries, error };
  }
  await settle();

  // Each step shows in the timeline just before it acts (scheduled first, so it runs first at the same time).
  let current = -1;
  o.steps.forEach((step, index) =>
    clock.schedule(step.at, () => {
      current = index;
      const { at: _, do: name, ...detail } = step;
      add({ kind: 'event', target: 'script', type: 'step', detail: { do: name, ...detail } });
      // A status for a key no open session holds changes nothing: say so rather than show a step without effect.
      if (step.do === 'setStatus' && !keySystem.sessions.some((s) => !s.closed && s.keyStatuses().has(step.keyId))) {
        add({ kind: 'warning', target: 'script', message: `step ${index}: no open session holds key ID ${step.keyId}; nothing changed` });
      }
    }),
  );
  keySystem.play(o.steps);
  const end = clock.now() + (o.until ?? Math.max(0, ...o.steps.map((step) => step.at)));
  for (;;) {
    await settle();
    const wait = clock.untilNext();
    if (clock.now() + wait > end) break;
    try {
      clock.advance(wait);
    } catch (error) {
      // A step the session cannot take now (e.g. renew on a session already closed): shown, and the script goes on.
      add({ kind: 'warning', target: 'script', message: `step ${current} (${o.steps[current]?.do}) failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return { entries };
}
