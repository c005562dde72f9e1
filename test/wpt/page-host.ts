// Runs one web-platform-tests page in this process, as a browser tab would: happy-dom's document on Node's own
// global (one realm, so testharness's TypeError and DOMException are the ones emekit throws), emekit installed with
// install(globalThis), the page's markup parsed and its scripts run in order, then the load event. Prints the
// testharness results as one JSON line. Run by wpt.test.ts, one process per page:
//   node --import tsx test/wpt/page-host.ts <wpt folder> <page under encrypted-media/>
// A page elsewhere in WPT is named relative to encrypted-media/ (`../media-source/idlharness.window.js`); one that
// ../shared/wpt does not carry is served from test/wpt/pages/ at its upstream path.
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import { beOpenedWindow, openWindow } from './popup-window.js';

const [wptRoot, page] = process.argv.slice(2) as [string, string];
const origin = 'https://web-platform.test';
const pageUrl = new URL(page, `${origin}/encrypted-media/`);
const localPages = fileURLToPath(new URL('./pages', import.meta.url));

// The files a page loads by absolute path, as the WPT server maps them.
function wptFile(path: string): string {
  const file = path === '/resources/WebIDLParser.js' ? '/resources/webidl2/lib/webidl2.js' : path;
  const shared = join(wptRoot, file);
  return readFileSync(existsSync(shared) ? shared : join(localPages, file), 'utf8');
}

/** A `.window.js` test is served as a page with testharness, its META scripts and itself. */
function pageMarkup(path: string): string {
  if (!path.endsWith('.window.js')) return wptFile(path);
  const metaScripts = [...wptFile(path).matchAll(/^\/\/ META: script=(.*)$/gm)].map((m) => `<script src="${m[1]}"></script>`);
  return [
    '<!doctype html><meta charset=utf-8>',
    '<script src="/resources/testharness.js"></script><script src="/resources/testharnessreport.js"></script>',
    ...metaScripts,
    `<div id=log></div><script src="${path}"></script>`,
  ].join('\n');
}

// Reports results to the runner instead of into the document (the WPT runner's own testharnessreport.js does the same).
// Playback pages run beside the rest of the suite on two cores, and some open a second page host (a window): a
// longer harness timeout, as wptrunner's timeout_multiplier gives slow configurations.
const REPORT = `
setup({ output: false, timeout_multiplier: ${process.env['EMEKIT_WPT_PLAYBACK'] === '1' ? 3 : 1} });
add_completion_callback(function (tests, status) {
  __wptReport({ status: status.status, message: status.message,
    tests: tests.map(function (t) { return { name: t.name, status: t.status, message: t.message }; }) });
});`;

(globalThis as Record<string, unknown>)['__wptReport'] = (results: unknown) => {
  process.stdout.write(`${JSON.stringify(results)}\n`, () => process.exit(0));
};

// happy-dom's DOMException has no `code` (testharness checks it); Node's is WebIDL's, so the page keeps Node's.
const NodeDOMException = globalThis.DOMException;
GlobalRegistrator.register({
  url: pageUrl.href,
  // Frames' scripts (unique-origin's sandboxed srcdoc frame) run in their window's own context, with emekit/dom
  // installed there by installMedia below; the page's own scripts are run by this host (innerHTML runs none).
  settings: { enableJavaScriptEvaluation: true, suppressInsecureJavaScriptEnvironmentWarning: true, disableJavaScriptFileLoading: true, disableCSSFileLoading: true },
});
Object.defineProperty(globalThis, 'DOMException', { value: NodeDOMException, writable: true, configurable: true, enumerable: false });
// emekit is loaded after the DOM is registered: its interface objects inherit from the page's EventTarget and Event.
const { createEME, install } = await import('../../src/index.js');
const { installMedia } = await import('../../src/dom/install.js');
// The playback pages (wpt-playback.test.ts) get a session store, as a browser profile has (the persistent-license
// pages need one): their EME platform goes in first, so install() keeps it and the second installMedia returns it.
// A file, so that a window the page opens (another page host) shares it; removed when the page's process ends.
const playback = process.env['EMEKIT_WPT_PLAYBACK'] === '1';
const popup = process.env['EMEKIT_WPT_POPUP'] === '1';
let storePath = process.env['EMEKIT_WPT_STORE'];
if (playback && storePath === undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'emekit-wpt-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  storePath = join(dir, 'sessions.sqlite');
}
if (playback) installMedia(globalThis as never, { clock: 'virtual', eme: createEME({ store: storePath!, origin }) });
install(globalThis);
// The page's <video> elements are emekit/dom's headless media elements (EME on the element included).
installMedia(globalThis as never, { clock: 'virtual' });

// idlharness fetches the IDL files, the playback pages their content/*.mp4 (as bytes); nothing else is fetched.
const HostResponse = globalThis.Response;
globalThis.fetch = (async (input: string | URL) => {
  const url = new URL(String(input), `${origin}/encrypted-media/`);
  if (url.origin !== origin) throw new TypeError(`fetch: ${url} is outside the test server`);
  const body = url.pathname.endsWith('.mp4') ? readFileSync(join(wptRoot, url.pathname)) : wptFile(url.pathname);
  return new HostResponse(body, { status: 200 });
}) as typeof fetch;

// The DOM's globals, which the project's types (no DOM library) do not declare.
interface PageScript {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}
const { document, window } = globalThis as unknown as {
  document: { documentElement: { innerHTML: string }; querySelectorAll(selector: string): Iterable<PageScript> };
  window: EventTarget;
};

// window.open(): the opened page in a page host of its own, sharing the session store; a popup talks to its opener.
const pageGlobal = globalThis as unknown as Parameters<typeof beOpenedWindow>[0];
const opened = popup ? beOpenedWindow(pageGlobal, origin) : undefined;
(globalThis as Record<string, unknown>)['open'] = (url: string) =>
  openWindow(pageGlobal, wptRoot, origin, new URL(url, pageUrl).href, { ...process.env, EMEKIT_WPT_STORE: storePath });

document.documentElement.innerHTML = pageMarkup(pageUrl.pathname).replace(/^<!doctype html>/i, '');
// HTML's named access on the Window object, which happy-dom lacks: waiting-for-a-key.js reaches `video` (the
// page's <div id=video>) from a function where its own `video` is out of scope.
for (const element of [...document.querySelectorAll('[id]')]) {
  const id = element.getAttribute('id')!;
  if (!(id in globalThis)) Object.defineProperty(globalThis, id, { value: element, writable: true, configurable: true, enumerable: false });
}
for (const script of [...document.querySelectorAll('script')]) {
  const src = script.getAttribute('src');
  const path = src === null ? null : new URL(src, pageUrl).pathname;
  const code = path === '/resources/testharnessreport.js' ? REPORT : path === null ? script.textContent ?? '' : wptFile(path);
  runInThisContext(code, { filename: path ?? `${pageUrl.pathname} (inline script)` });
}
window.dispatchEvent(new Event('load'));
opened?.loaded();
