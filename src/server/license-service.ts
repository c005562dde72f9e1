// Answers one parsed Clear Key message for one caller. The entitlement rules:
// - A "persistent-license" request needs the token's `persistent: true`, else 403.
// - The caller gets the subset of the requested keys it is entitled to (named in `kids`, or stored under one of
//   its `labels`) that the store has; the others are left out silently. This follows how multi-key content
//   works: a token may cover the SD video and audio keys but not the UHD one, and the player should still get
//   what it may play rather than nothing.
// - None of the requested keys entitled → 403. Entitled but none stored → 404. So a 404 reveals absence only
//   of key IDs the caller was explicitly given; for any other key ID, stored or not, the answer is the same 403.
// - A release (no "type") is acknowledged for any valid token and recorded with the token's subject: the
//   acknowledgement holds no secret, and refusing it would only leave the client's session unable to finish.
import { toHex } from './bytes.js';
import { HttpError } from './errors.js';
import { formatLicense, formatReleaseAck, type LicenseMessage } from './clearkey-messages.js';
import type { Entitlement } from './auth.js';
import type { KeyStore, StoredKey } from './key-store.js';

function forbidden(code: string, message: string): HttpError {
  return new HttpError(403, code, message, { 'www-authenticate': 'Bearer realm="emekit", error="insufficient_scope"' });
}

export async function answerLicenseMessage(
  message: LicenseMessage,
  entitlement: Entitlement,
  store: KeyStore,
): Promise<string> {
  if (message.kind === 'release') {
    await store.recordRelease(message.kids, entitlement.subject);
    return formatReleaseAck(message.kids);
  }
  if (message.type === 'persistent-license' && !entitlement.persistent) {
    throw forbidden('persistent_not_allowed', 'this token does not allow persistent licenses');
  }
  const { kids, labels } = entitlement;
  const requested = message.kids.map((kid) => ({ kid, hex: toHex(kid) }));
  const named = (hex: string) => kids === 'any' || kids.has(hex);
  // Keys reachable only through a label have to be looked up before we know whether they are entitled.
  const lookup = labels.size > 0 ? requested : requested.filter(({ hex }) => named(hex));
  if (lookup.length === 0) throw forbidden('not_entitled', 'the token does not cover any of the requested key IDs');
  const found = await store.getKeys(lookup.map(({ kid }) => kid));
  const entitled = (hex: string, key: StoredKey | undefined) =>
    named(hex) || (key !== undefined && key.label !== null && labels.has(key.label));

  const granted: StoredKey[] = [];
  let anyEntitled = false;
  for (const { hex } of requested) {
    const key = found.get(hex);
    if (!entitled(hex, key)) continue;
    anyEntitled = true;
    if (key !== undefined) granted.push(key);
  }
  if (!anyEntitled) throw forbidden('not_entitled', 'the token does not cover any of the requested key IDs');
  if (granted.length === 0) throw new HttpError(404, 'unknown_key', 'none of the requested keys is known');
  return formatLicense(granted, message.type, entitlement.policy);
}
