// Strict byte encodings used at the server's edges: base64url (Clear Key messages) and hex (CLI, token claims).
// Node's decoders silently skip bad characters, so input is checked first: a malformed key ID must be rejected,
// not turned into some other key ID.

import { decodeBase64Url, encodeBase64Url } from '../util/base64url.js';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** base64url without padding (RFC 7515 §2), as Clear Key requires. */
export const toBase64Url = encodeBase64Url;

/** Decodes unpadded base64url; undefined when the text is not the canonical encoding of some bytes. */
export function fromBase64Url(text: string): Buffer | undefined {
  // Canonical only: non-zero leftover bits would let two spellings name one key ID.
  const bytes = decodeBase64Url(text);
  return bytes && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export { toHex } from '../util/bytes.js';

/** Decodes hex; dashes are dropped first so key IDs can be written as UUIDs. undefined when not hex. */
export function fromHex(text: string): Buffer | undefined {
  const compact = text.replaceAll('-', '');
  return HEX.test(compact) ? Buffer.from(compact, 'hex') : undefined;
}
