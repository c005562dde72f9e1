// Reading a NAL unit's RBSP bit by bit (ITU-T H.264 / H.265 7.2: u(n), ue(v), se(v)) straight from its escaped
// bytes, so a position in the RBSP maps back to the NAL's bytes: the slice-header parsers (avc-slice.ts,
// hevc-slice.ts) measure how many of the NAL's bytes a header takes, emulation prevention bytes included.

/** Reads an RBSP's bits from the escaped NAL bytes, skipping emulation prevention bytes (00 00 03). */
export class Bits {
  private byte: number;
  private bit = 0;
  private zeros = 0;

  constructor(private readonly buf: Uint8Array, start: number, private readonly end: number) {
    this.byte = start;
  }

  /** Whether the next bit starts a byte. */
  get aligned(): boolean {
    return this.bit === 0;
  }

  /** Escaped bytes consumed up to the current bit, rounded up. */
  get bytesUsed(): number {
    return this.bit === 0 ? this.byte : this.byte + 1;
  }

  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.u1();
    return v;
  }

  u1(): number {
    if (this.bit === 0) {
      if (this.zeros >= 2 && this.buf[this.byte] === 3) {
        this.byte++;
        this.zeros = 0;
      }
      if (this.byte >= this.end) throw new RangeError('slice header runs past the NAL unit');
    }
    const b = this.buf[this.byte]!;
    const v = (b >> (7 - this.bit)) & 1;
    if (++this.bit === 8) {
      this.bit = 0;
      this.zeros = b === 0 ? this.zeros + 1 : 0;
      this.byte++;
    }
    return v;
  }

  ue(): number {
    let zeros = 0;
    while (this.u1() === 0) if (++zeros > 31) throw new RangeError('exp-Golomb code too long');
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.u(zeros);
  }

  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}
