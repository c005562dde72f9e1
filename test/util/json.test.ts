// The JSON reader of the EME byte formats: nesting depth as Chromium's JSON reader counts it (test/chromium has the
// browser's own answer at 199 and 200 levels), found by a scan that skips strings.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH, parseJsonObject } from '../../src/util/json.js';

/** Nesting depth of a parsed value: the outermost array or object is level 1. */
function depth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value as object).map(depth));
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const nested = (levels: number) => `{"kids":[],"extra":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

describe('JSON nesting depth', () => {
  it('agrees with the depth of the parsed value, whatever the strings hold', () => {
    // Strings full of brackets, quotes and backslashes: the scan must skip them exactly.
    const tricky = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', 'é', '\u0000') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.constant(null), fc.array(tie('node')), fc.dictionary(tricky, tie('node'))),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 8 }), (v, limit) => {
        expect(jsonNestsDeeperThan(JSON.stringify(v), limit)).toBe(depth(v) > limit);
      }),
      { numRuns: 2000 },
    );
  });

  it(`accepts objects of ${MAX_JSON_DEPTH} levels and refuses deeper ones before parsing them`, () => {
    expect(MAX_JSON_DEPTH).toBe(199);
    expect(parseJsonObject(utf8(nested(199)))).toMatchObject({ kids: [] });
    expect(parseJsonObject(utf8(nested(200)))).toBeUndefined();
    // 64 KB of brackets: refused, as any other depth past the limit.
    expect(parseJsonObject(utf8(`{"a":${'['.repeat(65_000)}`))).toBeUndefined();
  });
});
