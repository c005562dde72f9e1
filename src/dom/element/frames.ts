// "Decoding" without a decoder: a coded frame is decrypted with the element's key (src/media/cenc) and, for AVC/HEVC,
// checked by the NAL plausibility check, the only place a wrong key shows without decoding. What is played is
// recorded per track, as a hash (or the bytes), for tests to compare with the clear source.

import { createHash } from 'node:crypto';
import { cryptSample } from '../../media/cenc/cipher.js';
import { checkNalSample } from '../../media/cenc/verify.js';
import type { CodedFrame, TrackBufferView } from '../media-source-link.js';

export interface PlayedSample {
  /** Presentation time, seconds. */
  readonly pts: number;
  readonly duration: number;
  readonly size: number;
  /** SHA-256 of the decrypted bytes, hex. */
  readonly sha256: string;
  /** The decrypted bytes, when installMedia was given `keepSamples: true`. */
  readonly data?: Uint8Array;
}

export interface PlayedTrack {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly codec: string;
  /** In the order played: presentation order along each run of continuous playback (a seek starts a new run). */
  readonly samples: PlayedSample[];
}

export type DecodeResult = { readonly ok: true; readonly sample: PlayedSample } | { readonly ok: false; readonly reason: string };

/** Decrypts (when protected) and checks one frame; `key` is the frame's key when it has crypto. */
export function decodeFrame(track: TrackBufferView, frame: CodedFrame, key: Uint8Array | undefined, keep: boolean): DecodeResult {
  const buf = Buffer.from(frame.data);
  const crypto = frame.crypto;
  if (crypto) {
    if (!key) return { ok: false, reason: 'no key' };
    try {
      cryptSample(buf, 0, buf.length, crypto, Buffer.from(key.buffer, key.byteOffset, key.byteLength), 'decrypt', () => `track ${track.id} frame at ${frame.pts}s`);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    if (crypto.nalLengthSize !== undefined) {
      const subs = crypto.subsamples;
      const lengthsProtected = subs === undefined || (subs[0] ?? 0) < crypto.nalLengthSize;
      const why = checkNalSample(buf, 0, buf.length, crypto.nalLengthSize, lengthsProtected, subs);
      if (why !== undefined) return { ok: false, reason: `track ${track.id} frame at ${frame.pts}s does not decode (${why}): wrong key?` };
    }
  }
  const sha256 = createHash('sha256').update(buf).digest('hex');
  return { ok: true, sample: { pts: frame.pts, duration: frame.duration, size: buf.length, sha256, ...(keep ? { data: new Uint8Array(buf) } : {}) } };
}
