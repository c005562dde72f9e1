// "webm" init data: a single key ID of one or more bytes (the ContentEncKeyID element).

import { InvalidInitDataError } from './errors.js';
import { MAX_KEY_ID_BYTES, MIN_KEY_ID_BYTES } from './limits.js';

export function parseWebmInitData(bytes: Uint8Array): Uint8Array {
  if (bytes.length < MIN_KEY_ID_BYTES || bytes.length > MAX_KEY_ID_BYTES) {
    throw new InvalidInitDataError(`webm init data must be one key ID of ${MIN_KEY_ID_BYTES}..${MAX_KEY_ID_BYTES} bytes`);
  }
  return bytes.slice();
}
