// The license policy a token can carry, for emekit/testing's key system: how long a license lasts, how often the
// player must renew it, the minimum HDCP version of its keys. The server copies it into each license as the JWK
// Set's "policy" member (the format src/testing/policy.ts reads), which Clear Key ignores.

import { HDCP_VERSIONS } from '../cdm/hdcp-versions.js';

export interface LicensePolicy {
  readonly durationSeconds?: number;
  readonly renewalIntervalSeconds?: number;
  readonly minHdcpVersion?: string;
}

const NUMBERS = ['durationSeconds', 'renewalIntervalSeconds'] as const;

/** The policy, undefined when absent, or an Error naming what is wrong with it. */
export function readLicensePolicy(value: unknown): LicensePolicy | undefined | Error {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return new Error('must be an object');
  const raw = value as Record<string, unknown>;
  const unknown = Object.keys(raw).find((name) => !(NUMBERS as readonly string[]).includes(name) && name !== 'minHdcpVersion');
  if (unknown !== undefined) return new Error(`unknown member ${JSON.stringify(unknown)}`);
  const policy: { -readonly [K in keyof LicensePolicy]: LicensePolicy[K] } = {};
  for (const name of NUMBERS) {
    const number = raw[name];
    if (number === undefined) continue;
    if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) return new Error(`${name} must be a positive number`);
    policy[name] = number;
  }
  const hdcp = raw['minHdcpVersion'];
  if (hdcp !== undefined) {
    if (typeof hdcp !== 'string' || !HDCP_VERSIONS.has(hdcp)) return new Error('minHdcpVersion must be an HDCP version from the registry');
    policy.minHdcpVersion = hdcp;
  }
  return policy;
}
