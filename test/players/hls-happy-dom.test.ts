// @vitest-environment happy-dom
// hls.js 1.7 under happy-dom (the other DOM players are tested in): the same HLS cenc presentation played to the end
// on emekit/dom's virtual clock, licensed by a real `emekit serve`; every sample equal to the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYS } from '../support/fixtures.js';
import { playWithHls } from './support/drivers.js';
import { expectPlayedClear, nextEvent, recordEvents } from './support/playback.js';
import { makePresentation } from './support/presentation.js';
import { keyStatuses, watchSessions } from './support/sessions.js';
import { useServers } from './support/use-servers.js';
import { newVideo, testWindow } from './support/window.js';

const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const { default: Hls } = await import('hls.js');
const servers = useServers();

describe('hls.js 1.7 under happy-dom', () => {
  it('plays HLS SAMPLE-AES-CTR (Clear Key) to the end: key usable, every sample equal to the clear source', async () => {
    const { license } = servers;
    // One key for audio and video: see hls.test.ts.
    const presentation = await makePresentation({ scheme: 'cenc', keys: { video: KEYS.video, audio: KEYS.video }, licenseUrl: license.licenseUrl });
    const url = `${servers.media.mount('cenc', presentation.files)}master.m3u8`;
    const video = newVideo();
    const events = recordEvents(video);
    const run = playWithHls(Hls, video, { url, licenseUrl: license.licenseUrl, token: await license.token([KEYS.video.kid]) });
    const ended = nextEvent(video, 'ended', 20_000, () => `events: ${events.join(' ')}; hls.js: ${run.errors.join(' ')}`);
    await video.play();
    await ended;
    expect(run.errors.filter((e) => e.endsWith('(fatal)'))).toEqual([]);
    expect(keyStatuses(sessions)).toEqual(new Map([[KEYS.video.kid, 'usable']]));
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    await run.destroy();
  });
});
