// Decryption throughput and memory, whole process (start-up included), against ffmpeg, cp and openssl's AES
// ceiling. Printed, never asserted.
//
//   npm run bench:decrypt                       (BENCH_RUNS=5 rounds, BENCH_SECONDS=60 s of source video)
//   BENCH_BASELINE=/other/tree/dist/media/index.js npm run bench:decrypt   adds rows for another build
//
// Every command reads the same input, read once untimed just before so it is in the page cache, and writes
// .cache/bench/out.mp4, which is deleted (and the disk synced) before each run, so no command pays for the
// previous output. Commands run round-robin in a new
// random order each round, so a change in machine load hits all of them alike; the table gives the best and
// the median round.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encryptMp4 } from '../test/support/encrypt.js';
import { clearSources } from './support/clear-source.js';
import type { EncryptOptions } from '../test/support/encrypt.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.cache/bench');
const KID = 'eb676abbcb345e96bbcf616630f1a3da';
const KEY = '100b6c20940f779a4589152b57d2dacb';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const BASELINE = process.env.BENCH_BASELINE;
const SCHEMES = ['cenc', 'cbcs', 'cens', 'cbc1'] as const;
type Scheme = (typeof SCHEMES)[number];
mkdirSync(dir, { recursive: true });

function have(cmd: string, arg = '-version'): boolean {
  return spawnSync(cmd, [arg]).error === undefined;
}

const TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-v', 'true']).status === 0 ? '/usr/bin/time' : undefined;

function build(): void {
  const { prog: clearProg, frag: clearFrag } = clearSources(dir, SECONDS);
  const key = Buffer.from(KEY, 'hex');
  const kid = Buffer.from(KID, 'hex');
  for (const layout of ['prog', 'frag']) {
    for (const scheme of SCHEMES) {
      const out = join(dir, `${scheme}_${layout}.mp4`);
      if (existsSync(out)) continue;
      console.log(`encrypting ${out}…`);
      const src = readFileSync(layout === 'prog' ? clearProg : clearFrag);
      // CTR schemes with per-sample IVs, CBC schemes as packagers ship them (cbcs: constant IV, 1:9 pattern).
      const opts: EncryptOptions =
        scheme === 'cenc' || scheme === 'cens'
          ? { scheme, key, kid, ivSize: 8, firstIv: Buffer.from('0a610676cb88f302', 'hex') }
          : scheme === 'cbcs'
            ? { scheme, key, kid, ivSize: 0, constantIv: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') }
            : { scheme, key, kid, ivSize: 16, firstIv: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') };
      writeFileSync(out, encryptMp4(src, opts));
    }
  }
  // The CLI bundle is the last thing a build writes: rebuild when any source is newer.
  const bundle = join(root, 'dist/bin/emekit.cjs');
  const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const newest = Math.max(...sources.map((f) => statSync(join(root, 'src', f)).mtimeMs));
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newest) {
    console.log('building dist/ (npm run build)…');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
}

interface Command {
  name: string;
  input: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  /** Scheme and layout, for the ratio against ffmpeg. */
  scheme?: Scheme;
  layout?: string;
  ffmpeg?: boolean;
}

interface Result {
  c: Command;
  seconds: number[];
  rssMb: number[];
}

const out = join(dir, 'out.mp4');
// Some sandboxes set NODE_EXTRA_CA_CERTS (a proxy's CA bundle); node then parses ~150 certificates at every
// start (~40 ms here), which no user's shell does and no other row pays. Node rows run without it; one row
// shows what it costs.
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS;
const baseEnv: NodeJS.ProcessEnv = { ...process.env };
delete baseEnv.NODE_EXTRA_CA_CERTS;

const warmBuffer = Buffer.allocUnsafe(4 << 20);

/**
 * Reads the input once, untimed, so that the timed run finds all of it in the page cache: here the inputs (~2 GB)
 * do not always stay resident (fincore shows pieces of them gone between runs), and a command that happened to
 * read from the disk would measure the disk.
 */
function warm(input: string): void {
  const fd = openSync(input, 'r');
  try {
    while (readSync(fd, warmBuffer, 0, warmBuffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

function runOnce(c: Command): { seconds: number; rssMb: number | undefined } {
  rmSync(out, { force: true });
  warm(c.input);
  // Flush the previous run's dirty pages first: otherwise a write now and then waits ~0.5 s for ext4's
  // journal commit of them, which would land on whichever command happens to be running.
  spawnSync('sync');
  const env = { ...baseEnv, ...c.env, ...(TIME ? {} : { BENCH_RSS_FD: '2' }) };
  const [cmd, args] = TIME ? [TIME, ['-v', c.cmd, ...c.args]] : [c.cmd, c.args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, env });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${c.name} failed: ${r.stderr.slice(-2000)}`);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr) ?? /maxrss-kb (\d+)/.exec(r.stderr);
  // Decimal MB, as the throughput column and the issue's target (time and getrusage report KiB).
  return { seconds, rssMb: m ? (Number(m[1]) * 1024) / 1e6 : undefined };
}

function opensslSpeed(cipher: string, decrypt: boolean): number | undefined {
  const r = spawnSync('openssl', ['speed', '-seconds', '2', '-bytes', '16384', ...(decrypt ? ['-decrypt'] : []), '-evp', cipher], { encoding: 'utf8' });
  const line = r.stdout?.split('\n').find((l) => l.toLowerCase().startsWith(cipher));
  const k = line?.trim().split(/\s+/).at(-1);
  return k ? (parseFloat(k) * 1000) / 1e6 : undefined;
}

function busiest(): string {
  const r = spawnSync('ps', ['-eo', 'pcpu,comm', '--sort=-pcpu', '--no-headers'], { encoding: 'utf8' });
  if (r.status !== 0) return 'ps unavailable';
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && !/\b(ps|node|bench)\b/.test(l) && parseFloat(l) >= 5).slice(0, 4).join(', ') || 'none above 5% CPU';
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;

build();
const file = (f: string) => join(dir, f);
const size = (f: string) => statSync(f).size;
const runner = join(root, 'bench/support/run-decrypt.mjs');
const cli = join(root, 'dist/bin/emekit.cjs');
const keyArg = `${KID}:${KEY}`;
const commands: Command[] = [];
// The command's V8 code cache (src/cli/launcher.cts) lives here for the benchmark, made anew by each run of it.
const codeCache = join(dir, 'xdg-cache');
rmSync(codeCache, { recursive: true, force: true });
const cliEnv = { XDG_CACHE_HOME: codeCache };
// The product as users run it: `emekit decrypt` (bundled bin, EME flow: access, session, license, update, decrypt).
for (const layout of ['prog', 'frag']) {
  for (const scheme of SCHEMES) {
    const input = file(`${scheme}_${layout}.mp4`);
    commands.push({ name: `emekit decrypt ${scheme} ${layout}`, input, cmd: process.execPath, args: [cli, 'decrypt', '-q', input, out, '--key', keyArg], env: cliEnv, scheme, layout });
  }
}
for (const scheme of ['cenc', 'cbcs'] as const) {
  const input = file(`${scheme}_frag.mp4`);
  commands.push({ name: `emekit decrypt ${scheme} frag, without the code cache (a command's first run)`, input, cmd: process.execPath, args: [cli, 'decrypt', '-q', input, out, '--key', keyArg], env: { ...cliEnv, EMEKIT_NO_CODE_CACHE: '1' }, scheme, layout: 'frag' });
}
// The library: decryptMedia with defaults (thread-pool I/O; results freed by GC on Node 20), and with the CLI's process settings.
for (const scheme of ['cenc', 'cbcs'] as const) {
  for (const layout of ['prog', 'frag']) {
    const input = file(`${scheme}_${layout}.mp4`);
    commands.push({ name: `decryptMedia() ${scheme} ${layout}, defaults`, input, cmd: process.execPath, args: [runner, input, out, keyArg], scheme, layout });
  }
  const input = file(`${scheme}_prog.mp4`);
  commands.push({ name: `decryptMedia() ${scheme} prog, the CLI's settings (transfer + blockingIo)`, input, cmd: process.execPath, args: [runner, '--tuned', input, out, keyArg], scheme, layout: 'prog' });
  commands.push({ name: `decryptMedia() ${scheme} prog, the CLI's settings, verify off`, input, cmd: process.execPath, args: [runner, '--tuned', '--no-verify', input, out, keyArg], scheme, layout: 'prog' });
}
if (BASELINE) {
  for (const layout of ['prog', 'frag']) {
    for (const scheme of ['cenc', 'cbcs'] as const) {
      const input = file(`${scheme}_${layout}.mp4`);
      commands.push({ name: `baseline ${scheme} ${layout}`, input, cmd: process.execPath, args: [runner, input, out, keyArg], env: { BENCH_DIST: resolve(BASELINE) }, scheme, layout });
    }
  }
}
if (have('ffmpeg')) {
  for (const scheme of ['cenc', 'cbcs'] as const) {
    const input = file(`${scheme}_prog.mp4`);
    commands.push({ name: `ffmpeg -c copy ${scheme} prog`, input, cmd: 'ffmpeg', args: ['-v', 'error', '-y', '-decryption_key', KEY, '-i', input, '-map', '0', '-c', 'copy', '-f', 'mp4', out], scheme, layout: 'prog', ffmpeg: true });
  }
}
const cencProg = file('cenc_prog.mp4');
commands.push({ name: 'node: read, AES-CTR 64 KB calls, write; nothing else (node:crypto floor)', input: cencProg, cmd: process.execPath, args: [join(root, 'bench/support/ctr-floor.mjs'), cencProg, out] });
commands.push({ name: 'node copy, 1 MiB reads+writes (Node I/O floor)', input: cencProg, cmd: process.execPath, args: [join(root, 'bench/support/copy.mjs'), cencProg, out] });
commands.push({ name: 'node -e 0 (start-up alone, bytes = input)', input: cencProg, cmd: process.execPath, args: ['-e', '0'] });
if (EXTRA_CA) {
  commands.push({ name: 'node -e 0 with NODE_EXTRA_CA_CERTS as set here', input: cencProg, cmd: process.execPath, args: ['-e', '0'], env: { NODE_EXTRA_CA_CERTS: EXTRA_CA } });
}
commands.push({ name: 'cp (I/O ceiling)', input: cencProg, cmd: 'cp', args: [cencProg, out] });

const load0 = loadavg();
const busy0 = busiest();
console.log(`\nemekit decrypt benchmark on Node ${process.version} (${process.execPath}, which the node rows run): ${commands.length} commands × ${RUNS} rounds, round-robin…`);
const results: Result[] = commands.map((c) => ({ c, seconds: [], rssMb: [] }));
for (let round = 0; round < RUNS; round++) {
  // A new order each round, so that nothing periodic on the machine keeps hitting the same command.
  const order = [...results].sort(() => Math.random() - 0.5);
  for (const r of order) {
    const o = runOnce(r.c);
    r.seconds.push(o.seconds);
    if (o.rssMb !== undefined) r.rssMb.push(o.rssMb);
  }
}
rmSync(out, { force: true });
const load1 = loadavg();
const busy1 = busiest();

const mbps = (r: Result, s: number) => size(r.c.input) / 1e6 / s;
const best = (r: Result) => mbps(r, Math.min(...r.seconds));
const cp = results.find((r) => r.c.cmd === 'cp')!;
const cpBest = best(cp);
const ffmpegFor = (r: Result) => results.find((f) => f.c.ffmpeg && f.c.scheme === r.c.scheme && f.c.layout === r.c.layout);

console.log(`\ninput ≈ ${(size(cencProg) / 1e6).toFixed(0)} MB per file (${SECONDS} s of 720p video + AAC), page cache warm, output deleted before each run`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${process.platform} ${process.arch}, node ${process.version}`);
console.log(`load average (1/5/15 min): ${load0.map((v) => v.toFixed(2)).join(' / ')} before, ${load1.map((v) => v.toFixed(2)).join(' / ')} after`);
console.log(`other busy processes: before: ${busy0}; after: ${busy1}`);
console.log(`peak RSS: ${TIME ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS (node commands only; install Debian package `time` for all)'}`);
console.log(`environment: node rows run without NODE_EXTRA_CA_CERTS${EXTRA_CA ? ` (set here to ${EXTRA_CA}; see the last node -e 0 row for its cost)` : ' (not set here)'}\n`);
console.log('| command | MB/s best | MB/s median | peak RSS MB (max) | best vs cp | best vs ffmpeg |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  const b = best(r);
  const med = mbps(r, median(r.seconds));
  const rss = r.rssMb.length ? Math.max(...r.rssMb).toFixed(0) : '?';
  const ff = ffmpegFor(r);
  const vsFf = ff && ff !== r ? `${(b / best(ff)).toFixed(2)}×` : '–';
  console.log(`| ${r.c.name} | ${b.toFixed(0)} | ${med.toFixed(0)} | ${rss} | ${(b / cpBest).toFixed(2)}× | ${vsFf} |`);
}
for (const [c, dec] of [['aes-128-ctr', false], ['aes-128-cbc', true], ['aes-128-ecb', true]] as const) {
  const v = have('openssl', 'version') ? opensslSpeed(c, dec) : undefined;
  console.log(`| openssl speed -evp ${c}${dec ? ' -decrypt' : ''} (16 KB calls, in memory, AES ceiling) | ${v?.toFixed(0) ?? '?'} | – | – | ${v ? `${(v / cpBest).toFixed(2)}×` : '–'} | – |`);
}
