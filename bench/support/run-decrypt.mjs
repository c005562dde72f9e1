// Whole-process decrypt runner for the benchmark: node bench/support/run-decrypt.mjs [--no-verify] IN OUT KID:KEY...
// BENCH_DIST=/path/to/dist/media/index.js runs another build (e.g. a baseline) instead of this tree's dist/.
const args = process.argv.slice(2);
const verify = args[0] !== '--no-verify';
if (!verify) args.shift();
const [input, output, ...pairs] = args;
const { decryptMedia } = await import(process.env.BENCH_DIST ?? '../../dist/media/index.js');
const keys = new Map(pairs.map((p) => p.split(':')).map(([k, v]) => [k, Buffer.from(v, 'hex')]));
await decryptMedia(input, output, { verify, keys: (kid) => keys.get(Buffer.from(kid).toString('hex')) });
if (process.env.BENCH_RSS_FD) process.stderr.write(`maxrss-kb ${process.resourceUsage().maxRSS}\n`);
