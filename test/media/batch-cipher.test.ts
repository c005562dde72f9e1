// The batched decryptor (CTR per sample with gathered short pieces, short CTR samples through one AES-ECB
// keystream call, CBC via one AES-ECB call per 64 KB window with the chaining applied in WebAssembly) against
// the straightforward per-sample reference, on buffers in the decryptor's own memory and elsewhere; and the file
// path end to end with small slabs, read ahead through the thread pool or read and written with blocking calls.
import { createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cryptSample, SampleCipher } from '../../src/media/cenc/cipher.js';
import { dropCryptoOutput } from '../../src/media/cenc/crypto-output.js';
import { decryptMedia, enableArrayBufferTransfer, MediaError } from '../../src/media/index.js';
import type { SampleCrypto } from '../../src/media/boxes/job.js';
import type { Scheme } from '../../src/media/boxes/protection.js';
import { encryptMp4 } from '../support/encrypt.js';
import { defaultKeys, KEYS, readFixture } from '../support/fixtures.js';
import { sampleDiff } from '../support/mp4.js';

const tmp = mkdtempSync(join(tmpdir(), 'emekit-batch-'));
// Every decryption in this file frees cipher results as it goes (as the CLI does), so a result dropped
// while still needed would show as wrong bytes; the other media tests run without it.
const transferOn = enableArrayBufferTransfer();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Sample {
  off: number;
  size: number;
  c: SampleCrypto;
  key: Buffer;
}

function crypto(scheme: Scheme, iv: Buffer, subsamples: number[] | undefined, crypt = 0, skip = 0): SampleCrypto {
  const patterned = scheme === 'cbcs' || scheme === 'cens';
  return {
    scheme,
    keyId: Buffer.alloc(16, 1),
    iv,
    subsamples: subsamples ? Uint32Array.from(subsamples) : undefined,
    cryptBlocks: patterned ? crypt : 0,
    skipBlocks: patterned ? skip : 0,
    nalLengthSize: undefined,
  };
}

/**
 * Encrypts the samples of a random plaintext with the reference, decrypts them all in one batch, and compares;
 * then encrypts the plaintext in one batch and compares with the reference's ciphertext: each once in a buffer
 * of the batch's own memory (CBC windows gathered there), once in an ordinary buffer (CBC samples one by one).
 */
function roundTrip(total: number, samples: Sample[], flushEvery = Infinity): void {
  const plain = randomBytes(total);
  const enc = Buffer.from(plain);
  for (const s of samples) cryptSample(enc, s.off, s.size, s.c, s.key, 'encrypt', () => 'test');
  // The reference decryption gives back the plaintext (sanity of the test itself).
  const ref = Buffer.from(enc);
  for (const s of samples) cryptSample(ref, s.off, s.size, s.c, s.key, 'decrypt', () => 'test');
  expect(ref.equals(plain)).toBe(true);
  batch('decrypt', total, samples, enc, plain, flushEvery);
  batch('encrypt', total, samples, plain, enc, flushEvery);
}

/** Runs every sample of `from` through a SampleCipher in one batch (flushed every `flushEvery` samples) and expects `to`. */
function batch(direction: 'decrypt' | 'encrypt', total: number, samples: Sample[], from: Buffer, to: Buffer, flushEvery: number): void {
  const d = new SampleCipher(direction, total);
  const own = d.allocate(total);
  if (own === undefined) throw new Error('the batch has no memory of its own');
  for (const [name, work] of [['its own memory', own], ['an ordinary buffer', Buffer.allocUnsafe(total)]] as const) {
    work.set(from);
    samples.forEach((s, i) => {
      d.add(work, s.off, s.size, s.c, s.key, () => 'test');
      if ((i + 1) % flushEvery === 0) d.flush();
    });
    d.flush();
    if (!work.equals(to)) {
      const bad = samples.findIndex((s) => !work.subarray(s.off, s.off + s.size).equals(to.subarray(s.off, s.off + s.size)));
      throw new Error(`${direction}ing in ${name}: sample ${bad} (${JSON.stringify({ ...samples[bad], key: undefined, c: { ...samples[bad]!.c, keyId: undefined } })}) differs`);
    }
  }
}

/** Lays samples out back to back at odd offsets (so 32-bit accesses are unaligned too). */
function layout(specs: { size: number; c: SampleCrypto; key?: Buffer }[], key: Buffer): { total: number; samples: Sample[] } {
  let off = 3;
  const samples = specs.map((s) => {
    const r = { off, size: s.size, c: s.c, key: s.key ?? key };
    off += s.size + 5;
    return r;
  });
  return { total: off + 7, samples };
}

const KEY = Buffer.from(KEYS.video.key, 'hex');
const KEY2 = Buffer.from(KEYS.audio.key, 'hex');
const iv16 = (hex: string) => Buffer.from(hex.padStart(32, '0'), 'hex');

describe('batched sample decryption and encryption match the per-sample reference', () => {
  it('cbcs 1:9 restarts the chain at every subsample, across samples and 64 KB windows', () => {
    const iv = randomBytes(16);
    const specs = Array.from({ length: 40 }, (_, i) => ({
      size: 30_000 + i * 997,
      c: crypto('cbcs', iv, [5, 4_000 + i * 16 + 7, 33, 9_000 + i, 100, 10_000 + 3 * i], 1, 9),
    }));
    const { total, samples } = layout(specs, KEY);
    roundTrip(total, samples);
  });

  it('cbcs whole-block ranges (0:0 pattern) longer than a window carry the chain into the next window', () => {
    const iv = randomBytes(16);
    const specs = [
      { size: 200_000, c: crypto('cbcs', iv, undefined, 0, 0) },
      { size: 150_013, c: crypto('cbcs', iv, [17, 140_000, 13, 9_983], 0, 0) },
      { size: 333, c: crypto('cbcs', randomBytes(16), undefined, 0, 0) },
      { size: 70_001, c: crypto('cbcs', iv, [0, 70_001], 10, 0) },
    ];
    const { total, samples } = layout(specs, KEY);
    roundTrip(total, samples);
  });

  it('cbc1 chains across the subsamples of a sample and leaves partial blocks clear', () => {
    const specs = Array.from({ length: 12 }, (_, i) => ({
      size: 20_000 + i * 4_099,
      c: crypto('cbc1', randomBytes(16), [7, 5_000 + i, 11, 8_191, 0, 17 + i]),
    }));
    const { total, samples } = layout(specs, KEY);
    roundTrip(total, samples);
  });

  it('switches keys between samples of one batch', () => {
    const specs = Array.from({ length: 9 }, (_, i) => ({
      size: 5_000 + i,
      c: crypto(i % 2 ? 'cbcs' : 'cbc1', randomBytes(16), [3, 4_000 + 16 * i], 1, 9),
      key: i % 3 ? KEY : KEY2,
    }));
    const { total, samples } = layout(specs, KEY);
    roundTrip(total, samples, 4);
  });

  it('cenc: long ranges in place, short ones gathered, sizes that are not multiples of 16', () => {
    const specs = Array.from({ length: 30 }, (_, i) => ({
      size: i % 3 === 0 ? 300 + i : 90_000 + i * 13,
      c: crypto('cenc', i % 2 ? iv16(`${(i + 1).toString(16)}0000000000000000`) : randomBytes(16), i % 3 === 0 ? undefined : [5, 100 + i, 7, 1_023, 2, 70_000 + i, 1, 17]),
    }));
    const { total, samples } = layout(specs, KEY);
    roundTrip(total, samples);
  });

  it('cenc: the 64-bit block counter wraps to zero without carrying, with 16-byte IVs', () => {
    const specs = [
      { size: 5_000, c: crypto('cenc', iv16('0123456789abcdef' + 'fffffffffffffff0'), undefined) },
      { size: 100_000, c: crypto('cenc', iv16('0123456789abcdef' + 'ffffffffffffff00'), [3, 60_000, 5, 39_992]) },
      { size: 100, c: crypto('cenc', iv16('0123456789abcdef' + 'ffffffffffffffff'), undefined) },
      { size: 40_000, c: crypto('cenc', iv16('0123456789abcdef' + 'fffffffeffffffff'), undefined) },
    ];
    const { total, samples } = layout(specs, KEY);
    roundTrip(total, samples);
  });

  it('cens patterns, including a partial block at the end of a range and a counter wrap', () => {
    const specs = [
      { size: 50_000, c: crypto('cens', randomBytes(16), [10, 20_007, 3, 29_980], 1, 9) },
      { size: 9_999, c: crypto('cens', randomBytes(16), [0, 9_999], 2, 3) },
      { size: 70_000, c: crypto('cens', randomBytes(16), undefined, 5, 5) },
      { size: 48_000, c: crypto('cens', iv16('00' + 'ffffffffffffffe0'), [0, 48_000], 1, 1) },
      { size: 4_107, c: crypto('cens', randomBytes(16), [11, 4_096], 0, 0) },
    ];
    const { total, samples } = layout(specs, KEY);
    roundTrip(total, samples);
  });

  it('random layouts, patterns and IVs for all four schemes', () => {
    const schemes: Scheme[] = ['cenc', 'cbc1', 'cens', 'cbcs'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            scheme: fc.constantFrom(...schemes),
            parts: fc.array(fc.tuple(fc.nat(300), fc.nat(20_000)), { minLength: 0, maxLength: 6 }),
            tail: fc.nat(40),
            crypt: fc.nat(9),
            skip: fc.nat(9),
            wrapIv: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 5 }),
        (specs, flushEvery) => {
          const built = specs.map((s) => {
            const flat = s.parts.flat();
            const size = flat.reduce((a, b) => a + b, 0) + s.tail;
            const iv = s.wrapIv ? iv16('77' + 'fffffffffffffffa') : randomBytes(16);
            return { size, c: crypto(s.scheme, iv, flat.length ? flat : undefined, s.crypt, s.skip) };
          });
          const { total, samples } = layout(built, KEY);
          roundTrip(total, samples, flushEvery);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('dropping node:crypto results once copied', () => {
  it('detaches a buffer that owns its whole ArrayBuffer, and nothing that shares memory', () => {
    expect(transferOn).toBe(true);
    const own = createDecipheriv('aes-128-ctr', KEY, randomBytes(16)).update(randomBytes(1000));
    expect(own.buffer.byteLength).toBe(1000);
    dropCryptoOutput(own);
    expect(own.buffer.byteLength).toBe(0);
    const big = Buffer.allocUnsafeSlow(64);
    const view = big.subarray(16);
    dropCryptoOutput(view);
    expect(big.buffer.byteLength).toBe(64);
    const pooled = Buffer.from('pooled');
    dropCryptoOutput(pooled);
    expect(pooled.toString()).toBe('pooled');
    const shared = Buffer.from(new SharedArrayBuffer(32));
    dropCryptoOutput(shared);
    expect(shared.length).toBe(32);
  });
});

describe('blocking file I/O', () => {
  // Over 4 MiB of samples: the fragments of clear_frag.mp4 repeated after its moov.
  const frag = readFixture('clear_frag.mp4');
  let firstMoof = 0;
  while (frag.toString('latin1', firstMoof + 4, firstMoof + 8) !== 'moof') firstMoof += frag.readUInt32BE(firstMoof);
  const clearBig = Buffer.concat([frag.subarray(0, firstMoof), ...Array.from({ length: 24 }, () => frag.subarray(firstMoof))]);
  const input = join(tmp, 'big-cenc.mp4');
  writeFileSync(input, encryptMp4(clearBig, { scheme: 'cenc', key: KEY, kid: Buffer.from(KEYS.video.kid, 'hex'), ivSize: 8, firstIv: randomBytes(8) }));

  it('lets the event loop turn between pieces: an abort scheduled mid-way stops it and removes the output', async () => {
    const ac = new AbortController();
    let scheduled = false;
    const out = join(tmp, 'aborted.mp4');
    const err = await decryptMedia(input, out, {
      keys: defaultKeys,
      blockingIo: true,
      chunkSize: 64 * 1024,
      signal: ac.signal,
      // Only a turn of the event loop can run this once decryption is under way.
      onProgress: (read) => {
        if (!scheduled && read > 1 << 20) {
          scheduled = true;
          setImmediate(() => ac.abort());
        }
      },
    }).catch((e: unknown) => e);
    expect(scheduled).toBe(true);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('aborted');
    expect(existsSync(out)).toBe(false);
  });

  it('hands a Writable that keeps every buffer it gets copies, not slabs that are reused (cenc and cbcs)', async () => {
    const cbcsInput = join(tmp, 'big-cbcs.mp4');
    writeFileSync(cbcsInput, encryptMp4(clearBig, { scheme: 'cbcs', key: KEY, kid: Buffer.from(KEYS.video.kid, 'hex'), ivSize: 0, constantIv: randomBytes(16) }));
    for (const file of [input, cbcsInput]) {
      const kept: Buffer[] = [];
      const keeper = new Writable({
        write(chunk: Buffer, _encoding, done) {
          kept.push(chunk);
          done();
        },
      });
      // 64 KB slabs: the ring's six are reused many times over while the Writable holds on to everything.
      await decryptMedia(file, keeper, { keys: defaultKeys, chunkSize: 64 * 1024 });
      const out = Buffer.concat(kept);
      expect(kept.length).toBeGreaterThan(20);
      expect(sampleDiff(clearBig, out, 1)).toEqual([]);
    }
  });

  it('writes the same file as pooled I/O', async () => {
    const a = join(tmp, 'big-blocking.mp4');
    const b = join(tmp, 'big-pooled.mp4');
    await decryptMedia(input, a, { keys: defaultKeys, blockingIo: true });
    await decryptMedia(input, b, { keys: defaultKeys });
    const out = readFileSync(a);
    expect(out.equals(readFileSync(b))).toBe(true);
    expect(sampleDiff(clearBig, out, 1)).toEqual([]);
  });
});

describe('file decryption with small slabs', () => {
  const clear = readFixture('clear_prog.mp4');
  const clearFrag = readFixture('clear_frag.mp4');
  const key = Buffer.from(KEYS.video.key, 'hex');
  const kid = Buffer.from(KEYS.video.kid, 'hex');
  for (const scheme of ['cenc', 'cbcs', 'cens', 'cbc1'] as const) {
    for (const [layoutName, src] of [['prog', clear], ['frag', clearFrag]] as const) {
      it(`${scheme} ${layoutName}: pieces of whole samples in small slabs, pooled or blocking I/O, decrypt exactly`, async () => {
        const opts =
          scheme === 'cenc' || scheme === 'cens'
            ? { scheme, key, kid, ivSize: 16 as const, firstIv: Buffer.from('0a610676cb88f302fffffffffffffff0', 'hex') }
            : { scheme, key, kid, ivSize: 0 as const, constantIv: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') };
        const input = join(tmp, `${scheme}_${layoutName}.mp4`);
        writeFileSync(input, encryptMp4(src, opts));
        for (const [chunkSize, blockingIo] of [[64 * 1024, false], [100_003, false], [64 * 1024, true], [100_003, true]] as const) {
          const out = join(tmp, `${scheme}_${layoutName}_${chunkSize}_${blockingIo}.out.mp4`);
          const report = await decryptMedia(input, out, { keys: defaultKeys, chunkSize, blockingIo });
          expect(report.samplesDecrypted).toBeGreaterThan(0);
          const o = readFileSync(out);
          expect(sampleDiff(src, o, 1)).toEqual([]);
          expect(sampleDiff(src, o, 2)).toEqual([]);
        }
      });
    }
  }
});
