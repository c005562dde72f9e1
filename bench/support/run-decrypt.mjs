// Whole-process library runner for the benchmark:
//   node bench/support/run-decrypt.mjs [--no-verify] [--tuned] IN OUT KID:KEY...
// --tuned adds what a program that owns its process may set (the CLI's settings): enableArrayBufferTransfer()
// and blockingIo.
// It imports emekit/media as users do (the bundle in dist/lib); BENCH_DIST=/path/to/dist/media/index.js runs
// another build (e.g. a baseline) instead.
const args = process.argv.slice(2);
const flags = new Set();
while (args[0]?.startsWith('--')) flags.add(args.shift());
const [input, output, ...pairs] = args;
const media = await import(process.env.BENCH_DIST ?? 'emekit/media');
const keys = new Map(pairs.map((p) => p.split(':')).map(([k, v]) => [k, Buffer.from(v, 'hex')]));
if (flags.has('--tuned')) media.enableArrayBufferTransfer();
const tuned = flags.has('--tuned') ? { blockingIo: true } : {};
await media.decryptMedia(input, output, { verify: !flags.has('--no-verify'), ...tuned, keys: (kid) => keys.get(Buffer.from(kid).toString('hex')) });
if (process.env.BENCH_RSS_FD) process.stderr.write(`maxrss-kb ${process.resourceUsage().maxRSS}\n`);
