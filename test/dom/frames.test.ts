// Frames of an installed window: a same-origin frame gets emekit/dom with the window's EME platform; a sandboxed
// (opaque-origin) frame is refused by EME's permissions policy (SecurityError), as in Chromium
// (test/chromium/frames.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { FRAME_CASES, hosts, inFrame } from './frame-page.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

describe.each(Object.keys(hosts))('frames of a window with emekit/dom under %s', (host) => {
  it('a same-origin frame plays with EME: access, MediaKeys, setMediaKeys on its <video>', async () => {
    expect(await inFrame(host, FRAME_CASES['same-origin']!, cleanup)).toEqual({ opaque: false, access: 'ok', keys: 'ok', setMediaKeys: 'ok' });
  });

  it('a sandboxed frame (opaque origin): SecurityError (EME permissions policy), its window.origin "null"', async () => {
    expect(await inFrame(host, FRAME_CASES['sandboxed']!, cleanup)).toEqual({ opaque: true, error: 'SecurityError' });
  });
});
