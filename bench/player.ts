// Player benchmark: a 60 s, 2-track cenc presentation played to `ended` on emekit/dom's virtual clock by shaka-player,
// hls.js and dash.js, each in its own process under jsdom, licensed by a real `emekit serve`. Printed, not asserted.
// Target (issue 12): under 5 s wall (12x real time) and under 200 MB peak RSS each. Run: npm run bench:player
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const players = (process.env['EMEKIT_BENCH_PLAYERS'] ?? 'shaka,hls,dashjs').split(',');
console.log(`player benchmark: 60 s presentation (H.264 + AAC, cenc), virtual clock, jsdom, Node ${process.version}`);
console.log('player   wall (s)  x real time  peak RSS (MB)  samples played (expected)');
for (const player of players) {
  const child = spawnSync(process.execPath, ['--import', 'tsx', resolve(ROOT, 'bench/player/play-one.ts'), player], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  const line = child.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) {
    console.log(`${player.padEnd(8)} failed: exit ${child.status}\n${child.stderr.slice(-2000)}`);
    continue;
  }
  const r = JSON.parse(line) as { error?: string; wallMs: number; mediaSeconds: number; peakRssMB: number; played: string; expected: string };
  if (r.error) {
    console.log(`${player.padEnd(8)} failed: ${r.error}`);
    continue;
  }
  const wall = r.wallMs / 1000;
  console.log(`${player.padEnd(8)} ${wall.toFixed(2).padStart(8)}  ${(r.mediaSeconds / wall).toFixed(1).padStart(10)}x  ${r.peakRssMB.toFixed(0).padStart(13)}  ${r.played} (${r.expected})`);
}
