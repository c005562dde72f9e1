// Decryption throughput and memory, whole process, against ffmpeg, cp and openssl's AES ceiling. Printed, never asserted.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encryptMp4 } from '../test/support/encrypt.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.cache/bench');
const KID = 'eb676abbcb345e96bbcf616630f1a3da';
const KEY = '100b6c20940f779a4589152b57d2dacb';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
mkdirSync(dir, { recursive: true });

function have(cmd: string): boolean {
  return spawnSync(cmd, ['-version']).error === undefined;
}

function build(): void {
  const clearProg = join(dir, 'clear_prog.mp4');
  if (!existsSync(clearProg)) {
    console.log(`building a ~200 MB clear source (${SECONDS} s of noisy 720p at 26 Mb/s) with ffmpeg…`);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(SECONDS), '-vf', 'noise=alls=25:allf=t,format=yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '26M', '-maxrate', '26M', '-bufsize', '26M', '-g', '60',
      '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', clearProg]);
  }
  const clearFrag = join(dir, 'clear_frag.mp4');
  if (!existsSync(clearFrag)) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', clearProg, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', clearFrag]);
  }
  const key = Buffer.from(KEY, 'hex');
  const kid = Buffer.from(KID, 'hex');
  for (const layout of ['prog', 'frag']) {
    for (const scheme of ['cenc', 'cbcs'] as const) {
      const out = join(dir, `${scheme}_${layout}.mp4`);
      if (existsSync(out)) continue;
      console.log(`encrypting ${out}…`);
      const src = readFileSync(layout === 'prog' ? clearProg : clearFrag);
      const opts = scheme === 'cenc'
        ? { scheme, key, kid, ivSize: 8 as const, firstIv: Buffer.from('0a610676cb88f302', 'hex') }
        : { scheme, key, kid, ivSize: 0 as const, constantIv: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') };
      writeFileSync(out, encryptMp4(src, opts));
    }
  }
  if (!existsSync(join(root, 'dist/media/index.js')) || statSync(join(root, 'dist/media/index.js')).mtimeMs < statSync(join(root, 'src/media/decrypt.ts')).mtimeMs) {
    console.log('building dist/ (npm run build)…');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
}

interface Row {
  name: string;
  mbps: number;
  rssMb: number | undefined;
  seconds: number;
}

function timed(name: string, bytes: number, cmd: string, args: string[]): Row {
  const best = { seconds: Infinity, rssMb: undefined as number | undefined };
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr.slice(-2000)}`);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    if (seconds < best.seconds) {
      best.seconds = seconds;
      best.rssMb = rss ? Number(rss[1]) / 1024 : undefined;
    }
  }
  return { name, seconds: best.seconds, mbps: bytes / 1e6 / best.seconds, rssMb: best.rssMb };
}

function opensslSpeed(cipher: string): number | undefined {
  const r = spawnSync('openssl', ['speed', '-seconds', '2', '-bytes', '16384', '-evp', cipher], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith(cipher) || l.startsWith(cipher.toUpperCase()));
  const k = line?.trim().split(/\s+/).at(-1);
  return k ? (parseFloat(k) * 1000) / 1e6 : undefined;
}

build();
const out = join(dir, 'out.mp4');
const rows: Row[] = [];
const size = (f: string) => statSync(join(dir, f)).size;
const runner = join(root, 'bench/support/run-decrypt.mjs');
for (const f of ['cenc_prog.mp4', 'cbcs_prog.mp4', 'cenc_frag.mp4', 'cbcs_frag.mp4']) {
  rows.push(timed(`emekit ${f}`, size(f), process.execPath, [runner, join(dir, f), out, `${KID}:${KEY}`]));
}
if (have('ffmpeg')) {
  for (const f of ['cenc_prog.mp4', 'cbcs_prog.mp4']) {
    rows.push(timed(`ffmpeg -c copy ${f}`, size(f), 'ffmpeg', ['-v', 'error', '-y', '-decryption_key', KEY, '-i', join(dir, f), '-map', '0', '-c', 'copy', out]));
  }
}
rows.push(timed('cp cenc_prog.mp4 (I/O ceiling)', size('cenc_prog.mp4'), 'cp', [join(dir, 'cenc_prog.mp4'), out]));
rmSync(out, { force: true });

const cp = rows.at(-1)!.mbps;
console.log(`\ninput ≈ ${(size('cenc_prog.mp4') / 1e6).toFixed(0)} MB, best of 3, page cache warm, ${process.platform} ${process.arch}, node ${process.version}\n`);
console.log('| run | MB/s | peak RSS MB | vs cp |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.mbps.toFixed(0)} | ${r.rssMb?.toFixed(0) ?? '?'} | ${(r.mbps / cp).toFixed(2)} |`);
for (const c of ['aes-128-ctr', 'aes-128-cbc']) {
  const v = opensslSpeed(c);
  console.log(`| openssl speed -evp ${c} (16 KB blocks, AES ceiling) | ${v?.toFixed(0) ?? '?'} | – | – |`);
}
