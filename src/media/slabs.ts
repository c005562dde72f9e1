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
   */
  constructor(
    readonly slabSize: number,
    private readonly count: number,
    private readonly onStarve: () => void,
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
      return Buffer.allocUnsafeSlow(this.slabSize);
    }
    this.onStarve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** `buf` was given away for good: the ring may make a new slab in its place. */
  disown(buf: Buffer): void {
    if (buf === this.big) {
      this.big = undefined;
      this.bigBusy = false;
    } else if (buf.length === this.slabSize) this.made--;
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
