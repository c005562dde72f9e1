// The floor for any Node program that decrypts through node:crypto here: read 1 MiB, AES-CTR it in 64 KB
// calls written back in place, write it, with the same settings as the CLI (each cipher result freed once
// copied, blocking I/O). No MP4 parsing, one cipher per MiB, nothing checked.
// node bench/support/ctr-floor.mjs IN OUT
import { createDecipheriv } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
const { dropCryptoOutput, enableArrayBufferTransfer } = await import('../../dist/media/cenc/crypto-output.js');
enableArrayBufferTransfer();
const src = openSync(input, 'r');
const dst = openSync(output, 'w');
const size = fstatSync(src).size;
const buf = Buffer.allocUnsafeSlow(1 << 20);
const key = Buffer.alloc(16, 1);
const iv = Buffer.alloc(16, 2);
for (let at = 0; at < size; at += buf.length) {
  const n = readSync(src, buf, 0, buf.length, at);
  const d = createDecipheriv('aes-128-ctr', key, iv);
  for (let o = 0; o < n; o += 65536) {
    const out = d.update(buf.subarray(o, Math.min(n, o + 65536)));
    out.copy(buf, o);
    dropCryptoOutput(out);
  }
  writeSync(dst, buf, 0, n, at);
}
closeSync(src);
closeSync(dst);
if (process.env.BENCH_RSS_FD) process.stderr.write(`maxrss-kb ${process.resourceUsage().maxRSS}\n`);
