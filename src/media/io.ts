// Byte sources (file path with random access, in-memory bytes, async byte streams) and sinks (file path, Writable).
import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MediaError } from './errors.js';

export type MediaInput = string | URL | Uint8Array | AsyncIterable<Uint8Array>;
export type MediaOutput = string | URL | Writable;

export interface Source {
  readonly size: number | undefined;
  readonly seekable: boolean;
  /** Offset of the next sequential read. */
  position: number;
  /** Next `n` bytes (fewer only at end of input). The buffer is the caller's to modify. */
  read(n: number): Promise<Buffer>;
  /** Random access, only when `seekable`. */
  readAt(offset: number, n: number): Promise<Buffer>;
  skip(n: number): Promise<void>;
  close(): Promise<void>;
  /**
   * Bytes from `position` that a `read` can return without copying (the rest of the current read-ahead
   * slab); undefined when the source has no such notion.
   */
  contiguous?(): number | undefined;
  /** Hands back a buffer from `read` once nothing uses it any more, so its memory can be reused. */
  release?(buf: Buffer): void;
}

export interface SourceOptions {
  /** File inputs: read ahead in slabs of this many bytes, returning views of them (0 = off). */
  readAhead?: number;
}

/** A source with random access: sequential reads are positional reads at `position`. */
abstract class SeekableSource implements Source {
  readonly seekable = true;
  position = 0;

  constructor(readonly size: number) {}

  abstract readAt(offset: number, n: number): Promise<Buffer>;
  abstract close(): Promise<void>;

  async read(n: number): Promise<Buffer> {
    const b = await this.readAt(this.position, n);
    this.position += b.length;
    return b;
  }

  async skip(n: number): Promise<void> {
    this.position = Math.min(this.size, this.position + n);
  }
}

class FileSource extends SeekableSource {
  constructor(
    protected readonly fh: FileHandle,
    size: number,
  ) {
    super(size);
  }

  async readAt(offset: number, n: number): Promise<Buffer> {
    const len = Math.max(0, Math.min(n, this.size - offset));
    const buf = Buffer.allocUnsafe(len);
    const got = await readFully(this.fh, buf, len, offset);
    return got === len ? buf : buf.subarray(0, got);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

async function readFully(fh: FileHandle, buf: Buffer, len: number, offset: number): Promise<number> {
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

interface Slab {
  /** File offset of buf[0]; slabs are aligned to multiples of the slab size. */
  start: number;
  buf: Buffer;
  /** Bytes actually read (short only at the end of the file). */
  len: number;
  ready: Promise<void>;
  error: unknown;
  /** Views handed out by read() and not yet released. */
  lent: number;
  /** The read position has moved past the slab. */
  passed: boolean;
}

/** Smallest read() answered with a view of a slab instead of a copy. */
const VIEW_MIN = 16 * 1024;

/**
 * A file read sequentially through a few fixed-size slabs that are read ahead of the position while the
 * caller works, so reading overlaps decryption and writing. Large reads inside one slab are views of it;
 * a slab's memory is reused once the position has passed it and every view of it was released.
 */
class ReadAheadFileSource extends FileSource {
  private readonly slabs = new Map<number, Slab>();
  private readonly lentSlabs = new Map<ArrayBufferLike, Slab>();
  private readonly free: Buffer[] = [];

  constructor(
    fh: FileHandle,
    size: number,
    private readonly slabSize: number,
    private readonly depth = 3,
  ) {
    super(fh, size);
  }

  private slab(k: number): Slab {
    let s = this.slabs.get(k);
    if (s) return s;
    const start = k * this.slabSize;
    const len = Math.max(0, Math.min(this.slabSize, this.size - start));
    const buf = this.free.pop() ?? Buffer.allocUnsafeSlow(this.slabSize);
    const slab: Slab = { start, buf, len, ready: Promise.resolve(), error: undefined, lent: 0, passed: false };
    slab.ready = readFully(this.fh, buf, len, start).then(
      (got) => {
        slab.len = got;
      },
      (e: unknown) => {
        slab.error = e;
      },
    );
    this.slabs.set(k, slab);
    return slab;
  }

  /** The slab holding `offset`, with the next ones requested. */
  private async at(offset: number): Promise<Slab> {
    const k = Math.floor(offset / this.slabSize);
    const s = this.slab(k);
    for (let j = k + 1; j < k + this.depth && j * this.slabSize < this.size; j++) this.slab(j);
    await s.ready;
    if (s.error !== undefined) throw s.error;
    return s;
  }

  /** Frees slabs that lie wholly before the position. */
  private retire(): void {
    for (const [k, s] of this.slabs) {
      if (s.start + s.len > this.position) continue;
      this.slabs.delete(k);
      s.passed = true;
      if (s.lent === 0) this.recycle(s);
      else this.lentSlabs.set(s.buf.buffer, s);
    }
  }

  private recycle(s: Slab): void {
    // Only slabs whose read finished can be reused (an abandoned one may still be written by the read).
    if (this.free.length < this.depth + 2) void s.ready.then(() => this.free.push(s.buf));
  }

  contiguous(): number {
    const p = this.position;
    const slabEnd = Math.min(this.size, (Math.floor(p / this.slabSize) + 1) * this.slabSize);
    return slabEnd - p;
  }

  release(buf: Buffer): void {
    let s = this.lentSlabs.get(buf.buffer);
    if (!s) {
      for (const c of this.slabs.values()) if (c.buf.buffer === buf.buffer) s = c;
      if (!s) return;
    }
    s.lent--;
    if (s.lent === 0 && s.passed) {
      this.lentSlabs.delete(buf.buffer);
      this.recycle(s);
    }
  }

  override async read(n: number): Promise<Buffer> {
    const p = this.position;
    const len = Math.max(0, Math.min(n, this.size - p));
    if (len === 0) return Buffer.alloc(0);
    const first = await this.at(p);
    const off = p - first.start;
    if (len >= VIEW_MIN && off + len <= first.len) {
      first.lent++;
      this.position = p + len;
      this.retire();
      return first.buf.subarray(off, off + len);
    }
    const out = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const q = p + got;
      const s = q === p ? first : await this.at(q);
      const avail = s.start + s.len - q;
      if (avail <= 0) break;
      const m = Math.min(avail, len - got);
      s.buf.copy(out, got, q - s.start, q - s.start + m);
      got += m;
    }
    this.position = p + got;
    this.retire();
    return got === len ? out : out.subarray(0, got);
  }

  override async skip(n: number): Promise<void> {
    this.position = Math.min(this.size, this.position + n);
    this.retire();
  }

  override async close(): Promise<void> {
    await Promise.all([...this.slabs.values()].map((s) => s.ready));
    await this.fh.close();
  }
}

class BytesSource extends SeekableSource {
  constructor(private readonly bytes: Buffer) {
    super(bytes.length);
  }

  async readAt(offset: number, n: number): Promise<Buffer> {
    // A copy: decryption happens in place and must not touch the caller's bytes.
    return Buffer.from(this.bytes.subarray(offset, Math.min(this.size, offset + n)));
  }

  async close(): Promise<void> {}
}

class StreamSource implements Source {
  readonly seekable = false;
  readonly size = undefined;
  position = 0;
  private queue: Buffer[] = [];
  private queued = 0;
  private done = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(iterable: AsyncIterable<Uint8Array>) {
    this.it = iterable[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.queued < n && !this.done) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        break;
      }
      const v = r.value;
      if (v.length === 0) continue;
      this.queue.push(Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      this.queued += v.length;
    }
  }

  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const take = Math.min(n, this.queued);
    let out: Buffer;
    const head = this.queue[0];
    if (head && head.length === take) {
      // Copy: stream chunks may be shared with other consumers and decryption is in place.
      out = Buffer.from(head);
      this.queue.shift();
    } else {
      out = Buffer.allocUnsafe(take);
      let o = 0;
      while (o < take) {
        const h = this.queue[0]!;
        const k = Math.min(h.length, take - o);
        h.copy(out, o, 0, k);
        o += k;
        if (k === h.length) this.queue.shift();
        else this.queue[0] = h.subarray(k);
      }
    }
    this.queued -= take;
    this.position += take;
    return out;
  }

  readAt(): Promise<Buffer> {
    return Promise.reject(new MediaError('unsupported-layout', 'random access on a stream input'));
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const b = await this.read(Math.min(left, 1 << 22));
      if (b.length === 0) break;
      left -= b.length;
    }
  }

  async close(): Promise<void> {
    if (!this.done) await this.it.return?.();
  }
}

function toPath(p: string | URL): string {
  return typeof p === 'string' ? p : fileURLToPath(p);
}

export async function openSource(input: MediaInput, options: SourceOptions = {}): Promise<Source> {
  if (typeof input === 'string' || input instanceof URL) {
    let fh: FileHandle;
    try {
      fh = await open(toPath(input), 'r');
    } catch (e) {
      throw new MediaError('io', `cannot open input: ${(e as Error).message}`, {}, { cause: e });
    }
    const st = await fh.stat();
    const ra = options.readAhead ?? 0;
    return ra > 0 ? new ReadAheadFileSource(fh, st.size, ra) : new FileSource(fh, st.size);
  }
  if (input instanceof Uint8Array) return new BytesSource(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  if (typeof (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') return new StreamSource(input);
  throw new MediaError('io', 'input must be a file path, bytes, or an async iterable of bytes');
}

export interface Sink {
  /** Bytes handed to write() so far (the output offset of the next write). */
  position: number;
  /**
   * Queues `buf` for output at `position`. The caller must not change `buf` afterwards; `done` runs once
   * it has been written (it may then be reused). The promise resolves when the caller may go on (not
   * necessarily when the bytes are written), and rejects on an earlier write failure.
   */
  write(buf: Buffer, done?: () => void): Promise<void>;
  close(): Promise<void>;
  /** Close and, for file outputs, remove the partial file. */
  abort(): Promise<void>;
}

/** Small writes are gathered up to this many bytes into one positional writev. */
const WRITE_BATCH = 256 * 1024;
const WRITE_BATCH_PARTS = 256;
/**
 * Batches queued (one writing, the rest waiting) before write() waits for the oldest. Writes to one file
 * run one after another (concurrent ones only contend for its inode lock), while the caller goes on.
 */
const WRITES_QUEUED = 2;

/** A file written with positional, batched writes that run while the caller prepares the next data. */
class FileSink implements Sink {
  position = 0;
  private flushed = 0;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchDone: (() => void)[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private last: Promise<void> = Promise.resolve();
  private error: Error | undefined;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
  ) {}

  private async writeAll(parts: Buffer[], at: number): Promise<void> {
    let rest = parts;
    let pos = at;
    for (;;) {
      const total = rest.reduce((s, b) => s + b.length, 0);
      if (total === 0) return;
      const { bytesWritten } = rest.length === 1 ? await this.fh.write(rest[0]!, 0, total, pos) : await this.fh.writev(rest, pos);
      if (bytesWritten === total) return;
      if (bytesWritten <= 0) throw new Error(`short write at offset ${pos}`);
      pos += bytesWritten;
      let skip = bytesWritten;
      const next: Buffer[] = [];
      for (const b of rest) {
        if (skip >= b.length) skip -= b.length;
        else {
          next.push(skip > 0 ? b.subarray(skip) : b);
          skip = 0;
        }
      }
      rest = next;
    }
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const parts = this.batch;
    const done = this.batchDone;
    const at = this.flushed;
    this.flushed += this.batchBytes;
    this.batch = [];
    this.batchDone = [];
    this.batchBytes = 0;
    this.last = this.last
      .then(() => (this.error ? undefined : this.writeAll(parts, at)))
      .then(
        () => {
          for (const d of done) d();
        },
        (e: unknown) => {
          this.error ??= new MediaError('io', `write failed: ${(e as Error).message}`, {}, { cause: e });
        },
      );
    this.inFlight.push(this.last);
  }

  async write(buf: Buffer, done?: () => void): Promise<void> {
    if (this.error) throw this.error;
    if (buf.length === 0) {
      done?.();
      return;
    }
    this.batch.push(buf);
    this.batchBytes += buf.length;
    if (done) this.batchDone.push(done);
    this.position += buf.length;
    if (this.batchBytes >= WRITE_BATCH || this.batch.length >= WRITE_BATCH_PARTS) this.flush();
    while (this.inFlight.length > WRITES_QUEUED) await this.inFlight.shift();
    if (this.error) throw this.error;
  }

  private async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.length > 0) await this.inFlight.shift();
  }

  async close(): Promise<void> {
    await this.drain();
    if (this.error) {
      await this.fh.close().catch(() => undefined);
      throw this.error;
    }
    await this.fh.close();
  }

  async abort(): Promise<void> {
    this.batch = [];
    await this.drain();
    await this.fh.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }
}

class WritableSink implements Sink {
  position = 0;

  constructor(private readonly w: Writable) {}

  write(buf: Buffer, done?: () => void): Promise<void> {
    this.position += buf.length;
    return new Promise((resolve, reject) => {
      this.w.write(buf, (err) => {
        if (err) reject(new MediaError('io', `write failed: ${err.message}`, {}, { cause: err }));
        else {
          done?.();
          resolve();
        }
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.w.once('error', reject);
      this.w.end(() => resolve());
    });
  }

  async abort(): Promise<void> {
    this.w.end();
  }
}

export async function openSink(output: MediaOutput): Promise<Sink> {
  if (typeof output === 'string' || output instanceof URL) {
    const path = toPath(output);
    try {
      return new FileSink(await open(path, 'w'), path);
    } catch (e) {
      throw new MediaError('io', `cannot open output: ${(e as Error).message}`, {}, { cause: e });
    }
  }
  return new WritableSink(output);
}
