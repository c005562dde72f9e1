// @vitest-environment jsdom
// hls.js 1.7, unchanged from npm, under jsdom on emekit/dom: HLS with fMP4 segments, #EXT-X-MAP and #EXT-X-KEY
// KEYFORMAT="org.w3.clearkey" (SAMPLE-AES-CTR for cenc, SAMPLE-AES for cbcs), licensed by a real `emekit serve`
// process, played to the end on the virtual clock; every sample the element played equals the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYROLL, KEYS } from '../support/fixtures.js';
import { playWithHls, type PlayOptions } from './support/drivers.js';
import { expectPlayedClear, expectPlayedClearFrom, nextEvent, recordEvents } from './support/playback.js';
import { makePresentation, type PresentationOptions } from './support/presentation.js';
import { keyStatuses, watchSessions } from './support/sessions.js';
import { useServers } from './support/use-servers.js';
import { newVideo, testWindow } from './support/window.js';

// emekit/dom before hls.js is imported: hls.js binds navigator.requestMediaKeySystemAccess when its module loads.
const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const { default: Hls } = await import('hls.js');
const ROTATED = { kid: KEYROLL[0]![0], key: KEYROLL[0]![1] };
const servers = useServers([ROTATED]);
// hls.js 1.7 requests only the key of the first "encrypted" event when audio and video have different key IDs
// (it stalls the same way in Chromium): one key for the whole presentation, as HLS packagers usually do.
const ONE_KEY = { video: KEYS.video, audio: KEYS.video };

async function start(name: string, scheme: PresentationOptions['scheme'], options: Partial<PlayOptions> = {}, more: Partial<PresentationOptions> = {}) {
  const { license } = servers;
  const presentation = await makePresentation({ scheme, keys: ONE_KEY, licenseUrl: license.licenseUrl, ...more });
  const url = `${servers.media.mount(name, presentation.files)}master.m3u8`;
  const video = newVideo();
  const events = recordEvents(video);
  const from = sessions.length;
  const run = playWithHls(Hls, video, { url, licenseUrl: license.licenseUrl, token: await license.token([KEYS.video.kid, ROTATED.kid]), ...options });
  const context = () => `events: ${events.join(' ')}; hls.js: ${run.errors.join(' ')}`;
  return { presentation, video, events, run, context, sessions: () => sessions.slice(from) };
}

describe('hls.js 1.7 under jsdom', () => {
  it('is supported once emekit/dom is installed', () => {
    expect(Hls.isSupported()).toBe(true);
  });

  it.each(['cenc', 'cbcs'] as const)('plays %s (Clear Key) to the end: key usable, every sample equal to the clear source', async (scheme) => {
    const { presentation, video, run, context, sessions } = await start(scheme, scheme);
    const ended = nextEvent(video, 'ended', 20_000, context);
    await video.play();
    await ended;
    expect(run.errors.filter((e) => e.endsWith('(fatal)'))).toEqual([]);
    expect(keyStatuses(sessions())).toEqual(new Map([[KEYS.video.kid, 'usable']]));
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    await run.destroy();
  });

  it('waits for a late license (waitingforkey, nothing played), then resumes and plays every sample', async () => {
    const { presentation, video, events, run, context } = await start('late', 'cenc', { licenseDelayMs: 1500 });
    let playedWhenWaiting = -1;
    video.addEventListener('waitingforkey', () => {
      playedWhenWaiting = [...media.recordOf(video).tracks.values()].reduce((n, t) => n + t.samples.length, 0);
    });
    const ended = nextEvent(video, 'ended', 20_000, context);
    await video.play();
    await ended;
    expect(events).toContain('waitingforkey');
    expect(playedWhenWaiting).toBe(0);
    expect(events.indexOf('waitingforkey')).toBeLessThan(events.lastIndexOf('playing'));
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    await run.destroy();
  });

  it('seeks back after the end and plays again from the seek target to the end', async () => {
    const { presentation, video, run, context } = await start('seek', 'cenc');
    const ended = nextEvent(video, 'ended', 20_000, context);
    await video.play();
    await ended;
    const played = media.recordOf(video).tracks;
    const before = new Map([...played].map(([id, t]) => [id, t.samples.length]));
    const seeked = nextEvent(video, 'seeked', 10_000, context);
    video.currentTime = 2;
    await seeked;
    const again = nextEvent(video, 'ended', 20_000, context);
    await video.play();
    await again;
    expectPlayedClearFrom(played, before, presentation, 2);
    await run.destroy();
  });

  it('follows key rotation: a key ID first seen in a later fragment gets its license, playback goes on to the end', async () => {
    // Video fragments 3 and 4 are under ROTATED: a second #EXT-X-KEY before them in the playlist, seig sample groups
    // and a pssh in their moofs (Chromium plays the same presentation with hls.js to the end).
    const { presentation, video, run, context, sessions } = await start('rotation', 'cenc', {}, { rotateVideoKey: { seconds: 2, key: ROTATED } });
    const ended = nextEvent(video, 'ended', 20_000, context);
    await video.play();
    await ended;
    expect(run.errors.filter((e) => e.endsWith('(fatal)'))).toEqual([]);
    expect(keyStatuses(sessions())).toEqual(new Map([[KEYS.video.kid, 'usable'], [ROTATED.kid, 'usable']]));
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    await run.destroy();
  });
});
