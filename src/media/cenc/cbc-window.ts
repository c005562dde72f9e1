// Batched AES-CBC (cbcs, cbc1) for samples that lie in a BlockMemory: the protected blocks of many samples are
// gathered into one 64 KB window, the per-block loops running in WebAssembly (wasm/blocks.wat).
// Decrypting: one AES-ECB call deciphers the window, and the CBC chaining is applied while scattering back.
// Encrypting: each chain's blocks lie side by side in the window, so one AES-CBC call per chain enciphers them,
// and the ciphertext is placed back.
import { createCipheriv } from 'node:crypto';
import type { Cipher, Decipher } from 'node:crypto';
import type { BlockMemory } from './block-memory.js';
import { CIPHER_CALL_BYTES as WINDOW, dropCryptoOutput, updateInto } from './crypto-output.js';

const FULL = WINDOW >> 4;

/**
 * One AES-CBC cipher per key for every chain encrypted with it: a cipher carries its last ciphertext block into
 * the next call, so a chain that starts from its own IV instead has its first block XORed with that IV and with
 * `last` (the block the cipher carries) first. Making a cipher per chain costs more than the chain itself.
 */
export interface CbcEncryptor {
  readonly cipher: Cipher;
  /** The cipher's chaining state: its last ciphertext block (the zero IV it was made with, at first). */
  readonly last: Buffer;
}

/** A cache of CbcEncryptors, one per key object, made on first use. */
export function cbcEncryptorPerKey(): (key: Buffer) => CbcEncryptor {
  const made = new Map<Buffer, CbcEncryptor>();
  return (key) => {
    let e = made.get(key);
    if (!e) {
      const zero = Buffer.alloc(16);
      e = { cipher: createCipheriv('aes-128-cbc', key, zero).setAutoPadding(false), last: zero };
      made.set(key, e);
    }
    return e;
  };
}

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
  /** Set when encrypting (encryptWith), instead of ecb. */
  private enc: CbcEncryptor | undefined;
  /** Per chain start: whether it starts from its IV (1) or goes on from the previous window (0); encrypting only. */
  private readonly restarts = new Uint8Array(FULL);

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
    if (ecb !== this.ecb || this.enc) {
      this.flush();
      this.ecb = ecb;
      this.enc = undefined;
    }
  }

  /** Blocks gathered from now on are enciphered, chain by chain, with `enc`; a change of key flushes. */
  encryptWith(enc: CbcEncryptor): void {
    if (enc !== this.enc) {
      this.flush();
      this.enc = enc;
      this.ecb = undefined;
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

  /** Runs the window through the cipher and writes the result back: every range gathered so far is then done. */
  flush(): void {
    const nb = this.nb;
    if (nb === 0) return;
    if (this.enc) {
      this.encryptWindow(this.enc);
      return;
    }
    const n = nb << 4;
    updateInto(this.ecb!, this.mem.view(this.gathered, n), this.mem.bytes, this.plain);
    this.mem.loops.scatter(nb, this.gathered, this.plain, this.positions, this.starts, this.ivs, this.ns);
    this.mem.bytes.copyWithin(this.carry, this.gathered + n - 16, this.gathered + n);
    this.nb = 0;
    this.ns = 0;
  }

  /**
   * One AES-CBC call per chain in the window (they lie side by side, in order): a chain that starts from its IV
   * has its first block XORed with the IV and the cipher's carried block first; one going on from the previous
   * window goes on from the cipher's own state. Then the ciphertext goes back where the blocks came from.
   */
  private encryptWindow(enc: CbcEncryptor): void {
    const nb = this.nb;
    const bytes = this.mem.bytes;
    const last = enc.last;
    for (let k = 0; k < this.ns; k++) {
      const a = this.startAt[k]!;
      const b = k + 1 < this.ns ? this.startAt[k + 1]! : nb;
      if (b <= a) continue;
      const at = this.gathered + 16 * a;
      if (this.restarts[k] === 1) {
        const iv = this.ivs + 16 * k;
        for (let i = 0; i < 16; i++) bytes[at + i] = bytes[at + i]! ^ bytes[iv + i]! ^ last[i]!;
      }
      const out = enc.cipher.update(this.mem.view(at, 16 * (b - a)));
      if (out.length !== 16 * (b - a)) throw new Error(`cipher returned ${out.length} of ${16 * (b - a)} bytes`);
      bytes.set(out, this.plain + 16 * a);
      out.copy(last, 0, out.length - 16);
      dropCryptoOutput(out);
    }
    this.mem.loops.place(nb, this.plain, this.positions);
    this.nb = 0;
    this.ns = 0;
  }

  /** Block j of the window starts a chain, XORed with iv. */
  private chainAt(j: number, iv: Buffer): void {
    this.restarts[this.ns] = 1;
    this.startAt[this.ns] = j;
    this.mem.bytes.set(iv, this.ivs + 16 * this.ns);
    this.ns++;
  }

  /** Block 0 of the window continues a chain from the previous window's last ciphertext block. */
  private chainAtCarry(): void {
    this.restarts[this.ns] = 0;
    this.startAt[this.ns] = 0;
    this.mem.bytes.copyWithin(this.ivs + 16 * this.ns, this.carry, this.carry + 16);
    this.ns++;
  }
}
