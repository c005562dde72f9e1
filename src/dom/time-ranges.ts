// TimeRanges (HTML §4.8.11.8) and the range arithmetic MSE's buffered attributes need: normalized lists of
// [start, end) pairs, ordered and non-overlapping, their union and intersection.

import type { HostWindow } from './host-window.js';

export type Range = readonly [number, number];

/**
 * Times closer than 1 µs are one time: Chromium keeps timestamps in microseconds, and seconds as doubles pick up a few
 * ulps of rounding (a frame's pts + duration can exceed the next frame's pts once timestampOffset is added).
 */
export const TIME_EPSILON = 1e-6;

/** Sorts and merges ranges that overlap or are at most `gap` apart; drops empty ones. */
export function normalizeRanges(ranges: Iterable<Range>, gap = TIME_EPSILON): Array<[number, number]> {
  const sorted = [...ranges].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out.at(-1);
    if (last && s <= last[1] + gap) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

export function intersectRanges(a: readonly Range[], b: readonly Range[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]![0], b[j]![0]);
    const end = Math.min(a[i]![1], b[j]![1]);
    if (end > start) out.push([start, end]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

const token = Symbol('TimeRanges');
type IndexError = (message: string) => Error;

/** The TimeRanges interface object of a class per window; its IndexSizeError is that window's DOMException. */
function defineTimeRanges(indexError: IndexError): TimeRangesInterface {
  class TimeRanges {
    readonly #ranges: ReadonlyArray<Range>;

    constructor(key?: unknown, ranges: readonly Range[] = []) {
      if (key !== token) throw new TypeError('Illegal constructor');
      this.#ranges = ranges.map(([s, e]) => [s, e] as const);
    }

    get length(): number {
      return TimeRanges.#brand(this).#ranges.length;
    }

    start(index: number): number {
      return TimeRanges.#at(this, arguments.length, index, 'start')[0];
    }

    end(index: number): number {
      return TimeRanges.#at(this, arguments.length, index, 'end')[1];
    }

    static #at(self: unknown, argc: number, index: number, member: string): Range {
      const ranges = TimeRanges.#brand(self).#ranges;
      if (argc < 1) throw new TypeError(`Failed to execute '${member}' on 'TimeRanges': 1 argument required, but only 0 present.`);
      // WebIDL unsigned long: ToNumber, truncate, modulo 2^32.
      const i = Math.trunc(Number(index)) >>> 0;
      const range = ranges[i];
      if (!range) throw indexError(`Failed to execute '${member}' on 'TimeRanges': The index provided (${i}) is greater than the maximum bound (${ranges.length}).`);
      return range;
    }

    static #brand(self: unknown): TimeRanges {
      if (typeof self !== 'object' || self === null || !(#ranges in self)) throw new TypeError('Illegal invocation');
      return self as TimeRanges;
    }

    get [Symbol.toStringTag](): string {
      return 'TimeRanges';
    }
  }
  return { TimeRanges, create: (ranges: readonly Range[]) => new TimeRanges(token, ranges) };
}

export interface TimeRanges {
  readonly length: number;
  start(index: number): number;
  end(index: number): number;
}

export interface TimeRangesInterface {
  /** The interface object (not constructible by scripts), for `window.TimeRanges`. */
  readonly TimeRanges: abstract new (...args: never[]) => TimeRanges;
  create(ranges: readonly Range[]): TimeRanges;
}

const perWindow = new WeakMap<object, TimeRangesInterface>();

/**
 * The window's TimeRanges: `create(ranges)` makes one (the element's buffered, seekable and played; SourceBuffer's
 * buffered). installMediaSource puts the class on the window as `TimeRanges`.
 */
export function timeRangesFor(window: HostWindow): TimeRangesInterface {
  let found = perWindow.get(window);
  if (!found) {
    const HostDOMException = (window['DOMException'] ?? DOMException) as typeof DOMException;
    found = defineTimeRanges((message) => new HostDOMException(message, 'IndexSizeError'));
    perWindow.set(window, found);
  }
  return found;
}
