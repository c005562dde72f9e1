// Encryption throughput and memory, whole process (start-up included): `emekit encrypt` per scheme and layout
// against ffmpeg's -encryption_scheme cenc-aes-ctr (its only scheme) and cp, on the clear source bench:decrypt uses.
// Printed, never asserted.
//
//   npm run bench:encrypt                       (BENCH_RUNS=3 rounds, BENCH_SECONDS=60 s of source video)
//   BENCH_ONLY='cenc|cp' npm run bench:encrypt  (only the rows whose name matches the regular expression)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listSamples } from '../src/media/index.js';
import { clearSources } from './support/clear-source.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.cache/bench');
const KID = 'eb676abbcb345e96bbcf616630f1a3da';
const KEY = '100b6c20940f779a4589152b57d2dacb';
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
mkdirSync(dir, { recursive: true });
const { prog } = clearSources(dir, Number(process.env.BENCH_SECONDS ?? 60));
const cli = join(root, 'dist/bin/emekit.cjs');
if (!existsSync(cli)) throw new Error('run npm run build first');
const out = join(dir, 'encrypted.mp4');
const TIME = spawnSync('/usr/bin/time', ['-v', 'true']).status === 0;

interface Row {
  name: string;
  cmd: string;
  args: string[];
  seconds: number[];
  rssMb: number[];
  /** User + system CPU seconds (on a busy machine a steadier measure of the work than the wall clock). */
  cpu: number[];
}

const rows: Row[] = [];
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const add = (name: string, cmd: string, args: string[]) => {
  if (!only || only.test(name)) rows.push({ name, cmd, args, seconds: [], rssMb: [], cpu: [] });
};
for (const scheme of ['cenc', 'cbcs', 'cens', 'cbc1']) add(`emekit encrypt --scheme ${scheme} (fragmented, 2 s)`, process.execPath, [cli, 'encrypt', '-q', prog, out, '--key', `${KID}:${KEY}`, '--scheme', scheme]);
for (const scheme of ['cenc', 'cbcs']) add(`emekit encrypt --scheme ${scheme} --progressive`, process.execPath, [cli, 'encrypt', '-q', prog, out, '--key', `${KID}:${KEY}`, '--scheme', scheme, '--progressive']);
if (spawnSync('ffmpeg', ['-version']).status === 0) {
  add('ffmpeg -encryption_scheme cenc-aes-ctr -c copy (progressive)', 'ffmpeg', ['-v', 'error', '-y', '-i', prog, '-map', '0', '-c', 'copy', '-encryption_scheme', 'cenc-aes-ctr', '-encryption_key', KEY, '-encryption_kid', KID, out]);
}
add('cp (I/O ceiling)', 'cp', [prog, out]);

/** Per track, a SHA-256 over the SHA-256 of every sample in order: the clear source's media, whatever its boxes. */
function sampleDigests(file: string): string {
  const bytes = readFileSync(file);
  return [...listSamples(bytes)]
    .sort(([a], [b]) => a - b)
    .map(([track, samples]) => {
      const digest = createHash('sha256');
      for (const s of samples) digest.update(createHash('sha256').update(bytes.subarray(s.offset, s.offset + s.size)).digest());
      return `${track}:${samples.length}:${digest.digest('hex').slice(0, 16)}`;
    })
    .join(' ');
}
const clearDigests = sampleDigests(prog);
const decrypted = join(dir, 'decrypted.mp4');
/** What a row measured is real encryption: the output is not the clear media, and emekit decrypt gives it back. */
function verify(row: Row): void {
  if (sampleDigests(out) === clearDigests) throw new Error(`${row.name}: the output's samples are the clear source's`);
  const r = spawnSync(process.execPath, [cli, 'decrypt', '-q', out, decrypted, '--key', `${KID}:${KEY}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${row.name}: decrypting its output failed: ${r.stderr.slice(-500)}`);
  const got = sampleDigests(decrypted);
  rmSync(decrypted, { force: true });
  if (got !== clearDigests) throw new Error(`${row.name}: its output decrypts to other samples (${got}) than the clear source's (${clearDigests})`);
}

for (let round = 0; round < RUNS; round++) {
  for (const row of [...rows].sort(() => Math.random() - 0.5)) {
    rmSync(out, { force: true });
    spawnSync('cat', [prog], { stdio: 'ignore' });
    spawnSync('sync');
    const [cmd, args] = TIME ? ['/usr/bin/time', ['-v', row.cmd, ...row.args]] : [row.cmd, row.args];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    row.seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== 0) throw new Error(`${row.name} failed: ${r.stderr.slice(-1000)}`);
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (m) row.rssMb.push((Number(m[1]) * 1024) / 1e6);
    const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
    const system = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
    if (user && system) row.cpu.push(Number(user[1]) + Number(system[1]));
  }
}
// After the timed rounds (its file writes would move the page cache under them): one more run of each emekit row,
// its output checked.
for (const row of rows.filter((r) => r.name.startsWith('emekit encrypt'))) {
  rmSync(out, { force: true });
  const r = spawnSync(row.cmd, row.args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${row.name} failed: ${r.stderr.slice(-1000)}`);
  verify(row);
}
rmSync(out, { force: true });

// Node's own start-up, part of every emekit row: what no change to emekit removes (NODE_EXTRA_CA_CERTS, when set,
// makes Node parse that certificate file before running anything).
const startup: { seconds: number[]; cpu: number[] } = { seconds: [], cpu: [] };
for (let round = 0; round < RUNS; round++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME ? '/usr/bin/time' : process.execPath, TIME ? ['-v', process.execPath, '-e', '0'] : ['-e', '0'], { encoding: 'utf8' });
  startup.seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  if (user && system) startup.cpu.push(Number(user[1]) + Number(system[1]));
}

const mb = statSync(prog).size / 1e6;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
console.log(`\ninput: ${mb.toFixed(0)} MB progressive (720p H.264 + AAC), ${RUNS} rounds, page cache warm, output deleted before each run`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, load average ${loadavg().map((v) => v.toFixed(2)).join(' / ')}`);
console.log(`checked: every emekit row's output (one more run after the timed ones) decrypts with emekit decrypt to the clear source's samples (${clearDigests})`);
console.log(`peak RSS: ${TIME ? '/usr/bin/time -v' : 'not measured (install Debian package `time`)'}\n`);
console.log('| command | MB/s best | MB/s median | CPU s median (user + sys) | peak RSS MB (max) |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${(mb / Math.min(...r.seconds)).toFixed(0)} | ${(mb / median(r.seconds)).toFixed(0)} | ${r.cpu.length ? median(r.cpu).toFixed(2) : '?'} | ${r.rssMb.length ? Math.max(...r.rssMb).toFixed(0) : '?'} |`);
}
const ca = process.env.NODE_EXTRA_CA_CERTS ? ` (NODE_EXTRA_CA_CERTS is set: ${process.env.NODE_EXTRA_CA_CERTS} is parsed at every start)` : '';
console.log(`\nnode -e 0 (Node's start-up alone, in every emekit row): best ${Math.min(...startup.seconds).toFixed(3)} s, CPU median ${startup.cpu.length ? median(startup.cpu).toFixed(2) : '?'} s${ca}`);
