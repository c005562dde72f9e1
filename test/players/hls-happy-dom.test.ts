// @vitest-environment happy-dom
// hls.js 1.7 under happy-dom (the other DOM players are tested in): the same HLS cenc presentation played to the end
// on emekit/dom's virtual clock, licensed by a real `emekit serve`; every sample equal to the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYS } from '../support/fixtures.js';
import { playWithHls } from './support/drivers.js';
import { watchSessions } from './support/sessions.js';
import { expectCleanRun, playToEnd, startPlayer } from './support/start.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const { default: Hls } = await import('hls.js');
const servers = useServers();

describe('hls.js 1.7 under happy-dom', () => {
  it('plays HLS SAMPLE-AES-CTR (Clear Key) to the end: key usable, every sample equal to the clear source', async () => {
    // One key for audio and video: see hls.test.ts.
    const run = await startPlayer({
      servers, sessions, name: 'cenc', manifest: 'master.m3u8', kids: [KEYS.video.kid],
      presentation: { keys: { video: KEYS.video, audio: KEYS.video } },
      play: (video, o) => playWithHls(Hls, video, o),
    });
    await playToEnd(run);
    expectCleanRun(run, media, [KEYS.video.kid]);
    await run.run.destroy();
  });
});
