// @vitest-environment jsdom
// shaka-player 5.2, unchanged from npm, under jsdom on emekit/dom: a DASH presentation with DASH-IF Clear Key
// signalling, licensed by a real `emekit serve` process, played to the end on the virtual clock; every sample the
// element played equals the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYS } from '../support/fixtures.js';
import { playWithShaka } from './support/drivers.js';
import { watchSessions } from './support/sessions.js';
import { expectCleanRun, playToEnd, startPlayer } from './support/start.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

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
    const kids = [KEYS.video.kid, KEYS.audio.kid];
    const run = await startPlayer({ servers, sessions, name: 'cenc', manifest: 'manifest.mpd', kids, play: (video, o) => playWithShaka(shaka, video, o) });
    await playToEnd(run);
    expect(run.video.currentTime).toBeCloseTo(run.presentation.duration, 1);
    expectCleanRun(run, media, kids, 'none');
    await run.run.destroy();
  });
});
