// Batched AES-CBC decryption (cbcs, cbc1) for samples that lie in a WebAssembly memory of its own: the
// encrypted blocks of many samples are gathered into one 64 KB window, deciphered by a single AES-ECB call,
// and scattered back with the CBC chaining applied, the per-block loops running in a small WebAssembly module
// (wasm/cbc-window.wat). The memory also holds the buffers the caller decrypts in (allocate()); it never
// grows, since growing would detach every buffer handed out.
import type { Decipher } from 'node:crypto';
import { dropCryptoOutput } from './crypto-output.js';
import { cbcWindowWasm } from './wasm/cbc-window-wasm.js';

interface CbcWindowExports {
  gather(q: number, end: number, crypt: number, skip: number, left: number, j: number, full: number, g: number, pos: number): number;
  scatter(nb: number, g: number, plain: number, pos: number, starts: number, ivs: number, nStarts: number): void;
  resumeAt: { readonly value: number };
  resumeLeft: { readonly value: number };
  more: { readonly value: number };
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

/** Largest cipher call: outputs up to this size stay in malloc's heap (see cipher.ts). */
const WINDOW = 64 * 1024;
const FULL = WINDOW >> 4;
// Layout of the memory: the gathered ciphertext, the deciphered window, each block's address, where chains
// start and their IVs (at most one per block), the carry, then the caller's buffers.
const GATHERED = 0;
const PLAIN = GATHERED + WINDOW;
const POSITIONS = PLAIN + WINDOW;
const STARTS = POSITIONS + FULL * 4;
const IVS = STARTS + FULL * 4;
const CARRY = IVS + FULL * 16;
const BUFFERS = CARRY + 16;
const PAGE = 64 * 1024;
/** The memory is reserved whole up front: bound it (buffers beyond come from the caller's own allocation). */
const MAX_BUFFER_BYTES = 256 * 1024 * 1024;
/** A crypt count that never runs out: unpatterned CBC encrypts every whole block. */
export const ALL_BLOCKS = 0x7fffffff;

let compiled: object | null | undefined;

/** The compiled module, or null where the runtime has no WebAssembly (e.g. node --jitless). */
function wasmModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasmApi ? new wasmApi.Module(cbcWindowWasm) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export class CbcWindow {
  private readonly memory: WasmMemory;
  private readonly bytes: Uint8Array;
  private readonly starts: Int32Array;
  private readonly wasm: CbcWindowExports;
  private readonly end: number;
  private nextBuffer = BUFFERS;
  /** Blocks gathered, and chain starts recorded, since the last flush. */
  private nb = 0;
  private ns = 0;
  private ecb: Decipher | undefined;

  /** A window with room for `bufferBytes` of caller buffers; undefined where WebAssembly is unavailable. */
  static create(bufferBytes: number): CbcWindow | undefined {
    const mod = wasmModule();
    return wasmApi && mod ? new CbcWindow(wasmApi, mod, Math.min(Math.max(0, bufferBytes), MAX_BUFFER_BYTES)) : undefined;
  }

  private constructor(api: WasmApi, mod: object, bufferBytes: number) {
    const pages = Math.ceil((BUFFERS + bufferBytes) / PAGE);
    this.memory = new api.Memory({ initial: pages, maximum: pages });
    this.bytes = new Uint8Array(this.memory.buffer);
    this.starts = new Int32Array(this.memory.buffer, STARTS, FULL);
    this.end = pages * PAGE;
    this.wasm = new api.Instance(mod, { env: { memory: this.memory } }).exports as unknown as CbcWindowExports;
  }

  /** A buffer of n bytes inside the window's memory (for the life of the window), or undefined once it is full. */
  allocate(n: number): Buffer | undefined {
    const at = this.nextBuffer;
    if (n <= 0 || at + n > this.end) return undefined;
    // 16-byte aligned, so that whole buffers line up with AES blocks.
    this.nextBuffer = at + n + 15 - ((n + 15) % 16);
    return Buffer.from(this.memory.buffer, at, n);
  }

  /** Whether buf lies in this window's memory, so that its samples can be gathered. */
  holds(buf: Buffer): boolean {
    return buf.buffer === this.memory.buffer;
  }

  /** Blocks gathered from now on are deciphered with `ecb` (AES-ECB, no padding); a change of key flushes. */
  use(ecb: Decipher): void {
    if (ecb !== this.ecb) {
      this.flush();
      this.ecb = ecb;
    }
  }

  /**
   * Gathers the encrypted blocks of the protected range buf[p, end) (buf held by this window): `crypt` blocks
   * (ALL_BLOCKS without a pattern), then `skip` left clear, and so on. `iv` set: a chain starts at the range's
   * first block; unset: the chain of the previous range goes on. Returns whether any block was gathered.
   */
  gatherRange(buf: Buffer, p: number, end: number, crypt: number, skip: number, iv: Buffer | undefined): boolean {
    if (end - p < 16 || crypt <= 0) return false;
    if (this.nb === FULL) this.flush();
    if (iv !== undefined) this.chainAt(this.nb, iv);
    else if (this.nb === 0) this.chainAtCarry();
    let q = buf.byteOffset + p;
    const stop = buf.byteOffset + end;
    let left = crypt;
    for (;;) {
      this.nb = this.wasm.gather(q, stop, crypt, skip, left, this.nb, FULL, GATHERED, POSITIONS);
      if (this.wasm.more.value === 0) return true;
      q = this.wasm.resumeAt.value;
      left = this.wasm.resumeLeft.value;
      this.flush();
      // The chain goes on from the last block of the window just flushed.
      this.chainAtCarry();
    }
  }

  /** Deciphers the window and writes the plaintext back: every range gathered so far is then clear. */
  flush(): void {
    const nb = this.nb;
    if (nb === 0) return;
    const n = nb << 4;
    const result = this.ecb!.update(new Uint8Array(this.memory.buffer, GATHERED, n));
    if (result.length !== n) throw new Error(`AES-ECB returned ${result.length} of ${n} bytes`);
    this.bytes.set(result, PLAIN);
    dropCryptoOutput(result);
    this.wasm.scatter(nb, GATHERED, PLAIN, POSITIONS, STARTS, IVS, this.ns);
    this.bytes.copyWithin(CARRY, GATHERED + n - 16, GATHERED + n);
    this.nb = 0;
    this.ns = 0;
  }

  /** Block j of the window starts a chain, XORed with iv (16 bytes). */
  private chainAt(j: number, iv: Buffer): void {
    this.starts[this.ns] = j;
    this.bytes.set(iv, IVS + 16 * this.ns);
    this.ns++;
  }

  /** Block 0 of the window continues a chain from the previous window's last ciphertext block. */
  private chainAtCarry(): void {
    this.starts[this.ns] = 0;
    this.bytes.copyWithin(IVS + 16 * this.ns, CARRY, CARRY + 16);
    this.ns++;
  }
}
