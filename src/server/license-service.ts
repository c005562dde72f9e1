// Answers one parsed Clear Key message for one caller. The entitlement rules:
// - A "persistent-license" request needs the token's `persistent: true`, else 403.
// - The caller gets the subset of the requested keys it is entitled to (named in `kids`, or stored under one of
//   its `labels`) that the store has; the others are left out silently. This follows how multi-key content
//   works: a token may cover the SD video and audio keys but not the UHD one, and the player should still get
//   what it may play rather than nothing.
// - None of the requested keys entitled → 403. Entitled but none stored → 404. So a 404 reveals absence only
//   of key IDs the caller was explicitly given; for any other key ID, stored or not, the answer is the same 403.
// - A release (no "type") is acknowledged for any valid token, but recorded (with the token's subject) only for
//   the key IDs the token covers, as a license request would be answered: the acknowledgement holds no secret and
//   refusing it would only leave the client's session unable to finish, but what is written to disk must be
//   bounded by what the token allows. The store bounds the records per subject and keeps them for a set time; a
//   subject at its bound gets 429.
import { toHex } from './bytes.js';
import { HttpError, ReleaseLimitError } from './errors.js';
import { formatLicense, formatReleaseAck, type LicenseMessage } from './clearkey-messages.js';
import type { Entitlement } from './auth.js';
import type { KeyStore, StoredKey } from './key-store.js';

function forbidden(code: string, message: string): HttpError {
  return new HttpError(403, code, message, { 'www-authenticate': 'Bearer realm="emekit", error="insufficient_scope"' });
}

/** The requested key IDs the token covers (named in `kids`, or stored under one of its `labels`), each with its
 *  stored key if the store has it. */
async function coveredKeys(
  kids: readonly Buffer[],
  entitlement: Entitlement,
  store: KeyStore,
): Promise<{ kid: Buffer; key: StoredKey | undefined }[]> {
  const { kids: namedKids, labels } = entitlement;
  const requested = kids.map((kid) => ({ kid, hex: toHex(kid) }));
  const named = (hex: string) => namedKids === 'any' || namedKids.has(hex);
  // Keys reachable only through a label have to be looked up before we know whether they are covered.
  const lookup = labels.size > 0 ? requested : requested.filter(({ hex }) => named(hex));
  if (lookup.length === 0) return [];
  const found = await store.getKeys(lookup.map(({ kid }) => kid));
  return requested.flatMap(({ kid, hex }) => {
    const key = found.get(hex);
    const covered = named(hex) || (key !== undefined && key.label !== null && labels.has(key.label));
    return covered ? [{ kid, key }] : [];
  });
}

export async function answerLicenseMessage(
  message: LicenseMessage,
  entitlement: Entitlement,
  store: KeyStore,
): Promise<string> {
  if (message.kind === 'release') {
    const covered = await coveredKeys(message.kids, entitlement, store);
    try {
      await store.recordRelease(
        covered.map(({ kid }) => kid),
        entitlement.subject,
      );
    } catch (error) {
      if (!(error instanceof ReleaseLimitError)) throw error;
      throw new HttpError(429, 'too_many_releases', error.message);
    }
    return formatReleaseAck(message.kids);
  }
  if (message.type === 'persistent-license' && !entitlement.persistent) {
    throw forbidden('persistent_not_allowed', 'this token does not allow persistent licenses');
  }
  const covered = await coveredKeys(message.kids, entitlement, store);
  if (covered.length === 0) throw forbidden('not_entitled', 'the token does not cover any of the requested key IDs');
  const granted = covered.flatMap(({ key }) => (key === undefined ? [] : [key]));
  if (granted.length === 0) throw new HttpError(404, 'unknown_key', 'none of the requested keys is known');
  return formatLicense(granted, message.type, entitlement.policy);
}
