// The buffers that pieces of a file pass through on their way from input to output: a fixed few, reused,
// so that streaming allocates (and page-faults) nothing once it is warm.

export class SlabRing {
  private readonly free: Buffer[] = [];
  private made = 0;
  private readonly waiting: ((slab: Buffer) => void)[] = [];
  /** Last buffer made for a piece larger than a slab, kept for the next such piece. */
  private big: Buffer | undefined;
  private bigBusy = false;

  /**
   * @param onStarve called when every slab is out, e.g. to make the sink write what it has batched, since
   *   slabs come back only once their bytes are written.
   * @param allocate where slabs come from (e.g. memory the decryptor works in fastest), else fresh buffers
   */
  constructor(
    readonly slabSize: number,
    private readonly count: number,
    private readonly onStarve: () => void,
    private readonly allocate: (n: number) => Buffer | undefined = () => undefined,
  ) {}

  /** A buffer of at least `n` bytes, to be handed back with release() once nothing uses it. */
  acquire(n: number): Buffer | Promise<Buffer> {
    if (n > this.slabSize) {
      if (this.big && !this.bigBusy && this.big.length >= n) {
        this.bigBusy = true;
        return this.big;
      }
      const b = Buffer.allocUnsafeSlow(n);
      if (!this.bigBusy) {
        this.big = b;
        this.bigBusy = true;
      }
      return b;
    }
    const slab = this.free.pop();
    if (slab) return slab;
    if (this.made < this.count) {
      this.made++;
      return this.allocate(this.slabSize) ?? Buffer.allocUnsafeSlow(this.slabSize);
    }
    this.onStarve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Whether every slab made has come back (none is being read into, decrypted or written). */
  allBack(): boolean {
    return this.free.length === this.made;
  }

  release(buf: Buffer): void {
    if (buf === this.big) {
      this.bigBusy = false;
      return;
    }
    if (buf.length !== this.slabSize) return;
    const next = this.waiting.shift();
    if (next) next(buf);
    else this.free.push(buf);
  }
}
