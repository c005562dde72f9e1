// Buffers of varying sizes (a fragment's sample data) handed out and taken back, so that a stream of fragments
// reuses a few warm buffers instead of allocating (and page-faulting) every fragment's anew.
import type { Sink } from './io.js';

/** Free buffers kept for reuse; beyond that the smallest is let go. */
const KEPT = 4;

export class BufferPool {
  private readonly free: Buffer[] = [];

  /** @param allocate where new buffers come from (e.g. memory a cipher works in fastest), else fresh ones */
  constructor(private readonly allocate: (n: number) => Buffer | undefined = () => undefined) {}

  /** A buffer of at least `n` bytes (the smallest free one that holds them), to be handed back with release(). */
  acquire(n: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const len = this.free[i]!.length;
      if (len >= n && (best < 0 || len < this.free[best]!.length)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0]!;
    // Some room to spare, so that the next, slightly larger, request reuses it.
    const size = Math.ceil((n * 1.25) / 65536) * 65536;
    return this.allocate(size) ?? Buffer.allocUnsafeSlow(size);
  }

  release(buf: Buffer): void {
    this.free.push(buf);
    if (this.free.length > KEPT) {
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if (this.free[i]!.length < this.free[smallest]!.length) smallest = i;
      this.free.splice(smallest, 1);
    }
  }
}

/**
 * Writes `data` (a pooled buffer's bytes) and calls `release` once they are written; a sink that keeps what it is
 * given (a stream) gets a copy, and the buffer goes back at once.
 */
export async function writeThenRelease(sink: Sink, data: Buffer, release: () => void): Promise<void> {
  if (sink.keepsBuffers) {
    const copy = Buffer.from(data);
    release();
    await sink.write(copy);
  } else await sink.write(data, release);
}
