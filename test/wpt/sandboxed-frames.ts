// <iframe srcdoc> for the page host, as a browser runs one: the frame's document is a window of its own with its
// scripts run (happy-dom's Window evaluating them in its own context), `parent` the page, emekit installed, and
// the origin HTML gives it — opaque ("null") when `sandbox` lacks allow-same-origin, else the page's. Built when
// the page first reads the frame's contentWindow (after it set srcdoc and sandbox). Only what the WPT pages use.
import { Window } from 'happy-dom';

interface FrameElement {
  getAttribute(name: string): string | null;
}

export function runSandboxedFrames(page: Record<string, unknown>, install: (frame: object) => void): void {
  const HTMLIFrameElement = page['HTMLIFrameElement'] as { prototype: object };
  const frames = new WeakMap<object, Window>();
  const pageOrigin = String((page['location'] as { origin: string }).origin);
  Object.defineProperty(HTMLIFrameElement.prototype, 'contentWindow', {
    configurable: true,
    get(this: FrameElement) {
      const srcdoc = this.getAttribute('srcdoc');
      if (srcdoc === null) return null;
      let frame = frames.get(this);
      if (!frame) {
        frame = new Window({
          url: 'about:srcdoc',
          settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true },
        });
        const sandbox = this.getAttribute('sandbox');
        const opaque = sandbox !== null && !sandbox.split(/\s+/).includes('allow-same-origin');
        Object.defineProperty(frame, 'origin', { value: opaque ? 'null' : pageOrigin });
        Object.defineProperty(frame, 'parent', { value: page });
        install(frame);
        frame.document.write(srcdoc);
        frames.set(this, frame);
      }
      return frame;
    },
  });
}
