// The one duration syntax of the CLI's options (--fragment, --segment, --rotate, --until, --ttl, --license-duration,
// --renewal-interval).
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/duration.js';

describe('parseDuration', () => {
  it.each([
    ['2', 2],
    ['2s', 2],
    ['1.5s', 1.5],
    ['500ms', 0.5],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604800],
    [' 10 s ', 10],
  ])('%j is %d seconds', (text, seconds) => {
    expect(parseDuration('--x', text)).toBe(seconds);
  });

  it.each(['', '0', '0s', '-1s', '2x', 's', '1e3', '2 hours', 'NaN', '1h30m'])('%j is refused with the option and its examples', (text) => {
    expect(() => parseDuration('--ttl', text, '90s, 15m, 1h or 7d')).toThrow(new Error('--ttl takes a duration such as 90s, 15m, 1h or 7d'));
    expect(() => parseDuration('--fragment', text)).toThrow(new Error('--fragment takes a duration such as 2s or 500ms'));
  });
});
