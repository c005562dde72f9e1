// A page with one <iframe> on an emekit/dom window (happy-dom or jsdom), as test/dom/frames.test.ts and
// test/chromium/frames.test.ts run it: the frame asks for Clear Key, MediaKeys and its <video>'s setMediaKeys
// when the page posts to it, and posts back how far it got.
import { Window as HappyWindow } from 'happy-dom';
import { JSDOM } from 'jsdom';
import { installMedia } from '../../src/dom/install.js';

// What each frame runs when the page posts to it: Clear Key access, MediaKeys, and whether its <video> takes them.
export const FRAME_SCRIPT = `<video></video><script>
  onmessage = async () => {
    const out = { opaque: self.origin === 'null' };
    try {
      const access = await navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], audioCapabilities: [{ contentType: 'audio/mp4; codecs="mp4a.40.2"' }] }]);
      out.access = 'ok';
      const keys = await access.createMediaKeys();
      out.keys = 'ok';
      await document.querySelector('video').setMediaKeys(keys);
      out.setMediaKeys = 'ok';
    } catch (error) {
      out.error = error.name;
    }
    parent.postMessage(out, '*');
  };
<\/script>`;

type AnyWindow = any;
// Each host's way to give a frame its document: happy-dom loads srcdoc; jsdom has no srcdoc, its about:blank frame
// is written to, which runs the scripts as well.
export const hosts: Record<string, () => { window: AnyWindow; close(): void; load(frame: AnyWindow, html: string): Promise<void> }> = {
  'happy-dom': () => {
    const window = new HappyWindow({ url: 'https://127.0.0.1/', settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true } });
    window.document.write('<!doctype html><body></body>');
    return {
      window,
      close: () => void window.happyDOM.close(),
      load: async (frame, html) => {
        frame.setAttribute('srcdoc', html);
        const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
        window.document.body.appendChild(frame);
        await loaded;
      },
    };
  },
  jsdom: () => {
    const dom = new JSDOM('<!doctype html><body></body>', { url: 'https://127.0.0.1/', runScripts: 'dangerously' });
    return {
      window: dom.window,
      close: () => dom.window.close(),
      load: async (frame, html) => {
        dom.window.document.body.appendChild(frame);
        frame.contentDocument.open();
        frame.contentDocument.write(html);
        frame.contentDocument.close();
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    };
  },
};

/** The frames: same-origin, and sandboxed without allow-same-origin (an opaque origin). */
export const FRAME_CASES: Record<string, Record<string, string>> = {
  'same-origin': {},
  sandboxed: { sandbox: 'allow-scripts' },
};

/** What the frame posted; `cleanup` gets the window's close. */
export async function inFrame(host: string, attributes: Record<string, string>, cleanup: Array<() => void>): Promise<Record<string, string>> {
  const { window, close, load } = hosts[host]!();
  cleanup.push(close);
  installMedia(window, { clock: 'virtual' });
  const frame = window.document.createElement('iframe');
  for (const [name, value] of Object.entries(attributes)) frame.setAttribute(name, value);
  await load(frame, FRAME_SCRIPT);
  const answer = new Promise<Record<string, string>>((resolve) => window.addEventListener('message', (event: AnyWindow) => resolve(event.data), { once: true }));
  frame.contentWindow.postMessage({}, '*');
  return answer;
}
