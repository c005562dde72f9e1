// Player benchmark: a 60 s, 2-track cenc presentation played to `ended` on emekit/dom's virtual clock by shaka-player,
// hls.js and dash.js, each in its own process under jsdom, licensed by a real `emekit serve`. Printed, not asserted.
// Target (issue 12): under 5 s wall (12x real time) and under 200 MB peak RSS each. Run: npm run bench:player
// (EMEKIT_BENCH_PLAYERS=hls,dashjs for some, EMEKIT_BENCH_RUNS=N runs each: the median wall time is printed).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const players = (process.env['EMEKIT_BENCH_PLAYERS'] ?? 'shaka,hls,dashjs').split(',');
const runs = Math.max(1, Number(process.env['EMEKIT_BENCH_RUNS'] ?? 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
console.log(`player benchmark: 60 s presentation (H.264 + AAC, cenc), virtual clock, jsdom, Node ${process.version}`);
console.log(`${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} runs per player, each in a process of its own`);
console.log('player   wall s: median (min-max)  x real time  CPU s  RSS MB: before play, peak  samples played (expected)');
for (const player of players) {
  const results: Result[] = [];
  let failure: string | undefined;
  for (let i = 0; i < runs && failure === undefined; i++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', resolve(ROOT, 'bench/player/play-one.ts'), player], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
    const line = child.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    if (!line) failure = `exit ${child.status}\n${child.stderr.slice(-2000)}`;
    else {
      const r = JSON.parse(line) as Result;
      if (r.error) failure = r.error;
      else if (r.played.split(' ').sort().join(' ') !== r.expected.split(' ').sort().join(' ')) failure = `played ${r.played}, expected ${r.expected}`;
      else results.push(r);
    }
  }
  if (failure !== undefined) {
    console.log(`${player.padEnd(8)} failed: ${failure}`);
    continue;
  }
  const walls = results.map((r) => r.wallMs / 1000);
  const wall = median(walls);
  const spread = `${wall.toFixed(2)} (${Math.min(...walls).toFixed(2)}-${Math.max(...walls).toFixed(2)})`;
  const rss = `${median(results.map((r) => r.baselineRssMB)).toFixed(0)}, ${Math.max(...results.map((r) => r.peakRssMB)).toFixed(0)}`;
  const r = results[0]!;
  console.log(`${player.padEnd(8)} ${spread.padStart(24)}  ${(r.mediaSeconds / wall).toFixed(1).padStart(10)}x  ${median(results.map((x) => x.cpuMs / 1000)).toFixed(2).padStart(5)}  ${rss.padStart(18)}  ${r.played} (${r.expected})`);
}

interface Result {
  error?: string;
  wallMs: number;
  cpuMs: number;
  mediaSeconds: number;
  baselineRssMB: number;
  peakRssMB: number;
  played: string;
  expected: string;
}
