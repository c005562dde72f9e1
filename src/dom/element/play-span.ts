// One step of playback: the frames of every track with presentation times in [from, to) are "decoded" (decrypted
// with the element's keys and checked). EME's Attempt to Decrypt decides how far that goes: the first frame
// (in presentation time) whose key is not usable — or any encrypted frame while no MediaKeys is set — ends the
// span there, and the element then runs Wait for Key.

import type { ElementEme } from '../../element/element-eme.js';
import type { CodedFrame, TrackBufferView } from '../media-source-link.js';
import { TIME_EPSILON } from '../time-ranges.js';
import { decodeFrame, type PlayedSample } from './frames.js';

export interface Span {
  /** Where playback got to: `to`, or the time of the frame that waits for a key. */
  readonly to: number;
  /** Set when a key is missing: its key ID, or null for "no MediaKeys yet". */
  readonly blockedOn?: Uint8Array | null;
  /** What was played, per track, in presentation order. */
  readonly played: ReadonlyArray<{ readonly track: TrackBufferView; readonly samples: readonly PlayedSample[] }>;
  /** Why a frame could not be decoded (the element's MEDIA_ERR_DECODE). */
  readonly decodeError?: string;
}

export function playSpan(tracks: readonly TrackBufferView[], eme: ElementEme, from: number, until: number, keepSamples: boolean): Span {
  let to = until;
  let blockedOn: Uint8Array | null | undefined;
  const windows = tracks.map((track) => ({ track, frames: [...framesNear(track, from, until)] }));
  for (const { frames } of windows) {
    for (const frame of frames) {
      if (frame.pts >= to - TIME_EPSILON) continue;
      const missing = missingKey(eme, frame);
      if (missing !== undefined) {
        to = frame.pts;
        blockedOn = missing;
      }
    }
  }
  const played: Array<{ track: TrackBufferView; samples: PlayedSample[] }> = [];
  for (const { track, frames } of windows) {
    const samples: PlayedSample[] = [];
    for (const frame of frames.filter((f) => f.pts < to - TIME_EPSILON).sort((a, b) => a.pts - b.pts)) {
      const result = decodeFrame(track, frame, frame.crypto ? eme.keyFor(frame.crypto.keyId) : undefined, keepSamples);
      if (!result.ok) return { to: from, played, decodeError: result.reason };
      samples.push(result.sample);
    }
    played.push({ track, samples });
  }
  return blockedOn === undefined ? { to, played } : { to, blockedOn, played };
}

/**
 * Attempt to Decrypt for the frame each track presents first at `at` (the earliest pts in [at, until)): the key one
 * of them waits for (null: no MediaKeys yet), or undefined when all of them can be decoded now.
 */
export function keyNeededAt(tracks: readonly TrackBufferView[], eme: ElementEme, at: number, until: number): Uint8Array | null | undefined {
  for (const track of tracks) {
    let first: CodedFrame | undefined;
    for (const frame of framesNear(track, at, until)) if (!first || frame.pts < first.pts) first = frame;
    const missing = first && missingKey(eme, first);
    if (missing !== undefined) return missing;
  }
  return undefined;
}

/**
 * A track's frames with pts in [from, until) to within 1 µs (MSE's resolution here too): the position is a sum of
 * durations, and a frame appended after a stall at the end of the buffer may start 1 ulp before it. Every span is
 * shifted alike, so no frame falls in two.
 */
function framesNear(track: TrackBufferView, from: number, until: number): Iterable<CodedFrame> {
  return track.frames(from - TIME_EPSILON, until - TIME_EPSILON);
}

/** The key an encrypted frame cannot be decrypted without (null: no MediaKeys); undefined when it can be decoded. */
function missingKey(eme: ElementEme, frame: CodedFrame): Uint8Array | null | undefined {
  if (!frame.crypto) return undefined;
  if (eme.mediaKeys === null) return null;
  return eme.keyFor(frame.crypto.keyId) === undefined ? frame.crypto.keyId : undefined;
}
