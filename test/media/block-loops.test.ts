// The WebAssembly block loops and the memory they run on: the committed binary is its source assembled;
// buffers are handed out only within the fixed memory; CBC gathering picks exactly the blocks a pattern
// says; CTR counters and keystream XOR match a plain JavaScript statement of CENC's rules. (Whole samples
// through these paths are compared with the per-sample reference in batch-cipher.test.ts.)
import { createDecipheriv, createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockMemory } from '../../src/media/cenc/block-memory.js';
import { CbcWindow } from '../../src/media/cenc/cbc-window.js';
import { ctrPatternBytes, forEachCtrRange } from '../../src/media/cenc/ctr-keystream.js';
import type { SampleCrypto } from '../../src/media/boxes/job.js';
import { blocksWasm } from '../../src/media/cenc/wasm/blocks-wasm.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { assemble, moduleSource, wasmDir } from '../../scripts/assemble-wasm.mjs';

const assembleWat = assemble as (path: string) => Promise<Buffer>;
const sourceFor = moduleSource as (name: string, binary: Buffer) => string;

function memory(reserved: number, buffers: number): BlockMemory {
  const mem = BlockMemory.create(reserved, buffers);
  if (!mem) throw new Error('no WebAssembly here');
  return mem;
}

describe('the block loops module', () => {
  it('is the binary assembled from wasm/blocks.wat (run `npm run wasm` after editing it)', async () => {
    const binary = await assembleWat(join(wasmDir as string, 'blocks.wat'));
    expect(blocksWasm.equals(binary)).toBe(true);
    expect(readFileSync(join(wasmDir as string, 'blocks-wasm.ts'), 'utf8')).toBe(sourceFor('blocks', binary));
  });
});

describe('BlockMemory', () => {
  it('reserves working areas, then hands out 16-byte aligned buffers until its room is used up', () => {
    const mem = memory(1000, 100_000);
    const area = mem.reserve(1000);
    expect(area).toBe(0);
    expect(() => mem.reserve(16)).toThrow(/reserved/);
    const a = mem.allocate(40_000)!;
    const b = mem.allocate(40_001)!;
    expect(mem.holds(a) && mem.holds(b)).toBe(true);
    expect(a.byteOffset).toBeGreaterThanOrEqual(1000);
    expect(a.byteOffset % 16).toBe(0);
    expect(b.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.length);
    // The memory is whole 64 KB pages, so up to a page more may fit, but never past its end.
    let more = 0;
    for (let c = mem.allocate(10_000); c; c = mem.allocate(10_000)) {
      more++;
      expect(c.byteOffset + c.length).toBeLessThanOrEqual(c.buffer.byteLength);
    }
    expect(1008 + 80_016 + more * 10_000).toBeLessThanOrEqual(101_000 + 65_536);
    expect(mem.allocate(0)).toBeUndefined();
    expect(mem.holds(Buffer.alloc(16))).toBe(false);
    // Buffers stay valid: the memory never grows.
    a.fill(7);
    expect(a[39_999]).toBe(7);
  });
});

describe('BlockMemory.recycle', () => {
  it('hands a small memory back out zeroed, to one taker at a time, and lets a large one go', () => {
    const mem = memory(1000, 50_000);
    mem.reserve(1000);
    mem.allocate(50_000)!.fill(0xab);
    mem.recycle();
    const again = memory(1000, 20_000);
    expect(again).toBe(mem);
    // Nothing one decryption left (keystream, plaintext) reaches the next, and its room is whole again.
    expect(again.bytes.every((b) => b === 0)).toBe(true);
    expect(again.reserve(1000)).toBe(0);
    expect(again.allocate(50_000)).toBeDefined();
    // Taken: the next one asked for is another memory.
    expect(memory(1000, 20_000)).not.toBe(mem);
    // Needs more room than it has: not reused.
    again.recycle();
    expect(memory(1000, 500_000)).not.toBe(mem);
    expect(memory(1000, 10)).toBe(mem);
    const large = memory(1000, 4 * 1024 * 1024);
    large.recycle();
    expect(memory(1000, 4 * 1024 * 1024)).not.toBe(large);
  });
});

describe('CbcWindow', () => {
  it('deciphers exactly the crypt blocks of a pattern, leaving skipped blocks and the tail alone', () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const mem = memory(CbcWindow.reservedBytes, 4096);
    const w = new CbcWindow(mem);
    const buf = mem.allocate(4096)!;
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
    const mem = memory(CbcWindow.reservedBytes, 4096);
    const w = new CbcWindow(mem);
    const buf = mem.allocate(4096)!;
    expect(w.gatherRange(buf, 0, 4096, 0, 9, randomBytes(16))).toBe(false);
    expect(w.gatherRange(buf, 0, 15, 0, 0, randomBytes(16))).toBe(false);
  });
});

describe('CTR loops', () => {
  /** CENC's counter block k for an IV: high 8 bytes kept, low 8 bytes + k modulo 2^64. */
  function counterBlock(iv: Buffer, k: number): Buffer {
    const out = Buffer.from(iv);
    out.writeBigUInt64BE((iv.readBigUInt64BE(8) + BigInt(k)) & 0xffffffffffffffffn, 8);
    return out;
  }

  it('writes counter blocks that wrap the low 64 bits without carrying into the high half', () => {
    const mem = memory(4096, 0);
    const ivAt = mem.reserve(16);
    const dst = mem.reserve(16 * 40);
    for (const iv of [randomBytes(16), Buffer.from('0123456789abcdeffffffffffffffff0', 'hex'), Buffer.from('00000000000000000000000000000000', 'hex'), Buffer.from('ffffffffffffffff00000000fffffffe', 'hex')]) {
      mem.bytes.set(iv, ivAt);
      mem.loops.counters(dst, 40, ivAt);
      const want = Buffer.concat(Array.from({ length: 40 }, (_, k) => counterBlock(iv, k)));
      expect(Buffer.from(mem.view(dst, 16 * 40)).equals(want)).toBe(true);
    }
  });

  it('ctrPatternBytes is the length of the keystream forEachCtrRange walks, for any length and pattern', () => {
    fc.assert(
      fc.property(fc.nat(5000), fc.nat(15), fc.nat(15), (len, crypt, skip) => {
        const c = { cryptBlocks: crypt, skipBlocks: skip, subsamples: undefined } as unknown as SampleCrypto;
        let walked = 0;
        forEachCtrRange(0, len, c, (_p, n) => {
          walked += n;
        });
        expect(ctrPatternBytes(len, crypt, skip)).toBe(walked);
      }),
      { numRuns: 2000 },
    );
  });

  it('XORs the keystream into a range exactly where forEachCtrRange says, patterns and tails included', () => {
    const mem = memory(0, 64 * 1024);
    const area = mem.allocate(64 * 1024)!;
    fc.assert(
      fc.property(fc.nat(3000), fc.nat(9), fc.nat(9), fc.nat(20), (len, crypt, skip, at) => {
        const data = randomBytes(len);
        const ks = randomBytes(len + 16);
        const c = { cryptBlocks: crypt, skipBlocks: skip, subsamples: undefined } as unknown as SampleCrypto;
        // The reference: the keystream runs on over the ranges forEachCtrRange visits.
        const want = Buffer.from(data);
        let t = 0;
        forEachCtrRange(0, len, c, (p, n) => {
          for (let i = 0; i < n; i++) want[p + i] = want[p + i]! ^ ks[t + i]!;
          t += n;
        });
        const dataAt = 32 + at;
        const ksAt = 32 * 1024;
        area.set(data, dataAt);
        area.set(ks, ksAt);
        const base = area.byteOffset;
        const end = mem.loops.xorRange(base + dataAt, base + dataAt + len, crypt, skip, base + ksAt);
        expect(Buffer.from(area.subarray(dataAt, dataAt + len)).equals(want)).toBe(true);
        expect(end - (base + ksAt)).toBe(t);
      }),
      { numRuns: 300 },
    );
  });
});
