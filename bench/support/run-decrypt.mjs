// Whole-process decrypt runner for the benchmark: node bench/support/run-decrypt.mjs IN OUT KID:KEY...
import { decryptMedia } from '../../dist/media/index.js';

const [input, output, ...pairs] = process.argv.slice(2);
const keys = new Map(pairs.map((p) => p.split(':')).map(([k, v]) => [k, Buffer.from(v, 'hex')]));
await decryptMedia(input, output, { keys: (kid) => keys.get(Buffer.from(kid).toString('hex')) });
