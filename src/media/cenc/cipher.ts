// The four Common Encryption schemes applied in place to one sample inside a larger buffer.
// Protected blocks are gathered into one contiguous buffer per sample so each sample costs one cipher call.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Cipher, Decipher } from 'node:crypto';
import { BlockMemory } from './block-memory.js';
import { CbcWindow, cbcEncryptorPerKey } from './cbc-window.js';
import { MediaError } from '../errors.js';
import { forEachProtectedRange } from '../boxes/job.js';
import type { SampleCrypto } from '../boxes/job.js';
import { ctrPatternBytes, CtrKeystreamBatch, forEachCtrRange } from './ctr-keystream.js';
import { CIPHER_CALL_BYTES as WINDOW, dropCryptoOutput, ecbPerKey, updateInto } from './crypto-output.js';

export type Direction = 'decrypt' | 'encrypt';

/** Pieces of the sample (absolute positions in buf) that go through the cipher, plus where each protected range starts in the gathered stream. */
interface Gather {
  pos: number[];
  len: number[];
  /** Gathered-stream offset of the first block of each protected range (for cbcs IV resets). */
  rangeStarts: number[];
  total: number;
}

function protectedRanges(off: number, size: number, c: SampleCrypto, where: () => string): [number, number][] {
  const subs = c.subsamples;
  if (!subs || subs.length === 0) return [[off, size]];
  const out: [number, number][] = [];
  let p = off;
  const end = off + size;
  for (let i = 0; i < subs.length; i += 2) {
    p += subs[i]!;
    const n = subs[i + 1]!;
    if (p + n > end) {
      throw new MediaError('malformed', `${where()}: subsample sizes exceed the sample size ${size}`);
    }
    if (n > 0) out.push([p, n]);
    p += n;
  }
  return out;
}

function gather(ranges: [number, number][], c: SampleCrypto, wholeBytes: boolean): Gather {
  const g: Gather = { pos: [], len: [], rangeStarts: [], total: 0 };
  const crypt = c.cryptBlocks;
  const skip = c.skipBlocks;
  const patterned = crypt > 0 || skip > 0;
  for (const [start, len] of ranges) {
    g.rangeStarts.push(g.total);
    if (!patterned) {
      // CTR handles a partial tail; CBC leaves it clear.
      const n = wholeBytes ? len : len - (len % 16);
      if (n > 0) {
        g.pos.push(start);
        g.len.push(n);
        g.total += n;
      }
      continue;
    }
    const end = start + len;
    let p = start;
    while (end - p >= 16) {
      const n = Math.min(crypt, Math.floor((end - p) / 16)) * 16;
      if (n > 0) {
        g.pos.push(p);
        g.len.push(n);
        g.total += n;
      }
      p += n + skip * 16;
    }
    // CTR (cens) encrypts a trailing partial block when it falls in the crypt part of the pattern, as GPAC does.
    if (wholeBytes && p < end && end - p < 16) {
      g.pos.push(p);
      g.len.push(end - p);
      g.total += end - p;
    }
  }
  return g;
}

function collect(buf: Buffer, g: Gather): Buffer {
  if (g.pos.length === 1) return buf.subarray(g.pos[0]!, g.pos[0]! + g.len[0]!);
  const out = Buffer.allocUnsafe(g.total);
  let t = 0;
  for (let i = 0; i < g.pos.length; i++) {
    const p = g.pos[i]!;
    const n = g.len[i]!;
    if (n === 16) {
      for (let k = 0; k < 16; k++) out[t + k] = buf[p + k]!;
    } else buf.copy(out, t, p, p + n);
    t += n;
  }
  return out;
}

function scatter(buf: Buffer, g: Gather, data: Buffer): void {
  let t = 0;
  for (let i = 0; i < g.pos.length; i++) {
    const p = g.pos[i]!;
    const n = g.len[i]!;
    if (n === 16) {
      for (let k = 0; k < 16; k++) buf[p + k] = data[t + k]!;
    } else data.copy(buf, p, t, t + n);
    t += n;
  }
}

/** CTR with the CENC counter: the low 64 bits wrap without carrying into the high half. */
function ctr(dir: Direction, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const hi = iv.readUInt32BE(8);
  const lo = iv.readUInt32BE(12);
  const blocks = Math.ceil(data.length / 16);
  const make = dir === 'decrypt' ? createDecipheriv : createCipheriv;
  if (hi !== 0xffffffff || lo + blocks <= 0x100000000) {
    return make('aes-128-ctr', key, iv).update(data);
  }
  // Rare: the 64-bit block counter wraps inside this sample; split the stream at the wrap.
  const before = (0x100000000 - lo) * 16;
  const first = make('aes-128-ctr', key, iv).update(data.subarray(0, before));
  const wrapped = Buffer.from(iv);
  wrapped.fill(0, 8);
  const second = make('aes-128-ctr', key, wrapped).update(data.subarray(before));
  return Buffer.concat([first, second]);
}

function cbc(dir: Direction, key: Buffer, iv: Buffer, data: Buffer, resets: number[]): Buffer {
  if (dir === 'decrypt') {
    const d = createDecipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
    const out = d.update(data);
    // One chain was run over several ranges; each range after the first must start from the IV again,
    // so undo the XOR with the previous ciphertext block and apply the IV instead.
    for (let r = 1; r < resets.length; r++) {
      const s = resets[r]!;
      if (s === 0 || s >= data.length || s === resets[r - 1]) continue;
      for (let k = 0; k < 16; k++) out[s + k] = out[s + k]! ^ data[s - 16 + k]! ^ iv[k]!;
    }
    return out;
  }
  // Encryption cannot be batched the same way (each chain depends on its own output); run one call per range.
  const parts: Buffer[] = [];
  const bounds = [...resets.filter((s) => s < data.length), data.length];
  for (let r = 0; r + 1 < bounds.length; r++) {
    if (bounds[r + 1]! <= bounds[r]!) continue;
    const e = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
    parts.push(e.update(data.subarray(bounds[r]!, bounds[r + 1]!)));
  }
  return Buffer.concat(parts);
}

/** Decrypts or encrypts one sample at buf[off, off+size) in place: the reference, and SampleCipher's fallback. */
export function cryptSample(buf: Buffer, off: number, size: number, c: SampleCrypto, key: Buffer, dir: Direction, where: () => string): void {
  const ranges = protectedRanges(off, size, c, where);
  if (ranges.length === 0) return;
  const isCtr = c.scheme === 'cenc' || c.scheme === 'cens';
  const g = gather(ranges, c, isCtr);
  if (g.total === 0) return;
  const input = collect(buf, g);
  let out: Buffer;
  if (isCtr) out = ctr(dir, key, c.iv, input);
  else out = cbc(dir, key, c.iv, input, c.scheme === 'cbcs' ? g.rangeStarts : [0]);
  scatter(buf, g, out);
}

/** Unpatterned CBC samples with at least this many whole-block bytes get a cipher of their own (see cbcDirect). */
const CBC_DIRECT = 4096;
/** CTR samples whose keystream is at most this long share one AES-ECB call (see ctr-keystream.ts). */
const CTR_KEYSTREAM_MAX = 2048;
/** Protected pieces at least this long go through CTR in place, without gathering. */
const CTR_DIRECT = 1024;

/**
 * Bytes in the sample's protected ranges (all of it without subsamples), checking that the subsamples fit:
 * one pass over the pairs, done for every sample.
 */
function protectedBytes(size: number, c: SampleCrypto, where: () => string): number {
  const subs = c.subsamples;
  if (!subs || subs.length === 0) return size;
  let total = 0;
  let enc = 0;
  for (let i = 0; i + 1 < subs.length; i += 2) {
    total += subs[i]! + subs[i + 1]!;
    enc += subs[i + 1]!;
  }
  if (subs.length % 2 === 1) total += subs[subs.length - 1]!;
  if (total > size) throw new MediaError('malformed', `${where()}: subsample sizes exceed the sample size ${size}`);
  return enc;
}

/** Whole-block bytes of an unpatterned CBC sample's protected ranges. */
function cbcWholeBlockBytes(size: number, c: SampleCrypto): number {
  const subs = c.subsamples;
  if (!subs || subs.length === 0) return size - (size % 16);
  let total = 0;
  for (let i = 1; i < subs.length; i += 2) total += subs[i]! - (subs[i]! % 16);
  return total;
}

/** Bytes of a patterned sample's CTR keystream (what the cipher sees): the ranges forEachCtrRange visits. */
function ctrStreamBytes(off: number, size: number, c: SampleCrypto): number {
  let total = 0;
  forEachProtectedRange(off, size, c.subsamples, (_p, len) => {
    total += ctrPatternBytes(len, c.cryptBlocks, c.skipBlocks);
  });
  return total;
}

/**
 * A plain view of len bytes at buf[at]: what cipher calls and TypedArray.set take, made by one built-in
 * constructor where Buffer.subarray and Buffer.copy run a few JavaScript functions each (called per
 * protected range, mostly while that code is still cold).
 */
function bytesAt(buf: Uint8Array, at: number, len: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + at, len);
}

/** Runs buf[p, p+len) through `d` where it lies, in calls of at most WINDOW bytes (the cipher keeps its state between them). */
function updateInPlace(d: Cipher | Decipher, buf: Buffer, p: number, len: number): void {
  for (let o = 0; o < len; o += WINDOW) updateInto(d, bytesAt(buf, p + o, Math.min(WINDOW, len - o)), buf, p + o);
}

/**
 * Decrypts (or encrypts) samples in place, with as few and as well-sized cipher calls as possible:
 * - CTR (cenc, cens), its own inverse, so the same either way: short samples (audio) and patterned ones (cens)
 *   share one AES-ECB keystream call (ctr-keystream.ts); other samples get one AES-CTR stream each, long
 *   protected ranges run through it where they lie in ≤64 KB calls, short ones gathered into one window per call.
 * - CBC with a pattern (cbcs 1:9) or on short samples: the protected blocks of many samples are gathered into one
 *   64 KB window (cbc-window.ts). Decrypting, a single AES-ECB call deciphers it and CBC chaining (P = D(C) XOR
 *   previous C, or XOR the IV where a chain starts: every subsample for cbcs, every sample for cbc1, chains
 *   carried across windows) is applied while scattering the plaintext back. Encrypting, each chain (its blocks
 *   side by side in the window) takes one AES-CBC call on a cipher kept per key.
 * - CBC without a pattern on long samples (cbc1 video): an AES-CBC cipher per chain, in place.
 * The keystream and the CBC window run their per-block loops in WebAssembly, on samples in its memory: buffers
 * from allocate(). Samples elsewhere (or without WebAssembly) take a cipher of their own: CTR as above, CBC
 * by the per-sample reference path (cryptSample).
 * Call flush() before reading the results of the samples added since the last flush.
 */
export class SampleCipher {
  /** Where the batched paths work, with the sample buffers from allocate(); absent without WebAssembly. */
  private readonly mem: BlockMemory | undefined;
  private readonly window: CbcWindow | undefined;
  /** Short CTR samples, and patterned ones, deciphered together by the next flush(). */
  private readonly keystream: CtrKeystreamBatch | undefined;
  private readonly ecbFor = ecbPerKey('decrypt');
  private readonly cbcFor = cbcEncryptorPerKey();
  private readonly makeCipher: (algorithm: string, key: Buffer, iv: Buffer) => Cipher | Decipher;
  // CTR gathering window (samples are finished before add() returns).
  private readonly cg = Buffer.allocUnsafeSlow(WINDOW);
  private cn = 0;
  private readonly cPos: number[] = [];
  private readonly cLen: number[] = [];

  /** @param bufferBytes room for the buffers allocate() hands out */
  constructor(
    private readonly direction: Direction,
    bufferBytes = 0,
  ) {
    this.makeCipher = direction === 'decrypt' ? createDecipheriv : createCipheriv;
    this.mem = BlockMemory.create(CbcWindow.reservedBytes + CtrKeystreamBatch.reservedBytes, bufferBytes);
    if (this.mem) {
      this.window = new CbcWindow(this.mem);
      this.keystream = new CtrKeystreamBatch(this.mem);
    }
  }

  /**
   * Ends this cipher, giving its memory back for another one: only once nothing refers to a buffer from
   * allocate() any more (no read into one, no write from one pending).
   */
  recycle(): void {
    this.mem?.recycle();
  }

  /**
   * A buffer to decrypt samples in: short and patterned samples are decrypted fastest there (see above).
   * Undefined once the room given to the constructor is used up, or where WebAssembly is unavailable.
   */
  allocate(n: number): Buffer | undefined {
    return this.mem?.allocate(n);
  }

  /** Decrypts or encrypts buf[off, off+size) (long CTR samples at once, the rest by the next flush()). */
  add(buf: Buffer, off: number, size: number, c: SampleCrypto, key: Buffer, where: () => string): void {
    const enc = protectedBytes(size, c, where);
    if (c.scheme === 'cenc' || c.scheme === 'cens') this.ctrSample(buf, off, size, c, key, enc, where);
    else this.cbcSample(buf, off, size, c, key, where);
  }

  // ---- CTR ----

  /** `enc`: bytes in the sample's protected ranges, which is its keystream length when there is no pattern. */
  private ctrSample(buf: Buffer, off: number, size: number, c: SampleCrypto, key: Buffer, enc: number, where: () => string): void {
    const patterned = c.cryptBlocks > 0 || c.skipBlocks > 0;
    const stream = patterned ? ctrStreamBytes(off, size, c) : enc;
    // Short streams, and patterned ones (cens: a 16-byte block in ten) whose stream fits a batch, go through the
    // shared keystream: one XOR pass instead of gathering and scattering every block around a cipher of their own.
    const batch = this.keystream;
    if (batch && (stream <= CTR_KEYSTREAM_MAX || (patterned && batch.fits(stream))) && this.mem!.holds(buf)) {
      batch.add(buf, off, size, c, key, stream);
      return;
    }
    const iv = c.iv;
    if (iv.readUInt32BE(8) === 0xffffffff && iv.readUInt32BE(12) + Math.ceil(stream / 16) > 0x100000000) {
      // The 64-bit block counter wraps inside this sample (CENC does not carry into the high half): rare, take the simple path.
      cryptSample(buf, off, size, c, key, this.direction, where);
      return;
    }
    const d = this.makeCipher('aes-128-ctr', key, iv);
    forEachCtrRange(off, size, c, (p, len) => this.ctrPiece(d, buf, p, len));
    this.ctrFlush(d, buf);
  }

  private ctrPiece(d: Cipher | Decipher, buf: Buffer, p: number, len: number): void {
    if (len >= CTR_DIRECT) {
      this.ctrFlush(d, buf);
      updateInPlace(d, buf, p, len);
      return;
    }
    if (this.cn + len > WINDOW) this.ctrFlush(d, buf);
    const g = this.cg;
    const at = this.cn;
    if (len <= 32) for (let k = 0; k < len; k++) g[at + k] = buf[p + k]!;
    else g.set(bytesAt(buf, p, len), at);
    this.cPos.push(p);
    this.cLen.push(len);
    this.cn += len;
  }

  private ctrFlush(d: Cipher | Decipher, buf: Buffer): void {
    if (this.cn === 0) return;
    const out = d.update(bytesAt(this.cg, 0, this.cn));
    let t = 0;
    for (let i = 0; i < this.cPos.length; i++) {
      const p = this.cPos[i]!;
      const len = this.cLen[i]!;
      if (len <= 32) for (let k = 0; k < len; k++) buf[p + k] = out[t + k]!;
      else buf.set(bytesAt(out, t, len), p);
      t += len;
    }
    dropCryptoOutput(out);
    this.cn = 0;
    this.cPos.length = 0;
    this.cLen.length = 0;
  }

  // ---- CBC ----

  private cbcSample(buf: Buffer, off: number, size: number, c: SampleCrypto, key: Buffer, where: () => string): void {
    if (c.cryptBlocks === 0 && c.skipBlocks === 0 && cbcWholeBlockBytes(size, c) >= CBC_DIRECT) {
      this.cbcDirect(buf, off, size, c, key);
      return;
    }
    const w = this.window;
    if (w === undefined || !this.mem!.holds(buf)) {
      cryptSample(buf, off, size, c, key, this.direction, where);
      return;
    }
    if (this.direction === 'decrypt') w.use(this.ecbFor(key));
    else w.encryptWith(this.cbcFor(key));
    const restartPerRange = c.scheme === 'cbcs';
    const iv = c.iv;
    let chainStart = true;
    // Without a pattern (0:0) every whole block is encrypted; a partial tail stays clear either way.
    forEachProtectedRange(off, size, c.subsamples, (p, len) => {
      if (restartPerRange) chainStart = true;
      if (w.gatherRange(buf, p, p + len, c.cryptBlocks, c.skipBlocks, chainStart ? iv : undefined)) chainStart = false;
    });
  }

  /**
   * Unpatterned CBC with long ranges (cbc1 video, whole-range cbcs): run through the cipher where they lie, the cipher
   * keeping the chain between calls; one chain per sample (cbc1) or per subsample (cbcs).
   */
  private cbcDirect(buf: Buffer, off: number, size: number, c: SampleCrypto, key: Buffer): void {
    const perRange = c.scheme === 'cbcs';
    let d: Cipher | Decipher | undefined;
    forEachProtectedRange(off, size, c.subsamples, (p, len) => {
      // Whole blocks only; a partial tail stays clear and does not enter the chain.
      const whole = len - (len % 16);
      if (whole === 0) return;
      if (!d || perRange) d = this.makeCipher('aes-128-cbc', key, c.iv).setAutoPadding(false);
      updateInPlace(d, buf, p, whole);
    });
  }


  /** Finishes every sample added so far. */
  flush(): void {
    this.keystream?.flush();
    this.window?.flush();
  }
}
