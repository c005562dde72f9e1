// @vitest-environment jsdom
// shaka-player 5.2 on emekit/dom in real time, as in a browser: the element and the test key system on the wall
// clock, licenses from a real `emekit serve` whose token limits each license to 3 s (the policy the test key system
// honours and Clear Key ignores). With renewals every second, shaka's renewal requests keep extending the license and
// it plays to the end; without them, the same license expires mid-playback.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import type { TraceEntry } from '../../src/eme/trace.js';
import { createEME } from '../../src/index.js';
import { testKeySystem } from '../../src/testing/index.js';
import { realClock } from '../../src/util/clock.js';
import { Changes } from './support/changes.js';
import { expectPlayedClear, nextEvent } from './support/playback.js';
import { keyStatuses, watchSessions } from './support/sessions.js';
import { DRM_KIDS, PATIENCE_MS, shakaStarter } from './support/shaka-drm.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

const trace: TraceEntry[] = [];
const traced = new Changes();
const eme = createEME({
  keySystems: [testKeySystem({ keySystem: 'org.w3.clearkey', clock: realClock })],
  trace: (entry) => {
    trace.push(entry);
    traced.changed();
  },
});
const media = installMedia(testWindow, { clock: 'real', eme });
const sessions = watchSessions(testWindow);
const { default: shaka } = (await import('shaka-player')) as unknown as { default: unknown };
const servers = useServers();
const start = shakaStarter({ shaka, servers, sessions, clock: realClock });

/** Each session's expiration changes, in order (ms since the epoch; null for none). */
function expirations(from: number): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  for (const e of trace.slice(from)) {
    if (e.kind !== 'event' || e.type !== 'expiration') continue;
    out.set(e.target, [...(out.get(e.target) ?? []), e.detail!['expiration'] as number | null]);
  }
  return out;
}

describe('shaka-player 5.2 and a license server whose licenses last 3 s (real time)', { timeout: 8 * PATIENCE_MS }, () => {
  it('renewed every second through the license server: each renewal extends the license, playback reaches the end', async () => {
    const { presentation, video, run, context, play, destroy, sessions: runSessions } = await start(['--license-duration', '3s', '--renewal-interval', '1s']);
    const from = trace.length;
    const ended = nextEvent(video, 'ended', PATIENCE_MS, context);
    await play();
    await ended;
    expect(run.errors).toEqual([]);
    expect(keyStatuses(runSessions())).toEqual(new Map(DRM_KIDS.map((kid) => [kid, 'usable'])));
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    const renewals = trace.slice(from).filter((e) => e.type === 'message' && (e.detail as { messageType: string }).messageType === 'license-renewal');
    // 4 s of media: the first license's 3 s would not have lasted without them.
    expect(renewals.length).toBeGreaterThanOrEqual(1);
    for (const [session, values] of expirations(from)) {
      expect(values.every((v, i) => v !== null && (i === 0 || v > values[i - 1]!)), `${session}: ${values}`).toBe(true);
    }
    expect([...expirations(from).values()].some((values) => values.length >= 2), 'an expiration extended by a renewal').toBe(true);
    await destroy();
  });

  it('the same license without renewals: it expires mid-playback, the element waits for the key, shaka reports 6014', async () => {
    const { presentation, video, events, run, context, play, destroy } = await start(['--license-duration', '3s']);
    const waitedForKeyAt: number[] = [];
    video.addEventListener('waitingforkey', () => waitedForKeyAt.push(video.currentTime));
    await play();
    await run.reported.until(() => run.errors.length > 0, PATIENCE_MS, context);
    expect(run.errors).toEqual(['6014 (fatal)']);
    expect(events).not.toContain('ended');
    expect(video.currentTime).toBeLessThan(presentation.duration);
    // Stopped in Wait for Key after playing some of it: where it last waited for a key is where it still is.
    expect(waitedForKeyAt.at(-1), `waitingforkey at ${waitedForKeyAt}; ${context()}`).toBeGreaterThan(0);
    expect(video.currentTime - waitedForKeyAt.at(-1)!).toBeLessThan(0.1);
    await destroy();
  });
});
