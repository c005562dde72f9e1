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
