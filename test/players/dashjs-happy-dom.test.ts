// @vitest-environment happy-dom
// dash.js 5.2 under happy-dom: the DASH cenc presentation played to the end on emekit/dom's virtual clock, licensed
// by a real `emekit serve`; every sample equal to the clear source's. dash.js's XHR loader reads the response
// through `this` in onload, which happy-dom leaves undefined and emekit/dom gives it (src/dom/xhr-handlers.ts).
import { describe, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYS } from '../support/fixtures.js';
import { playWithDashjs } from './support/drivers.js';
import { watchSessions } from './support/sessions.js';
import { expectCleanRun, playToEnd, startPlayer } from './support/start.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const dashjs = await import('dashjs');
const servers = useServers();

describe('dash.js 5.2 under happy-dom', () => {
  it('plays DASH cenc with Clear Key to the end: keys usable, every sample equal to the clear source', async () => {
    const run = await startPlayer({
      servers, sessions, name: 'cenc', manifest: 'manifest.mpd', kids: [KEYS.video.kid, KEYS.audio.kid],
      play: (video, o) => playWithDashjs(dashjs, video, o),
    });
    await playToEnd(run, false); // initialize(…, autoplay)
    expectCleanRun(run, media, [KEYS.video.kid, KEYS.audio.kid], 'none');
    await run.run.destroy();
  });
});
