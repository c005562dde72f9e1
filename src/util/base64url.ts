// base64url without padding (RFC 7515 appendix C), strict on input: the Clear Key formats require it.

const VALID = /^[A-Za-z0-9_-]*$/;

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Returns undefined for anything that is not canonical unpadded base64url. */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  if (!VALID.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Uint8Array.from(Buffer.from(text, 'base64url'));
  // Reject non-canonical encodings (stray bits in the last character) so one key has one spelling.
  if (encodeBase64Url(bytes) !== text) return undefined;
  return bytes;
}
