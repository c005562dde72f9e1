// @vitest-environment jsdom
// hls.js 1.7, unchanged from npm, under jsdom on emekit/dom: HLS with fMP4 segments, #EXT-X-MAP and #EXT-X-KEY
// KEYFORMAT="org.w3.clearkey" (SAMPLE-AES-CTR for cenc, SAMPLE-AES for cbcs), licensed by a real `emekit serve`
// process, played to the end on the virtual clock; every sample the element played equals the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYROLL, KEYS } from '../support/fixtures.js';
import { playWithHls, type PlayOptions } from './support/drivers.js';
import { expectPlayedClearFrom, nextEvent, playedCount } from './support/playback.js';
import type { PresentationOptions } from './support/presentation.js';
import { watchSessions } from './support/sessions.js';
import { expectCleanRun, playToEnd, startPlayer } from './support/start.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

// emekit/dom before hls.js is imported: hls.js binds navigator.requestMediaKeySystemAccess when its module loads.
const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const { default: Hls } = await import('hls.js');
const ROTATED = { kid: KEYROLL[0]![0], key: KEYROLL[0]![1] };
const servers = useServers([ROTATED]);
// hls.js 1.7 requests only the key of the first "encrypted" event when audio and video have different key IDs
// (it stalls the same way in Chromium): one key for the whole presentation, as HLS packagers usually do.
const ONE_KEY = { video: KEYS.video, audio: KEYS.video };

const start = (name: string, scheme: PresentationOptions['scheme'], options: Partial<PlayOptions> = {}, more: Partial<PresentationOptions> = {}) =>
  startPlayer({
    servers, sessions, name, manifest: 'master.m3u8', kids: [KEYS.video.kid, ROTATED.kid], options,
    presentation: { scheme, keys: ONE_KEY, ...more },
    play: (video, o) => playWithHls(Hls, video, o),
  });

describe('hls.js 1.7 under jsdom', () => {
  it('is supported once emekit/dom is installed', () => {
    expect(Hls.isSupported()).toBe(true);
  });

  it.each(['cenc', 'cbcs'] as const)('plays %s (Clear Key) to the end: key usable, every sample equal to the clear source', async (scheme) => {
    const run = await start(scheme, scheme);
    await playToEnd(run);
    expectCleanRun(run, media, [KEYS.video.kid]);
    await run.run.destroy();
  });

  it('waits for a late license (waitingforkey, nothing played), then resumes and plays every sample', async () => {
    const run = await start('late', 'cenc', { licenseDelayMs: 1500 });
    let playedWhenWaiting = -1;
    run.video.addEventListener('waitingforkey', () => (playedWhenWaiting = playedCount(media.recordOf(run.video).tracks)));
    await playToEnd(run);
    expect(run.events).toContain('waitingforkey');
    expect(playedWhenWaiting).toBe(0);
    expect(run.events.indexOf('waitingforkey')).toBeLessThan(run.events.lastIndexOf('playing'));
    expectCleanRun(run, media, [KEYS.video.kid]);
    await run.run.destroy();
  });

  it('seeks back after the end and plays again from the seek target to the end', async () => {
    const run = await start('seek', 'cenc');
    await playToEnd(run);
    const played = media.recordOf(run.video).tracks;
    const before = new Map([...played].map(([id, t]) => [id, t.samples.length]));
    const seeked = nextEvent(run.video, 'seeked', 10_000, run.context);
    run.video.currentTime = 2;
    await seeked;
    await playToEnd(run);
    expectPlayedClearFrom(played, before, run.presentation, 2);
    await run.run.destroy();
  });

  it('follows key rotation: a key ID first seen in a later fragment gets its license, playback goes on to the end', async () => {
    // Video from 2 s on is under ROTATED: a second #EXT-X-KEY there in the playlist, seig sample groups and a pssh
    // in those moofs (Chromium plays the same presentation with hls.js to the end).
    const run = await start('rotation', 'cenc', {}, { rotateVideoKey: { seconds: 2, key: ROTATED } });
    await playToEnd(run);
    expectCleanRun(run, media, [KEYS.video.kid, ROTATED.kid]);
    await run.run.destroy();
  });
});
