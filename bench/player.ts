// Player benchmark: a 60 s, 2-track cenc presentation played to `ended` on emekit/dom's virtual clock by shaka-player,
// hls.js and dash.js, each in its own process under jsdom and under happy-dom, licensed by a real `emekit serve`.
// Printed, not asserted. Target (issue 12): under 5 s wall (12x real time) and under 200 MB peak RSS each.
// Run: npm run bench:player (EMEKIT_BENCH_PLAYERS=hls,dashjs, EMEKIT_BENCH_HOSTS=jsdom for some, EMEKIT_BENCH_RUNS=N
// runs each: the median wall time is printed). After each player, its floor: the same DOM and the player's code, no
// emekit, fetching the same files (EMEKIT_BENCH_FLOORS=0 skips them; EMEKIT_BENCH_PLAYERS=none: the DOM's floor alone).
// This process makes the presentations, serves them and checks what each player process played against the clear
// source; the player process (bench/player/play-one.ts, bundled, plain node, emekit/dom from dist/) holds only what a
// user's test process would.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { KEYS } from '../test/support/fixtures.js';
import { makePresentation, type Presentation } from '../test/players/support/presentation.js';
import { startLicenseServer, startMediaServer } from '../test/players/support/servers.js';

const ROOT = resolve(import.meta.dirname, '..');
const players = (process.env['EMEKIT_BENCH_PLAYERS'] ?? 'shaka,hls,dashjs').split(',');
const hosts = (process.env['EMEKIT_BENCH_HOSTS'] ?? 'jsdom,happy-dom').split(',');
const runs = Math.max(1, Number(process.env['EMEKIT_BENCH_RUNS'] ?? 3));
const floors = process.env['EMEKIT_BENCH_FLOORS'] !== '0';
const REPEAT = 15; // the 4 s fixture 15 times: 60 s
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

// The player process runs emekit as a user's test does, from the built package: refuse a dist/ older than src/.
const built = join(ROOT, 'dist/lib/dom.js');
const newest = (dir: string): number => Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
if (!existsSync(built) || statSync(built).mtimeMs < newest(join(ROOT, 'src'))) throw new Error('dist/ is missing or older than src/: run `npm run build` first');
const OUT = join(ROOT, '.cache/bench-player');
const script = join(OUT, 'play-one.mjs');
const floorScript = join(OUT, 'floor-one.mjs');
await build({ entryPoints: [join(ROOT, 'bench/player/play-one.ts'), join(ROOT, 'bench/player/floor-one.ts')], outdir: OUT, outExtension: { '.js': '.mjs' }, bundle: true, packages: 'external', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });

const [mediaServer, license] = await Promise.all([startMediaServer(), startLicenseServer([KEYS.video, KEYS.audio])]);
// Valid for the whole benchmark, however slow a loaded machine makes it (the tests' tokens last 10 minutes).
const token = await license.token([KEYS.video.kid, KEYS.audio.kid], ['--ttl', '2h']);
// hls.js 1.7 plays one key per presentation (see test/players/hls.test.ts).
const presentations = {
  twoKeys: await makePresentation({ scheme: 'cenc', licenseUrl: license.licenseUrl, repeat: REPEAT }),
  oneKey: await makePresentation({ scheme: 'cenc', licenseUrl: license.licenseUrl, repeat: REPEAT, keys: { video: KEYS.video, audio: KEYS.video } }),
};
const base = { twoKeys: mediaServer.mount('two-keys', presentations.twoKeys.files), oneKey: mediaServer.mount('one-key', presentations.oneKey.files) };

console.log(`player benchmark: 60 s presentation (H.264 + AAC, cenc), virtual clock, Node ${process.version}`);
console.log(`${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} runs per player, each in a process of its own`);
console.log('player/DOM                 wall s: median (min-max)  x real time  CPU s  RSS MB: before play, peak  samples played, each = the clear source\'s');
for (const host of hosts) {
  for (const player of players) {
    if (player !== 'none') await benchPlayer(host, player);
    if (floors || player === 'none') await benchFloor(host, player);
  }
}
await Promise.all([mediaServer.close(), license.stop()]);

async function benchPlayer(host: string, player: string): Promise<void> {
  const label = `${player}/${host}`.padEnd(26);
  const which = player === 'hls' ? 'oneKey' : 'twoKeys';
  const url = `${base[which]}${player === 'hls' ? 'master.m3u8' : 'manifest.mpd'}`;
  const expected = expectedPlay(presentations[which]);
  const results: Result[] = [];
  let failure: string | undefined;
  for (let i = 0; i < runs && failure === undefined; i++) {
    const child = await runChild([script, host, player, url, license.licenseUrl, token]);
    const line = child.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    if (!line) failure = `exit ${child.code}\n${child.stderr.slice(-2000)}`;
    else {
      const r = JSON.parse(line) as Result;
      if (r.error) failure = r.error;
      else failure = samplesDiffer(r.played, expected);
      if (failure === undefined) results.push(r);
    }
  }
  if (failure !== undefined) {
    console.log(`${label} failed: ${failure}`);
    return;
  }
  const walls = results.map((r) => r.wallMs / 1000);
  const wall = median(walls);
  const spread = `${wall.toFixed(2)} (${Math.min(...walls).toFixed(2)}-${Math.max(...walls).toFixed(2)})`;
  const rss = `${median(results.map((r) => r.baselineRssMB)).toFixed(0)}, ${Math.max(...results.map((r) => r.peakRssMB)).toFixed(0)}`;
  const counts = expected.map((t) => `${t.kind}:${t.count}`).join(' ');
  console.log(`${label} ${spread.padStart(24)}  ${(presentations[which].duration / wall).toFixed(1).padStart(10)}x  ${median(results.map((x) => x.cpuMs / 1000)).toFixed(2).padStart(5)}  ${rss.padStart(18)}  ${counts}`);
}

/**
 * The floor under a player's row: the same window and the player's code imported (`none`: no player), no emekit/dom,
 * fetching the player's presentation's files as the player does (bench/player/floor-one.ts). RSS before the first
 * request, the peak after it alone and after all the files; wall and CPU are those of the files after the first.
 */
async function benchFloor(host: string, player: string): Promise<void> {
  const label = `${player}/${host} floor`.padEnd(26);
  const which = player === 'hls' ? 'oneKey' : 'twoKeys';
  const files = presentations[which].files;
  const expectedBytes = [...files.values()].reduce((n, body) => n + body.length, 0);
  const results: FloorResult[] = [];
  let failure: string | undefined;
  for (let i = 0; i < runs && failure === undefined; i++) {
    const child = await runChild([floorScript, host, player, base[which], ...files.keys()]);
    const line = child.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    const r = line ? (JSON.parse(line) as FloorResult) : undefined;
    if (!r) failure = `exit ${child.code}\n${child.stderr.slice(-2000)}`;
    else if (r.error) failure = r.error;
    else if (r.bytes !== expectedBytes) failure = `received ${r.bytes} bytes, expected ${expectedBytes}`;
    else results.push(r);
  }
  if (failure !== undefined) return void console.log(`${label} failed: ${failure}`);
  const walls = results.map((r) => r.wallMs / 1000);
  const spread = `${median(walls).toFixed(2)} (${Math.min(...walls).toFixed(2)}-${Math.max(...walls).toFixed(2)})`;
  const rss = `${median(results.map((r) => r.baselineRssMB)).toFixed(0)}, ${Math.max(...results.map((r) => r.peakRssMB)).toFixed(0)}`;
  const oneRequest = Math.max(...results.map((r) => r.oneRequestPeakMB)).toFixed(0);
  const what = player === 'none' ? 'no player, no emekit' : 'the player imported, not run; no emekit';
  const how = player === 'shaka' ? 'fetch' : "the window's XHR";
  console.log(`${label} ${spread.padStart(24)}  ${'-'.padStart(11)}  ${median(results.map((x) => x.cpuMs / 1000)).toFixed(2).padStart(5)}  ${rss.padStart(18)}  ${what}: ${files.size} files (${(expectedBytes / 1e6).toFixed(1)} MB) through ${how}; peak after the first alone ${oneRequest}`);
}

interface FloorResult {
  error?: string;
  wallMs: number;
  cpuMs: number;
  baselineRssMB: number;
  /** Peak RSS a second after the first request, before any other. */
  oneRequestPeakMB: number;
  peakRssMB: number;
  bytes: number;
}

interface PlayedTrack {
  kind: string;
  count: number;
  /** SHA-256 over the played samples' SHA-256s (hex), in the order played. */
  digest: string;
}

interface Result {
  error?: string;
  wallMs: number;
  cpuMs: number;
  baselineRssMB: number;
  peakRssMB: number;
  played: PlayedTrack[];
}

/** What the player process must report: every clear sample of each track, in order (as test/players compares). */
function expectedPlay(presentation: Presentation): PlayedTrack[] {
  return [...presentation.clearSamples].map(([kind, samples]) => ({
    kind,
    count: samples.length,
    digest: createHash('sha256').update(samples.map((s) => createHash('sha256').update(s).digest('hex')).join('')).digest('hex'),
  }));
}

function samplesDiffer(played: PlayedTrack[], expected: PlayedTrack[]): string | undefined {
  const show = (ts: PlayedTrack[]) => ts.map((t) => `${t.kind}:${t.count}`).join(' ');
  if (played.length !== expected.length) return `played ${show(played)}, expected ${show(expected)}`;
  for (const want of expected) {
    const got = played.find((t) => t.kind === want.kind);
    if (!got || got.count !== want.count) return `played ${show(played)}, expected ${show(expected)}`;
    if (got.digest !== want.digest) return `${want.kind}: the ${got.count} samples played are not the clear source's`;
  }
  return undefined;
}

/** Plain node (no tsx loader: the players and emekit's dist are JavaScript); the servers here keep serving meanwhile. */
function runChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
