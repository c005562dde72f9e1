// The WebAssembly memory that batched decryption (and encryption) works in, with the module of per-block loops
// (wasm/blocks.wat) that runs on it. Sample buffers handed out by allocate() live there too, so the loops
// reach samples where they lie. The memory never grows: growing would detach every buffer handed out.
import { blocksWasm } from './wasm/blocks-wasm.js';

export interface BlockLoops {
  gather(q: number, end: number, crypt: number, skip: number, left: number, j: number, full: number, g: number, pos: number): number;
  scatter(nb: number, g: number, plain: number, pos: number, starts: number, ivs: number, nStarts: number): void;
  place(nb: number, src: number, pos: number): void;
  counters(dst: number, nb: number, iv: number): void;
  xorRange(q: number, end: number, crypt: number, skip: number, ks: number): number;
  readonly resumeAt: { readonly value: number };
  readonly resumeLeft: { readonly value: number };
  readonly more: { readonly value: number };
}

// The part of the WebAssembly JS API used here (the project's TypeScript libs leave it out; it is absent
// under node --jitless).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

const PAGE = 64 * 1024;
/** The memory is reserved whole up front: bound it (buffers beyond come from the caller's own allocation). */
const MAX_BUFFER_BYTES = 256 * 1024 * 1024;

let compiled: object | null | undefined;

/**
 * Memories given back by a finished decryption, for the next one (one at most, and only small ones): creating a
 * memory (and later unmapping its reservation) cost more than decrypting a small file, e.g. ~0.3 ms per call.
 */
const idle: BlockMemory[] = [];
const IDLE_MAX = 1;
const IDLE_MAX_BYTES = 2 * 1024 * 1024;

/** The compiled module, or null where the runtime has no WebAssembly (e.g. node --jitless). */
function wasmModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasmApi ? new wasmApi.Module(blocksWasm) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export class BlockMemory {
  readonly bytes: Uint8Array;
  readonly loops: BlockLoops;
  private readonly buffer: ArrayBuffer;
  private readonly reservedEnd: number;
  private readonly end: number;
  private next = 0;

  /**
   * A memory with `reservedBytes` for the callers' working areas (reserve()) and `bufferBytes` for sample
   * buffers (allocate()); undefined where WebAssembly is unavailable.
   */
  static create(reservedBytes: number, bufferBytes: number): BlockMemory | undefined {
    const mod = wasmModule();
    if (!wasmApi || !mod) return undefined;
    const buffers = Math.min(Math.max(0, bufferBytes), MAX_BUFFER_BYTES);
    const reused = idle.findIndex((m) => m.reservedEnd === reservedBytes && m.end >= pagesFor(reservedBytes, buffers) * PAGE);
    if (reused >= 0) return idle.splice(reused, 1)[0];
    try {
      return new BlockMemory(wasmApi, mod, reservedBytes, buffers);
    } catch {
      // No address space for another WebAssembly memory (each reserves several GB of it on 64-bit, e.g. under
      // `ulimit -v`): decrypt without one.
      return undefined;
    }
  }

  private constructor(api: WasmApi, mod: object, reservedBytes: number, bufferBytes: number) {
    const pages = pagesFor(reservedBytes, bufferBytes);
    const memory = new api.Memory({ initial: pages, maximum: pages });
    this.buffer = memory.buffer;
    this.bytes = new Uint8Array(this.buffer);
    this.reservedEnd = reservedBytes;
    this.end = pages * PAGE;
    this.loops = new api.Instance(mod, { env: { memory } }).exports as BlockLoops;
  }

  /**
   * Gives the memory back for another decryption once nothing refers to its buffers or working areas any more
   * (the caller's promise: the memory is then zeroed and handed out again). Large memories are left to the GC.
   */
  recycle(): void {
    if (this.end > IDLE_MAX_BYTES || idle.length >= IDLE_MAX || idle.includes(this)) return;
    // What one decryption left here (keystream, plaintext) is not handed to the next.
    this.bytes.fill(0, 0, this.next);
    this.next = 0;
    idle.push(this);
  }

  /** The address of a 16-byte aligned working area of n bytes, out of the reserved part. */
  reserve(n: number): number {
    const at = this.next;
    if (at + n > this.reservedEnd) throw new Error(`block memory: ${n} more reserved bytes than were asked for`);
    this.next = align16(at + n);
    return at;
  }

  /** A 16-byte aligned buffer of n bytes in this memory (for its life), or undefined once there is no room. */
  allocate(n: number): Buffer | undefined {
    const at = Math.max(this.next, align16(this.reservedEnd));
    if (n <= 0 || at + n > this.end) return undefined;
    this.next = align16(at + n);
    return Buffer.from(this.buffer, at, n);
  }

  /** Whether buf lies in this memory, so that the loops can reach it (at buf.byteOffset). */
  holds(buf: Uint8Array): boolean {
    return buf.buffer === this.buffer;
  }

  /** A view of n bytes at `at`, e.g. to hand a working area to node:crypto. */
  view(at: number, n: number): Uint8Array {
    return new Uint8Array(this.buffer, at, n);
  }
}

function pagesFor(reservedBytes: number, bufferBytes: number): number {
  return Math.ceil((reservedBytes + bufferBytes) / PAGE);
}

function align16(n: number): number {
  return (n + 15) & ~15;
}
