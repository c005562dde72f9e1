// @vitest-environment jsdom
// shaka-player 5.2, unchanged from npm, under jsdom on emekit/dom: a DASH presentation with DASH-IF Clear Key
// signalling, licensed by a real `emekit serve` process, played to the end on the virtual clock; every sample the
// element played equals the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYS } from '../support/fixtures.js';
import { playWithShaka } from './support/drivers.js';
import { expectPlayedClear, nextEvent, playedCount, recordEvents, waitFor } from './support/playback.js';
import { makePresentation } from './support/presentation.js';
import { keyStatuses, watchSessions } from './support/sessions.js';
import { useServers } from './support/use-servers.js';
import { newVideo, testWindow } from './support/window.js';

// emekit/dom first, then the player (its device detection reads the window early).
const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const { default: shaka } = (await import('shaka-player')) as unknown as { default: { Player: { isBrowserSupported(): boolean } } };
const servers = useServers();


describe('shaka-player 5.2 under jsdom', () => {
  it('says the browser is supported once emekit/dom is installed', () => {
    expect(shaka.Player.isBrowserSupported()).toBe(true);
  });

  it('plays DASH cenc with Clear Key to the end: keys usable, every sample equal to the clear source', async () => {
    const { license } = servers;
    const presentation = await makePresentation({ scheme: 'cenc', licenseUrl: license.licenseUrl });
    const url = `${servers.media.mount('cenc', presentation.files)}manifest.mpd`;
    const video = newVideo();
    const events = recordEvents(video);
    const from = sessions.length;
    const run = await playWithShaka(shaka, video, { url, licenseUrl: license.licenseUrl, token: await license.token([KEYS.video.kid, KEYS.audio.kid]) });
    const ended = nextEvent(video, 'ended', 20_000, () => `events: ${events.join(' ')}; shaka: ${run.errors.join(' ')}`);
    await video.play();
    await ended;
    expect(run.errors).toEqual([]);
    expect(keyStatuses(sessions.slice(from))).toEqual(new Map([[KEYS.video.kid, 'usable'], [KEYS.audio.kid, 'usable']]));
    expect(video.currentTime).toBeCloseTo(presentation.duration, 1);
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    await run.destroy();
  });

});
