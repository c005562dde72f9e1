// What a SourceBuffer does (MSE §3), apart from its interface object: the prepare append, buffer append and segment
// parser loop algorithms, the initialization segment received algorithm, the range removal and coded frame removal
// and eviction algorithms, abort and changeType with the reset parser state algorithm, and the append error
// algorithm. Events go through the WindowContext to the SourceBuffer object (`target`).

import type { HostEventTarget } from '../host-window.js';
import type { MediaElementLink, TrackBufferView } from '../media-source-link.js';
import { intersectRanges } from '../time-ranges.js';
import { MediaError } from '../../media/errors.js';
import { toArrayBuffer } from '../../webidl/buffer-source.js';
import { ByteStreamParser, type InitSegment, type MediaSegment, type Segment } from './byte-stream.js';
import { processCodedFrames, type AppendMode, type ProcessingState } from './coded-frame-processing.js';
import { TrackBuffer } from './track-buffer.js';
import { mseTypeSupport } from './type-support.js';
import type { WindowContext } from './window-context.js';
import {
  setTrackSourceBuffer,
  windowTracks,
  type AudioTrackLike,
  type MediaTrack,
  type TextTrackLike,
  type TrackListControl,
  type VideoTrackLike,
} from '../element/tracks.js';

export type ReadyState = 'closed' | 'open' | 'ended';

/** What a SourceBuffer needs from its parent MediaSource. */
export interface ParentMediaSource {
  readonly readyState: ReadyState;
  readonly duration: number;
  readonly link: MediaElementLink | undefined;
  /** Setting readyState from 'ended' back to 'open' and firing sourceopen (several algorithms' step). */
  reopenIfEnded(): void;
  durationChange(newDuration: number): void;
  /** The end of stream algorithm with an error (the append error algorithm's last step). */
  endOfStream(error: 'decode', message: string): void;
  /** The initialization segment received algorithm's steps on the MediaSource: active list, HAVE_METADATA. */
  initSegmentReceived(source: SourceBufferCore, active: boolean): void;
  /** False for the MediaSource behind a plain media file: its SourceBuffer is no script's (tracks' sourceBuffer null). */
  readonly exposed: boolean;
}

/** A SourceBuffer's audioTracks, videoTracks and textTracks (MSE §3.1). */
export interface SourceBufferTrackLists {
  readonly audio: TrackListControl<AudioTrackLike>;
  readonly video: TrackListControl<VideoTrackLike>;
  readonly text: TrackListControl<TextTrackLike>;
}

class AppendError extends Error {}

/**
 * The message of the append error for what the segment parser loop threw. Bytes it cannot use (a MediaError other
 * than 'internal', an AppendError) are the input's fault. Anything else is emekit's bug: the page still gets the
 * append error algorithm, never an exception, but the message says so, for a bug report and for the fuzzer.
 */
export function appendErrorMessage(error: unknown): string {
  if ((error instanceof MediaError && error.code !== 'internal') || error instanceof AppendError) return error.message;
  return `internal error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

export class SourceBufferCore implements ProcessingState {
  parent: ParentMediaSource | undefined;
  updating = false;
  mode: AppendMode = 'segments';
  timestampOffset = 0;
  appendWindowStart = 0;
  appendWindowEnd = Infinity;
  groupStartTimestamp: number | undefined;
  groupEndTimestamp = 0;
  readonly trackBuffers = new Map<number, TrackBuffer>();
  firstInitSegmentReceived = false;

  #kinds: { audio: boolean; video: boolean };
  #parser = new ByteStreamParser();
  #pendingInitSegmentForChangeType = false;
  /** Bumped by abort() and removal: a queued buffer append or range removal of an older generation does nothing. */
  #generation = 0;
  #removing = false;

  constructor(
    readonly context: WindowContext,
    readonly target: HostEventTarget,
    parent: ParentMediaSource,
    type: string,
    readonly trackLists: SourceBufferTrackLists,
  ) {
    this.parent = parent;
    this.#kinds = mseTypeSupport(type) ?? { audio: true, video: true };
  }

  get tracks(): TrackBuffer[] {
    return [...this.trackBuffers.values()];
  }

  /** SourceBuffer.buffered (MSE §3.1): the intersection of the track buffers' ranges. */
  buffered(): Array<[number, number]> {
    const tracks = this.tracks;
    const ranges = tracks.map((t) => t.buffered());
    const highest = Math.max(0, ...ranges.map((r) => r.at(-1)?.[1] ?? 0));
    let out: Array<[number, number]> = highest > 0 ? [[0, highest]] : [];
    const ended = this.parent?.readyState === 'ended';
    for (const r of ranges) {
      const own = r.map(([s, e]) => [s, e] as [number, number]);
      if (ended && own.length > 0) own[own.length - 1]![1] = highest;
      out = intersectRanges(out, own);
    }
    return tracks.length === 0 ? [] : out;
  }

  /** Highest end time of any track buffer (duration change and end of stream algorithms). */
  highestEndTime(): number {
    return Math.max(0, ...this.tracks.map((t) => t.buffered().at(-1)?.[1] ?? 0));
  }

  /** Highest presentation timestamp of any buffered coded frame (the duration change algorithm's step 2). */
  highestPresentationTimestamp(): number {
    let highest = 0;
    for (const t of this.tracks) for (const f of t.all()) highest = Math.max(highest, f.pts);
    return highest;
  }

  /** Removed from its MediaSource, or unusable: the InvalidStateError of most members' first step. */
  requireAttached(member: string): ParentMediaSource {
    if (!this.parent) throw this.context.error('InvalidStateError', `Failed to ${member}: This SourceBuffer has been removed from the parent media source.`);
    return this.parent;
  }

  requireIdle(member: string): ParentMediaSource {
    const parent = this.requireAttached(member);
    if (this.updating) throw this.context.error('InvalidStateError', `Failed to ${member}: This SourceBuffer is still processing an 'appendBuffer' or 'remove' operation.`);
    return parent;
  }

  /** appendBuffer(data) (MSE §3.2): prepare append, then the buffer append algorithm in a later task. */
  appendBuffer(bytes: Uint8Array): void {
    this.#prepareAppend(bytes.byteLength);
    // 2. Add data (a copy: the caller may reuse its buffer) to the end of the input buffer.
    this.#parser.append(Buffer.from(bytes));
    this.updating = true;
    this.context.fire(this.target, 'updatestart');
    const generation = this.#generation;
    this.#queue(() => {
      if (generation === this.#generation) this.#bufferAppend();
    });
  }

  /** Prepare append algorithm (MSE §3.5.4). */
  #prepareAppend(newBytes: number): void {
    const member = "execute 'appendBuffer' on 'SourceBuffer'";
    // 1, 2. Removed, or updating.
    const parent = this.requireIdle(member);
    // 3. The media element's error attribute is not null: not visible through the link; the element detaches.
    // 4. An ended MediaSource reopens.
    parent.reopenIfEnded();
    // 5, 6. Coded frame eviction, then QuotaExceededError if the data still does not fit.
    if (!this.#evict(newBytes)) {
      throw this.context.error('QuotaExceededError', `Failed to ${member}: The SourceBuffer is full, and cannot free space to append additional buffers.`);
    }
  }

  /** Buffer append algorithm (MSE §3.5.5). */
  #bufferAppend(): void {
    // 1, 2. The segment parser loop; an append error ends everything here.
    if (!this.#segmentParserLoop()) return;
    // 3–5.
    this.updating = false;
    this.context.fire(this.target, 'update');
    this.context.fire(this.target, 'updateend');
  }

  /**
   * The element's own media file (a SourceBuffer no script sees): segments cut already, processed at once, without
   * the buffer quota (the whole file is in memory anyway). False when the append error algorithm ran.
   */
  appendSegments(segments: Iterable<Segment>): boolean {
    const iterator = segments[Symbol.iterator]();
    return this.#segmentParserLoop(() => {
      const step = iterator.next();
      return step.done ? undefined : step.value;
    });
  }

  /** Segment parser loop (MSE §3.5.1), over the input buffer or given segments; false when the append error ran. */
  #segmentParserLoop(next: () => Segment | undefined = () => this.#parser.next()): boolean {
    try {
      for (;;) {
        const segment = next();
        if (!segment) return true;
        if (segment.kind === 'init') this.#initSegmentReceived(segment);
        else this.#mediaSegment(segment);
      }
    } catch (error) {
      this.#appendError(appendErrorMessage(error));
      return false;
    }
  }

  #mediaSegment(segment: MediaSegment): void {
    // 6.1. A media segment needs the init segment first (and a new one after changeType()).
    if (!this.firstInitSegmentReceived || this.#pendingInitSegmentForChangeType) {
      throw new AppendError('media segment received before the initialization segment');
    }
    const link = this.parent?.link;
    for (const initData of segment.initData) link?.initDataEncountered('cenc', toArrayBuffer(initData));
    // 6.2. Coded frame processing.
    if (processCodedFrames(this, segment.frames)) link?.bufferedChanged();
    // Coded frame processing step 5: data beyond the duration extends it.
    const parent = this.parent;
    if (parent && (Number.isNaN(parent.duration) || this.groupEndTimestamp > parent.duration)) {
      parent.durationChange(Number.isNaN(parent.duration) ? this.groupEndTimestamp : Math.max(parent.duration, this.groupEndTimestamp));
    }
  }

  /** Initialization segment received algorithm (MSE §3.5.7). */
  #initSegmentReceived(segment: InitSegment): void {
    const parent = this.parent!;
    // 1. The first init segment of the presentation sets the duration (or +Infinity without one).
    if (Number.isNaN(parent.duration)) parent.durationChange(segment.duration ?? Infinity);
    // 2. No audio or video track: append error.
    if (segment.tracks.length === 0) throw new AppendError('initialization segment has no audio or video track');
    for (const t of segment.tracks) {
      if (!mseTypeSupport(`${t.kind}/mp4; codecs="${t.codec}"`)) throw new AppendError(`track ${t.id}: codec '${t.codec}' is not supported`);
    }
    let active = false;
    if (this.firstInitSegmentReceived) {
      // 3. Later init segments must describe the same tracks: same count per kind, same IDs where several.
      this.#matchTracks(segment);
    } else {
      // 5. Track buffers for the tracks; every audio track is enabled and the first video track selected, so the
      //    SourceBuffer is active.
      for (const t of segment.tracks) this.trackBuffers.set(t.id, new TrackBuffer(String(t.id), t.kind, t.codec, t.width, t.height));
      this.#makeMediaTracks(parent);
      active = true;
      this.firstInitSegmentReceived = true;
    }
    // 6. A pending changeType() is satisfied.
    this.#pendingInitSegmentForChangeType = false;
    // 7, 8. The MediaSource's part; then EME's Initialization Data Encountered for the moov's pssh boxes.
    parent.initSegmentReceived(this, active);
    for (const initData of segment.initData) parent.link?.initDataEncountered('cenc', toArrayBuffer(initData));
  }

  /**
   * Steps 5.2.x: an AudioTrack per audio track (the first enabled) and a VideoTrack per video track (the first
   * selected) in this SourceBuffer's lists, with sourceBuffer set; the element lists the same objects.
   */
  #makeMediaTracks(parent: ParentMediaSource): void {
    const tracks = windowTracks(this.context.window);
    for (const buffer of this.tracks) {
      const { audio, video } = this.trackLists;
      const track = buffer.kind === 'audio' ? tracks.audioTrack(buffer.id, audio.tracks().length === 0) : tracks.videoTrack(buffer.id, video.tracks().length === 0);
      setTrackSourceBuffer(track, parent.exposed ? this.target : null);
      if (buffer.kind === 'audio') audio.add(track as AudioTrackLike);
      else video.add(track as VideoTrackLike);
      buffer.mediaTrack = track;
    }
  }

  #matchTracks(segment: InitSegment): void {
    const byKind = (kind: 'audio' | 'video') => ({ old: this.tracks.filter((t) => t.kind === kind), now: segment.tracks.filter((t) => t.kind === kind) });
    const renamed = new Map<number, TrackBuffer>();
    for (const kind of ['audio', 'video'] as const) {
      const { old, now } = byKind(kind);
      if (old.length !== now.length) throw new AppendError(`initialization segment has ${now.length} ${kind} tracks, the first one had ${old.length}`);
      for (const t of now) {
        // With one track of a kind, its ID may change; with several they must match (3.2).
        const buffer = old.length === 1 ? old[0]! : old.find((b) => b.id === String(t.id));
        if (!buffer) throw new AppendError(`track ID ${t.id} is not in the first initialization segment`);
        buffer.codec = t.codec;
        buffer.width = t.width;
        buffer.height = t.height;
        renamed.set(t.id, buffer);
      }
    }
    this.trackBuffers.clear();
    for (const [id, buffer] of renamed) this.trackBuffers.set(id, buffer);
  }

  /** Append error algorithm (MSE §3.5.3). */
  #appendError(message: string): void {
    this.#resetParserState();
    this.updating = false;
    this.context.fire(this.target, 'error');
    this.context.fire(this.target, 'updateend');
    this.parent?.endOfStream('decode', message);
  }

  /** Reset parser state algorithm (MSE §3.5.2). */
  #resetParserState(): void {
    // 1. A media segment is only processed whole here, so no complete coded frames are pending.
    // 2–5. Decode state of every track buffer.
    for (const t of this.tracks) t.resetDecodeState();
    // 6.
    if (this.mode === 'sequence') this.groupStartTimestamp = this.groupEndTimestamp;
    // 7, 8.
    this.#parser.reset();
  }

  get parsingMediaSegment(): boolean {
    return this.#parser.parsingMediaSegment;
  }

  /** abort() (MSE §3.2). */
  abort(): void {
    const member = "execute 'abort' on 'SourceBuffer'";
    const parent = this.requireAttached(member);
    if (parent.readyState !== 'open') throw this.context.error('InvalidStateError', `Failed to ${member}: The parent media source's readyState is not 'open'.`);
    if (this.#removing) throw this.context.error('InvalidStateError', `Failed to ${member}: removal is in progress.`);
    if (this.updating) {
      this.#generation++;
      this.updating = false;
      this.context.fire(this.target, 'abort');
      this.context.fire(this.target, 'updateend');
    }
    this.#resetParserState();
    this.appendWindowStart = 0;
    this.appendWindowEnd = Infinity;
  }

  /** Aborts a running append for removeSourceBuffer() (its step 3.1–3.3), without the reset. */
  abortForRemoval(): void {
    if (!this.updating) return;
    this.#generation++;
    this.#removing = false;
    this.updating = false;
    this.context.fire(this.target, 'abort');
    this.context.fire(this.target, 'updateend');
  }

  /** changeType(type) (MSE §3.2), after its argument checks. */
  changeType(type: string): void {
    const member = "execute 'changeType' on 'SourceBuffer'";
    const parent = this.requireIdle(member);
    const kinds = mseTypeSupport(type);
    if (!kinds) throw this.context.error('NotSupportedError', `Failed to ${member}: The type provided ('${type}') is not supported.`);
    parent.reopenIfEnded();
    this.#resetParserState();
    this.#kinds = kinds;
    this.#pendingInitSegmentForChangeType = true;
  }

  /** remove(start, end) (MSE §3.2) after its argument checks: the range removal algorithm (§3.5.6). */
  remove(start: number, end: number): void {
    this.parent!.reopenIfEnded();
    this.updating = true;
    this.#removing = true;
    this.context.fire(this.target, 'updatestart');
    const generation = this.#generation;
    this.#queue(() => {
      if (generation !== this.#generation) return;
      this.#removing = false;
      this.removeCodedFrames(start, end);
      this.updating = false;
      this.context.fire(this.target, 'update');
      this.context.fire(this.target, 'updateend');
    });
  }

  /** Coded frame removal algorithm (MSE §3.5.10). */
  removeCodedFrames(start: number, end: number): void {
    const duration = this.parent?.duration ?? NaN;
    let changed = false;
    for (const track of this.tracks) {
      // 3.1, 3.2. Up to the next random access point at or after end, or the duration.
      const removeEnd = track.randomAccessPointAtOrAfter(end) ?? (Number.isNaN(duration) ? Infinity : Math.max(duration, end));
      const lastDecoded = track.lastDecodeTimestamp;
      const hadLast = lastDecoded !== undefined && track.all().some((f) => f.dts === lastDecoded && f.pts >= start && f.pts < removeEnd);
      // 3.3, 3.4. The frames and their decoding dependencies.
      if (!track.removePresentation(start, removeEnd)) continue;
      changed = true;
      // 3.3.1. Removing the last decoded frame ends the coded frame group.
      if (hadLast) {
        if (this.mode === 'segments') this.groupEndTimestamp = start;
        else this.groupStartTimestamp = this.groupEndTimestamp;
      }
    }
    // 3.5. The element re-evaluates its readyState (and stalls if the current position lost its data).
    if (changed) this.parent?.link?.bufferedChanged();
  }

  /**
   * Coded frame eviction algorithm (MSE §3.5.11) as Chromium does it: if the new data would exceed the quota, whole
   * GOPs before the current position go first, then buffered ranges after the one being played, latest first.
   * Returns whether the data fits now.
   */
  #evict(newBytes: number): boolean {
    const quota = this.#kinds.video ? this.context.quota.video : this.context.quota.audio;
    const fits = () => this.tracks.reduce((s, t) => s + t.bytes, 0) + newBytes <= quota;
    if (fits()) return true;
    const now = this.parent?.link?.currentTime ?? 0;
    const keep = Math.min(...this.tracks.map((t) => t.randomAccessPointAtOrBefore(now) ?? 0));
    if (keep > 0) this.removeCodedFrames(0, keep);
    for (const [start] of this.buffered().reverse()) {
      if (fits() || start <= now) break;
      this.removeCodedFrames(start, Infinity);
    }
    return fits();
  }

  /** Detached or removed: buffers go, queued work is dropped. */
  destroy(): void {
    this.#generation++;
    this.parent = undefined;
    this.updating = false;
    // removeSourceBuffer steps 5–7: the tracks' sourceBuffer becomes null and they leave this SourceBuffer's lists.
    for (const list of [this.trackLists.audio, this.trackLists.video, this.trackLists.text] as TrackListControl<MediaTrack>[]) {
      for (const track of list.tracks()) setTrackSourceBuffer(track, null);
      list.clear();
    }
  }

  views(): TrackBufferView[] {
    return this.tracks;
  }

  #queue(steps: () => void): void {
    // The buffer append and range removal run "asynchronously": after the task that fired updatestart.
    this.context.queue(steps);
  }
}
