// The Clear Key response formats of update(): a JWK Set license, or a license release acknowledgement
// (EME §Clear Key "License Format", "License Release Acknowledgement Format").

import { CdmError, type SessionType } from '../cdm.js';
import { decodeBase64Url } from '../../util/base64url.js';
import { parseJsonObject } from '../../util/json.js';
import { MAX_KEY_IDS, MAX_KEY_ID_BYTES, MIN_KEY_ID_BYTES } from '../../initdata/limits.js';
import { spellingMistake } from './license-lint.js';

export const MAX_RESPONSE_BYTES = 64 * 1024;
const AES_128_KEY_BYTES = 16;

export interface LicenseKey {
  readonly keyId: Uint8Array;
  readonly key: Uint8Array;
}

export interface License {
  readonly keys: readonly LicenseKey[];
  /** The "type" member; undefined when the license has none. */
  readonly type: SessionType | undefined;
}

function invalid(reason: string): CdmError {
  // Reasons name fields, never values: the response holds keys.
  return new CdmError('TypeError', `invalid Clear Key license: ${reason}`);
}

export function parseResponseObject(response: Uint8Array): Record<string, unknown> {
  if (response.length > MAX_RESPONSE_BYTES) throw invalid(`response is larger than ${MAX_RESPONSE_BYTES} bytes`);
  const object = parseJsonObject(response);
  if (!object) throw invalid('response is not a UTF-8 JSON object');
  return object;
}

/** A JWK Set holding at least one symmetric key; any invalid key makes the whole set invalid, as in Chromium. */
export function parseLicense(object: Record<string, unknown>): License {
  const keys = object['keys'];
  if (!Array.isArray(keys) || keys.length === 0) throw invalid('"keys" must be a non-empty array');
  if (keys.length > MAX_KEY_IDS) throw invalid(`more than ${MAX_KEY_IDS} keys`);
  const type = object['type'];
  if (type !== undefined && type !== 'temporary' && type !== 'persistent-license') throw invalid('"type" is not a MediaKeySessionType');
  return { keys: keys.map(parseJsonWebKey), type };
}

/** The known mistake behind an invalid kid or k, named without its value. */
function hint(value: unknown): string {
  const mistake = typeof value === 'string' ? spellingMistake(value) : undefined;
  return mistake ? ` (it ${mistake})` : '';
}

function parseJsonWebKey(jwk: unknown, index: number): LicenseKey {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalid(`keys[${index}] is not an object`);
  const { kty, kid, k } = jwk as Record<string, unknown>;
  if (kty !== 'oct') throw invalid(`keys[${index}].kty must be "oct"`);
  const keyId = typeof kid === 'string' ? decodeBase64Url(kid) : undefined;
  if (!keyId || keyId.length < MIN_KEY_ID_BYTES || keyId.length > MAX_KEY_ID_BYTES) {
    throw invalid(`keys[${index}].kid is not a base64url key ID of ${MIN_KEY_ID_BYTES}..${MAX_KEY_ID_BYTES} bytes${hint(kid)}`);
  }
  const key = typeof k === 'string' ? decodeBase64Url(k) : undefined;
  if (!key || key.length !== AES_128_KEY_BYTES) {
    throw invalid(`keys[${index}].k is not a base64url ${AES_128_KEY_BYTES}-byte key${hint(k)}`);
  }
  return { keyId, key };
}
