// @vitest-environment jsdom
// dash.js 5.2, unchanged from npm, under jsdom on emekit/dom: a DASH presentation with DASH-IF Clear Key signalling
// (license URL from the MPD's clearkey:Laurl), licensed by a real `emekit serve` process, played to the end on the
// virtual clock; every sample the element played equals the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYROLL, KEYS } from '../support/fixtures.js';
import { playWithDashjs } from './support/drivers.js';
import { expectPlayedClear, nextEvent, playedCount, recordEvents, waitFor } from './support/playback.js';
import { makePresentation } from './support/presentation.js';
import { keyStatuses, watchSessions } from './support/sessions.js';
import { useServers } from './support/use-servers.js';
import { newVideo, testWindow } from './support/window.js';

const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const dashjs = await import('dashjs');
const servers = useServers();


describe('dash.js 5.2 under jsdom', () => {
  it('plays DASH cenc with Clear Key to the end: keys usable, every sample equal to the clear source', async () => {
    const { license } = servers;
    const presentation = await makePresentation({ scheme: 'cenc', licenseUrl: license.licenseUrl });
    const url = `${servers.media.mount('cenc', presentation.files)}manifest.mpd`;
    const video = newVideo();
    const events = recordEvents(video);
    const from = sessions.length;
    const run = playWithDashjs(dashjs, video, { url, licenseUrl: license.licenseUrl, token: await license.token([KEYS.video.kid, KEYS.audio.kid]) });
    await nextEvent(video, 'ended', 20_000, () => `events: ${events.join(' ')}; dash.js: ${run.errors.join(' | ')}`);
    expect(run.errors).toEqual([]);
    expect(keyStatuses(sessions.slice(from))).toEqual(new Map([[KEYS.video.kid, 'usable'], [KEYS.audio.kid, 'usable']]));
    expectPlayedClear(media.recordOf(video).tracks, presentation);
    await run.destroy();
  });

  it('with a token for another key ID: the server refuses, dash.js reports its license error, nothing is played', async () => {
    const { license } = servers;
    const presentation = await makePresentation({ scheme: 'cenc', licenseUrl: license.licenseUrl });
    const url = `${servers.media.mount('refused', presentation.files)}manifest.mpd`;
    const video = newVideo();
    const events = recordEvents(video);
    const run = playWithDashjs(dashjs, video, { url, licenseUrl: license.licenseUrl, token: await license.token([KEYROLL[0]![0]]) });
    const context = () => `events: ${events.join(' ')}; dash.js: ${run.errors.join(' | ')}`;
    await waitFor(() => run.errors.length > 0, 15_000, context);
    // dash.js 5.2: 114 MEDIA_KEY_MESSAGE_LICENSER_ERROR, with the server's 403.
    expect(run.errors.join(' ')).toMatch(/^114 DRM: licenser error.*\(403\)/);
    expect(events).toContain('waitingforkey');
    expect(events).not.toContain('ended');
    expect(playedCount(media.recordOf(video).tracks)).toBe(0);
    await run.destroy();
  });
});
