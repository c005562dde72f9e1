// @vitest-environment jsdom
// rx-player 4.5, unchanged from npm (its CommonJS build), under jsdom on emekit/dom: the DASH Clear Key presentation
// licensed by a real `emekit serve`, played to the end on the virtual clock; every sample equal to the clear source's.
import { createRequire } from 'node:module';
import { describe, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYS } from '../support/fixtures.js';
import { playWithRxPlayer } from './support/drivers.js';
import { watchSessions } from './support/sessions.js';
import { expectCleanRun, playToEnd, startPlayer } from './support/start.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const { default: RxPlayer } = createRequire(import.meta.url)('rx-player') as { default: unknown };
const servers = useServers();

describe('rx-player 4.5 under jsdom', () => {
  it('plays DASH cenc with Clear Key to the end: keys usable, every sample equal to the clear source', async () => {
    const kids = [KEYS.video.kid, KEYS.audio.kid];
    const run = await startPlayer({ servers, sessions, name: 'cenc', manifest: 'manifest.mpd', kids, play: (video, o) => playWithRxPlayer(RxPlayer, video, o) });
    await playToEnd(run, false); // autoPlay
    expectCleanRun(run, media, kids, 'none');
    await run.run.destroy();
  });
});
