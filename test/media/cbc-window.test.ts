// The WebAssembly CBC window: its committed binary is its source assembled, it hands out buffers only within
// its fixed memory, and gathering with a pattern picks exactly the blocks the pattern says (the deciphering
// itself is compared with the per-sample reference in batch-cipher.test.ts).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_BLOCKS, CbcWindow } from '../../src/media/cbc-window.js';
import { cbcWindowWasm } from '../../src/media/wasm/cbc-window-wasm.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { assemble, moduleSource, wasmDir } from '../../scripts/assemble-wasm.mjs';

const assembleWat = assemble as (path: string) => Promise<Buffer>;
const sourceFor = moduleSource as (name: string, binary: Buffer) => string;

describe('CbcWindow', () => {
  it('carries the binary assembled from wasm/cbc-window.wat (run `npm run wasm` after editing it)', async () => {
    const binary = await assembleWat(join(wasmDir as string, 'cbc-window.wat'));
    expect(cbcWindowWasm.equals(binary)).toBe(true);
    expect(readFileSync(join(wasmDir as string, 'cbc-window-wasm.ts'), 'utf8')).toBe(sourceFor('cbc-window', binary));
  });

  it('hands out 16-byte aligned buffers in its own memory until the room asked for is used up', () => {
    const w = CbcWindow.create(100_000)!;
    expect(w).toBeDefined();
    const a = w.allocate(40_000)!;
    const b = w.allocate(40_001)!;
    expect(w.holds(a) && w.holds(b)).toBe(true);
    expect(a.byteOffset % 16).toBe(0);
    expect(b.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.length);
    // The memory is whole 64 KB pages, so up to a page more may fit, but never past its end.
    let more = 0;
    for (let c = w.allocate(10_000); c; c = w.allocate(10_000)) {
      more++;
      expect(c.byteOffset + c.length).toBeLessThanOrEqual(c.buffer.byteLength);
    }
    expect(80_016 + more * 10_000).toBeLessThanOrEqual(100_000 + 65_536);
    expect(w.allocate(0)).toBeUndefined();
    expect(w.holds(Buffer.alloc(16))).toBe(false);
    // Buffers stay valid: the memory never grows.
    a.fill(7);
    expect(a[39_999]).toBe(7);
  });

  it('deciphers exactly the crypt blocks of a pattern, leaving skipped blocks and the tail alone', () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const w = CbcWindow.create(4096)!;
    const buf = w.allocate(4096)!;
    const plain = randomBytes(4096);
    buf.set(plain);
    // Range [5, 5 + 1000): pattern 2:3 → blocks 0,1, 5,6, 10,11, ... of the range; 1000 = 62 blocks + 8 bytes.
    const start = 5;
    const blocks: number[] = [];
    for (let b = 0; (b + 1) * 16 <= 1000; b++) if (b % 5 < 2) blocks.push(start + b * 16);
    const chain = Buffer.concat(blocks.map((p) => plain.subarray(p, p + 16)));
    const enc = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false).update(chain);
    blocks.forEach((p, i) => enc.copy(buf, p, i * 16, i * 16 + 16));
    const garbled = Buffer.from(buf);
    w.use(createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false));
    expect(w.gatherRange(buf, start, start + 1000, 2, 3, iv)).toBe(true);
    // Nothing is written back before the flush.
    expect(buf.equals(garbled)).toBe(true);
    w.flush();
    expect(buf.equals(plain)).toBe(true);
  });

  it('gathers nothing for a crypt count of zero or a range under one block, and never loops', () => {
    const w = CbcWindow.create(4096)!;
    const buf = w.allocate(4096)!;
    expect(w.gatherRange(buf, 0, 4096, 0, 9, randomBytes(16))).toBe(false);
    expect(w.gatherRange(buf, 0, 15, ALL_BLOCKS, 0, randomBytes(16))).toBe(false);
  });
});
