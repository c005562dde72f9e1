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
import { playWithShaka } from './support/drivers.js';
import { Changes, expectPlayedClear, expectPlayedClearFrom, nextEvent, type PlayedTrackWithTimes } from './support/playback.js';
import { keyStatuses, watchSessions } from './support/sessions.js';
import { startPlayer } from './support/start.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

/** Real time allowed for any one awaited event; a test awaits at most three in a row. */
const PATIENCE_MS = 60_000;
const TEST_TIMEOUT_MS = 4 * PATIENCE_MS;

const clock = new VirtualClock();
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

const kids = [KEYS.video.kid, KEYS.audio.kid];
let runs = 0;
/** shaka started on a new presentation (not yet playing); `url` and `player` for a reload. */
async function start() {
  let shakaRun: Awaited<ReturnType<typeof playWithShaka>> | undefined;
  let url = '';
  const started = await startPlayer({
    servers,
    sessions,
    name: `drm-${runs++}`,
    manifest: 'manifest.mpd',
    kids,
    play: async (video, o) => {
      url = o.url;
      return (shakaRun = await playWithShaka(shaka, video, o));
    },
  });
  return { ...started, url, player: shakaRun!.player, context: () => `${started.context()}; t=${started.video.currentTime}` };
}

/** Once media time reaches 1 s, `act()` (from the element's timeupdate: in media time, on the shared clock). */
function atOneSecond(video: { currentTime: number; addEventListener(type: string, fn: () => void): void }, act: () => void): () => number {
  let at = NaN;
  video.addEventListener('timeupdate', () => {
    if (!Number.isNaN(at) || video.currentTime < 1) return;
    at = video.currentTime;
    act();
  });
  return () => at;
}

describe('shaka-player 5.2 with the test key system', { timeout: TEST_TIMEOUT_MS }, () => {
  it('answers license-renewal messages (every 1 s of media time) through the license server and plays to the end', async () => {
    const { presentation, video, run, context, sessions: runSessions } = await start();
    cdm.renewEvery(1);
    const ended = nextEvent(video, 'ended', PATIENCE_MS, context);
    const from = trace.length;
    await video.play();
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
    await run.destroy();
  });

  it('a license expiring mid-playback: the element stops in Wait for Key, shaka reports EXPIRED (6014) and closes its sessions', async () => {
    const { video, events, run, context, sessions: runSessions } = await start();
    const expiredAt = atOneSecond(video, () => cdm.setExpiration(clock.now()));
    const waiting = nextEvent(video, 'waitingforkey', PATIENCE_MS, context);
    await video.play();
    await waiting;
    const stalledAt = video.currentTime;
    const playerSessions = runSessions() as unknown as { closed: Promise<string> }[];
    // shaka batches key status changes on a timer of its own before it reports them: wait for its report.
    await run.reported.until(() => run.errors.length > 0, PATIENCE_MS, context);
    expect(run.errors).toEqual(['6014 (fatal)']);
    expect(stalledAt).toBeGreaterThanOrEqual(expiredAt());
    expect(video.currentTime).toBeLessThan(stalledAt + 0.1);
    expect(events).not.toContain('ended');
    expect(await Promise.all(playerSessions.map((s) => s.closed))).toEqual(playerSessions.map(() => 'closed-by-application'));
    await run.destroy();
  });

  it('after EXPIRED, the application reloads at the stall: shaka gets a new license and plays on to the end', async () => {
    const { presentation, video, run, url, player, context } = await start();
    atOneSecond(video, () => cdm.setExpiration(clock.now()));
    await video.play();
    await run.reported.until(() => run.errors.includes('6014 (fatal)'), PATIENCE_MS, context);
    const stalledAt = video.currentTime;
    const tracks = media.recordOf(video).tracks as ReadonlyMap<string, PlayedTrackWithTimes>;
    const before = new Map([...tracks.values()].map((t) => [t.id, t.samples.length]));
    const ended = nextEvent(video, 'ended', PATIENCE_MS, context);
    await player.load(url, stalledAt);
    await video.play();
    await ended;
    expect(run.errors).toEqual(['6014 (fatal)']);
    expectPlayedClearFrom(media.recordOf(video).tracks as ReadonlyMap<string, PlayedTrackWithTimes>, before, presentation, stalledAt);
    await run.destroy();
  });

  it('the video key output-restricted mid-playback: shaka restricts its only variant (4012) and the element waits for the key', async () => {
    const { video, events, run, context } = await start();
    atOneSecond(video, () => cdm.setStatus(KEYS.video.kid, 'output-restricted'));
    const waiting = nextEvent(video, 'waitingforkey', PATIENCE_MS, context);
    await video.play();
    await waiting;
    await run.reported.until(() => run.errors.length > 0, PATIENCE_MS, context);
    expect(run.errors).toEqual(['4012 (fatal)']);
    expect(events).not.toContain('ended');
    await run.destroy();
  });
});
