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

/**
 * License releases are a record for operators, not state the server needs: each is kept this long (default 30
 * days), and one token subject (`sub`; tokens without one share a record) may have at most this many on record at
 * once, so no token holder can fill the disk.
 */
export const RELEASE_RETENTION_MS = 30 * 24 * 60 * 60_000;
export const MAX_RELEASES_PER_SUBJECT = 10_000;

/** A license request is a few hundred bytes: a client that takes longer than this to send one (headers and body)
 *  is stalling, and gets 408 and a closed connection. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** How long an idle keep-alive connection is kept between requests (Node's own default; Fastify's is 72 s). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
