// AES-CTR for short samples (and patterned ones) without a cipher object each: the counter blocks of many
// samples go through one AES-ECB call and the keystream is XORed in. A node:crypto cipher costs ~3 µs to make
// and ~4 µs more when V8 collects it, more than XORing a 2 KiB sample; an audio track is thousands of such
// samples, and cens video XORs one 16-byte block in ten.
import type { BlockMemory } from './block-memory.js';
// A batch's counter blocks (and keystream) go through one AES-ECB call of at most WINDOW bytes.
import { CIPHER_CALL_BYTES as WINDOW, ecbPerKey, updateInto } from './crypto-output.js';
import { forEachProtectedRange } from '../boxes/job.js';
import type { SampleCrypto } from '../boxes/job.js';

/** Calls `visit` for each run of bytes the sample's CTR keystream covers, in keystream order. */
export function forEachCtrRange(off: number, size: number, c: SampleCrypto, visit: (p: number, len: number) => void): void {
  const crypt = c.cryptBlocks;
  const skip = c.skipBlocks;
  if (crypt === 0 && skip === 0) {
    forEachProtectedRange(off, size, c.subsamples, visit);
    return;
  }
  forEachProtectedRange(off, size, c.subsamples, (p, len) => {
    const end = p + len;
    let q = p;
    while (end - q >= 16) {
      const m = Math.min(crypt, Math.floor((end - q) / 16)) * 16;
      if (m > 0) visit(q, m);
      q += m + skip * 16;
    }
    // A trailing partial block is encrypted when it falls in the crypt part of the pattern, as GPAC does.
    if (q < end && end - q < 16) visit(q, end - q);
  });
}

/**
 * Keystream bytes forEachCtrRange visits in one protected range of `len` bytes under a crypt:skip pattern,
 * worked out rather than walked (cens video is a million 16-byte runs per 200 MB): `crypt` blocks of each full
 * period, then up to `crypt` of the blocks left, then a trailing part under 16 bytes when the walk lands on it,
 * which it does unless it stopped inside or jumped past the blocks left.
 */
export function ctrPatternBytes(len: number, crypt: number, skip: number): number {
  const blocks = Math.floor(len / 16);
  const period = crypt + skip;
  if (period === 0) return len;
  const full = Math.floor(blocks / period);
  const rest = blocks - full * period;
  const tail = rest === 0 || skip === 0 ? len % 16 : 0;
  return (full * crypt + Math.min(rest, crypt)) * 16 + tail;
}

interface Queued {
  /** The sample's address in the memory, and its size. */
  at: number;
  size: number;
  c: SampleCrypto;
  /** Offset of the sample's keystream in the batch. */
  ks: number;
}

/**
 * Samples in a BlockMemory decrypted by one keystream: their counter blocks are written side by side (in
 * WebAssembly), enciphered by one AES-ECB call, and XORed into each sample's protected ranges, pattern
 * included (in WebAssembly too).
 */
export class CtrKeystreamBatch {
  /** Bytes of working areas a batch reserves in its memory. */
  static readonly reservedBytes = 2 * WINDOW + 16;

  private readonly counters: number;
  private readonly keystream: number;
  private readonly ivSlot: number;
  private blocks = 0;
  private key: Buffer | undefined;
  private readonly queued: Queued[] = [];
  /** Counter blocks are enciphered: the keystream. */
  private readonly cipherFor = ecbPerKey('encrypt');

  constructor(private readonly mem: BlockMemory) {
    this.counters = mem.reserve(WINDOW);
    this.keystream = mem.reserve(WINDOW);
    this.ivSlot = mem.reserve(16);
  }

  /** Whether a sample whose CTR stream is `streamBytes` long fits a batch at all. */
  fits(streamBytes: number): boolean {
    return streamBytes <= WINDOW;
  }

  /** Queues the sample at buf[off, off+size) (buf in the batch's memory); it is decrypted in place by the next flush(). */
  add(buf: Buffer, off: number, size: number, c: SampleCrypto, key: Buffer, streamBytes: number): void {
    const nb = Math.ceil(streamBytes / 16);
    if (key !== this.key || (this.blocks + nb) * 16 > WINDOW) {
      this.flush();
      this.key = key;
    }
    this.mem.bytes.set(c.iv, this.ivSlot);
    this.mem.loops.counters(this.counters + this.blocks * 16, nb, this.ivSlot);
    this.queued.push({ at: buf.byteOffset + off, size, c, ks: this.blocks * 16 });
    this.blocks += nb;
  }

  flush(): void {
    if (this.blocks === 0) return;
    const n = this.blocks * 16;
    updateInto(this.cipherFor(this.key!), this.mem.view(this.counters, n), this.mem.bytes, this.keystream);
    const loops = this.mem.loops;
    const queued = this.queued;
    for (let i = 0; i < queued.length; i++) {
      const s = queued[i]!;
      let t = this.keystream + s.ks;
      forEachProtectedRange(s.at, s.size, s.c.subsamples, (p, len) => {
        t = loops.xorRange(p, p + len, s.c.cryptBlocks, s.c.skipBlocks, t);
      });
    }
    this.queued.length = 0;
    this.blocks = 0;
  }
}
