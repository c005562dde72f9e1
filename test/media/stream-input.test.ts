// Issue 16 items 2 and 3: stream inputs in small chunks cost time linear in their length, and a top-level box
// shorter than 16 bytes does not lose inspectMedia/extractInitData their place in a stream.
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decryptMedia, extractInitData, inspectMedia } from '../../src/media/index.js';
import { defaultKeys, repoRoot } from '../support/fixtures.js';

const clearSample = join(repoRoot, 'samples/clear.mp4');
const protectedSample = join(repoRoot, 'samples/protected-cenc.mp4');

async function* chunks(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe('stream inputs', () => {
  it('a file with an 8-byte box (samples/clear.mp4 has a free box) inspects the same from a stream as from bytes', async () => {
    const bytes = readFileSync(clearSample);
    // The attack's finding: the box after ftyp is an 8-byte 'free'.
    expect(bytes.toString('latin1', 36, 40)).toBe('free');
    expect(bytes.readUInt32BE(32)).toBe(8);
    const fromBytes = await inspectMedia(bytes);
    expect(fromBytes.tracks.length).toBe(2);
    await expect(inspectMedia(createReadStream(clearSample))).resolves.toEqual(fromBytes);
    await expect(extractInitData(createReadStream(clearSample))).resolves.toEqual(await extractInitData(bytes));
    for (const size of [1, 7, 8, 9, 15, 16, 17]) await expect(inspectMedia(chunks(bytes, size))).resolves.toEqual(fromBytes);
  });

  it('a protected file with boxes of 8 and 12 bytes inserted between its top-level boxes: inspect, extract and decrypt agree with bytes', async () => {
    const original = readFileSync(protectedSample);
    const free8 = Buffer.from([0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65]);
    const skip12 = Buffer.from([0, 0, 0, 12, 0x73, 0x6b, 0x69, 0x70, 1, 2, 3, 4]);
    const parts: Buffer[] = [];
    for (let p = 0; p < original.length; ) {
      const size = original.readUInt32BE(p);
      const type = original.toString('latin1', p + 4, p + 8);
      // Not between a moof and its mdat: the moof's data offsets count from the moof.
      parts.push(original.subarray(p, p + size), ...(type === 'moof' ? [] : [p === 0 ? free8 : skip12]));
      p += size;
    }
    const bytes = Buffer.concat(parts);
    const info = await inspectMedia(bytes);
    expect(info.tracks.some((t) => t.protected)).toBe(true);
    await expect(inspectMedia(chunks(bytes, 5))).resolves.toEqual(info);
    const init = await extractInitData(bytes);
    expect(init.cenc.length).toBeGreaterThan(0);
    await expect(extractInitData(chunks(bytes, 3))).resolves.toEqual(init);
    const collect = (): [Writable, Buffer[]] => {
      const out: Buffer[] = [];
      return [new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }), out];
    };
    const [a, outA] = collect();
    const [b, outB] = collect();
    await decryptMedia(bytes, a, { keys: defaultKeys });
    await decryptMedia(chunks(bytes, 11), b, { keys: defaultKeys });
    expect(Buffer.concat(outB).equals(Buffer.concat(outA))).toBe(true);
  });

  it('a 400 KB box in 1-byte chunks costs time linear in its length (it took 94 s: one shift() per chunk)', async () => {
    const clear = readFileSync(clearSample);
    const free = Buffer.alloc(400 * 1024);
    free.writeUInt32BE(free.length);
    free.write('free', 4, 'latin1');
    const mdatEnd = 40 + clear.readUInt32BE(40);
    // ftyp, then the 400 KB box in place of the 8-byte free box and the mdat, then the moov.
    const input = Buffer.concat([clear.subarray(0, 32), free, clear.subarray(mdatEnd)]);
    const expected = await inspectMedia(input);

    // What merely iterating the same 1-byte chunks costs on this machine now: the bound is relative to it, so a
    // loaded machine does not fail the test while a quadratic queue (94 s) still does.
    let t = performance.now();
    let n = 0;
    for await (const c of chunks(input, 1)) n += c.length;
    const iterate = performance.now() - t;
    expect(n).toBe(input.length);

    t = performance.now();
    await expect(inspectMedia(chunks(input, 1))).resolves.toEqual(expected);
    const inspect = performance.now() - t;
    expect(inspect, `inspect ${inspect.toFixed(0)} ms, iterating ${iterate.toFixed(0)} ms`).toBeLessThan(10 * iterate + 500);
  });
});
