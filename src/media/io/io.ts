// Byte sources (file path with random access, in-memory bytes, async byte streams) and sinks (file path, Writable).
// fs.promises rather than node:fs/promises: in the CLI's CommonJS bundle it is then loaded on first use
// (~3 ms at start-up that blocking I/O never needs).
import { closeSync, fstatSync, openSync, promises as fsp, readSync, write, writeSync, writev, writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MediaError } from '../errors.js';

export type MediaInput = string | URL | Uint8Array | AsyncIterable<Uint8Array>;
export type MediaOutput = string | URL | Writable;

export interface Source {
  readonly size: number | undefined;
  readonly seekable: boolean;
  /** Offset of the next sequential read. */
  position: number;
  /** Next `n` bytes (fewer only at end of input). The buffer is the caller's to modify. */
  read(n: number): Promise<Buffer>;
  /**
   * Reads the next `n` bytes into `into` and resolves with how many arrived (fewer only at end of input).
   * The range is claimed when the call is made, so on a seekable source several reads may be in flight.
   */
  readInto(into: Buffer, n: number): Promise<number>;
  /** Random access, only when `seekable`. */
  readAt(offset: number, n: number): Promise<Buffer>;
  /** Random access into `into` (only when `seekable`): resolves with how many bytes arrived (fewer only at the end). */
  readAtInto(into: Buffer, offset: number, n: number): Promise<number>;
  skip(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A source with random access: sequential reads are positional reads at `position`. */
abstract class SeekableSource implements Source {
  readonly seekable = true;
  position = 0;

  constructor(readonly size: number) {}

  abstract readAt(offset: number, n: number): Promise<Buffer>;
  abstract readAtInto(into: Buffer, offset: number, n: number): Promise<number>;
  abstract close(): Promise<void>;

  async read(n: number): Promise<Buffer> {
    const b = await this.readAt(this.position, n);
    this.position += b.length;
    return b;
  }

  readInto(into: Buffer, n: number): Promise<number> {
    const at = this.position;
    const len = Math.max(0, Math.min(n, this.size - at));
    this.position = at + len;
    return this.readAtInto(into, at, len);
  }

  async skip(n: number): Promise<void> {
    this.position = Math.min(this.size, this.position + n);
  }
}

/** `blocking`: file reads and writes on the calling thread, not libuv's pool (see DecryptOptions.blockingIo). */
export interface IoOptions {
  blocking?: boolean;
}

/**
 * An open file: a FileHandle for calls through libuv's pool, or a bare descriptor when every call on it
 * blocks (opening, closing included: nothing then waits for the pool).
 */
type OpenFile = FileHandle | number;

function fdOf(file: OpenFile): number {
  return typeof file === 'number' ? file : file.fd;
}

async function closeFile(file: OpenFile): Promise<void> {
  if (typeof file === 'number') closeSync(file);
  else await file.close();
}

/** Opens `path` with flags 'r' or 'w', blocking or through the pool. */
async function openFile(path: string, flags: 'r' | 'w', blocking: boolean): Promise<OpenFile> {
  return blocking ? openSync(path, flags) : fsp.open(path, flags);
}

class FileSource extends SeekableSource {
  /** Reads still running; close() waits for them so that none lands in a reused buffer or a closed file. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly file: OpenFile,
    size: number,
  ) {
    super(size);
  }

  async readAt(offset: number, n: number): Promise<Buffer> {
    const len = Math.max(0, Math.min(n, this.size - offset));
    const buf = Buffer.allocUnsafe(len);
    const got = await this.readAtInto(buf, offset, len);
    return got === len ? buf : buf.subarray(0, got);
  }

  readAtInto(into: Buffer, offset: number, n: number): Promise<number> {
    const len = Math.max(0, Math.min(n, this.size - offset));
    if (typeof this.file === 'number') {
      try {
        return Promise.resolve(readFullySync(this.file, into, len, offset));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const p = readFully(this.file, into, len, offset);
    this.pending.add(p);
    void p.then(
      () => this.pending.delete(p),
      () => this.pending.delete(p),
    );
    return p;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    await closeFile(this.file);
  }
}

function readFullySync(fd: number, buf: Buffer, len: number, offset: number): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got;
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

class BytesSource extends SeekableSource {
  constructor(private readonly bytes: Buffer) {
    super(bytes.length);
  }

  async readAt(offset: number, n: number): Promise<Buffer> {
    // A copy: decryption happens in place and must not touch the caller's bytes.
    return Buffer.from(this.bytes.subarray(offset, Math.min(this.size, offset + n)));
  }

  async readAtInto(into: Buffer, offset: number, n: number): Promise<number> {
    return this.bytes.copy(into, 0, offset, Math.min(this.size, offset + n));
  }

  async close(): Promise<void> {}
}

class StreamSource implements Source {
  readonly seekable = false;
  readonly size = undefined;
  position = 0;
  /** Chunks not yet read are queue[head..]; the consumed ones before head are dropped in batches (see take). */
  private queue: Buffer[] = [];
  private head = 0;
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
    const want = Math.min(n, this.queued);
    const first = this.queue[this.head];
    if (first && first.length === want) {
      // Copy: stream chunks may be shared with other consumers and decryption is in place.
      this.head++;
      this.compact();
      this.queued -= want;
      this.position += want;
      return Buffer.from(first);
    }
    const out = Buffer.allocUnsafe(want);
    this.take(out, want);
    return out;
  }

  /** One at a time: a stream has no positions to claim ahead. */
  async readInto(into: Buffer, n: number): Promise<number> {
    await this.fill(n);
    return this.take(into, n);
  }

  /**
   * Moves up to `n` queued bytes into `out` (drops them when undefined), in time linear in the chunks it passes:
   * consumed chunks are passed by index, not shifted off one at a time (each shift moves the whole queue: quadratic
   * for small chunks).
   */
  private take(out: Buffer | undefined, n: number): number {
    const want = Math.min(n, this.queued);
    const q = this.queue;
    let o = 0;
    while (o < want) {
      const h = q[this.head]!;
      const k = Math.min(h.length, want - o);
      if (out) h.copy(out, o, 0, k);
      o += k;
      if (k === h.length) this.head++;
      else q[this.head] = h.subarray(k);
    }
    this.compact();
    this.queued -= want;
    this.position += want;
    return want;
  }

  /** Drops consumed chunks once they are at least half the queue: amortised constant time per chunk. */
  private compact(): void {
    if (this.head >= 64 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  readAt(): Promise<Buffer> {
    return Promise.reject(new MediaError('unsupported-layout', 'random access on a stream input'));
  }

  readAtInto(): Promise<number> {
    return this.readAt().then(() => 0);
  }

  /** Drops the next `n` bytes (fewer at the end of the input) without copying them, a few MiB queued at a time. */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      await this.fill(Math.min(left, 1 << 22));
      if (this.queued === 0) break;
      left -= this.take(undefined, left);
    }
  }

  async close(): Promise<void> {
    if (!this.done) await this.it.return?.();
  }
}

function toPath(p: string | URL): string {
  return typeof p === 'string' ? p : fileURLToPath(p);
}

export async function openSource(input: MediaInput, options: IoOptions = {}): Promise<Source> {
  if (typeof input === 'string' || input instanceof URL) {
    let file: OpenFile;
    try {
      file = await openFile(toPath(input), 'r', options.blocking === true);
    } catch (e) {
      throw new MediaError('io', `cannot open input: ${(e as Error).message}`, {}, { cause: e });
    }
    const size = typeof file === 'number' ? fstatSync(file).size : (await file.stat()).size;
    return new FileSource(file, size);
  }
  // ArrayBuffer.isView, not instanceof: a DOM test environment (vitest's jsdom) replaces the global Uint8Array.
  if (ArrayBuffer.isView(input)) return new BytesSource(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  if (typeof (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') return new StreamSource(input);
  throw new MediaError('io', 'input must be a file path, bytes, or an async iterable of bytes');
}

export interface Sink {
  /** Bytes handed to write() so far (the output offset of the next write). */
  position: number;
  /**
   * The sink passes written buffers on by reference (a Writable's consumer may keep them), so they are
   * never the writer's to reuse, and `done` is not called.
   */
  readonly keepsBuffers: boolean;
  /**
   * Queues `buf` for output at `position`. The caller must not change `buf` afterwards; `done` runs once
   * it has been written (it may then be reused), except on sinks that keep buffers. The promise resolves
   * when the caller may go on (not necessarily when the bytes are written), and rejects on an earlier
   * write failure.
   */
  write(buf: Buffer, done?: () => void): Promise<void>;
  /** write() for bytes that lie in several buffers (a gathered write: one system call for all of them on a file). */
  writeParts(parts: readonly Buffer[], done?: () => void): Promise<void>;
  /** Starts writing whatever is batched, without waiting (so that `done` callbacks come). */
  flush(): void;
  close(): Promise<void>;
  /** Close and, for file outputs, remove the partial file. */
  abort(): Promise<void>;
}

/** Small writes are gathered up to this many bytes into one positional writev. */
const WRITE_BATCH = 256 * 1024;
const WRITE_BATCH_PARTS = 256;
/**
 * Batches in flight before write() waits for the oldest. Each is handed to libuv's pool as soon as it is cut, at
 * its own offset, rather than after the one before: chained through this thread's event loop, a write that
 * finished while this thread was encrypting left the file idle until it next yielded (`emekit encrypt` spent
 * ~50 ms of 200 waiting on writes). The kernel still writes to one file one call at a time (its inode lock).
 */
const WRITES_QUEUED = 4;

/** What is left of `parts` once their first `skip` bytes are written. */
function partsAfter(parts: readonly Buffer[], skip: number): Buffer[] {
  const next: Buffer[] = [];
  for (const b of parts) {
    if (skip >= b.length) skip -= b.length;
    else {
      next.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return next;
}

/**
 * Writes parts at `pos` through libuv's pool on the descriptor of a FileHandle the caller keeps open until the write
 * settles: fs.writev's callback form costs this thread about half of FileHandle.writev per call (~15 against ~30 µs
 * for 16 parts, its promise and handle bookkeeping), and a 200 MB output is hundreds of calls.
 */
function writeAt(fd: number, parts: Buffer[], total: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = (e: NodeJS.ErrnoException | null, n: number) => (e ? reject(e) : resolve(n));
    if (parts.length === 1) write(fd, parts[0]!, 0, total, pos, done);
    else writev(fd, parts, pos, done);
  });
}

/** A file written with positional, batched writes that run while the caller prepares the next data. */
class FileSink implements Sink {
  position = 0;
  readonly keepsBuffers = false;
  private flushed = 0;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchDone: (() => void)[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private error: Error | undefined;

  constructor(
    private readonly file: OpenFile,
    private readonly path: string,
  ) {}

  private writeAllSync(buf: Buffer): void {
    let done = 0;
    while (done < buf.length) {
      const n = writeSync(fdOf(this.file), buf, done, buf.length - done, this.flushed + done);
      if (n <= 0) throw new Error(`short write at offset ${this.flushed + done}`);
      done += n;
    }
    this.flushed += buf.length;
  }

  private writePartsSync(parts: readonly Buffer[]): void {
    let rest = parts;
    let pos = this.flushed;
    for (;;) {
      const total = rest.reduce((s, b) => s + b.length, 0);
      if (total === 0) break;
      const n = writevSync(fdOf(this.file), rest as Buffer[], pos);
      if (n <= 0) throw new Error(`short write at offset ${pos}`);
      pos += n;
      rest = n === total ? [] : partsAfter(rest, n);
    }
    this.flushed = pos;
  }

  private async writeAll(parts: Buffer[], at: number): Promise<void> {
    let rest = parts;
    let pos = at;
    for (;;) {
      const total = rest.reduce((s, b) => s + b.length, 0);
      if (total === 0) return;
      const bytesWritten = await writeAt((this.file as FileHandle).fd, rest, total, pos);
      if (bytesWritten === total) return;
      if (bytesWritten <= 0) throw new Error(`short write at offset ${pos}`);
      pos += bytesWritten;
      rest = partsAfter(rest, bytesWritten);
    }
  }

  flush(): void {
    if (this.batch.length === 0) return;
    const parts = this.batch;
    const done = this.batchDone;
    const at = this.flushed;
    this.flushed += this.batchBytes;
    this.batch = [];
    this.batchDone = [];
    this.batchBytes = 0;
    const written = (this.error ? Promise.resolve() : this.writeAll(parts, at)).then(
      () => {
        for (const d of done) d();
      },
      (e: unknown) => {
        this.error ??= new MediaError('io', `write failed: ${(e as Error).message}`, {}, { cause: e });
      },
    );
    this.inFlight.push(written);
  }

  write(buf: Buffer, done?: () => void): Promise<void> {
    return this.writeParts([buf], done);
  }

  async writeParts(parts: readonly Buffer[], done?: () => void): Promise<void> {
    if (this.error) throw this.error;
    let bytes = 0;
    for (const b of parts) bytes += b.length;
    if (bytes === 0) {
      done?.();
      return;
    }
    if (typeof this.file === 'number') {
      try {
        if (parts.length === 1) this.writeAllSync(parts[0]!);
        else this.writePartsSync(parts);
      } catch (e) {
        this.error = new MediaError('io', `write failed: ${(e as Error).message}`, {}, { cause: e });
        throw this.error;
      }
      this.position += bytes;
      done?.();
      return;
    }
    for (const b of parts) if (b.length > 0) this.batch.push(b);
    this.batchBytes += bytes;
    if (done) this.batchDone.push(done);
    this.position += bytes;
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
      await closeFile(this.file).catch(() => undefined);
      throw this.error;
    }
    await closeFile(this.file);
  }

  async abort(): Promise<void> {
    this.batch = [];
    await this.drain();
    await closeFile(this.file).catch(() => undefined);
    await fsp.unlink(this.path).catch(() => undefined);
  }
}

class WritableSink implements Sink {
  position = 0;
  readonly keepsBuffers = true;

  constructor(private readonly w: Writable) {}

  flush(): void {}

  writeParts(parts: readonly Buffer[]): Promise<void> {
    return this.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  write(buf: Buffer): Promise<void> {
    this.position += buf.length;
    return new Promise((resolve, reject) => {
      this.w.write(buf, (err) => {
        if (err) reject(new MediaError('io', `write failed: ${err.message}`, {}, { cause: err }));
        else resolve();
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

export async function openSink(output: MediaOutput, options: IoOptions = {}): Promise<Sink> {
  if (typeof output === 'string' || output instanceof URL) {
    const path = toPath(output);
    try {
      return new FileSink(await openFile(path, 'w', options.blocking === true), path);
    } catch (e) {
      throw new MediaError('io', `cannot open output: ${(e as Error).message}`, {}, { cause: e });
    }
  }
  return new WritableSink(output);
}
