// @vitest-environment jsdom
// shaka-player 5.2, unchanged from npm, against DRM behaviour scripted with emekit/testing on emekit/dom. The test
// key system shares the element's virtual clock, so renewals and expiry happen in media time; the EME trace shows
// what shaka did about them. Every wait is for the event itself (the element's, shaka's error, a trace entry); the
// deadlines only name what was missing, and are generous so a loaded machine (the full suite) does not trip them.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import type { TraceEntry } from '../../src/eme/trace.js';
import { createEME } from '../../src/index.js';
import { testKeySystem } from '../../src/testing/index.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { KEYS } from '../support/fixtures.js';
import { Changes } from './support/changes.js';
import { bounded, expectPlayedClear, expectPlayedClearFrom, nextEvent, type PlayedTrackWithTimes } from './support/playback.js';
import { keyStatuses, watchSessions } from './support/sessions.js';
import { DRM_KIDS, PATIENCE_MS, shakaStarter } from './support/shaka-drm.js';
import type { Started } from './support/start.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

/** A test awaits at most seven things in a row, each bounded and named. */
const TEST_TIMEOUT_MS = 8 * PATIENCE_MS;

// shaka reads a session's expiration against Date.now() (it closes a session whose expiration has passed when its
// keys expire). A browser's CDM expires keys only once the wall clock has passed the expiration, so the virtual clock
// must never run ahead of Date.now(): it starts an hour behind (media here plays minutes at most). The expirations
// set below are "now" on the virtual clock, so in the past for shaka too.
const HOUR_MS = 3_600_000;
const clock = new VirtualClock(Date.now() - HOUR_MS);
const cdm = testKeySystem({ keySystem: 'org.w3.clearkey', clock });
const trace: TraceEntry[] = [];
const traced = new Changes();
const eme = createEME({
  keySystems: [cdm],
  trace: (entry) => {
    trace.push(entry);
    traced.changed();
  },
});
const media = installMedia(testWindow, { clock, eme });
const sessions = watchSessions(testWindow);
const { default: shaka } = (await import('shaka-player')) as unknown as { default: { Player: { isBrowserSupported(): boolean } } };
const servers = useServers();

const start = shakaStarter({ shaka, servers, sessions, clock });
const kids = DRM_KIDS;

/**
 * Once media time reaches 1 s, `act()` (from the element's timeupdate: in media time, on the shared clock). Resolves
 * with when it acted and the element's next waitingforkey from then on: one that came before (the first license
 * arriving after playback reached its first sample, on a loaded machine) is not the one the test is about.
 */
function atOneSecond(video: Started['video'], act: () => void, context: () => string): Promise<{ at: number; waitingForKey: Promise<void> }> {
  return new Promise((resolve) => {
    let acted = false;
    video.addEventListener('timeupdate', () => {
      if (acted || video.currentTime < 1) return;
      acted = true;
      const at = video.currentTime;
      act();
      resolve({ at, waitingForKey: nextEvent(video, 'waitingforkey', PATIENCE_MS, context) });
    });
  });
}

describe('shaka-player 5.2 with the test key system', { timeout: TEST_TIMEOUT_MS }, () => {
  it('answers license-renewal messages (every 1 s of media time) through the license server and plays to the end', async () => {
    const { presentation, video, run, context, play, destroy, sessions: runSessions } = await start();
    cdm.renewEvery(1);
    const ended = nextEvent(video, 'ended', PATIENCE_MS, context);
    const from = trace.length;
    await play();
    await ended;
    cdm.renewEvery(undefined);
    expect(run.errors).toEqual([]);
    const renewals = trace.slice(from).filter((e) => e.type === 'message' && (e.detail as { messageType: string }).messageType === 'license-renewal');
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    // Each renewal answered (the last ones may still be in flight at the end): an update() that resolved, after the
    // message, on the same session.
    const answered = (renewal: TraceEntry) =>
      trace.some((e) => e.seq > renewal.seq && e.kind === 'resolve' && e.method === 'update' && e.target === renewal.target);
    await traced.until(() => renewals.every(answered), PATIENCE_MS, () => `unanswered: ${renewals.filter((r) => !answered(r)).map((r) => `#${r.seq} ${r.target}`)}`);
    expect(keyStatuses(runSessions())).toEqual(new Map(kids.map((kid) => [kid, 'usable'])));
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    await destroy();
  });

  it('a license expiring mid-playback: the element stops in Wait for Key, shaka reports EXPIRED (6014) and closes its sessions', async () => {
    const { video, events, run, context, play, destroy, sessions: runSessions } = await start();
    const expiring = atOneSecond(video, () => cdm.setExpiration(clock.now()), context);
    await play();
    const expired = await bounded(expiring, PATIENCE_MS, 'media time 1 s', context);
    await expired.waitingForKey;
    const stalledAt = video.currentTime;
    const playerSessions = runSessions() as unknown as { closed: Promise<string> }[];
    // shaka batches key status changes on a timer of its own before it reports them: wait for its report.
    await run.reported.until(() => run.errors.length > 0, PATIENCE_MS, context);
    expect(run.errors).toEqual(['6014 (fatal)']);
    expect(stalledAt).toBeGreaterThanOrEqual(expired.at);
    expect(video.currentTime).toBeLessThan(stalledAt + 0.1);
    expect(events).not.toContain('ended');
    const closed = await bounded(Promise.all(playerSessions.map((s) => s.closed)), PATIENCE_MS, "the player's sessions closed", context);
    expect(closed).toEqual(playerSessions.map(() => 'closed-by-application'));
    await destroy();
  });

  it('after EXPIRED, the application reloads at the stall: shaka gets a new license and plays on to the end', async () => {
    const { presentation, video, run, url, player, context, play, destroy } = await start();
    const expiring = atOneSecond(video, () => cdm.setExpiration(clock.now()), context);
    await play();
    await bounded(expiring, PATIENCE_MS, 'media time 1 s', context);
    await run.reported.until(() => run.errors.includes('6014 (fatal)'), PATIENCE_MS, context);
    const stalledAt = video.currentTime;
    const tracks = media.recordOf(video).tracks as ReadonlyMap<string, PlayedTrackWithTimes>;
    const before = new Map([...tracks.values()].map((t) => [t.id, t.samples.length]));
    const ended = nextEvent(video, 'ended', PATIENCE_MS, context);
    await bounded(player.load(url, stalledAt), PATIENCE_MS, `shaka load() at ${stalledAt}`, context);
    await play();
    await ended;
    expect(run.errors).toEqual(['6014 (fatal)']);
    expectPlayedClearFrom(media.recordOf(video).tracks as ReadonlyMap<string, PlayedTrackWithTimes>, before, presentation, stalledAt);
    await destroy();
  });

  it('the video key output-restricted mid-playback: shaka restricts its only variant (4012) and the element waits for the key', async () => {
    const { video, events, run, context, play, destroy } = await start();
    const restricting = atOneSecond(video, () => cdm.setStatus(KEYS.video.kid, 'output-restricted'), context);
    await play();
    await (await bounded(restricting, PATIENCE_MS, 'media time 1 s', context)).waitingForKey;
    await run.reported.until(() => run.errors.length > 0, PATIENCE_MS, context);
    expect(run.errors).toEqual(['4012 (fatal)']);
    expect(events).not.toContain('ended');
    await destroy();
  });
});
