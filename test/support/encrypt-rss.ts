// Child process of test/media/encrypt-memory.test.ts: encrypts IN to OUT with encryptMedia (IN a path, or read as a
// stream with `stream`) and prints its peak resident memory. `drain` only reads IN as the same stream, with emekit
// loaded: the baseline that the stream's own chunks (garbage V8 collects late) cost any consumer.
//   node --import tsx test/support/encrypt-rss.ts IN OUT progressive|fragmented file|stream|drain SCHEME
import { createReadStream } from 'node:fs';
import { encryptMedia } from '../../src/media/protect/encrypt.js';

const [input, output, layout, how, scheme] = process.argv.slice(2) as [string, string, 'progressive' | 'fragmented', 'file' | 'stream' | 'drain', 'cenc' | 'cbcs'];
const keys = { keyId: Buffer.alloc(16, 1), key: Buffer.alloc(16, 2) };
let bytesRead = 0;
let bytesWritten = 0;
if (how === 'drain') for await (const chunk of createReadStream(input)) bytesRead += (chunk as Buffer).length;
else bytesWritten = (await encryptMedia(how === 'stream' ? createReadStream(input) : input, output, { scheme, keys, layout })).bytesWritten;
process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, bytesRead, bytesWritten }));
