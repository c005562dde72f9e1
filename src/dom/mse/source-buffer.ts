// The SourceBuffer interface (MSE §3): its IDL shape (webidl builds the interface object per window, converts setter
// values and checks receivers and argument counts) and the steps each member adds before SourceBufferCore's
// algorithms run.

import type { HostEventTarget } from '../host-window.js';
import { WebIDLInterface } from '../../webidl/interface.js';
import { PlatformObject } from '../../webidl/platform-object.js';
import type { AppendMode } from './coded-frame-processing.js';
import { windowTracks } from '../element/tracks.js';
import { SourceBufferCore, type ParentMediaSource } from './source-buffer-core.js';
import type { WindowContext } from './window-context.js';

const setter = (name: string) => `set the '${name}' property on 'SourceBuffer'`;

/** An unrestricted double (already converted), with NaN refused as appendWindowEnd's setter and remove() require. */
function toTime(n: number, context: string): number {
  if (Number.isNaN(n)) throw new TypeError(`${context}: The value provided is NaN.`);
  return n;
}

const cores = new WeakMap<object, SourceBufferCore>();

export interface SourceBuffer extends HostEventTarget {}
export class SourceBuffer extends PlatformObject {
  readonly #core: SourceBufferCore;

  constructor(object: object, context: WindowContext, parent: ParentMediaSource, type: string) {
    super(object);
    const tracks = windowTracks(context.window);
    this.#core = new SourceBufferCore(context, this, parent, type, { audio: tracks.audioList(), video: tracks.videoList(), text: tracks.textList() });
    cores.set(this, this.#core);
  }

  get mode(): string {
    return this.#core.mode;
  }

  /** Called with one of AppendMode's strings (webidl ignores any other). */
  set mode(mode: AppendMode) {
    const core = this.#core;
    // 1, 2. Removed, updating. 3. (generate timestamps flag: never set for ISO BMFF.)
    core.requireIdle(setter('mode'));
    // 4. An ended MediaSource reopens. 5. Not inside a media segment.
    core.parent!.reopenIfEnded();
    if (core.parsingMediaSegment) throw core.context.error('InvalidStateError', `Failed to ${setter('mode')}: a media segment is being parsed.`);
    // 6. Sequence mode starts a new coded frame group at the group end timestamp.
    if (mode === 'sequence') core.groupStartTimestamp = core.groupEndTimestamp;
    core.mode = mode;
  }

  get updating(): boolean {
    return this.#core.updating;
  }

  get buffered(): unknown {
    const core = this.#core;
    core.requireAttached("read the 'buffered' property of 'SourceBuffer'");
    return core.context.timeRanges.create(core.buffered());
  }

  get audioTracks(): unknown {
    return this.#core.trackLists.audio.list;
  }

  get videoTracks(): unknown {
    return this.#core.trackLists.video.list;
  }

  get textTracks(): unknown {
    return this.#core.trackLists.text.list;
  }

  get timestampOffset(): number {
    return this.#core.timestampOffset;
  }

  /** Called with a finite double (webidl's conversion). */
  set timestampOffset(offset: number) {
    const core = this.#core;
    core.requireIdle(setter('timestampOffset')).reopenIfEnded();
    if (core.parsingMediaSegment) throw core.context.error('InvalidStateError', `Failed to ${setter('timestampOffset')}: a media segment is being parsed.`);
    if (core.mode === 'sequence') core.groupStartTimestamp = offset;
    core.timestampOffset = offset;
  }

  get appendWindowStart(): number {
    return this.#core.appendWindowStart;
  }

  /** Called with a finite double (webidl's conversion). */
  set appendWindowStart(start: number) {
    const core = this.#core;
    core.requireIdle(setter('appendWindowStart'));
    if (start < 0 || start >= core.appendWindowEnd) {
      throw new TypeError(`Failed to ${setter('appendWindowStart')}: The value provided (${start}) is outside the range [0, ${core.appendWindowEnd}).`);
    }
    core.appendWindowStart = start;
  }

  get appendWindowEnd(): number {
    return this.#core.appendWindowEnd;
  }

  /** Called with an unrestricted double (webidl's conversion); NaN is the setter's TypeError. */
  set appendWindowEnd(value: number) {
    const core = this.#core;
    const end = toTime(value, `Failed to ${setter('appendWindowEnd')}`);
    core.requireIdle(setter('appendWindowEnd'));
    if (end <= core.appendWindowStart) {
      throw new TypeError(`Failed to ${setter('appendWindowEnd')}: The value provided (${end}) is less than or equal to appendWindowStart.`);
    }
    core.appendWindowEnd = end;
  }

  /** Called with a view of the caller's BufferSource (webidl's conversion). */
  appendBuffer(data: Uint8Array): void {
    this.#core.appendBuffer(data);
  }

  abort(): void {
    this.#core.abort();
  }

  changeType(text: string): void {
    const member = "Failed to execute 'changeType' on 'SourceBuffer'";
    if (text === '') throw new TypeError(`${member}: The type provided is empty.`);
    this.#core.changeType(text);
  }

  /** Called with a double and an unrestricted double (webidl's conversions); a NaN end is remove()'s TypeError. */
  remove(from: number, end: number): void {
    const core = this.#core;
    const member = "Failed to execute 'remove' on 'SourceBuffer'";
    const to = toTime(end, member);
    // 1, 2. Removed, updating.
    const parent = core.requireIdle("execute 'remove' on 'SourceBuffer'");
    // 3–5. Argument ranges against the duration.
    if (Number.isNaN(parent.duration)) throw new TypeError(`${member}: The media source's duration is NaN.`);
    if (from < 0 || from > parent.duration) throw new TypeError(`${member}: The start provided (${from}) is outside the range [0, ${parent.duration}].`);
    if (to <= from) throw new TypeError(`${member}: The end provided (${to}) must be greater than the start provided (${from}).`);
    core.remove(from, to);
  }
}

export const SourceBufferInterface: WebIDLInterface<SourceBuffer> = WebIDLInterface.define({
  name: 'SourceBuffer',
  inherits: 'EventTarget',
  implementation: SourceBuffer,
  attributes: [
    { name: 'mode', writable: true, type: { enum: ['segments', 'sequence'] } },
    { name: 'updating' },
    { name: 'buffered' },
    { name: 'timestampOffset', writable: true, type: 'double' },
    { name: 'audioTracks' },
    { name: 'videoTracks' },
    { name: 'textTracks' },
    { name: 'appendWindowStart', writable: true, type: 'double' },
    { name: 'appendWindowEnd', writable: true, type: 'unrestricted double' },
  ],
  operations: [
    { name: 'appendBuffer', length: 1, arguments: [{ type: 'BufferSource' }] },
    { name: 'abort', length: 0 },
    { name: 'changeType', length: 1, arguments: [{ type: 'DOMString' }] },
    { name: 'remove', length: 2, arguments: [{ type: 'double' }, { type: 'unrestricted double' }] },
  ],
  eventHandlers: ['updatestart', 'update', 'updateend', 'error', 'abort'],
});

/** A new SourceBuffer of the context's window, and the core behind it. */
export function createSourceBuffer(context: WindowContext, parent: ParentMediaSource, type: string): { object: SourceBuffer; core: SourceBufferCore } {
  const object = new SourceBuffer(context.realm.create(SourceBufferInterface), context, parent, type);
  return { object, core: cores.get(object)! };
}

/** The core behind a SourceBuffer (removeSourceBuffer's argument), if value is one. */
export function sourceBufferCoreOf(value: unknown): SourceBufferCore | undefined {
  return typeof value === 'object' && value !== null ? cores.get(value) : undefined;
}
