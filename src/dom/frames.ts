// The <iframe>s of an installed window get emekit/dom too, as a browser's frames have EME and media elements. A
// same-origin frame shares the window's EME platform (one origin: one partition of the store). A frame sandboxed
// without allow-same-origin has an opaque origin: its window's `origin` is "null", as HTML gives it (hosts do not),
// so EME's permissions-policy step refuses requestMediaKeySystemAccess there with SecurityError, as Chromium does
// (eme/permissions-policy.ts); it has no storage. A frame of another origin gets a platform for that origin.
// A frame is installed when its insertion is observed, a microtask later, and again on each load: scripts that run
// while a frame's document is first parsed do not see EME yet.

import { createEME, type EmePlatform } from '../eme/platform.js';
import type { HostElement, HostWindow } from './host-window.js';

/** Installs emekit/dom in a frame's window with the EME platform it is to have. */
export type InstallFrame = (frameWindow: HostWindow, eme: EmePlatform) => void;

type Frame = HostElement & { readonly contentWindow?: HostWindow | null };

const OPAQUE = 'null';

export function installInFrames(window: HostWindow, eme: EmePlatform, install: InstallFrame): void {
  const platforms = new WeakMap<object, EmePlatform>();
  const installFrame = (frame: Frame) => {
    const frameWindow = frame.contentWindow;
    if (!frameWindow) return;
    let platform = platforms.get(frameWindow);
    if (!platform) {
      platform = framePlatform(window, frame, frameWindow, eme);
      platforms.set(frameWindow, platform);
    }
    install(frameWindow, platform);
  };
  const watch = (frame: Frame) => {
    installFrame(frame);
    frame.addEventListener('load', () => installFrame(frame));
  };
  for (const frame of window.document.querySelectorAll('iframe')) watch(frame);
  const Observer = window['MutationObserver'] as (new (cb: (records: Array<{ addedNodes: ArrayLike<unknown> }>) => void) => { observe(t: object, o: object): void }) | undefined;
  if (typeof Observer !== 'function') return;
  new Observer((records) => {
    for (const node of records.flatMap((record) => Array.from(record.addedNodes))) {
      const element = node as { localName?: string; querySelectorAll?: (selectors: string) => Iterable<HostElement> };
      if (element.localName === 'iframe') watch(node as Frame);
      else if (typeof element.querySelectorAll === 'function') for (const frame of element.querySelectorAll('iframe')) watch(frame as Frame);
    }
  }).observe(window.document, { childList: true, subtree: true });
}

/** The EME platform of a frame's document: the window's when same-origin, else one for its origin. */
function framePlatform(window: HostWindow, frame: Frame, frameWindow: HostWindow, eme: EmePlatform): EmePlatform {
  const origin = frameOrigin(window, frame);
  if (origin === OPAQUE) {
    if (frameWindow['origin'] !== OPAQUE) Object.defineProperty(frameWindow, 'origin', { value: OPAQUE, configurable: true, enumerable: true });
    return createEME();
  }
  if (origin === windowOrigin(window)) return eme;
  return createEME({ origin, ...(eme.store ? { store: eme.store } : {}) });
}

/** The origin of the frame's document: opaque when sandboxed without allow-same-origin. */
function frameOrigin(window: HostWindow, frame: Frame): string {
  const sandbox = frame.getAttribute('sandbox');
  if (sandbox !== null && !sandbox.split(/\s+/).includes('allow-same-origin')) return OPAQUE;
  const src = frame.getAttribute('src');
  if (frame.hasAttribute('srcdoc') || src === null || src === '' || src === 'about:blank') return windowOrigin(window);
  try {
    return new URL(src, window.document.baseURI).origin;
  } catch {
    return OPAQUE;
  }
}

function windowOrigin(window: HostWindow): string {
  return (window['location'] as { origin?: string } | undefined)?.origin ?? OPAQUE;
}
