// A packaged presentation as the manifests describe it: representations (one per track), their segments and
// their protection. The DASH MPD and the HLS playlists are both written from this.
import type { Scheme } from '../../boxes/protection.js';

export interface SegmentInfo {
  /** Decode time of the first sample (tfdt), in the track's timescale. */
  start: number;
  duration: number;
  /** Bytes, for the bandwidth. */
  size: number;
  /** The key its samples use (changes with key rotation). */
  keyId: Buffer | undefined;
}

export interface Representation {
  /** Also its folder under the output directory: video, audio, video-2, … */
  id: string;
  kind: 'video' | 'audio';
  codecs: string;
  width?: number;
  height?: number;
  channels?: number;
  sampleRate?: number;
  timescale: number;
  /** Peak bits per second over the segments. */
  bandwidth: number;
  segments: SegmentInfo[];
  /** Paths relative to the output directory. */
  init: string;
  /** With $Number$ (1-based) for the segment. */
  media: string;
  /** The first segment's key (cenc:default_KID). */
  keyId: Buffer | undefined;
}

export interface Presentation {
  scheme: Scheme;
  /** Seconds. */
  duration: number;
  representations: Representation[];
  /** Clear Key license server (clearkey:Laurl / dashif:Laurl). */
  licenseUrl: string | undefined;
  /** The common pssh box of each key ID (cenc:pssh). */
  pssh: (keyId: Buffer) => Buffer;
}

export const segmentPath = (r: Representation, n: number): string => r.media.replace('$Number$', String(n));
