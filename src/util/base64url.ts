// base64url without padding (RFC 7515 appendix C), strict on input: the Clear Key formats require it.

const VALID = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Returns undefined for anything that is not canonical unpadded base64url. */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  const remainder = text.length % 4;
  if (remainder === 1 || !VALID.test(text)) return undefined;
  // Canonical form only (no stray bits in the last character), so one key has exactly one spelling.
  if (remainder !== 0) {
    const last = ALPHABET.indexOf(text[text.length - 1]!);
    if ((last & (remainder === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  // An unpooled buffer of the exact size: long-lived keys must not pin Node's shared 8 KB pool slabs.
  const out = Buffer.allocUnsafeSlow((text.length * 3) >> 2);
  const written = out.write(text, 'base64url');
  return new Uint8Array(out.buffer, out.byteOffset, written);
}
