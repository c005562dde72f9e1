// The server's input limits, in one place so the HTTP layer, the store and the CLI agree.

/** Largest accepted request body. Real Clear Key requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Most key IDs one license request or release may name. */
export const MAX_KIDS_PER_REQUEST = 64;

/**
 * Key ID length in bytes. CENC key IDs are 16 bytes, but WebM's ContentEncKeyID may be any length, so the server
 * accepts what Chromium's Clear Key accepts (1..512 bytes) rather than rejecting valid WebM content.
 */
export const MIN_KID_BYTES = 1;
export const MAX_KID_BYTES = 512;

/** Content keys are AES-128 keys: both CENC and WebM encryption use AES-128. */
export const KEY_BYTES = 16;

/** Labels name groups of keys in tokens; kept short and printable so they are safe in logs and tables. */
export const LABEL_PATTERN = /^[A-Za-z0-9._:\/-]{1,128}$/;

export function isValidKid(kid: Uint8Array): boolean {
  return kid.byteLength >= MIN_KID_BYTES && kid.byteLength <= MAX_KID_BYTES;
}
