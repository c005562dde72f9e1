// The I/O floor of a Node process: the same file copied with 1 MiB positional reads and writes, nothing else.
import { open } from 'node:fs/promises';

const [input, output] = process.argv.slice(2);
const src = await open(input, 'r');
const dst = await open(output, 'w');
const buf = Buffer.allocUnsafeSlow(1 << 20);
for (let pos = 0; ; ) {
  const { bytesRead } = await src.read(buf, 0, buf.length, pos);
  if (bytesRead === 0) break;
  await dst.write(buf, 0, bytesRead, pos);
  pos += bytesRead;
}
await Promise.all([src.close(), dst.close()]);
if (process.env.BENCH_RSS_FD) process.stderr.write(`maxrss-kb ${process.resourceUsage().maxRSS}\n`);
