// "keyids" init data: {"kids":["<base64url>", ...]} in UTF-8 (W3C EME init data registry).

import { InvalidInitDataError } from './errors.js';
import { MAX_KEY_IDS, MAX_KEY_ID_BYTES, MIN_KEY_ID_BYTES } from './limits.js';
import { decodeBase64Url, encodeBase64Url } from '../util/base64url.js';
import { parseJsonObject } from '../util/json.js';

export function parseKeyIdsInitData(bytes: Uint8Array): Uint8Array[] {
  const object = parseJsonObject(bytes);
  if (!object) throw new InvalidInitDataError('keyids init data is not a UTF-8 JSON object');
  const kids = object['kids'];
  if (!Array.isArray(kids)) throw new InvalidInitDataError('keyids init data has no "kids" array');
  if (kids.length > MAX_KEY_IDS) throw new InvalidInitDataError(`keyids init data lists more than ${MAX_KEY_IDS} key IDs`);
  return kids.map((kid, index) => {
    const keyId = typeof kid === 'string' ? decodeBase64Url(kid) : undefined;
    if (!keyId) throw new InvalidInitDataError(`"kids"[${index}] is not base64url`);
    if (keyId.length < MIN_KEY_ID_BYTES || keyId.length > MAX_KEY_ID_BYTES) {
      throw new InvalidInitDataError(`"kids"[${index}] has an invalid key ID length ${keyId.length}`);
    }
    return keyId;
  });
}

export function buildKeyIdsInitData(keyIds: readonly Uint8Array[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ kids: keyIds.map(encodeBase64Url) }));
}
