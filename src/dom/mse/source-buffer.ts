// The SourceBuffer interface object (MSE §3) of one window: argument conversions and attribute setters as the IDL
// and the spec's steps say; the algorithms live in SourceBufferCore.

import type { HostEventTarget } from '../host-window.js';
import { viewOfBufferSource } from '../../webidl/buffer-source.js';
import { requireArguments, toDOMString } from '../../webidl/conversions.js';
import { defineEventHandlers } from './event-handlers.js';
import { SourceBufferCore, type ParentMediaSource } from './source-buffer-core.js';
import type { WindowContext } from './window-context.js';

const token = Symbol('SourceBuffer');

export interface SourceBufferInterface {
  readonly SourceBuffer: abstract new (...args: never[]) => HostEventTarget;
  create(parent: ParentMediaSource, type: string): { object: HostEventTarget; core: SourceBufferCore };
  /** The core behind a SourceBuffer of this window (removeSourceBuffer's argument), if it is one. */
  coreOf(value: unknown): SourceBufferCore | undefined;
}

/** WebIDL double: a number that is not NaN or infinite, else TypeError. */
function toDouble(value: unknown, context: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`${context}: The provided double value is non-finite.`);
  return n;
}

/** WebIDL unrestricted double, with NaN refused as the MSE setters and remove() require. */
function toTime(value: unknown, context: string): number {
  const n = Number(value);
  if (Number.isNaN(n)) throw new TypeError(`${context}: The value provided is NaN.`);
  return n;
}

export function defineSourceBuffer(context: WindowContext): SourceBufferInterface {
  const cores = new WeakMap<object, SourceBufferCore>();
  const brand = (self: unknown, member: string): SourceBufferCore => {
    const core = typeof self === 'object' && self !== null ? cores.get(self) : undefined;
    if (!core) throw new TypeError(`Illegal invocation: SourceBuffer.${member} called on an object that is not a SourceBuffer`);
    return core;
  };
  const setter = (name: string) => `set the '${name}' property on 'SourceBuffer'`;
  /** The steps every setter starts with: not removed, not updating, an ended MediaSource reopens. */
  const prepareSet = (core: SourceBufferCore, name: string): void => {
    core.requireIdle(setter(name)).reopenIfEnded();
  };

  class SourceBuffer extends (context.window.EventTarget as new () => HostEventTarget) {
    constructor(key?: unknown, parent?: ParentMediaSource, type?: string) {
      if (key !== token) throw new TypeError('Illegal constructor');
      super();
      cores.set(this, new SourceBufferCore(context, this, parent!, type!));
    }

    get mode(): string {
      return brand(this, 'mode').mode;
    }

    set mode(value: string) {
      const core = brand(this, 'mode');
      const mode = toDOMString(value, setter('mode'));
      // WebIDL: an enumeration attribute ignores a value outside the enumeration.
      if (mode !== 'segments' && mode !== 'sequence') return;
      // 1, 2. Removed, updating. 3. (generate timestamps flag: never set for ISO BMFF.)
      core.requireIdle(setter('mode'));
      // 4. An ended MediaSource reopens. 5. Not inside a media segment.
      core.parent!.reopenIfEnded();
      if (core.parsingMediaSegment) throw context.error('InvalidStateError', `Failed to ${setter('mode')}: a media segment is being parsed.`);
      // 6. Sequence mode starts a new coded frame group at the group end timestamp.
      if (mode === 'sequence') core.groupStartTimestamp = core.groupEndTimestamp;
      core.mode = mode;
    }

    get updating(): boolean {
      return brand(this, 'updating').updating;
    }

    get buffered(): unknown {
      const core = brand(this, 'buffered');
      core.requireAttached("read the 'buffered' property of 'SourceBuffer'");
      return context.timeRanges.create(core.buffered());
    }

    get timestampOffset(): number {
      return brand(this, 'timestampOffset').timestampOffset;
    }

    set timestampOffset(value: number) {
      const core = brand(this, 'timestampOffset');
      const offset = toDouble(value, `Failed to ${setter('timestampOffset')}`);
      prepareSet(core, 'timestampOffset');
      if (core.parsingMediaSegment) throw context.error('InvalidStateError', `Failed to ${setter('timestampOffset')}: a media segment is being parsed.`);
      if (core.mode === 'sequence') core.groupStartTimestamp = offset;
      core.timestampOffset = offset;
    }

    get appendWindowStart(): number {
      return brand(this, 'appendWindowStart').appendWindowStart;
    }

    set appendWindowStart(value: number) {
      const core = brand(this, 'appendWindowStart');
      const start = toDouble(value, `Failed to ${setter('appendWindowStart')}`);
      core.requireIdle(setter('appendWindowStart'));
      if (start < 0 || start >= core.appendWindowEnd) {
        throw new TypeError(`Failed to ${setter('appendWindowStart')}: The value provided (${start}) is outside the range [0, ${core.appendWindowEnd}).`);
      }
      core.appendWindowStart = start;
    }

    get appendWindowEnd(): number {
      return brand(this, 'appendWindowEnd').appendWindowEnd;
    }

    set appendWindowEnd(value: number) {
      const core = brand(this, 'appendWindowEnd');
      const end = toTime(value, `Failed to ${setter('appendWindowEnd')}`);
      core.requireIdle(setter('appendWindowEnd'));
      if (end <= core.appendWindowStart) {
        throw new TypeError(`Failed to ${setter('appendWindowEnd')}: The value provided (${end}) is less than or equal to appendWindowStart.`);
      }
      core.appendWindowEnd = end;
    }

    appendBuffer(data: unknown): void {
      const core = brand(this, 'appendBuffer');
      requireArguments(arguments.length, 1, "Failed to execute 'appendBuffer' on 'SourceBuffer'");
      core.appendBuffer(viewOfBufferSource(data, "Failed to execute 'appendBuffer' on 'SourceBuffer'"));
    }

    abort(): void {
      brand(this, 'abort').abort();
    }

    changeType(type: unknown): void {
      const core = brand(this, 'changeType');
      const member = "Failed to execute 'changeType' on 'SourceBuffer'";
      requireArguments(arguments.length, 1, member);
      const text = toDOMString(type, member);
      if (text === '') throw new TypeError(`${member}: The type provided is empty.`);
      core.changeType(text);
    }

    remove(start: unknown, end: unknown): void {
      const core = brand(this, 'remove');
      const member = "Failed to execute 'remove' on 'SourceBuffer'";
      requireArguments(arguments.length, 2, member);
      const from = toDouble(start, member);
      const to = toTime(end, member);
      // 1, 2. Removed, updating.
      const parent = core.requireIdle("execute 'remove' on 'SourceBuffer'");
      // 3–5. Argument ranges against the duration.
      if (Number.isNaN(parent.duration)) throw new TypeError(`${member}: The media source's duration is NaN.`);
      if (from < 0 || from > parent.duration) throw new TypeError(`${member}: The start provided (${from}) is outside the range [0, ${parent.duration}].`);
      if (to <= from) throw new TypeError(`${member}: The end provided (${to}) must be greater than the start provided (${from}).`);
      core.remove(from, to);
    }

    get [Symbol.toStringTag](): string {
      return 'SourceBuffer';
    }
  }
  defineEventHandlers(SourceBuffer.prototype, ['updatestart', 'update', 'updateend', 'error', 'abort'], brand);

  return {
    SourceBuffer,
    create(parent, type) {
      const object = new SourceBuffer(token, parent, type);
      return { object, core: cores.get(object)! };
    },
    coreOf: (value) => (typeof value === 'object' && value !== null ? cores.get(value) : undefined),
  };
}
