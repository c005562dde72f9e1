// Initialization vectors for an encryptor: random per sample (the default), counting up from a given first IV
// (reproducible output, as GPAC's), or one constant IV (cbcs).
import { randomBytes } from 'node:crypto';

export type IvOptions =
  | { size: 8 | 16; first?: Buffer }
  | { constant: Buffer };

export interface IvSource {
  /** Per-sample IV size written to senc; 0 for a constant IV. */
  readonly size: 0 | 8 | 16;
  readonly constant: Buffer | undefined;
  /** The next sample's IV as stored (8 or 16 bytes). */
  next(): Buffer;
}

const RANDOM_BATCH = 4096;

class RandomIvs implements IvSource {
  readonly constant = undefined;
  private pool = Buffer.alloc(0);
  private at = 0;
  constructor(readonly size: 8 | 16) {}
  next(): Buffer {
    if (this.at + this.size > this.pool.length) {
      this.pool = randomBytes(RANDOM_BATCH * this.size);
      this.at = 0;
    }
    const iv = Buffer.from(this.pool.subarray(this.at, this.at + this.size));
    this.at += this.size;
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
    return b;
  }
}

class ConstantIv implements IvSource {
  readonly size = 0;
  constructor(readonly constant: Buffer) {}
  next(): Buffer {
    return this.constant;
  }
}

export function ivSource(o: IvOptions): IvSource {
  if ('constant' in o) return new ConstantIv(o.constant);
  return o.first ? new CountingIvs(o.size, o.first) : new RandomIvs(o.size);
}
