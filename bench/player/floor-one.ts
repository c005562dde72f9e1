// The floor under a player's row: the same window as play-one.ts (setUpWindow) and the player's code imported as
// there (not run; `none`: no player), but no emekit/dom. It fetches the files of the player's presentation the way
// the player does under this DOM, each response read as an ArrayBuffer and dropped: through the window's
// XMLHttpRequest (hls.js, dash.js; `none` too) or, for shaka, through `fetch` (its fetch plugin takes Node's). First
// one manifest alone, then, after a second's pause, the rest (the other manifest, then the video and the audio
// segments, one request at a time per track, the two tracks in parallel). Prints one JSON line: RSS before the first
// request, the peak after that one request and after them all, the bytes received, and the time and CPU of the rest.
// What this process holds at its peak, any process on this DOM with this player's code that fetches this
// presentation holds, whatever plays it.
import { setUpWindow, type Host } from './host-window.js';

interface FloorWindow {
  XMLHttpRequest: new () => {
    open(method: string, url: string): void;
    responseType: string;
    readonly status: number;
    readonly response: ArrayBuffer;
    onload: (() => void) | null;
    onerror: (() => void) | null;
    send(): void;
  };
}

const [host, player, base, ...paths] = process.argv.slice(2) as [Host, 'shaka' | 'hls' | 'dashjs' | 'none', string, ...string[]];
await setUpWindow(host);
if (player === 'shaka') await import('shaka-player');
else if (player === 'hls') await import('hls.js');
else if (player === 'dashjs') await import('dashjs');
const window = globalThis as unknown as FloorWindow;

function get(path: string): Promise<number> {
  return player === 'shaka' ? getWithFetch(path) : getWithXhr(path);
}

async function getWithFetch(path: string): Promise<number> {
  const response = await fetch(`${base}${path}`);
  if (response.status !== 200) throw new Error(`${path}: status ${response.status}`);
  return (await response.arrayBuffer()).byteLength;
}

function getWithXhr(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const xhr = new window.XMLHttpRequest();
    xhr.open('GET', `${base}${path}`);
    xhr.responseType = 'arraybuffer';
    xhr.onload = () => (xhr.status === 200 ? resolve(xhr.response.byteLength) : reject(new Error(`${path}: status ${xhr.status}`)));
    xhr.onerror = () => reject(new Error(`${path}: network error`));
    xhr.send();
  });
}

async function getAll(list: string[]): Promise<number> {
  let bytes = 0;
  for (const path of list) bytes += await get(path);
  return bytes;
}

const track = (kind: string) => paths.filter((p) => p.startsWith(`${kind}/`));
const [first, ...manifests] = paths.filter((p) => !p.includes('/'));
const peakMB = () => (process.resourceUsage().maxRSS * 1024) / 1e6;
const baselineRssMB = process.memoryUsage().rss / 1e6;
try {
  let bytes = await get(first!);
  // Under jsdom, what follows a first request (undici's HTTP parser, WebAssembly, recompiled by V8's optimizing tier
  // on a background thread) comes a few hundred milliseconds later.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const oneRequestPeakMB = peakMB();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  bytes += (await getAll(manifests)) + (await Promise.all([getAll(track('video')), getAll(track('audio'))])).reduce((a, b) => a + b, 0);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, baselineRssMB, oneRequestPeakMB, peakRssMB: peakMB(), bytes }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error) }));
}
process.exit(0);
