// Protected presentations the player tests play, made by emekit's packager (packagePresentation, what `emekit
// package` runs): the fixtures' clear fragmented MP4 (4 s, H.264 track 1 + AAC track 2), one track per file, cenc or
// cbcs, a DASH MPD with DASH-IF Clear Key signalling and HLS playlists (fMP4, SAMPLE-AES-CTR / SAMPLE-AES,
// KEYFORMAT="org.w3.clearkey"); and the clear samples playback must reproduce.
import { packagePresentation } from '../../../src/media/package/package.js';
import { trackSamples } from '../../../src/media/samples.js';
import { KEYS, readFixture } from '../../support/fixtures.js';
import { loopFragments } from './loop-fragments.js';

export interface ContentKey {
  kid: string;
  key: string;
}

export interface PresentationOptions {
  scheme: 'cenc' | 'cbcs';
  /** Clear key per track kind (default: the fixtures' video key for video, audio key for audio). */
  keys?: { video: ContentKey; audio: ContentKey };
  /** The license server the MPD names (clearkey:Laurl). */
  licenseUrl: string;
  /** Plays the source this many times in a row (the benchmark's 60 s from the 4 s fixture); default 1. */
  repeat?: number;
  /** Key rotation: video from `seconds` on is under `key` (first named in the moof there; HLS: a new EXT-X-KEY). */
  rotateVideoKey?: { seconds: number; key: ContentKey };
}

export interface Presentation {
  /** Path → bytes: manifest.mpd, master.m3u8, video/init.mp4, video/seg-1.m4s, video/playlist.m3u8, … */
  files: Map<string, Buffer>;
  /** Seconds. */
  duration: number;
  /** The clear samples of each track in decode order, from the clear source: what playback must reproduce. */
  clearSamples: Map<'video' | 'audio', Buffer[]>;
}

const contentKey = (k: ContentKey) => ({ keyId: Buffer.from(k.kid, 'hex'), key: Buffer.from(k.key, 'hex') });
const kindOf = (track: { handler: string }) => (track.handler === 'vide' ? 'video' : 'audio');

export async function makePresentation(o: PresentationOptions): Promise<Presentation> {
  const keys = o.keys ?? { video: KEYS.video, audio: KEYS.audio };
  const repeat = o.repeat ?? 1;
  const once = readFixture('clear_frag.mp4');
  const source = repeat === 1 ? once : loopFragments(once, repeat);
  const rotation = o.rotateVideoKey;
  const packaged = await packagePresentation([source], {
    scheme: o.scheme,
    keys: (track) => contentKey(keys[kindOf(track)]),
    segmentDuration: 1,
    licenseUrl: o.licenseUrl,
    ...(rotation
      ? { rotation: { seconds: rotation.seconds, key: (_period: number, track: { handler: string }) => contentKey(kindOf(track) === 'video' ? rotation.key : keys.audio) } }
      : {}),
  });
  const clearSamples = new Map<'video' | 'audio', Buffer[]>([
    ['video', trackSamples(source, 1)],
    ['audio', trackSamples(source, 2)],
  ]);
  return { files: packaged.files, duration: packaged.presentation.duration, clearSamples };
}
