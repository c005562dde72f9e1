// The license policy the test key system honours: extra members of a Clear Key license (a JWK Set), which Clear Key
// itself ignores, so one license serves both.
//
//   { "keys": [{ "kty": "oct", "kid": "…", "k": "…", "minHdcpVersion": "2.2" }],
//     "type": "temporary",
//     "policy": { "expiration": 1767225600000,            // ms since the epoch, or
//                 "durationSeconds": 3600,                 // the license lasts this long from update()
//                 "renewalIntervalSeconds": 30,            // a license-renewal message this often
//                 "minHdcpVersion": "1.4" } }              // every key of the license (a key's own member wins)

import { HDCP_VERSIONS } from '../cdm/hdcp-versions.js';
import { CdmError } from '../cdm/cdm.js';
import { decodeBase64Url } from '../util/base64url.js';
import { toHex } from '../util/bytes.js';

export interface LicensePolicy {
  /** Absolute expiration (ms), or undefined for none. */
  readonly expiration?: number;
  readonly durationSeconds?: number;
  readonly renewalIntervalSeconds?: number;
  /** Minimum HDCP version per hex key ID. */
  readonly minHdcp: ReadonlyMap<string, string>;
}

function invalid(reason: string): CdmError {
  return new CdmError('TypeError', `invalid license policy: ${reason}`);
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(`"${name}" must be a positive number`);
  return value;
}

function hdcpVersion(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !HDCP_VERSIONS.has(value)) throw invalid(`"${name}" is not an HDCP version from the registry`);
  return value;
}

/** Reads the policy of a license object Clear Key has already validated. */
export function readPolicy(license: Record<string, unknown>): LicensePolicy {
  const raw = license['policy'];
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) throw invalid('"policy" must be an object');
  const policy = (raw ?? {}) as Record<string, unknown>;
  const expiration = positive(policy['expiration'], 'expiration');
  const durationSeconds = positive(policy['durationSeconds'], 'durationSeconds');
  if (expiration !== undefined && durationSeconds !== undefined) throw invalid('give "expiration" or "durationSeconds", not both');
  const allKeys = hdcpVersion(policy['minHdcpVersion'], 'minHdcpVersion');
  const minHdcp = new Map<string, string>();
  const keys = Array.isArray(license['keys']) ? (license['keys'] as Record<string, unknown>[]) : [];
  keys.forEach((jwk, index) => {
    const own = hdcpVersion(jwk['minHdcpVersion'], `keys[${index}].minHdcpVersion`);
    const keyId = typeof jwk['kid'] === 'string' ? decodeBase64Url(jwk['kid']) : undefined;
    const version = own ?? allKeys;
    if (keyId && version) minHdcp.set(toHex(keyId), version);
  });
  return {
    ...(expiration !== undefined && { expiration }),
    ...(durationSeconds !== undefined && { durationSeconds }),
    ...(policy['renewalIntervalSeconds'] !== undefined && { renewalIntervalSeconds: positive(policy['renewalIntervalSeconds'], 'renewalIntervalSeconds')! }),
    minHdcp,
  };
}

/** HDCP versions compare as major.minor numbers; 'none' is below every version. */
export function hdcpMeets(display: string, required: string): boolean {
  if (required === '') return true;
  if (display === 'none') return false;
  const [dMajor = 0, dMinor = 0] = display.split('.').map(Number);
  const [rMajor = 0, rMinor = 0] = required.split('.').map(Number);
  return dMajor !== rMajor ? dMajor > rMajor : dMinor >= rMinor;
}

/**
 * What a persistent-license record keeps of the policy its licenses set, resolved when they arrived so that it means
 * the same when load()ed later: the absolute expiration, the renewal interval, each key's minimum HDCP (hex key ID).
 *
 *   { "expiration": 1767225660000, "renewalIntervalSeconds": 30, "minHdcp": { "eb676abb…": "2.2" } }
 */
export interface RecordedPolicy {
  readonly expiration?: number;
  readonly renewalIntervalSeconds?: number;
  readonly minHdcp: ReadonlyMap<string, string>;
}

export function recordPolicy(policy: RecordedPolicy): Record<string, unknown> {
  return {
    ...(policy.expiration !== undefined && !Number.isNaN(policy.expiration) && { expiration: policy.expiration }),
    ...(policy.renewalIntervalSeconds !== undefined && { renewalIntervalSeconds: policy.renewalIntervalSeconds }),
    ...(policy.minHdcp.size > 0 && { minHdcp: Object.fromEntries(policy.minHdcp) }),
  };
}

/** The policy a record kept; InvalidStateError when it is not one recordPolicy() wrote (as for unreadable records). */
export function readRecordedPolicy(stored: Readonly<Record<string, unknown>>): RecordedPolicy {
  try {
    const minHdcp = new Map<string, string>();
    const perKey = stored['minHdcp'] ?? {};
    if (typeof perKey !== 'object' || perKey === null || Array.isArray(perKey)) throw invalid('"minHdcp" must be an object');
    for (const [kid, version] of Object.entries(perKey)) {
      if (!/^([0-9a-f]{2})+$/.test(kid)) throw invalid(`"minHdcp" key ${JSON.stringify(kid)} is not a hex key ID`);
      minHdcp.set(kid, hdcpVersion(version ?? null, `minHdcp.${kid}`)!);
    }
    const expiration = positive(stored['expiration'], 'expiration');
    const renewalIntervalSeconds = positive(stored['renewalIntervalSeconds'], 'renewalIntervalSeconds');
    return { ...(expiration !== undefined && { expiration }), ...(renewalIntervalSeconds !== undefined && { renewalIntervalSeconds }), minHdcp };
  } catch (error) {
    throw new CdmError('InvalidStateError', `the stored license policy is unreadable: ${(error as Error).message}`);
  }
}
