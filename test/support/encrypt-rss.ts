// Child process of test/media/encrypt-memory.test.ts: encrypts IN to OUT with encryptMedia (IN a path, or read as a
// stream with `stream`) and prints its peak resident memory.
//   node --import tsx test/support/encrypt-rss.ts IN OUT progressive|fragmented file|stream SCHEME
import { createReadStream } from 'node:fs';
import { encryptMedia } from '../../src/media/encrypt.js';

const [input, output, layout, how, scheme] = process.argv.slice(2) as [string, string, 'progressive' | 'fragmented', 'file' | 'stream', 'cenc' | 'cbcs'];
const keys = { keyId: Buffer.alloc(16, 1), key: Buffer.alloc(16, 2) };
const report = await encryptMedia(how === 'stream' ? createReadStream(input) : input, output, { scheme, keys, layout });
process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, bytesWritten: report.bytesWritten }));
