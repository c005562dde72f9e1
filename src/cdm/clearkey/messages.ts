// The Clear Key messages a session sends (EME §Clear Key "License Request Format", "License Release Format").

import type { SessionType } from '../cdm.js';
import { encodeBase64Url } from '../../util/base64url.js';

const encoder = new TextEncoder();

export function licenseRequest(keyIds: readonly Uint8Array[], type: SessionType): Uint8Array {
  return encoder.encode(JSON.stringify({ kids: keyIds.map(encodeBase64Url), type }));
}

export function licenseRelease(keyIds: readonly Uint8Array[]): Uint8Array {
  return encoder.encode(JSON.stringify({ kids: keyIds.map(encodeBase64Url) }));
}
