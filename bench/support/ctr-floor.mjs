// The floor for any Node program that decrypts through node:crypto here: read 1 MiB, AES-CTR it in 64 KB
// calls written back in place, write it, with the same memory reuse the CLI gets (minor GC every 4 MiB,
// glibc thresholds primed) and blocking I/O. No MP4 parsing, one cipher per MiB, nothing checked.
// node bench/support/ctr-floor.mjs IN OUT
import { createDecipheriv } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
const { minorGcReclaimer } = await import('../../dist/media/reclaim.js');
const reclaim = minorGcReclaimer();
const src = openSync(input, 'r');
const dst = openSync(output, 'w');
const size = fstatSync(src).size;
const buf = Buffer.allocUnsafeSlow(1 << 20);
const key = Buffer.alloc(16, 1);
const iv = Buffer.alloc(16, 2);
let produced = 0;
for (let at = 0; at < size; at += buf.length) {
  const n = readSync(src, buf, 0, buf.length, at);
  const d = createDecipheriv('aes-128-ctr', key, iv);
  for (let o = 0; o < n; o += 65536) d.update(buf.subarray(o, Math.min(n, o + 65536))).copy(buf, o);
  produced += n;
  if (produced >= 4 << 20 && reclaim) {
    produced = 0;
    reclaim();
  }
  writeSync(dst, buf, 0, n, at);
}
closeSync(src);
closeSync(dst);
if (process.env.BENCH_RSS_FD) process.stderr.write(`maxrss-kb ${process.resourceUsage().maxRSS}\n`);
