// Batched AES-CBC decryption (cbcs, cbc1) for samples that lie in a BlockMemory: the encrypted blocks of many
// samples are gathered into one 64 KB window, deciphered by a single AES-ECB call, and scattered back with
// the CBC chaining applied, the per-block loops running in WebAssembly (wasm/blocks.wat).
import type { Decipher } from 'node:crypto';
import type { BlockMemory } from './block-memory.js';
import { CIPHER_CALL_BYTES as WINDOW, updateInto } from './crypto-output.js';

const FULL = WINDOW >> 4;

export class CbcWindow {
  /** Bytes of working areas a window reserves in its memory. */
  static readonly reservedBytes = 2 * WINDOW + FULL * 4 * 2 + FULL * 16 + 16;

  // Working areas: the gathered ciphertext, the deciphered window, each block's address, where chains start
  // and their IVs (at most one per block), and the last ciphertext block of the previous window.
  private readonly gathered: number;
  private readonly plain: number;
  private readonly positions: number;
  private readonly starts: number;
  private readonly startAt: Int32Array;
  private readonly ivs: number;
  private readonly carry: number;
  /** Blocks gathered, and chain starts recorded, since the last flush. */
  private nb = 0;
  private ns = 0;
  private ecb: Decipher | undefined;

  constructor(private readonly mem: BlockMemory) {
    this.gathered = mem.reserve(WINDOW);
    this.plain = mem.reserve(WINDOW);
    this.positions = mem.reserve(FULL * 4);
    this.starts = mem.reserve(FULL * 4);
    this.startAt = new Int32Array(mem.bytes.buffer, this.starts, FULL);
    this.ivs = mem.reserve(FULL * 16);
    this.carry = mem.reserve(16);
  }

  /** Blocks gathered from now on are deciphered with `ecb` (AES-ECB, no padding); a change of key flushes. */
  use(ecb: Decipher): void {
    if (ecb !== this.ecb) {
      this.flush();
      this.ecb = ecb;
    }
  }

  /**
   * Gathers the encrypted blocks of the protected range buf[p, end) (buf in the window's memory): `crypt`
   * blocks, then `skip` left clear, and so on (0:0: every whole block). `iv` (16 bytes) set: a chain
   * starts at the range's first block; unset: the chain of the previous range goes on. Returns whether any
   * block was gathered.
   */
  gatherRange(buf: Buffer, p: number, end: number, crypt: number, skip: number, iv: Buffer | undefined): boolean {
    if (end - p < 16 || (crypt === 0 && skip > 0)) return false;
    if (this.nb === FULL) this.flush();
    if (iv !== undefined) this.chainAt(this.nb, iv);
    else if (this.nb === 0) this.chainAtCarry();
    const loops = this.mem.loops;
    let q = buf.byteOffset + p;
    const stop = buf.byteOffset + end;
    let left = crypt;
    for (;;) {
      this.nb = loops.gather(q, stop, crypt, skip, left, this.nb, FULL, this.gathered, this.positions);
      if (loops.more.value === 0) return true;
      q = loops.resumeAt.value;
      left = loops.resumeLeft.value;
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
    updateInto(this.ecb!, this.mem.view(this.gathered, n), this.mem.bytes, this.plain);
    this.mem.loops.scatter(nb, this.gathered, this.plain, this.positions, this.starts, this.ivs, this.ns);
    this.mem.bytes.copyWithin(this.carry, this.gathered + n - 16, this.gathered + n);
    this.nb = 0;
    this.ns = 0;
  }

  /** Block j of the window starts a chain, XORed with iv. */
  private chainAt(j: number, iv: Buffer): void {
    this.startAt[this.ns] = j;
    this.mem.bytes.set(iv, this.ivs + 16 * this.ns);
    this.ns++;
  }

  /** Block 0 of the window continues a chain from the previous window's last ciphertext block. */
  private chainAtCarry(): void {
    this.startAt[this.ns] = 0;
    this.mem.bytes.copyWithin(this.ivs + 16 * this.ns, this.carry, this.carry + 16);
    this.ns++;
  }
}
