// TimeRanges (HTML §4.8.11.8) and the range arithmetic MSE's buffered attributes need: normalized lists of
// [start, end) pairs, ordered and non-overlapping, their union and intersection.

import { WebIDLInterface } from '../webidl/interface.js';
import { PlatformObject } from '../webidl/platform-object.js';
import { domException } from '../webidl/errors.js';
import { realmOf, type Realm } from '../webidl/realm.js';
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

/** A TimeRanges object (HTML §4.8.11.8): its ranges are fixed when it is made; IndexSizeError is its realm's. */
export class TimeRanges extends PlatformObject {
  readonly #ranges: readonly Range[];
  readonly #realm: Realm;

  constructor(object: object, realm: Realm, ranges: readonly Range[]) {
    super(object);
    this.#realm = realm;
    this.#ranges = ranges.map(([s, e]) => [s, e] as const);
  }

  get length(): number {
    return this.#ranges.length;
  }

  start(index: number): number {
    return this.#at(index, 'start')[0];
  }

  end(index: number): number {
    return this.#at(index, 'end')[1];
  }

  #at(i: number, member: string): Range {
    const context = `Failed to execute '${member}' on 'TimeRanges'`;
    const range = this.#ranges[i];
    if (!range) throw domException(this.#realm, 'IndexSizeError', `${context}: The index provided (${i}) is greater than the maximum bound (${this.#ranges.length}).`);
    return range;
  }
}

export const TimeRangesIdl: WebIDLInterface<TimeRanges> = WebIDLInterface.define({
  name: 'TimeRanges',
  implementation: TimeRanges,
  attributes: [{ name: 'length' }],
  operations: [
    { name: 'start', length: 1, arguments: [{ type: 'unsigned long' }] },
    { name: 'end', length: 1, arguments: [{ type: 'unsigned long' }] },
  ],
});

export interface TimeRangesInterface {
  /** The interface object (not constructible by scripts), for `window.TimeRanges`. */
  readonly TimeRanges: abstract new (...args: never[]) => TimeRanges;
  create(ranges: readonly Range[]): TimeRanges;
}

/**
 * The window's TimeRanges: `create(ranges)` makes one (the element's buffered, seekable and played; SourceBuffer's
 * buffered). installMedia exposes the interface object on the window as `TimeRanges`.
 */
export function timeRangesFor(window: HostWindow): TimeRangesInterface {
  const realm = realmOf(window);
  return {
    TimeRanges: realm.interfaceObject(TimeRangesIdl) as unknown as TimeRangesInterface['TimeRanges'],
    create: (ranges) => new TimeRanges(realm.create(TimeRangesIdl), realm, ranges),
  };
}
