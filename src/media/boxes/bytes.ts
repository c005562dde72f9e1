// Bounds-checked big-endian field reading over a Buffer; every overrun becomes a MediaError naming the box.
import { MediaError } from '../errors.js';

export { toHex as hex } from '../../util/bytes.js';

export function fourcc(buf: Uint8Array, pos: number): string {
  return String.fromCharCode(buf[pos] ?? 0, buf[pos + 1] ?? 0, buf[pos + 2] ?? 0, buf[pos + 3] ?? 0);
}

export function fourccBytes(type: string): Buffer {
  return Buffer.from(type, 'latin1');
}

/** Sequential reader over buf[pos, end); `base` turns buffer positions into file offsets for messages. */
export class Cursor {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
    readonly box: string,
    readonly base: number,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new MediaError('malformed', `field runs past the end of the box (${n} bytes needed, ${this.end - this.pos} left)`, {
        box: this.box,
        offset: this.base + this.pos,
      });
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const hi = this.buf.readUInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    if (hi > 0x1fffff) {
      throw new MediaError('unsupported-layout', '64-bit value beyond 2^53', { box: this.box, offset: this.base + this.pos });
    }
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }

  /**
   * `n` consecutive 32-bit values (64-bit when `wide`), bounds-checked once: sample tables hold thousands,
   * read once each while the code is still cold, where a call per field is what costs.
   */
  u32Array(n: number, wide = false): Float64Array {
    const step = wide ? 8 : 4;
    if (!Number.isInteger(n) || n < 0 || n > this.remaining / step) this.need(n * step);
    const out = new Float64Array(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++, p += step) {
      let v = b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
      if (wide) {
        if (v > 0x1fffff) throw new MediaError('unsupported-layout', '64-bit value beyond 2^53', { box: this.box, offset: this.base + p });
        v = v * 0x100000000 + (b[p + 4]! * 0x1000000 + ((b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!));
      }
      out[i] = v;
    }
    this.pos = p;
    return out;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  fourcc(): string {
    this.need(4);
    const v = fourcc(this.buf, this.pos);
    this.pos += 4;
    return v;
  }
}
