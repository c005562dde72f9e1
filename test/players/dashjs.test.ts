// @vitest-environment jsdom
// dash.js 5.2, unchanged from npm, under jsdom on emekit/dom: a DASH presentation with DASH-IF Clear Key signalling
// (license URL from the MPD's clearkey:Laurl), licensed by a real `emekit serve` process, played to the end on the
// virtual clock; every sample the element played equals the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { KEYROLL, KEYS } from '../support/fixtures.js';
import { playWithDashjs } from './support/drivers.js';
import { playedCount } from './support/playback.js';
import { watchSessions } from './support/sessions.js';
import { expectCleanRun, playToEnd, startPlayer, type StartOptions } from './support/start.js';
import { useServers } from './support/use-servers.js';
import { testWindow } from './support/window.js';

const media = installMedia(testWindow, { clock: 'virtual' });
const sessions = watchSessions(testWindow);
const dashjs = await import('dashjs');
const servers = useServers();
const start = (name: string, kids: readonly string[]) =>
  startPlayer({ servers, sessions, name, manifest: 'manifest.mpd', kids, play: (video, o) => playWithDashjs(dashjs, video, o) } satisfies StartOptions);

describe('dash.js 5.2 under jsdom', () => {
  it('plays DASH cenc with Clear Key to the end: keys usable, every sample equal to the clear source', async () => {
    const run = await start('cenc', [KEYS.video.kid, KEYS.audio.kid]);
    await playToEnd(run, false); // initialize(…, autoplay)
    expectCleanRun(run, media, [KEYS.video.kid, KEYS.audio.kid], 'none');
    await run.run.destroy();
  });

  it('with a token for another key ID: the server refuses, dash.js reports its license error, nothing is played', async () => {
    const { run, events, video, context } = await start('refused', [KEYROLL[0]![0]]);
    await run.reported.until(() => run.errors.length > 0, 15_000, context);
    // dash.js 5.2: 114 MEDIA_KEY_MESSAGE_LICENSER_ERROR, with the server's 403.
    expect(run.errors.join(' ')).toMatch(/^114 DRM: licenser error.*\(403\)/);
    expect(events).toContain('waitingforkey');
    expect(events).not.toContain('ended');
    expect(playedCount(media.recordOf(video).tracks)).toBe(0);
    await run.destroy();
  });
});
