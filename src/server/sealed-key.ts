// Content keys at rest: AES-256-GCM under the master key. The key ID and label are the associated data, so a
// sealed key copied onto another row (another key ID, or a label some token may read) fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyIntegrityError } from './errors.js';

// Layout: version (1) | IV (12) | ciphertext | tag (16). The version byte leaves room for key rotation later.
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;

function associatedData(context: string, kid: Uint8Array, label: string | null): Buffer {
  // Length-prefixed fields so no two (kid, label) pairs share an encoding.
  const labelBytes = Buffer.from(label ?? '', 'utf8');
  const head = Buffer.alloc(8);
  head.writeUInt32BE(kid.byteLength, 0);
  head.writeUInt32BE(label === null ? 0xffffffff : labelBytes.byteLength, 4);
  return Buffer.concat([Buffer.from(context, 'utf8'), head, kid, labelBytes]);
}

export function sealKey(
  masterKey: Buffer,
  kid: Uint8Array,
  label: string | null,
  plaintext: Uint8Array,
  context = 'emekit/key/v1',
): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(context, kid, label));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]);
}

/** Opens a sealed key; throws KeyIntegrityError if it was altered, moved to another row or sealed under another key. */
export function openKey(
  masterKey: Buffer,
  kid: Uint8Array,
  label: string | null,
  sealed: Uint8Array,
  context = 'emekit/key/v1',
): Buffer {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes.byteLength < HEADER_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
    throw new KeyIntegrityError('stored key has an unknown format');
  }
  const iv = bytes.subarray(1, HEADER_BYTES);
  const body = bytes.subarray(HEADER_BYTES, bytes.byteLength - TAG_BYTES);
  const tag = bytes.subarray(bytes.byteLength - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(context, kid, label));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new KeyIntegrityError('stored key failed authentication (altered, swapped, or another master key)');
  }
}
