// The DOM's window with its globals set up as vitest's jsdom or happy-dom environment sets them up before a test
// file's imports, shared by the player process (play-one.ts) and the floor process (floor-one.ts), so that both
// hold the same host.
import { populateGlobal } from 'vitest/runtime';

export type Host = 'jsdom' | 'happy-dom';

export async function setUpWindow(host: Host): Promise<void> {
  if (host === 'happy-dom') {
    const { GlobalWindow } = await import('happy-dom');
    const happy = new GlobalWindow({ console, url: 'http://localhost:3000', settings: { disableErrorCapturing: true } });
    populateGlobal(globalThis, happy, { bindFunctions: true, additionalKeys: ['Request', 'Response', 'MessagePort', 'fetch', 'Headers', 'AbortController', 'AbortSignal', 'URL', 'URLSearchParams', 'FormData'] });
  } else {
    const { JSDOM } = await import('jsdom');
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/', pretendToBeVisual: true });
    populateGlobal(globalThis, dom.window, { bindFunctions: true });
  }
}
