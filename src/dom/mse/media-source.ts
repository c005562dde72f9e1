// The MediaSource interface (MSE §2) and its attachment to a media element: readyState, duration with the duration
// change algorithm, addSourceBuffer/removeSourceBuffer, the end of stream algorithm, live seekable range, and the
// buffered/seekable the element reads through the AttachedSource. webidl builds its interface object per window.

import type { HostEventTarget } from '../host-window.js';
import type { AttachedSource, MediaElementLink, TrackBufferView } from '../media-source-link.js';
import { intersectRanges, normalizeRanges } from '../time-ranges.js';
import { WebIDLInterface } from '../../webidl/interface.js';
import { PlatformObject } from '../../webidl/platform-object.js';
import type { Realm } from '../../webidl/realm.js';
import type { ParentMediaSource, ReadyState, SourceBufferCore } from './source-buffer-core.js';
import { createSourceBuffer, sourceBufferCoreOf, SourceBufferInterface, type SourceBuffer } from './source-buffer.js';
import { createSourceBufferList, type SourceBufferListControl } from './source-buffer-list.js';
import type { Segment } from './byte-stream.js';
import { fileSegments } from './media-file.js';
import { mseTypeSupport } from './type-support.js';
import { windowContextOf, type WindowContext } from './window-context.js';

class MediaSourceCore implements ParentMediaSource {
  readyState: ReadyState = 'closed';
  exposed = true;
  duration = NaN;
  link: MediaElementLink | undefined;
  liveSeekableRange: [number, number] | undefined;
  readonly sourceBuffers: SourceBufferListControl;
  readonly activeSourceBuffers: SourceBufferListControl;
  readonly cores = new Map<object, SourceBufferCore>();

  constructor(
    readonly context: WindowContext,
    readonly target: HostEventTarget,
  ) {
    this.sourceBuffers = createSourceBufferList(context);
    this.activeSourceBuffers = createSourceBufferList(context);
  }

  get all(): SourceBufferCore[] {
    return [...this.cores.values()];
  }

  #active(): SourceBufferCore[] {
    return this.activeSourceBuffers.items.map((o) => this.cores.get(o)!);
  }

  reopenIfEnded(): void {
    if (this.readyState !== 'ended') return;
    this.readyState = 'open';
    this.context.fire(this.target, 'sourceopen');
  }

  /**
   * Duration change algorithm (MSE §2.4.6; the setter checks its step 2 itself). A duration between the last
   * frame's start and its end stays as set: the current spec dropped the clamp to the highest end time (w3c/media-source
   * issue 124), and Chromium keeps it too (test/chromium/mse-buffering.test.ts).
   */
  durationChange(newDuration: number): void {
    if (newDuration === this.duration) return;
    this.duration = newDuration;
    this.link?.durationChanged();
  }

  /** End of stream algorithm (MSE §2.4.7). */
  endOfStream(error: 'decode' | 'network' | undefined, message = ''): void {
    this.readyState = 'ended';
    this.context.fire(this.target, 'sourceended');
    if (error === undefined) {
      this.durationChange(Math.max(0, ...this.all.map((s) => s.highestEndTime())));
      this.link?.streamEnded();
    } else if (error === 'network') this.link?.networkError(message || 'endOfStream(\'network\')');
    else this.link?.decodeError(message || 'endOfStream(\'decode\')');
  }

  initSegmentReceived(source: SourceBufferCore, active: boolean): void {
    if (active) {
      const object = [...this.cores].find(([, c]) => c === source)?.[0];
      if (object) this.activeSourceBuffers.add(object);
    }
    // Step 8: HAVE_METADATA once every SourceBuffer has had its first init segment (the element ignores repeats).
    if (this.all.every((s) => s.firstInitSegmentReceived)) this.link?.initSegmentReceived(this.tracks());
  }

  tracks(): TrackBufferView[] {
    return this.all.flatMap((s) => s.views());
  }

  /** HTMLMediaElement.buffered for a MediaSource (MSE §2.4.x "buffered"). */
  buffered(): Array<[number, number]> {
    const active = this.#active();
    if (active.length === 0) return [];
    const ranges = active.map((s) => s.buffered());
    const highest = Math.max(0, ...ranges.map((r) => r.at(-1)?.[1] ?? 0));
    let out: Array<[number, number]> = highest > 0 ? [[0, highest]] : [];
    for (const r of ranges) {
      const own = r.map(([s, e]) => [s, e] as [number, number]);
      if (this.readyState === 'ended' && own.length > 0) own[own.length - 1]![1] = highest;
      out = intersectRanges(out, own);
    }
    return out;
  }

  /** HTMLMediaElement.seekable for a MediaSource (MSE §2.4.x "seekable"). */
  seekable(): Array<[number, number]> {
    if (Number.isNaN(this.duration)) return [];
    if (this.duration !== Infinity) return [[0, this.duration]];
    const buffered = this.buffered();
    if (this.liveSeekableRange) {
      const union = normalizeRanges([this.liveSeekableRange, ...buffered]);
      return union.length === 0 ? [] : [[union[0]![0], union.at(-1)![1]]];
    }
    return buffered.length === 0 ? [] : [[0, buffered.at(-1)![1]]];
  }

  attach(link: MediaElementLink): AttachedSource | undefined {
    if (this.readyState !== 'closed') return undefined;
    this.link = link;
    this.readyState = 'open';
    this.context.fire(this.target, 'sourceopen');
    const core = this;
    return {
      get duration() {
        return core.link === link ? core.duration : NaN;
      },
      get tracks() {
        return core.link === link ? core.tracks() : [];
      },
      buffered: () => (core.link === link ? core.buffered() : []),
      seekable: () => (core.link === link ? core.seekable() : []),
      get ended() {
        return core.link === link && core.readyState === 'ended';
      },
      detach: () => {
        if (core.link === link) core.detach();
      },
    };
  }

  /** A whole media file as this MediaSource's one SourceBuffer, then the end of the stream. */
  playFile(segments: Iterable<Segment>): void {
    // The type only sizes the quota, which a file's own SourceBuffer does not use.
    const { object, core: buffer } = createSourceBuffer(this.context, this, 'video/mp4');
    this.cores.set(object, buffer);
    this.sourceBuffers.add(object);
    if (buffer.appendSegments(segments) && this.readyState === 'open') this.endOfStream(undefined);
  }

  /** Detaching from a media element (MSE §2.4.x): closed, duration NaN, every SourceBuffer removed. */
  detach(): void {
    this.link = undefined;
    this.readyState = 'closed';
    this.duration = NaN;
    this.liveSeekableRange = undefined;
    this.activeSourceBuffers.clear();
    this.sourceBuffers.clear();
    for (const core of this.all) core.destroy();
    this.cores.clear();
    this.context.fire(this.target, 'sourceclose');
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const cores = new WeakMap<object, MediaSourceCore>();

export interface MediaSource extends HostEventTarget {}
export class MediaSource extends PlatformObject {
  readonly #core: MediaSourceCore;

  constructor(object: object, context: WindowContext) {
    super(object);
    this.#core = new MediaSourceCore(context, this);
    cores.set(this, this.#core);
  }

  static isTypeSupported(type: string): boolean {
    return mseTypeSupport(type) !== undefined;
  }

  /** MediaSource objects are made in windows only: emekit/dom does not run in workers. */
  static get canConstructInDedicatedWorker(): boolean {
    return false;
  }

  get sourceBuffers(): HostEventTarget {
    return this.#core.sourceBuffers.list;
  }

  get activeSourceBuffers(): HostEventTarget {
    return this.#core.activeSourceBuffers.list;
  }

  get readyState(): ReadyState {
    return this.#core.readyState;
  }

  get duration(): number {
    return this.#core.duration;
  }

  /** Called with an unrestricted double (webidl's conversion). */
  set duration(duration: number) {
    const core = this.#core;
    const member = "set the 'duration' property on 'MediaSource'";
    // 1. Negative or NaN: TypeError. 2. Not open, 3. updating: InvalidStateError.
    if (Number.isNaN(duration) || duration < 0) throw new TypeError(`Failed to ${member}: The value provided (${duration}) is negative or NaN.`);
    requireOpen(core, member);
    requireNotUpdating(core, member);
    // 4. Duration change algorithm; its step 2: not below a buffered coded frame's presentation timestamp.
    const highestPts = Math.max(0, ...core.all.map((s) => s.highestPresentationTimestamp()));
    if (core.all.some((s) => s.tracks.some((t) => t.size > 0)) && duration < highestPts) {
      throw core.context.error('InvalidStateError', `Failed to ${member}: The value provided (${duration}) is less than the highest presentation timestamp of buffered media (${highestPts}).`);
    }
    core.durationChange(duration);
  }

  addSourceBuffer(text: string): HostEventTarget {
    const core = this.#core;
    const { context } = core;
    const member = "execute 'addSourceBuffer' on 'MediaSource'";
    // 1. Empty: TypeError. 2. Unsupported: NotSupportedError. 3. Too many: QuotaExceededError. 4. Not open.
    if (text === '') throw new TypeError(`Failed to ${member}: The type provided is empty.`);
    if (!mseTypeSupport(text)) throw context.error('NotSupportedError', `Failed to ${member}: The type provided ('${text}') is unsupported.`);
    if (core.cores.size >= context.maxSourceBuffers) {
      throw context.error('QuotaExceededError', `Failed to ${member}: This MediaSource has reached the limit of SourceBuffer objects it can handle (${context.maxSourceBuffers}).`);
    }
    requireOpen(core, member);
    // 5–10. A new SourceBuffer in 'segments' mode, added to sourceBuffers (addsourcebuffer).
    const { object, core: buffer } = createSourceBuffer(context, core, text);
    core.cores.set(object, buffer);
    core.sourceBuffers.add(object);
    return object;
  }

  removeSourceBuffer(sourceBuffer: SourceBuffer): void {
    const core = this.#core;
    const member = "Failed to execute 'removeSourceBuffer' on 'MediaSource'";
    const buffer = sourceBufferCoreOf(sourceBuffer)!;
    // 1. Not in sourceBuffers: NotFoundError.
    if (!core.cores.has(sourceBuffer as object)) throw core.context.error('NotFoundError', `${member}: The SourceBuffer provided is not contained in this MediaSource.`);
    // 2. A running append or removal is aborted (abort, updateend).
    buffer.abortForRemoval();
    // 5–7. Its tracks leave the element's track lists (and its own, in destroy()).
    core.link?.tracksRemoved?.(buffer.tracks.flatMap((t) => (t.mediaTrack ? [t.mediaTrack] : [])));
    // 3–9. Out of activeSourceBuffers and sourceBuffers (removesourcebuffer each), its track buffers destroyed.
    core.activeSourceBuffers.remove(sourceBuffer as object);
    core.sourceBuffers.remove(sourceBuffer as object);
    core.cores.delete(sourceBuffer as object);
    buffer.destroy();
    core.link?.bufferedChanged();
  }

  endOfStream(error?: 'network' | 'decode'): void {
    const core = this.#core;
    const member = "execute 'endOfStream' on 'MediaSource'";
    requireOpen(core, member);
    requireNotUpdating(core, member);
    core.endOfStream(error);
  }

  setLiveSeekableRange(from: number, to: number): void {
    const core = this.#core;
    const member = "execute 'setLiveSeekableRange' on 'MediaSource'";
    requireOpen(core, member);
    if (from < 0 || from > to) throw new TypeError(`Failed to ${member}: The start provided (${from}) is outside the range [0, ${to}].`);
    core.liveSeekableRange = [from, to];
  }

  clearLiveSeekableRange(): void {
    const core = this.#core;
    requireOpen(core, "execute 'clearLiveSeekableRange' on 'MediaSource'");
    core.liveSeekableRange = undefined;
  }
}

function requireOpen(core: MediaSourceCore, member: string): void {
  if (core.readyState !== 'open') throw core.context.error('InvalidStateError', `Failed to ${member}: The MediaSource's readyState is not 'open'.`);
}

function requireNotUpdating(core: MediaSourceCore, member: string): void {
  if (core.all.some((s) => s.updating)) throw core.context.error('InvalidStateError', `Failed to ${member}: A SourceBuffer is updating.`);
}

export const MediaSourceInterface: WebIDLInterface<MediaSource> = WebIDLInterface.define({
  name: 'MediaSource',
  inherits: 'EventTarget',
  implementation: MediaSource,
  attributes: [
    { name: 'sourceBuffers' },
    { name: 'activeSourceBuffers' },
    { name: 'readyState' },
    { name: 'duration', writable: true, type: 'unrestricted double' },
  ],
  operations: [
    { name: 'addSourceBuffer', length: 1, arguments: [{ type: 'DOMString' }] },
    { name: 'removeSourceBuffer', length: 1, arguments: [{ type: { interface: SourceBufferInterface } }] },
    { name: 'endOfStream', length: 0, arguments: [{ type: { enum: ['network', 'decode'] }, optional: true }] },
    { name: 'setLiveSeekableRange', length: 2, arguments: [{ type: 'double' }, { type: 'double' }] },
    { name: 'clearLiveSeekableRange', length: 0 },
  ],
  eventHandlers: ['sourceopen', 'sourceended', 'sourceclose'],
  staticOperations: [{ name: 'isTypeSupported', length: 1, arguments: [{ type: 'DOMString' }] }],
  staticAttributes: [{ name: 'canConstructInDedicatedWorker' }],
  construct: {
    length: 0,
    construct(realm: Realm, _args, newTarget) {
      const context = windowContextOf(realm);
      if (!context) throw new realm.intrinsics.TypeError('Illegal constructor: Media Source Extensions are not installed on this window');
      return new MediaSource(realm.constructInherited(MediaSourceInterface, [], newTarget), context);
    },
  },
});

/** The core of a MediaSource of this window's context, if value is one. */
function coreIn(context: WindowContext, value: unknown): MediaSourceCore | undefined {
  const core = typeof value === 'object' && value !== null ? cores.get(value) : undefined;
  return core?.context === context ? core : undefined;
}

/** Attaches a MediaSource of this window to an element; undefined if it is not one, or not 'closed'. */
export function attachMediaSource(context: WindowContext, value: unknown, link: MediaElementLink): AttachedSource | undefined {
  return coreIn(context, value)?.attach(link);
}

export function isMediaSourceOf(context: WindowContext, value: unknown): boolean {
  return coreIn(context, value) !== undefined;
}

/** A fetched media file played through a MediaSource of its own (MediaSourceRegistry.attachFile). */
export function attachFile(context: WindowContext, load: () => Promise<Uint8Array>, link: MediaElementLink): AttachedSource {
  const core = cores.get(new MediaSource(context.realm.create(MediaSourceInterface), context))!;
  core.exposed = false;
  const source = core.attach(link)!;
  // Whatever fails, synchronously or not, is the element's error, never an exception out of a promise.
  void (async () => {
    let bytes: Uint8Array;
    try {
      bytes = await load();
    } catch (error) {
      if (core.link === link) link.networkError(messageOf(error));
      return;
    }
    try {
      const segments = await fileSegments(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (core.link === link) core.playFile(segments);
    } catch (error) {
      if (core.link === link) core.endOfStream('decode', messageOf(error));
    }
  })();
  return source;
}
