// AES-CTR for short samples without a cipher object each: the counter blocks of many samples go through one
// AES-ECB call and the keystream is XORed in here. A node:crypto cipher costs ~3 µs to make and ~4 µs more
// when V8 collects it, more than XORing a 2 KiB sample; an audio track is thousands of such samples.
import { createCipheriv } from 'node:crypto';
import type { Cipher } from 'node:crypto';
import { dropCryptoOutput } from './crypto-output.js';
import { forEachProtectedRange } from './job.js';
import type { SampleCrypto } from './job.js';

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

/** buf[p, p+len) ^= ks[t, t+len). */
function xorInto(buf: Buffer, p: number, ks: Buffer, t: number, len: number): void {
  for (let i = 0; i < len; i++) buf[p + i] = buf[p + i]! ^ ks[t + i]!;
}

interface Queued {
  buf: Buffer;
  off: number;
  size: number;
  c: SampleCrypto;
  /** Offset of the sample's keystream in the batch. */
  at: number;
}

export class CtrKeystreamBatch {
  private readonly counters: Buffer;
  private readonly view: DataView;
  private blocks = 0;
  private key: Buffer | undefined;
  private readonly queued: Queued[] = [];
  private readonly ecb = new Map<Buffer, Cipher>();

  constructor(windowBytes: number) {
    this.counters = Buffer.allocUnsafeSlow(windowBytes);
    this.view = new DataView(this.counters.buffer, this.counters.byteOffset, windowBytes);
  }

  /** Whether a sample whose CTR stream is `streamBytes` long fits a batch at all. */
  fits(streamBytes: number): boolean {
    return streamBytes <= this.counters.length;
  }

  /** Queues the sample at buf[off, off+size); it is decrypted in place by the next flush(). */
  add(buf: Buffer, off: number, size: number, c: SampleCrypto, key: Buffer, streamBytes: number): void {
    const nb = Math.ceil(streamBytes / 16);
    if (key !== this.key || (this.blocks + nb) * 16 > this.counters.length) {
      this.flush();
      this.key = key;
    }
    // Counter block k = IV's high 64 bits, then its low 64 bits + k modulo 2^64 (no carry into the high half).
    const iv = c.iv;
    const h0 = iv.readUInt32BE(0);
    const h1 = iv.readUInt32BE(4);
    const l0 = iv.readUInt32BE(8);
    const l1 = iv.readUInt32BE(12);
    const v = this.view;
    for (let k = 0, o = this.blocks * 16; k < nb; k++, o += 16) {
      let lo = l1 + k;
      let hi = l0;
      if (lo > 0xffffffff) {
        lo -= 0x100000000;
        hi = (hi + 1) >>> 0;
      }
      v.setUint32(o, h0);
      v.setUint32(o + 4, h1);
      v.setUint32(o + 8, hi);
      v.setUint32(o + 12, lo);
    }
    this.queued.push({ buf, off, size, c, at: this.blocks * 16 });
    this.blocks += nb;
  }

  flush(): void {
    if (this.blocks === 0) return;
    const ks = this.cipherFor(this.key!).update(this.counters.subarray(0, this.blocks * 16));
    for (const s of this.queued) {
      let t = s.at;
      forEachCtrRange(s.off, s.size, s.c, (p, len) => {
        xorInto(s.buf, p, ks, t, len);
        t += len;
      });
    }
    dropCryptoOutput(ks);
    this.queued.length = 0;
    this.blocks = 0;
  }

  private cipherFor(key: Buffer): Cipher {
    let e = this.ecb.get(key);
    if (!e) {
      e = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
      this.ecb.set(key, e);
    }
    return e;
  }
}
