// One player, one process (so its peak RSS is its own): jsdom with the window's globals exposed as vitest's jsdom
// environment does, emekit/dom on the virtual clock, the player imported after it, a 60 s 2-track cenc
// presentation played to `ended`. Prints one JSON line. Run by bench/player.ts.
import { JSDOM } from 'jsdom';
import { populateGlobal } from 'vitest/runtime';
import type { PlayerRun } from '../../test/players/support/drivers.js';

const which = process.argv[2] as 'shaka' | 'hls' | 'dashjs';
const REPEAT = 15; // the 4 s fixture 15 times: 60 s

// The window's globals first, as vitest's jsdom environment sets them up before a test file's imports: emekit's
// classes and the players then see one Event and EventTarget.
const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/', pretendToBeVisual: true });
populateGlobal(globalThis, dom.window, { bindFunctions: true });
const { installMedia } = await import('../../src/dom/install.js');
const { KEYS } = await import('../../test/support/fixtures.js');
const { playWithDashjs, playWithHls, playWithShaka } = await import('../../test/players/support/drivers.js');
const { makePresentation } = await import('../../test/players/support/presentation.js');
const { startLicenseServer, startMediaServer } = await import('../../test/players/support/servers.js');
const { newVideo, testWindow } = await import('../../test/players/support/window.js');
const media = installMedia(testWindow, { clock: 'virtual' });

const [mediaServer, license] = await Promise.all([startMediaServer(), startLicenseServer([KEYS.video, KEYS.audio])]);
// hls.js 1.7 plays one key per presentation (see test/players/hls.test.ts).
const keys = which === 'hls' ? { video: KEYS.video, audio: KEYS.video } : undefined;
const presentation = await makePresentation({ scheme: 'cenc', licenseUrl: license.licenseUrl, repeat: REPEAT, ...(keys ? { keys } : {}) });
const base = mediaServer.mount('p', presentation.files);
const token = await license.token([KEYS.video.kid, KEYS.audio.kid]);
const video = newVideo();

// What the process holds before playback: Node, tsx, jsdom, the player's code, the presentation (made here).
const baselineRssMB = process.memoryUsage().rss / 1e6;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const ended = new Promise<void>((resolve, reject) => {
  video.addEventListener('ended', () => resolve());
  video.addEventListener('error', () => reject(new Error(`media error ${video.error?.code} ${video.error?.message}`)));
});
let run: PlayerRun;
if (which === 'shaka') run = await playWithShaka((await import('shaka-player')).default, video, { url: `${base}manifest.mpd`, licenseUrl: license.licenseUrl, token });
else if (which === 'hls') run = playWithHls((await import('hls.js')).default, video, { url: `${base}master.m3u8`, licenseUrl: license.licenseUrl, token });
else run = playWithDashjs(await import('dashjs'), video, { url: `${base}manifest.mpd`, licenseUrl: license.licenseUrl, token });
await video.play();
const timeout = setTimeout(() => {
  console.log(JSON.stringify({ player: which, error: `not ended after 120 s (currentTime ${video.currentTime}); ${run.errors.join(' ')}` }));
  process.exit(1);
}, 120_000);
await ended;
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
clearTimeout(timeout);
const played = [...media.recordOf(video).tracks.values()].map((t) => `${t.kind}:${t.samples.length}`).join(' ');
const expected = [...presentation.clearSamples].map(([kind, s]) => `${kind}:${s.length}`).join(' ');
const peakRssMB = (process.resourceUsage().maxRSS * 1024) / 1e6;
console.log(JSON.stringify({ player: which, mediaSeconds: presentation.duration, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, baselineRssMB, peakRssMB, played, expected, errors: run.errors }));
await run.destroy();
await Promise.all([mediaServer.close(), license.stop()]);
process.exit(0);
