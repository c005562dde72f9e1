// One player run as every player test starts it: a presentation packaged for the test, mounted on the file's media
// server, a new <video>, its events recorded, the player started with a token for `kids`; and the checks of a clean
// run to the end.
import { expect } from 'vitest';
import type { InstalledMedia } from '../../../src/dom/install.js';
import type { PlayerRun, PlayOptions } from './drivers.js';
import { expectPlayedClear, nextEvent, recordEvents, type PlayerVideo } from './playback.js';
import { makePresentation, type Presentation, type PresentationOptions } from './presentation.js';
import { keyStatuses, type SessionLike } from './sessions.js';
import type { LicenseServer, MediaServer } from './servers.js';
import { newVideo } from './window.js';

export interface StartOptions {
  servers: { media: MediaServer; license: LicenseServer };
  /** The sessions the file watches (watchSessions): this run's are those created from now on. */
  sessions: SessionLike[];
  /** Folder on the media server, one per test. */
  name: string;
  manifest: 'manifest.mpd' | 'master.m3u8';
  presentation?: Partial<PresentationOptions>;
  /** Key IDs (hex) the token grants. */
  kids: readonly string[];
  /** More `emekit token` options, e.g. the policy its licenses carry (--license-duration 3s). */
  tokenOptions?: readonly string[];
  play(video: unknown, options: PlayOptions): PlayerRun | Promise<PlayerRun>;
  options?: Partial<PlayOptions>;
}

export interface Started {
  presentation: Presentation;
  video: PlayerVideo & { play(): Promise<void> };
  events: string[];
  run: PlayerRun;
  /** What happened so far, for failure messages. */
  context(): string;
  sessions(): SessionLike[];
}

export async function startPlayer(o: StartOptions): Promise<Started> {
  const { license, media } = o.servers;
  const presentation = await makePresentation({ scheme: 'cenc', licenseUrl: license.licenseUrl, ...o.presentation });
  const url = `${media.mount(o.name, presentation.files)}${o.manifest}`;
  const video = newVideo();
  const events = recordEvents(video);
  const from = o.sessions.length;
  const run = await o.play(video, { url, licenseUrl: license.licenseUrl, token: await license.token(o.kids, o.tokenOptions), ...o.options });
  const context = () => `events: ${events.join(' ')}; player: ${run.errors.join(' | ')}`;
  return { presentation, video, events, run, context, sessions: () => o.sessions.slice(from) };
}

/** Plays to `ended` (calling play() too unless the player autoplays). */
export async function playToEnd(s: Started, callPlay = true): Promise<void> {
  const ended = nextEvent(s.video, 'ended', 20_000, s.context);
  if (callPlay) await s.video.play();
  await ended;
}

/** No fatal player error, exactly these keys usable, every sample played equal to the clear source's. */
/** `errors: 'none'` for players that report no error at all on a clean run; hls.js reports recoverable ones. */
export function expectCleanRun(s: Started, media: InstalledMedia, usableKids: readonly string[], errors: 'none' | 'no-fatal' = 'no-fatal'): void {
  expect(errors === 'none' ? s.run.errors : s.run.errors.filter((e) => e.endsWith('(fatal)'))).toEqual([]);
  expect(keyStatuses(s.sessions())).toEqual(new Map(usableKids.map((kid) => [kid, 'usable'])));
  expectPlayedClear(media.recordOf(s.video).tracks, s.presentation);
}
