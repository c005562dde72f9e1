// The stored form of a persistent-license session: its keys, or once removed, the record of license destruction
// (the key IDs whose release the license server has yet to acknowledge).

import { decodeBase64Url, encodeBase64Url } from '../../util/base64url.js';
import { parseJsonObject } from '../../util/json.js';
import type { LicenseKey } from './license.js';

/**
 * What a key system built on Clear Key's session keeps with an active record besides the keys (the test key
 * system: its license policy). Clear Key writes none and reads past it, so records with or without stay readable.
 */
export type StoredPolicy = Readonly<Record<string, unknown>>;

export type StoredSession =
  | { readonly state: 'active'; readonly keys: readonly LicenseKey[]; readonly policy?: StoredPolicy }
  | { readonly state: 'released'; readonly keyIds: readonly Uint8Array[] };

const FORMAT = 'emekit-clearkey-session/1';
const encoder = new TextEncoder();

export function encodeStoredSession(session: StoredSession): Uint8Array {
  const body =
    session.state === 'active'
      ? {
          format: FORMAT,
          state: 'active',
          keys: session.keys.map((k) => ({ kid: encodeBase64Url(k.keyId), k: encodeBase64Url(k.key) })),
          ...(session.policy && { policy: session.policy }),
        }
      : { format: FORMAT, state: 'released', kids: session.keyIds.map(encodeBase64Url) };
  return encoder.encode(JSON.stringify(body));
}

/** Undefined when the record is not one this version wrote (corrupt or foreign data). */
export function decodeStoredSession(bytes: Uint8Array): StoredSession | undefined {
  const object = parseJsonObject(bytes);
  if (!object || object['format'] !== FORMAT) return undefined;
  if (object['state'] === 'active' && Array.isArray(object['keys'])) {
    const keys: LicenseKey[] = [];
    for (const entry of object['keys'] as unknown[]) {
      const { kid, k } = (entry ?? {}) as Record<string, unknown>;
      const keyId = typeof kid === 'string' ? decodeBase64Url(kid) : undefined;
      const key = typeof k === 'string' ? decodeBase64Url(k) : undefined;
      if (!keyId || !key) return undefined;
      keys.push({ keyId, key });
    }
    const policy = object['policy'];
    if (policy !== undefined && (typeof policy !== 'object' || policy === null || Array.isArray(policy))) return undefined;
    return { state: 'active', keys, ...(policy !== undefined && { policy: policy as StoredPolicy }) };
  }
  if (object['state'] === 'released' && Array.isArray(object['kids'])) {
    const keyIds: Uint8Array[] = [];
    for (const kid of object['kids'] as unknown[]) {
      const keyId = typeof kid === 'string' ? decodeBase64Url(kid) : undefined;
      if (!keyId) return undefined;
      keyIds.push(keyId);
    }
    return { state: 'released', keyIds };
  }
  return undefined;
}
