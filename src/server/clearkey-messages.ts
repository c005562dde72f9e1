// The Clear Key wire formats (W3C EME, "Clear Key"): the license request and license release a CDM emits as its
// `message` event, and the license (a JWK Set) and release acknowledgement the server answers with.
import { HttpError } from './errors.js';
import { fromBase64Url, toBase64Url } from './bytes.js';
import { MAX_KIDS_PER_REQUEST, MAX_KID_BYTES, MIN_KID_BYTES } from './limits.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../util/json.js';

export type LicenseType = 'temporary' | 'persistent-license';

/**
 * A license request carries "type"; a release (from remove() of a persistent-license session) is the same object
 * without it. That absence is how the two are told apart.
 */
export type LicenseMessage =
  | { kind: 'request'; type: LicenseType; kids: Buffer[] }
  | { kind: 'release'; kids: Buffer[] };

function bad(message: string): HttpError {
  return new HttpError(400, 'bad_request', message);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseLicenseMessage(body: Uint8Array): LicenseMessage {
  let text: string;
  let json: unknown;
  try {
    text = utf8.decode(body);
  } catch {
    throw bad('body is not UTF-8 JSON');
  }
  // Before JSON.parse, whose work per byte grows ~35 times on deep nesting; no Clear Key message nests past 3.
  if (jsonNestsDeeperThan(text)) throw bad(`body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    json = JSON.parse(text);
  } catch {
    throw bad('body is not UTF-8 JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('body must be a JSON object');
  const { kids, type } = json as { kids?: unknown; type?: unknown };
  if (!Array.isArray(kids) || kids.length === 0) throw bad('"kids" must be a non-empty array');
  if (kids.length > MAX_KIDS_PER_REQUEST) {
    throw bad(`"kids" may name at most ${MAX_KIDS_PER_REQUEST} key IDs, got ${kids.length}`);
  }
  const unique = new Map<string, Buffer>();
  for (const kid of kids) {
    const bytes = typeof kid === 'string' ? fromBase64Url(kid) : undefined;
    if (bytes === undefined) throw bad('each key ID must be base64url without padding');
    if (bytes.byteLength < MIN_KID_BYTES || bytes.byteLength > MAX_KID_BYTES) {
      throw bad(`each key ID must be ${MIN_KID_BYTES}..${MAX_KID_BYTES} bytes`);
    }
    unique.set(kid as string, bytes);
  }
  const decoded = [...unique.values()];
  if (type === undefined) return { kind: 'release', kids: decoded };
  if (type !== 'temporary' && type !== 'persistent-license') {
    throw bad('"type" must be "temporary" or "persistent-license"');
  }
  return { kind: 'request', type, kids: decoded };
}

/** The license: a JWK Set with one symmetric ("oct") key per entry, all values base64url without padding. */
export function formatLicense(keys: readonly { kid: Uint8Array; key: Uint8Array }[], type: LicenseType, policy?: object): string {
  return JSON.stringify({
    keys: keys.map(({ kid, key }) => ({ kty: 'oct', kid: toBase64Url(kid), k: toBase64Url(key) })),
    type,
    // emekit/testing's key system reads it (expiration, renewals, HDCP); Clear Key ignores members it does not know.
    ...(policy && { policy }),
  });
}

/** The release acknowledgement: the released key IDs, which update() takes to finish remove(). */
export function formatReleaseAck(kids: readonly Uint8Array[]): string {
  return JSON.stringify({ kids: kids.map(toBase64Url) });
}
