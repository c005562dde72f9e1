// Frames in Debian's Chromium and on emekit/dom (happy-dom): the same page (test/dom/frame-page.ts) with a
// same-origin and a sandboxed (opaque-origin) frame; Chromium's results are the reference. (With
// allow="encrypted-media" Chromium grants an opaque origin access and refuses createMediaKeys with NotSupportedError;
// emekit's permissions-policy step sees no allow attribute and refuses access with SecurityError.)
import { afterEach, expect, it } from 'vitest';
import { FRAME_CASES, FRAME_SCRIPT, inFrame } from '../dom/frame-page.js';
import { describeWithChromium } from './harness.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

/** The page's side in Chromium: the frame made with these attributes and the script as srcdoc, then posted to. */
function chromiumProgram(attributes: Record<string, string>): string {
  return `new Promise((resolve) => {
    const frame = document.createElement('iframe');
    for (const [name, value] of Object.entries(${JSON.stringify(attributes)})) frame.setAttribute(name, value);
    frame.srcdoc = ${JSON.stringify(FRAME_SCRIPT)};
    addEventListener('message', (event) => { frame.remove(); resolve(event.data); }, { once: true });
    frame.onload = () => frame.contentWindow.postMessage({}, '*');
    document.body.append(frame);
  })`;
}

describeWithChromium('frames: Chromium and emekit/dom', (chromium) => {
  it('a same-origin frame plays with EME, a sandboxed one is refused by permissions policy (SecurityError)', async () => {
    for (const name of ['same-origin', 'sandboxed']) {
      const attributes = FRAME_CASES[name]!;
      expect(await inFrame('happy-dom', attributes, cleanup), name).toEqual(await chromium().page.evaluate(chromiumProgram(attributes)));
    }
  }, 60_000);
});
