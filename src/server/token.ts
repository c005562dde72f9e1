// Minting license tokens (HS256) for `emekit token`, tests and demos; the claims are the ones auth.ts reads.
import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { toHex } from './bytes.js';
import { MIN_SECRET_BYTES } from './auth.js';
import { readLicensePolicy, type LicensePolicy } from './license-policy.js';

export interface LicenseTokenRequest {
  /** Key IDs the holder may have: bytes, or hex text. */
  kids?: readonly (Uint8Array | string)[];
  /** Key labels the holder may have. */
  labels?: readonly string[];
  /** Allow persistent-license requests. */
  persistent?: boolean;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  /** Carried into each license (see license-policy.ts). */
  policy?: LicensePolicy;
  subject?: string;
  audience?: string;
  issuer?: string;
}

export async function signLicenseToken(secret: string | Uint8Array, request: LicenseTokenRequest): Promise<string> {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (key.byteLength < MIN_SECRET_BYTES) throw new RangeError(`the JWT secret must be at least ${MIN_SECRET_BYTES} bytes`);
  if (!(request.ttlSeconds > 0)) throw new RangeError('ttlSeconds must be positive');
  const claims: Record<string, unknown> = {};
  if (request.kids !== undefined && request.kids.length > 0) {
    claims['kids'] = request.kids.map((kid) => (typeof kid === 'string' ? kid.replaceAll('-', '').toLowerCase() : toHex(kid)));
  }
  if (request.labels !== undefined && request.labels.length > 0) claims['labels'] = [...request.labels];
  if (request.persistent === true) claims['persistent'] = true;
  const policy = readLicensePolicy(request.policy);
  if (policy instanceof Error) throw new RangeError(`policy: ${policy.message}`);
  if (policy !== undefined && Object.keys(policy).length > 0) claims['policy'] = policy;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + Math.ceil(request.ttlSeconds));
  if (request.subject !== undefined) jwt.setSubject(request.subject);
  if (request.audience !== undefined) jwt.setAudience(request.audience);
  if (request.issuer !== undefined) jwt.setIssuer(request.issuer);
  return jwt.sign(createSecretKey(key));
}
