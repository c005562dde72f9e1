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
}

class FileSource implements Source {
  readonly seekable = true;
  position = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  async readAt(offset: number, n: number): Promise<Buffer> {
    const len = Math.max(0, Math.min(n, this.size - offset));
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === len ? buf : buf.subarray(0, got);
  }

  async read(n: number): Promise<Buffer> {
    const b = await this.readAt(this.position, n);
    this.position += b.length;
    return b;
  }

  async skip(n: number): Promise<void> {
    this.position = Math.min(this.size, this.position + n);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

class BytesSource implements Source {
  readonly seekable = true;
  position = 0;
  readonly size: number;

  constructor(private readonly bytes: Buffer) {
    this.size = bytes.length;
  }

  async readAt(offset: number, n: number): Promise<Buffer> {
    // A copy: decryption happens in place and must not touch the caller's bytes.
    return Buffer.from(this.bytes.subarray(offset, Math.min(this.size, offset + n)));
  }

  async read(n: number): Promise<Buffer> {
    const b = await this.readAt(this.position, n);
    this.position += b.length;
    return b;
  }

  async skip(n: number): Promise<void> {
    this.position = Math.min(this.size, this.position + n);
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

export async function openSource(input: MediaInput): Promise<Source> {
  if (typeof input === 'string' || input instanceof URL) {
    let fh: FileHandle;
    try {
      fh = await open(toPath(input), 'r');
    } catch (e) {
      throw new MediaError('io', `cannot open input: ${(e as Error).message}`, {}, { cause: e });
    }
    const st = await fh.stat();
    return new FileSource(fh, st.size);
  }
  if (input instanceof Uint8Array) return new BytesSource(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  if (typeof (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') return new StreamSource(input);
  throw new MediaError('io', 'input must be a file path, bytes, or an async iterable of bytes');
}

export interface Sink {
  position: number;
  write(buf: Buffer): Promise<void>;
  close(): Promise<void>;
  /** Close and, for file outputs, remove the partial file. */
  abort(): Promise<void>;
}

class FileSink implements Sink {
  position = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
  ) {}

  async write(buf: Buffer): Promise<void> {
    let o = 0;
    while (o < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, o, buf.length - o);
      o += bytesWritten;
    }
    this.position += buf.length;
  }

  close(): Promise<void> {
    return this.fh.close();
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }
}

class WritableSink implements Sink {
  position = 0;

  constructor(private readonly w: Writable) {}

  write(buf: Buffer): Promise<void> {
    this.position += buf.length;
    return new Promise((resolve, reject) => {
      this.w.write(buf, (err) => (err ? reject(new MediaError('io', `write failed: ${err.message}`, {}, { cause: err })) : resolve()));
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
