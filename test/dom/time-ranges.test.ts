// TimeRanges (HTML) per window and the range arithmetic behind MSE's buffered attributes.
import { describe, expect, it } from 'vitest';
import { intersectRanges, normalizeRanges, timeRangesFor } from '../../src/dom/time-ranges.js';
import { HOSTS, hostWindow, type Dom } from '../support/mse.js';

describe('range arithmetic', () => {
  it('normalizes: sorted, merged where they overlap or touch, empty ranges dropped', () => {
    expect(normalizeRanges([[4, 5], [0, 1], [1, 2], [2.5, 3], [2.9, 3.5], [6, 6]])).toEqual([[0, 2], [2.5, 3.5], [4, 5]]);
    // timestampOffset arithmetic leaves float dust between frames that are adjacent.
    expect(normalizeRanges([[0, 0.1 + 0.2], [0.3, 1]])).toEqual([[0, 1]]);
  });

  it('intersects', () => {
    expect(intersectRanges([[0, 4], [5, 10]], [[1, 6], [7, 8], [9, 12]])).toEqual([[1, 4], [5, 6], [7, 8], [9, 10]]);
    expect(intersectRanges([[0, 1]], [])).toEqual([]);
    expect(intersectRanges([[0, 1]], [[1, 2]])).toEqual([]);
  });
});

describe.each(HOSTS)('TimeRanges on %s', (host) => {
  it('reads ranges; an index out of range is the window\'s IndexSizeError; scripts cannot construct one', () => {
    const window = hostWindow(host) as Dom;
    const { TimeRanges, create } = timeRangesFor(window);
    expect(timeRangesFor(window).TimeRanges).toBe(TimeRanges);
    const r = create([[0, 1.5], [2, 3]]);
    expect(r).toBeInstanceOf(TimeRanges);
    expect([r.length, r.start(0), r.end(0), r.start(1), r.end(1)]).toEqual([2, 0, 1.5, 2, 3]);
    expect(String(r)).toBe('[object TimeRanges]');
    let error: Dom;
    try {
      r.end(2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(window.DOMException);
    expect(error.name).toBe('IndexSizeError');
    // The binding's TypeErrors are the window realm's (happy-dom's windows have their own built-ins).
    expect(() => (r.start as (...a: unknown[]) => number)()).toThrow(window.TypeError);
    expect(() => new (TimeRanges as unknown as new () => unknown)()).toThrow(window.TypeError);
    expect(() => Object.getOwnPropertyDescriptor(TimeRanges.prototype, 'length')!.get!.call({})).toThrow(window.TypeError);
  });
});
