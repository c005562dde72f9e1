// Who may have which key. Requests carry `Authorization: Bearer <JWT>`; the token's claims are the entitlement:
//   kids        string[]  key IDs as hex (32 hex digits for a 16-byte key ID; dashes as in a UUID allowed)
//   labels      string[]  key labels: every stored key with one of these labels
//   persistent  boolean   true allows "persistent-license" requests
//   exp         required  tokens without an expiry are refused
//   sub         optional  recorded with license releases
//   policy      optional  { durationSeconds?, renewalIntervalSeconds?, minHdcpVersion? }: passed into the license as
//                         its "policy" member, which emekit/testing's key system honours and Clear Key ignores
// Hex, not base64url, for `kids`: it is how key IDs are written everywhere else (packagers, `emekit keys`), and
// unlike base64url it has one spelling per key ID in any case.
// Verified tokens are cached by their exact text until min(exp, 60 s): a signature check per request would
// otherwise dominate the cost of a license; tokens are not revocable anyway, so this weakens nothing.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { fromHex, toHex } from './bytes.js';
import { HttpError } from './errors.js';
import { LABEL_PATTERN, MAX_KID_BYTES, MIN_KID_BYTES } from './limits.js';
import { LruCache } from './lru.js';
import { readLicensePolicy, type LicensePolicy } from './license-policy.js';

import { JWT_AUDIENCE_ENV, JWT_ISSUER_ENV, JWT_JWKS_ENV, JWT_SECRET_ENV } from './env.js';

export { JWT_AUDIENCE_ENV, JWT_ISSUER_ENV, JWT_JWKS_ENV, JWT_SECRET_ENV };

/** HS256 needs a key at least as long as its hash (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

export type AuthOptions =
  | ({ kind: 'hs256'; secret: string | Uint8Array } & TokenCheckOptions)
  | ({ kind: 'jwks'; jwks: JSONWebKeySet } & TokenCheckOptions)
  /** No authentication at all: anyone gets any key. For demos on loopback only; the server warns at start. */
  | { kind: 'none' };

export interface TokenCheckOptions {
  /** Required `aud` value, if set. */
  audience?: string;
  /** Required `iss` value, if set. */
  issuer?: string;
  /** Verified tokens kept (default 10,000; 0 disables). */
  tokenCacheSize?: number;
}

export interface Entitlement {
  subject: string | null;
  /** Hex key IDs the token names, or 'any' when authentication is off. */
  kids: ReadonlySet<string> | 'any';
  labels: ReadonlySet<string>;
  persistent: boolean;
  /** What the licenses this token gets carry as their "policy" member. */
  policy?: LicensePolicy;
}

export type Authenticator = (authorization: string | undefined) => Promise<Entitlement>;

const REALM = 'Bearer realm="emekit"';
const TOKEN_CACHE_MS = 60_000;

const OPEN: Entitlement = { subject: null, kids: 'any', labels: new Set(), persistent: true };

function unauthorized(description?: string): HttpError {
  const header =
    description === undefined ? REALM : `${REALM}, error="invalid_token", error_description="${description}"`;
  return new HttpError(401, 'unauthorized', description ?? 'a Bearer token is required', {
    'www-authenticate': header,
  });
}

function stringArray(value: unknown, claim: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw unauthorized(`claim ${claim} must be an array of strings`);
  }
  return value as string[];
}

/** Reads the entitlement out of verified claims; malformed claims make the token invalid, not partly valid. */
export function entitlementFromClaims(payload: JWTPayload): Entitlement {
  const kids = new Set<string>();
  for (const text of stringArray(payload['kids'], 'kids')) {
    const kid = fromHex(text);
    if (kid === undefined || kid.byteLength < MIN_KID_BYTES || kid.byteLength > MAX_KID_BYTES) {
      throw unauthorized('claim kids must hold hex key IDs');
    }
    kids.add(toHex(kid));
  }
  const labels = stringArray(payload['labels'], 'labels');
  if (!labels.every((label) => LABEL_PATTERN.test(label))) throw unauthorized('claim labels holds an invalid label');
  const persistent = payload['persistent'];
  if (persistent !== undefined && typeof persistent !== 'boolean') throw unauthorized('claim persistent must be a boolean');
  const policy = readLicensePolicy(payload['policy']);
  if (policy instanceof Error) throw unauthorized(`claim policy: ${policy.message}`);
  return {
    subject: typeof payload.sub === 'string' ? payload.sub : null,
    kids,
    labels: new Set(labels),
    persistent: persistent === true,
    ...(policy && { policy }),
  };
}

function describeFailure(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token claim ${error.claim} is not acceptable`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm is not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'token signed by an unknown key';
  return 'token is malformed';
}

export function createAuthenticator(options: AuthOptions): Authenticator {
  if (options.kind === 'none') return async () => OPEN;

  let key: KeyObject | ReturnType<typeof createLocalJWKSet>;
  let algorithms: string[];
  if (options.kind === 'hs256') {
    const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret;
    if (secret.byteLength < MIN_SECRET_BYTES) {
      throw new RangeError(`the JWT secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    key = createSecretKey(secret);
    // Only the configured algorithm family: a token may not choose how it is checked.
    algorithms = ['HS256'];
  } else {
    key = createLocalJWKSet(options.jwks);
    algorithms = ['RS256', 'ES256'];
  }
  const verifyOptions = {
    algorithms,
    requiredClaims: ['exp'],
    clockTolerance: 5,
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
  };
  const cache = new LruCache<string, Entitlement>(options.tokenCacheSize ?? 10_000);

  return async (authorization) => {
    if (authorization === undefined || authorization === '') throw unauthorized();
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(authorization);
    const token = match?.[1];
    if (token === undefined) throw unauthorized('Authorization must be: Bearer <JWT>');
    const cached = cache.get(token);
    if (cached !== undefined) return cached;
    let payload: JWTPayload;
    try {
      // Both key forms are accepted by jwtVerify; the union just needs spelling out for the overloads.
      ({ payload } =
        typeof key === 'function' ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions));
    } catch (error) {
      throw unauthorized(describeFailure(error));
    }
    const entitlement = entitlementFromClaims(payload);
    const exp = (payload.exp ?? 0) * 1000;
    cache.set(token, entitlement, Math.min(exp, Date.now() + TOKEN_CACHE_MS));
    return entitlement;
  };
}

/**
 * Auth settings from the environment: EMEKIT_JWT_SECRET (HS256) or EMEKIT_JWT_JWKS (path to a JWKS file of public
 * keys, RS256/ES256), plus optional EMEKIT_JWT_AUDIENCE / EMEKIT_JWT_ISSUER. Neither set is an error unless the
 * caller explicitly chose an open server.
 */
export function authFromEnv(env: NodeJS.ProcessEnv = process.env, insecureNoAuth = false): AuthOptions {
  if (insecureNoAuth) return { kind: 'none' };
  const check: TokenCheckOptions = {};
  const audience = env[JWT_AUDIENCE_ENV];
  const issuer = env[JWT_ISSUER_ENV];
  if (audience !== undefined && audience !== '') check.audience = audience;
  if (issuer !== undefined && issuer !== '') check.issuer = issuer;
  const secret = env[JWT_SECRET_ENV];
  const jwksPath = env[JWT_JWKS_ENV];
  const hasSecret = secret !== undefined && secret !== '';
  const hasJwks = jwksPath !== undefined && jwksPath !== '';
  if (hasSecret && hasJwks) throw new Error(`set only one of ${JWT_SECRET_ENV} and ${JWT_JWKS_ENV}`);
  if (hasSecret) {
    if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
      throw new Error(`${JWT_SECRET_ENV} must be at least ${MIN_SECRET_BYTES} bytes (try: openssl rand -hex 32)`);
    }
    return { kind: 'hs256', secret, ...check };
  }
  if (hasJwks) {
    const jwks = JSON.parse(readFileSync(jwksPath, 'utf8')) as JSONWebKeySet;
    if (!Array.isArray(jwks.keys)) throw new Error(`${JWT_JWKS_ENV}: ${jwksPath} is not a JWK Set`);
    return { kind: 'jwks', jwks, ...check };
  }
  throw new Error(
    `no token verification configured: set ${JWT_SECRET_ENV} (HS256 shared secret) or ${JWT_JWKS_ENV} ` +
      '(path to a JWKS file), or run an open server with --insecure-no-auth (demos only)',
  );
}
