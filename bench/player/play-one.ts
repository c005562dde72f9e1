// One player, one process, holding what a user's test process holds: jsdom or happy-dom with the window's globals
// exposed as vitest's environment for it does, emekit/dom from the built package (dist/) on the virtual clock, the
// player from npm imported after it, and a presentation fetched from the benchmark's server (made by bench/player.ts,
// not here: a test's media comes from files or a server, not from the packager in the test's process). Plays to
// `ended` and prints one JSON line: time, CPU, RSS, and per track the count and a digest of the SHA-256s played.
// bench/player.ts bundles this file (esbuild, npm packages and emekit external) and runs it with plain node.
import { createHash } from 'node:crypto';
import { playWithDashjs, playWithHls, playWithShaka, type PlayerRun } from '../../test/players/support/drivers.js';
import type * as EmekitDom from '../../src/dom/index.js';
import type { TestWindow } from '../../test/players/support/window.js';
import { setUpWindow, type Host } from './host-window.js';

const [host, which, url, licenseUrl, token] = process.argv.slice(2) as [Host, 'shaka' | 'hls' | 'dashjs', string, string, string];

// The window's globals first, as vitest's environment sets them up before a test file's imports: emekit's classes
// and the players then see one Event and EventTarget.
await setUpWindow(host);
const window = globalThis as unknown as TestWindow;
// The package as a user imports it (dist/lib/dom.js, by the package's self-reference); typed from the source, so that
// the project typechecks before it is built.
const EMEKIT_DOM = 'emekit/dom';
const { installMedia } = (await import(EMEKIT_DOM)) as typeof EmekitDom;
const media = installMedia(window, { clock: 'virtual' });
const video = window.document.createElement('video');
window.document.body.appendChild(video);

// What the process holds before playback: Node, jsdom, emekit/dom, the player's code.
const player = which === 'shaka' ? (await import('shaka-player')).default : which === 'hls' ? (await import('hls.js')).default : await import('dashjs');
const baselineRssMB = process.memoryUsage().rss / 1e6;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const ended = new Promise<void>((resolve, reject) => {
  video.addEventListener('ended', () => resolve());
  video.addEventListener('error', () => reject(new Error(`media error ${video.error?.code} ${video.error?.message}`)));
});
const options = { url, licenseUrl, token };
let run: PlayerRun;
if (which === 'shaka') run = await playWithShaka(player, video, options);
else if (which === 'hls') run = playWithHls(player, video, options);
else run = playWithDashjs(player, video, options);
const timeout = setTimeout(() => {
  console.log(JSON.stringify({ error: `not ended after 120 s (currentTime ${video.currentTime}); ${run.errors.join(' ')}` }));
  process.exit(1);
}, 120_000);
await video.play();
await ended;
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearTimeout(timeout);
const peakRssMB = (process.resourceUsage().maxRSS * 1024) / 1e6;
const played = [...media.recordOf(video).tracks.values()].map((t) => ({
  kind: t.kind,
  count: t.samples.length,
  digest: createHash('sha256').update(t.samples.map((s) => s.sha256).join('')).digest('hex'),
}));
console.log(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, baselineRssMB, peakRssMB, played, errors: run.errors }));
await run.destroy();
process.exit(0);
