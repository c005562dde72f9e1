// node:crypto returns every cipher result in a new buffer, and V8 frees it only at a later collection
// (external memory alone triggers one every ~64 MB). Meanwhile each call lands on memory nobody has touched
// lately: a page fault per 4 KB and cold caches, for every byte decrypted. Detaching the result's
// ArrayBuffer once its bytes are copied frees it on the spot, so the next call gets the same warm memory
// back (ArrayBuffer.prototype.transfer, ES2024: in Node 22 and later; behind a V8 flag in Node 20).
// updateInto does that for a result copied to one place; ecbPerKey keeps the ECB ciphers the batched paths share.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Cipher, Decipher } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Transfer = (this: ArrayBuffer, newLength?: number) => ArrayBuffer;

/**
 * Largest cipher call (input, and so output): outputs up to this size stay in malloc's heap, where a dropped one
 * is reused warm; larger ones are mmapped and page-faulted anew each call.
 */
export const CIPHER_CALL_BYTES = 64 * 1024;

let transfer = (ArrayBuffer.prototype as { transfer?: Transfer }).transfer;

/** Frees a node:crypto result whose bytes have been used; a no-op where the runtime cannot. */
export function dropCryptoOutput(buf: Buffer): void {
  // Only a buffer that spans its whole ArrayBuffer is its own: never detach memory shared with anything else.
  if (transfer !== undefined && buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer) {
    transfer.call(buf.buffer, 0);
  }
}

/**
 * Makes dropCryptoOutput effective on Node 20, where ArrayBuffer.prototype.transfer exists only behind
 * --harmony-rab-gsab-transfer: sets that flag and takes the function from a new context (the flag does not
 * change existing ones). For programs that own their process, such as the emekit CLI; a library should not
 * flip its host's V8 flags. Returns whether buffers can now be dropped (always true on Node 22+).
 */
export function enableArrayBufferTransfer(): boolean {
  if (transfer === undefined) {
    try {
      setFlagsFromString('--harmony-rab-gsab-transfer');
      const fn: unknown = runInNewContext('ArrayBuffer.prototype.transfer');
      if (typeof fn === 'function') transfer = fn as Transfer;
    } catch {
      // Left as a no-op: decryption is correct either way, only slower.
    }
  }
  return transfer !== undefined;
}

/** The part of a node:crypto Cipher or Decipher that updateInto uses. */
interface CipherUpdate {
  update(data: Uint8Array): Buffer;
}

/**
 * Runs `input` through `cipher`, copies the result to target[at] and frees it at once (dropCryptoOutput). CTR, and
 * unpadded ECB/CBC on whole blocks, return as many bytes as they are given: anything else is a bug.
 */
export function updateInto(cipher: CipherUpdate, input: Uint8Array, target: Uint8Array, at: number): void {
  const out = cipher.update(input);
  if (out.length !== input.length) throw new Error(`cipher returned ${out.length} of ${input.length} bytes`);
  target.set(out, at);
  dropCryptoOutput(out);
}

/** A cache of unpadded AES-128-ECB ciphers, one per key object, made on first use: ECB keeps no IV, so one serves every call. */
export function ecbPerKey(direction: 'decrypt'): (key: Buffer) => Decipher;
export function ecbPerKey(direction: 'encrypt'): (key: Buffer) => Cipher;
export function ecbPerKey(direction: 'encrypt' | 'decrypt'): (key: Buffer) => Cipher | Decipher {
  const ciphers = new Map<Buffer, Cipher | Decipher>();
  return (key) => {
    let c = ciphers.get(key);
    if (!c) {
      c = (direction === 'decrypt' ? createDecipheriv : createCipheriv)('aes-128-ecb', key, null).setAutoPadding(false);
      ciphers.set(key, c);
    }
    return c;
  };
}
