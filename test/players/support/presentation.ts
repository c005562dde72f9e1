// Protected presentations the player tests play: the fixtures' clear fragmented MP4 split into one file per track,
// encrypted (cenc or cbcs, a key per track), cut into segments (tfdt in each), with a DASH MPD (DASH-IF Clear Key
// signalling) and HLS playlists (fMP4, SAMPLE-AES-CTR / SAMPLE-AES, KEYFORMAT="org.w3.clearkey").
// Interim: switches to `emekit package` (issue 14) once it exists.
import type { Scheme } from '../../../src/media/boxes/protection.js';
import { protectInPlace } from '../../../src/media/protect-in-place.js';
import { trackSamples } from '../../../src/media/samples.js';
import { KEYS, readFixture } from '../../support/fixtures.js';
import { encryptWithRotation } from './rotate-keys.js';
import { segment, shiftDecodeTime, splitTracks } from './split-tracks.js';

export interface ContentKey {
  kid: string;
  key: string;
}

export interface PresentationOptions {
  scheme: 'cenc' | 'cbcs';
  /** Clear key per track kind (default: the fixtures' video key for video, audio key for audio). */
  keys?: { video: ContentKey; audio: ContentKey };
  /** Written into the MPD's clearkey:Laurl and the HLS playlists' comment; players are also configured directly. */
  licenseUrl: string;
  /** Clear fragmented source (default test/fixtures/cenc/clear_frag.mp4: 4 s, H.264 track 1 + AAC track 2). */
  source?: Buffer;
  /** Plays the source this many times in a row (the benchmark's 60 s from the 4 s fixture); default 1. */
  repeat?: number;
  /** Key rotation (cenc): video from `seconds` on (a fragment per second) is under `key`, first named in those moofs. */
  rotateVideoKey?: { seconds: number; key: ContentKey };
}

export interface TrackRendition {
  kind: 'video' | 'audio';
  trackId: number;
  key: ContentKey;
  /** Key rotation: segments from `from` (0-based) on are under `key`. */
  rotation?: { seconds: number; key: ContentKey };
  codecs: string;
  timescale: number;
  segments: { start: number; duration: number }[];
}

export interface Presentation {
  /** Path (relative to the server root) → bytes: manifest.mpd, master.m3u8, {video,audio}.m3u8, {video,audio}/... */
  files: Map<string, Buffer>;
  tracks: TrackRendition[];
  /** Seconds. */
  duration: number;
  /** The clear samples of each track in decode order, from the clear source: what playback must reproduce. */
  clearSamples: Map<'video' | 'audio', Buffer[]>;
}

const CODECS = { video: 'avc1.42c00d', audio: 'mp4a.40.2' } as const;
export const COMMON_SYSTEM_ID = '1077efec-c0b2-4d02-ace3-3c1e52e2fb4b';
// DASH-IF's Clear Key scheme: dash.js 5.2 builds 'keyids' init data from cenc:default_KID only under this one (under
// the common system ID alone it passes the init segment's pssh as 'keyids': TypeError in Chromium and in emekit).
const DASHIF_CLEAR_KEY_ID = 'e2719d58-a985-b3c9-781a-b030af78d30e';

const uuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

function mpd(p: Omit<Presentation, 'files' | 'clearSamples'>, licenseUrl: string, scheme: Scheme): string {
  const sets = p.tracks.map((t) => {
    const timeline = t.segments.map((s) => `<S t="${s.start}" d="${s.duration}"/>`).join('');
    const attrs = t.kind === 'video' ? 'width="320" height="240" frameRate="25"' : 'audioSamplingRate="48000"';
    return `
    <AdaptationSet id="${t.trackId}" contentType="${t.kind}" mimeType="${t.kind}/mp4" segmentAlignment="true" startWithSAP="1">
      <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="${scheme}" cenc:default_KID="${uuid(t.key.kid)}"/>${[DASHIF_CLEAR_KEY_ID, COMMON_SYSTEM_ID].map((id) => `
      <ContentProtection schemeIdUri="urn:uuid:${id}" value="ClearKey1.0">
        <clearkey:Laurl Lic_type="EME-1.0">${licenseUrl}</clearkey:Laurl>
        <dashif:laurl>${licenseUrl}</dashif:laurl>
      </ContentProtection>`).join('')}
      <Representation id="${t.kind}" codecs="${t.codecs}" bandwidth="${t.kind === 'video' ? 300000 : 64000}" ${attrs}>
        <SegmentTemplate timescale="${t.timescale}" initialization="${t.kind}/init.mp4" media="${t.kind}/seg-$Number$.m4s" startNumber="1">
          <SegmentTimeline>${timeline}</SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" xmlns:clearkey="http://dashif.org/guidelines/clearKey"
  xmlns:dashif="https://dashif.org/CPS" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static"
  mediaPresentationDuration="PT${p.duration.toFixed(3)}S" minBufferTime="PT1S">
  <Period id="1" start="PT0S">${sets.join('')}
  </Period>
</MPD>
`;
}

function mediaPlaylist(t: TrackRendition, scheme: Scheme): string {
  const method = scheme === 'cbcs' ? 'SAMPLE-AES' : 'SAMPLE-AES-CTR';
  // Clear Key in HLS: the key ID travels as the URI's data (hls.js reads its first 16 bytes) and as KEYID.
  const keyTag = (key: ContentKey) =>
    `#EXT-X-KEY:METHOD=${method},KEYFORMAT="org.w3.clearkey",KEYFORMATVERSIONS="1",KEYID=0x${key.kid},URI="data:text/plain;base64,${Buffer.from(key.kid, 'hex').toString('base64')}"`;
  const target = Math.ceil(Math.max(...t.segments.map((s) => s.duration / t.timescale)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-MEDIA-SEQUENCE:1', '#EXT-X-INDEPENDENT-SEGMENTS'];
  lines.push(keyTag(t.key), `#EXT-X-MAP:URI="${t.kind}/init.mp4"`);
  t.segments.forEach((s, i) => {
    if (t.rotation?.seconds === i) lines.push(keyTag(t.rotation.key));
    lines.push(`#EXTINF:${(s.duration / t.timescale).toFixed(5)},`, `${t.kind}/seg-${i + 1}.m4s`);
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

function masterPlaylist(p: Omit<Presentation, 'files' | 'clearSamples'>): string {
  const audio = p.tracks.find((t) => t.kind === 'audio');
  const video = p.tracks.find((t) => t.kind === 'video')!;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio) lines.push(`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio.m3u8"`);
  const codecs = [video.codecs, ...(audio ? [audio.codecs] : [])].join(',');
  lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS="${codecs}",RESOLUTION=320x240,FRAME-RATE=25${audio ? ',AUDIO="aud"' : ''}`, 'video.m3u8', '');
  return lines.join('\n');
}

export async function makePresentation(o: PresentationOptions): Promise<Presentation> {
  const keys = o.keys ?? { video: KEYS.video, audio: KEYS.audio };
  const source = o.source ?? readFixture('clear_frag.mp4');
  const files = new Map<string, Buffer>();
  const tracks: TrackRendition[] = [];
  const clearSamples = new Map<'video' | 'audio', Buffer[]>();
  for (const [trackId, file] of splitTracks(source)) {
    const kind = trackId === 1 ? 'video' : 'audio';
    const key = keys[kind];
    const contentKey = (k: ContentKey) => ({ keyId: Buffer.from(k.kid, 'hex'), key: Buffer.from(k.key, 'hex') });
    const rotation = kind === 'video' ? o.rotateVideoKey : undefined;
    const cut = rotation
      ? encryptWithRotation(file, contentKey(key), contentKey(rotation.key), rotation.seconds)
      : segment(protectInPlace(file, { scheme: o.scheme, keys: contentKey(key) }));
    const once = cut.segments.reduce((sum, s) => sum + s.duration, 0);
    const segments = Array.from({ length: o.repeat ?? 1 }, (_, r) =>
      cut.segments.map((s) => ({ bytes: r === 0 ? s.bytes : shiftDecodeTime(s.bytes, r * once), start: s.start + r * once, duration: s.duration })),
    ).flat();
    files.set(`${kind}/init.mp4`, cut.init);
    segments.forEach((s, i) => files.set(`${kind}/seg-${i + 1}.m4s`, s.bytes));
    tracks.push({ kind, trackId, key, ...(rotation ? { rotation } : {}), codecs: CODECS[kind], timescale: cut.timescale, segments: segments.map(({ start, duration }) => ({ start, duration })) });
    const samples = trackSamples(file, trackId);
    clearSamples.set(kind, Array.from({ length: o.repeat ?? 1 }, () => samples).flat());
  }
  const duration = Math.max(...tracks.map((t) => t.segments.reduce((s, x) => s + x.duration, 0) / t.timescale));
  const shape = { tracks, duration };
  files.set('manifest.mpd', Buffer.from(mpd(shape, o.licenseUrl, o.scheme)));
  files.set('master.m3u8', Buffer.from(masterPlaylist(shape)));
  for (const t of tracks) files.set(`${t.kind}.m3u8`, Buffer.from(mediaPlaylist(t, o.scheme)));
  return { files, tracks, duration, clearSamples };
}
