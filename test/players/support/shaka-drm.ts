// shaka-player started for a DRM test on emekit/dom: a presentation of its own per run, and waits that are bounded
// and say what they waited for (with the element's events, position, ready state, the clock and the key statuses).
import type { Clock } from '../../../src/util/clock.js';
import { KEYS } from '../../support/fixtures.js';
import { playWithShaka } from './drivers.js';
import { bounded } from './playback.js';
import { keyStatuses, type SessionLike } from './sessions.js';
import type { LicenseServer, MediaServer } from './servers.js';
import { startPlayer } from './start.js';

/** Real time allowed for any one awaited thing. */
export const PATIENCE_MS = 30_000;
export const DRM_KIDS = [KEYS.video.kid, KEYS.audio.kid];

export interface ShakaDrmFile {
  readonly shaka: unknown;
  readonly servers: { media: MediaServer; license: LicenseServer };
  readonly sessions: SessionLike[];
  readonly clock: Clock;
}

/** Starts shaka on a new presentation (not yet playing); `url` and `player` for a reload. */
export function shakaStarter(file: ShakaDrmFile) {
  let runs = 0;
  return async (tokenOptions: readonly string[] = []) => {
    let shakaRun: Awaited<ReturnType<typeof playWithShaka>> | undefined;
    let url = '';
    const starting = startPlayer({
      servers: file.servers,
      sessions: file.sessions,
      name: `drm-${runs++}`,
      manifest: 'manifest.mpd',
      kids: DRM_KIDS,
      tokenOptions,
      play: async (video, o) => {
        url = o.url;
        return (shakaRun = await playWithShaka(file.shaka, video, o));
      },
    });
    const started = await bounded(starting, PATIENCE_MS, 'shaka load()');
    const { video } = started;
    const context = () =>
      `${started.context()}; t=${video.currentTime} readyState=${(video as unknown as { readyState: number }).readyState} clock=${file.clock.now()} keys=${JSON.stringify([...keyStatuses(started.sessions())])}`;
    const play = () => bounded(video.play(), PATIENCE_MS, 'video.play()', context);
    const destroy = () => bounded(started.run.destroy(), PATIENCE_MS, 'shaka destroy()', context);
    return { ...started, url, player: shakaRun!.player, context, play, destroy };
  };
}
