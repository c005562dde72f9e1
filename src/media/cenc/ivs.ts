// Initialization vectors for an encryptor: random per sample (the default), counting up from a given first IV
// (reproducible output, as GPAC's), or one constant IV (cbcs).
import { randomFillSync } from 'node:crypto';

export type IvOptions =
  | { size: 8 | 16; first?: Buffer }
  | { constant: Buffer };

export interface IvSource {
  /** Per-sample IV size written to senc; 0 for a constant IV. */
  readonly size: 0 | 8 | 16;
  readonly constant: Buffer | undefined;
  /**
   * The next sample's IV as the cipher takes it: 16 bytes, an 8-byte IV followed by 8 zero bytes. senc stores its
   * first `size` bytes. Never written to (random ones are views of a shared pool).
   */
  next(): Buffer;
}

const RANDOM_BATCH = 4096;

/** An 8-byte IV in the 16 bytes the cipher takes, the low half zero. */
function padded(iv: Buffer): Buffer {
  if (iv.length === 16) return iv;
  const out = Buffer.alloc(16);
  iv.copy(out, 0);
  return out;
}

// One view of a pool of random bytes per sample, made ready for the cipher: a Buffer of its own per IV, and
// another for its padded copy, cost more than the rest of an audio sample's preparation.
class RandomIvs implements IvSource {
  readonly constant = undefined;
  private pool = Buffer.alloc(0);
  private at = 0;
  constructor(readonly size: 8 | 16) {}
  next(): Buffer {
    if (this.at === this.pool.length) {
      // A buffer of its own (offset 0, so 8-byte aligned); an 8-byte IV's zero half is one 8-byte store per slot
      // (+0 as a double is eight zero bytes): 4,096 stores, not 32,768, while this code is still cold.
      this.pool = randomFillSync(Buffer.allocUnsafeSlow(RANDOM_BATCH * 16));
      if (this.size === 8) {
        const words = new Float64Array(this.pool.buffer, this.pool.byteOffset, this.pool.length / 8);
        for (let i = 1; i < words.length; i += 2) words[i] = 0;
      }
      this.at = 0;
    }
    const iv = this.pool.subarray(this.at, this.at + 16);
    this.at += 16;
    return iv;
  }
}

class CountingIvs implements IvSource {
  readonly constant = undefined;
  private v: bigint;
  constructor(readonly size: 8 | 16, first: Buffer) {
    this.v = BigInt(`0x${first.toString('hex') || '0'}`);
  }
  next(): Buffer {
    const b = Buffer.from(this.v.toString(16).padStart(this.size * 2, '0'), 'hex');
    this.v = (this.v + 1n) % (1n << BigInt(this.size * 8));
    return padded(b);
  }
}

class ConstantIv implements IvSource {
  readonly size = 0;
  private readonly forCipher: Buffer;
  constructor(readonly constant: Buffer) {
    this.forCipher = padded(constant);
  }
  next(): Buffer {
    return this.forCipher;
  }
}

export function ivSource(o: IvOptions): IvSource {
  if ('constant' in o) return new ConstantIv(o.constant);
  return o.first ? new CountingIvs(o.size, o.first) : new RandomIvs(o.size);
}
