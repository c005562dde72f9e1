// The slab ring: a fixed number of reusable buffers; when all are out it asks the sink to write (starve)
// and waits for one to come back; larger pieces get a buffer of their own.
import { describe, expect, it } from 'vitest';
import { SlabRing } from '../../src/media/io/slabs.js';

describe('SlabRing', () => {
  it('makes at most `count` slabs, reuses released ones, and waits (after asking for a flush) when all are out', async () => {
    let starved = 0;
    const ring = new SlabRing(1024, 2, () => starved++);
    const a = ring.acquire(100) as Buffer;
    const b = ring.acquire(1024) as Buffer;
    expect(a).toBeInstanceOf(Buffer);
    expect(b).toBeInstanceOf(Buffer);
    expect(a.length).toBe(1024);
    const waiting = ring.acquire(10);
    expect(waiting).toBeInstanceOf(Promise);
    expect(starved).toBe(1);
    ring.release(b);
    await expect(waiting).resolves.toBe(b);
    ring.release(a);
    expect(ring.acquire(1)).toBe(a);
  });

  it('gives a piece larger than a slab its own buffer, kept for the next large piece once released', () => {
    const ring = new SlabRing(1024, 2, () => {});
    const big = ring.acquire(5000) as Buffer;
    expect(big.length).toBe(5000);
    const other = ring.acquire(4000) as Buffer;
    expect(other).not.toBe(big);
    ring.release(big);
    expect(ring.acquire(4500)).toBe(big);
    expect((ring.acquire(6000) as Buffer).length).toBe(6000);
  });

  it('says all slabs are back only when every one made has been released (then their memory may be reused)', () => {
    const ring = new SlabRing(1024, 3, () => {});
    expect(ring.allBack()).toBe(true);
    const a = ring.acquire(100) as Buffer;
    const b = ring.acquire(100) as Buffer;
    expect(ring.allBack()).toBe(false);
    ring.release(a);
    expect(ring.allBack()).toBe(false);
    ring.release(b);
    expect(ring.allBack()).toBe(true);
    expect(ring.acquire(1)).toBe(b);
    expect(ring.allBack()).toBe(false);
  });

  it('takes slabs from its allocator while it has room, then makes its own', () => {
    const arena = Buffer.alloc(200);
    let next = 0;
    const ring = new SlabRing(64, 4, () => {}, (n) => {
      if (next + n > arena.length) return undefined;
      next += n;
      return arena.subarray(next - n, next);
    });
    const slabs = [0, 1, 2, 3].map(() => ring.acquire(64) as Buffer);
    expect(slabs.slice(0, 3).map((s) => s.buffer === arena.buffer)).toEqual([true, true, true]);
    expect(slabs[3]!.buffer).not.toBe(arena.buffer);
    expect(slabs[3]!.length).toBe(64);
    // Pieces larger than a slab never come from the allocator.
    expect((ring.acquire(100) as Buffer).buffer).not.toBe(arena.buffer);
  });
});
