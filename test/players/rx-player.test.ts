// @vitest-environment jsdom
// rx-player 4.5, unchanged from npm (its CommonJS build), under jsdom on emekit/dom: the DASH Clear Key presentation
// licensed by a real `emekit serve`, played to the end on the virtual clock; every sample equal to the clear source's.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYS } from '../support/fixtures.js';
import { playWithRxPlayer } from './support/drivers.js';
import { expectPlayedClear, nextEvent, recordEvents } from './support/playback.js';
import { makePresentation } from './support/presentation.js';
import { keyStatuses, watchSessions } from './support/sessions.js';
import { useServers } from './support/use-servers.js';
import { newVideo, testWindow } from './support/window.js';

const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const { default: RxPlayer } = createRequire(import.meta.url)('rx-player') as { default: unknown };
const servers = useServers();

describe('rx-player 4.5 under jsdom', () => {
  it('plays DASH cenc with Clear Key to the end: keys usable, every sample equal to the clear source', async () => {
    const { license } = servers;
    const presentation = await makePresentation({ scheme: 'cenc', licenseUrl: license.licenseUrl });
    const url = `${servers.media.mount('cenc', presentation.files)}manifest.mpd`;
    const video = newVideo();
    const events = recordEvents(video);
    const run = playWithRxPlayer(RxPlayer, video, { url, licenseUrl: license.licenseUrl, token: await license.token([KEYS.video.kid, KEYS.audio.kid]) });
    await nextEvent(video, 'ended', 20_000, () => `events: ${events.join(' ')}; rx-player: ${run.errors.join(' | ')}`);
    expect(run.errors).toEqual([]);
    expect(keyStatuses(sessions)).toEqual(new Map([[KEYS.video.kid, 'usable'], [KEYS.audio.kid, 'usable']]));
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    await run.destroy();
  });
});
