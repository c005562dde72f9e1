// A track buffer (MSE §3.1 "track buffer"): the coded frames of one track in decode order, with the per-track state
// coded frame processing keeps (last decode timestamp, last frame duration, highest end timestamp, need random
// access point flag), its buffered ranges, and removal of frames with their decoding dependencies.

import type { CodedFrame, TrackBufferView } from '../media-source-link.js';
import { normalizeRanges, TIME_EPSILON } from '../time-ranges.js';

export class TrackBuffer implements TrackBufferView {
  lastDecodeTimestamp: number | undefined;
  lastFrameDuration: number | undefined;
  highestEndTimestamp: number | undefined;
  needRandomAccessPoint = true;

  /** Decode order. */
  #frames: CodedFrame[] = [];
  #bytes = 0;
  /** Largest pts − dts and dts − pts seen: bound the decode-order window that frames(from, to) searches. */
  #maxReorder = 0;
  #maxLead = 0;
  #ranges: Array<[number, number]> | undefined = [];
  /** Bounds of every frame's presentation interval: appends past the end skip the overlap scans. */
  #minPts = Infinity;
  #maxEnd = -Infinity;
  /** The largest frame duration seen: gaps up to twice it do not split a range (Chromium's fudge room). */
  #maxDuration = 0;
  /** The AudioTrack or VideoTrack made for this track buffer (its SourceBuffer's and the element's). */
  mediaTrack: object | undefined;

  constructor(
    readonly id: string,
    readonly kind: 'audio' | 'video',
    public codec: string,
    public width?: number,
    public height?: number,
  ) {}

  /** Bytes of coded frame data held (for the SourceBuffer's quota). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#frames.length;
  }

  buffered(): Array<[number, number]> {
    this.#ranges ??= normalizeRanges(
      this.#frames.map((f) => [f.pts, f.pts + f.duration] as const),
      this.#gap(),
    );
    return this.#ranges.map(([s, e]) => [s, e]);
  }

  *frames(from: number, to: number): Iterable<CodedFrame> {
    const frames = this.#frames;
    for (let i = this.#firstWithDtsAtLeast(from - this.#maxReorder); i < frames.length; i++) {
      const f = frames[i]!;
      if (f.dts >= to + this.#maxLead) break;
      if (f.pts >= from && f.pts < to) yield f;
    }
  }

  /** The frames as stored, decode order (tests and eviction read them; nobody may change them). */
  all(): readonly CodedFrame[] {
    return this.#frames;
  }

  add(frame: CodedFrame): void {
    const frames = this.#frames;
    // Appends nearly always extend the end; otherwise insert after the frames with dts <= this one's.
    if (frames.length === 0 || frames.at(-1)!.dts <= frame.dts) frames.push(frame);
    else frames.splice(this.#firstWithDtsAtLeast(frame.dts, true), 0, frame);
    this.#bytes += frame.data.byteLength;
    this.#maxReorder = Math.max(this.#maxReorder, frame.pts - frame.dts);
    this.#maxLead = Math.max(this.#maxLead, frame.dts - frame.pts);
    const end = frame.pts + frame.duration;
    if (frame.duration > this.#maxDuration) {
      this.#maxDuration = frame.duration;
      this.#ranges = undefined;
    }
    // The ranges grow in place when the frame extends the last one or starts a new one after it (the usual append);
    // anything else recomputes them on the next read.
    const ranges = this.#ranges;
    const last = ranges?.at(-1);
    if (ranges && (!last || frame.pts >= last[0])) {
      if (last && frame.pts <= last[1] + this.#gap()) last[1] = Math.max(last[1], end);
      else if (end > frame.pts) ranges.push([frame.pts, end]);
    } else this.#ranges = undefined;
    this.#minPts = Math.min(this.#minPts, frame.pts);
    this.#maxEnd = Math.max(this.#maxEnd, end);
  }

  /** Whether any frame's pts lies in [start, end): lets the common append at the end skip a scan. */
  hasFramesIn(start: number, end: number): boolean {
    if (this.#frames.length === 0 || start >= this.#maxEnd || end <= this.#minPts) return false;
    const ranges = this.buffered();
    return ranges.some(([s, e]) => s < end && e > start);
  }

  /** The frame whose presentation interval contains `pts`, if any. */
  frameAt(pts: number): CodedFrame | undefined {
    if (!this.hasFramesIn(pts, pts + Number.EPSILON)) return undefined;
    return this.#frames.find((f) => f.pts <= pts && pts < f.pts + f.duration);
  }

  /**
   * Removes the frames with pts in [start, end) (to within TIME_EPSILON: a frame starting 1 ulp before the end of the
   * one replacing the frame before it stays) and every frame after each of them in decode order up to the next
   * random access point (their decoding dependencies). Returns whether anything was removed.
   */
  removePresentation(start: number, end: number, alsoRemove?: CodedFrame): boolean {
    if (alsoRemove === undefined && !this.hasFramesIn(start, end)) return false;
    let dropping = false;
    let removed = 0;
    const kept: CodedFrame[] = [];
    for (const f of this.#frames) {
      if (f === alsoRemove || (f.pts >= start - TIME_EPSILON && f.pts < end - TIME_EPSILON)) dropping = true;
      else if (f.keyframe) dropping = false;
      if (dropping) {
        removed++;
        this.#bytes -= f.data.byteLength;
      } else kept.push(f);
    }
    if (removed === 0) return false;
    this.#frames = kept;
    this.#ranges = undefined;
    return true;
  }

  /** The pts of the first random access point at or after `time`, if any (range removal, eviction). */
  randomAccessPointAtOrAfter(time: number): number | undefined {
    let best: number | undefined;
    for (const f of this.#frames) if (f.keyframe && f.pts >= time && (best === undefined || f.pts < best)) best = f.pts;
    return best;
  }

  /** The pts of the last random access point at or before `time`, if any (eviction keeps what decoding needs). */
  randomAccessPointAtOrBefore(time: number): number | undefined {
    let best: number | undefined;
    for (const f of this.#frames) if (f.keyframe && f.pts <= time && (best === undefined || f.pts > best)) best = f.pts;
    return best;
  }

  /**
   * How far apart two frames may be and still be one buffered range: twice the largest frame duration, as Chromium's
   * "fudge room" (twice its max inter-buffer distance); so that the 73 µs between an audio track's end and the next
   * coded frame group's start (tracks of slightly different lengths, appended in sequence) is no gap to stall at.
   */
  #gap(): number {
    return Math.max(TIME_EPSILON, 2 * this.#maxDuration);
  }

  /** Unsets the coded frame processing state (reset parser state, discontinuities). */
  resetDecodeState(): void {
    this.lastDecodeTimestamp = undefined;
    this.lastFrameDuration = undefined;
    this.highestEndTimestamp = undefined;
    this.needRandomAccessPoint = true;
  }

  #firstWithDtsAtLeast(dts: number, strictlyAfter = false): number {
    const frames = this.#frames;
    let lo = 0;
    let hi = frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const d = frames[mid]!.dts;
      if (strictlyAfter ? d <= dts : d < dts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
