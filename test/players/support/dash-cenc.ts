// The run every DASH player is first tested with, under the test file's DOM (jsdom or happy-dom): emekit/dom installed
// on the window, then the player's module loaded (load order matters, see the README); the DASH cenc presentation
// licensed by the file's `emekit serve` with a token for both keys, played to the end on the virtual clock; keys
// usable, no player error, every sample equal to the clear source's.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { installMedia } from '../../../src/dom/install.js';
import { KEYS } from '../../support/fixtures.js';
import { playWithRxPlayer, playWithShaka, type PlayerRun, type PlayOptions } from './drivers.js';
import { watchSessions } from './sessions.js';
import { expectCleanRun, playToEnd, startPlayer } from './start.js';
import { useServers } from './use-servers.js';
import { testWindow } from './window.js';

export interface DashCencPlayer<M> {
  /** Imports the player's module (after installMedia). */
  load(): Promise<M> | M;
  play(player: M, video: unknown, options: PlayOptions): PlayerRun | Promise<PlayerRun>;
  /** The player starts playback itself (autoplay): the test does not call play(). */
  autoplays?: boolean;
  /** More tests in the same describe, given the loaded module. */
  more?(player: () => M): void;
}

export function describeDashCenc<M>(title: string, p: DashCencPlayer<M>): void {
  const media = installMedia(testWindow, { clock: 'virtual' });
  const sessions = watchSessions(testWindow);
  const servers = useServers();
  let player: M;
  beforeAll(async () => {
    player = await p.load();
  });

  describe(title, () => {
    p.more?.(() => player);

    it('plays DASH cenc with Clear Key to the end: keys usable, every sample equal to the clear source', async () => {
      const kids = [KEYS.video.kid, KEYS.audio.kid];
      const run = await startPlayer({ servers, sessions, name: 'cenc', manifest: 'manifest.mpd', kids, play: (video, o) => p.play(player, video, o) });
      await playToEnd(run, !p.autoplays);
      expect(run.video.currentTime).toBeCloseTo(run.presentation.duration, 1);
      expectCleanRun(run, media, kids, 'none');
      await run.run.destroy();
    });
  });
}

type Shaka = { Player: { isBrowserSupported(): boolean } };

/** shaka-player, imported after installMedia (its device detection reads the window early). */
export const SHAKA: DashCencPlayer<Shaka> = {
  load: async () => ((await import('shaka-player')) as unknown as { default: Shaka }).default,
  play: (shaka, video, o) => playWithShaka(shaka, video, o),
  more: (shaka) => {
    it('says the browser is supported once emekit/dom is installed', () => {
      expect(shaka().Player.isBrowserSupported()).toBe(true);
    });
  },
};

/** rx-player, its CommonJS build (see playWithRxPlayer); it autoplays. */
export const RX_PLAYER: DashCencPlayer<unknown> = {
  load: () => (createRequire(import.meta.url)('rx-player') as { default: unknown }).default,
  play: (RxPlayer, video, o) => playWithRxPlayer(RxPlayer, video, o),
  autoplays: true,
};
