// The coded frame processing algorithm (MSE §3.5.9 in the Editor's Draft, §3.5.8 in the 2016 Recommendation): each
// coded frame of a media segment gets timestampOffset, is checked against the append window and the need for a
// random access point, replaces the frames it overlaps (and their dependents), and is added to its track buffer.

import type { CodedFrame } from '../media-source-link.js';
import { TIME_EPSILON } from '../time-ranges.js';
import type { TrackBuffer } from './track-buffer.js';

export type AppendMode = 'segments' | 'sequence';

/** The SourceBuffer state the algorithm reads and updates. */
export interface ProcessingState {
  mode: AppendMode;
  timestampOffset: number;
  appendWindowStart: number;
  appendWindowEnd: number;
  groupStartTimestamp: number | undefined;
  groupEndTimestamp: number;
  readonly trackBuffers: ReadonlyMap<number, TrackBuffer>;
}

/** 1 microsecond: the remove window of an overlapped video frame (step 1.11.3). */
const MICROSECOND = 1e-6;

// Timestamps within TIME_EPSILON (1 µs) compare equal throughout: seconds as doubles carry rounding dust that
// Chromium's integer microseconds do not.

/** Runs the algorithm over one media segment's frames; returns whether any track buffer changed. */
export function processCodedFrames(state: ProcessingState, frames: ReadonlyArray<{ trackId: number; frame: CodedFrame }>): boolean {
  let changed = false;
  for (const { trackId, frame } of frames) {
    const track = state.trackBuffers.get(trackId);
    if (track && processFrame(state, track, frame)) changed = true;
  }
  return changed;
}

function processFrame(state: ProcessingState, track: TrackBuffer, frame: CodedFrame): boolean {
  // Loop Top: a discontinuity (step 1.6) sends the same frame round again with the decode state unset.
  for (let attempt = 0; attempt < 2; attempt++) {
    // 1.2. Presentation and decode timestamps and the frame duration, in seconds.
    let pts = frame.pts;
    let dts = frame.dts;
    const duration = frame.duration;
    // 1.3. Sequence mode with a group start timestamp: the new coded frame group starts there.
    if (state.mode === 'sequence' && state.groupStartTimestamp !== undefined) {
      state.timestampOffset = state.groupStartTimestamp - pts;
      state.groupEndTimestamp = state.groupStartTimestamp;
      for (const t of state.trackBuffers.values()) t.needRandomAccessPoint = true;
      state.groupStartTimestamp = undefined;
    }
    // 1.4. timestampOffset applies to both timestamps.
    if (state.timestampOffset !== 0) {
      pts += state.timestampOffset;
      dts += state.timestampOffset;
    }
    // 1.6. A decode timestamp going backwards or jumping more than twice the last frame duration: discontinuity.
    const last = track.lastDecodeTimestamp;
    if (attempt === 0 && last !== undefined && (dts < last - TIME_EPSILON || dts - last > 2 * track.lastFrameDuration! + TIME_EPSILON)) {
      if (state.mode === 'segments') state.groupEndTimestamp = pts;
      else state.groupStartTimestamp = state.groupEndTimestamp;
      for (const t of state.trackBuffers.values()) t.resetDecodeState();
      continue;
    }
    // 1.7. Frame end timestamp.
    const end = pts + duration;
    let kept = frame;
    // An audio frame straddling appendWindowStart keeps its part inside the window, as Chromium does (the spec's
    // note on collecting such frames for a splice): without it every period boundary would leave a gap.
    const windowStart = state.appendWindowStart - TIME_EPSILON;
    const windowEnd = state.appendWindowEnd + TIME_EPSILON;
    if (track.kind === 'audio' && pts < windowStart && end > state.appendWindowStart && end <= windowEnd) {
      const cut = state.appendWindowStart - pts;
      pts += cut;
      dts += cut;
      kept = { ...frame, duration: duration - cut };
    }
    // 1.8, 1.9. Outside the append window: dropped, and the next frame kept must be a random access point.
    if (pts < windowStart || end > windowEnd) {
      track.needRandomAccessPoint = true;
      return false;
    }
    // 1.10. Waiting for a random access point: frames before it are dropped.
    if (track.needRandomAccessPoint) {
      if (!kept.keyframe) return false;
      track.needRandomAccessPoint = false;
    }
    // 1.11. The first frame after a discontinuity lands inside a buffered frame: a video frame starting within 1 µs
    // of it replaces it (audio splicing is not modelled: the overlap removal below handles audio).
    let overlapped: CodedFrame | undefined;
    if (track.lastDecodeTimestamp === undefined && track.kind === 'video') {
      const hit = track.frameAt(pts);
      if (hit && pts < hit.pts + MICROSECOND) overlapped = hit;
    }
    // 1.12, 1.13. Remove the frames this one overlaps, and their decoding dependencies up to the next random access
    // point.
    const highest = track.highestEndTimestamp;
    let removeFrom: number | undefined;
    if (highest === undefined) removeFrom = pts;
    else if (highest <= pts + TIME_EPSILON) removeFrom = highest;
    if (removeFrom !== undefined) track.removePresentation(removeFrom, end, overlapped);
    else if (overlapped) track.removePresentation(pts, pts, overlapped);
    // 1.14. Add the frame, on the presentation timeline.
    track.add(pts === kept.pts && dts === kept.dts ? kept : { ...kept, pts, dts });
    // 1.15–1.18. Decode state and the coded frame group's end.
    track.lastDecodeTimestamp = dts;
    track.lastFrameDuration = kept.duration;
    if (track.highestEndTimestamp === undefined || end > track.highestEndTimestamp) track.highestEndTimestamp = end;
    if (end > state.groupEndTimestamp) state.groupEndTimestamp = end;
    return true;
  }
  return false;
}
