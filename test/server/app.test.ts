// The HTTP layer in-process (Fastify inject): who gets which key, and how bad input is refused.
import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildLicenseApp } from '../../src/server/app.js';
import { openKeyStore, type KeyStore } from '../../src/server/key-store.js';
import { KeyIntegrityError } from '../../src/server/errors.js';
import { signLicenseToken } from '../../src/server/token.js';
import { b64u, licenseRequest, readLicense } from './support.js';

const secret = randomBytes(32).toString('hex');
const hex = () => randomBytes(16).toString('hex');
// Keys: sd1 and sd2 labelled "sd", hd labelled "hd", free unlabelled; missing is never stored.
const ids = { sd1: hex(), sd2: hex(), hd: hex(), free: hex(), missing: hex() };
const keys = { sd1: hex(), sd2: hex(), hd: hex(), free: hex() };

let store: KeyStore;
let app: FastifyInstance;
const logLines: string[] = [];

beforeAll(async () => {
  store = await openKeyStore(':memory:', randomBytes(32));
  await store.addKeys([
    { kid: Buffer.from(ids.sd1, 'hex'), key: Buffer.from(keys.sd1, 'hex'), label: 'sd' },
    { kid: Buffer.from(ids.sd2, 'hex'), key: Buffer.from(keys.sd2, 'hex'), label: 'sd' },
    { kid: Buffer.from(ids.hd, 'hex'), key: Buffer.from(keys.hd, 'hex'), label: 'hd' },
    { kid: Buffer.from(ids.free, 'hex'), key: Buffer.from(keys.free, 'hex') },
  ]);
  // The most talkative logging there is, captured, so the redaction test below sees everything.
  app = await buildLicenseApp({
    store,
    auth: { kind: 'hs256', secret },
    log: { level: 'trace', requests: true, stream: { write: (line: string) => void logLines.push(line) } },
  });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

function token(claims: Parameters<typeof signLicenseToken>[1]): Promise<string> {
  return signLicenseToken(secret, claims);
}

function post(body: string | Buffer, options: { token?: string; contentType?: string | null } = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  return app.inject({ method: 'POST', url: '/license', headers, payload: body });
}

function expectError(response: LightMyRequestResponse, status: number, error: string): void {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json() as { error: unknown; message: unknown };
  expect(body.error).toBe(error);
  expect(typeof body.message).toBe('string');
}

describe('licenses', () => {
  it('answers a token holder with a JWK Set a Clear Key CDM accepts', async () => {
    const response = await post(licenseRequest([ids.sd1]), { token: await token({ kids: [ids.sd1], ttlSeconds: 60 }) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(readLicense(response.json(), 'temporary')).toEqual(new Map([[ids.sd1, keys.sd1]]));
    // Exactly the spec's members, nothing else a strict parser could trip on.
    expect(Object.keys(response.json() as object).sort()).toEqual(['keys', 'type']);
    expect(Object.keys((response.json() as { keys: object[] }).keys[0]!).sort()).toEqual(['k', 'kid', 'kty']);
  });

  it('grants every key under a label the token names', async () => {
    const response = await post(licenseRequest([ids.sd1, ids.sd2]), { token: await token({ labels: ['sd'], ttlSeconds: 60 }) });
    expect(readLicense(response.json(), 'temporary')).toEqual(new Map([[ids.sd1, keys.sd1], [ids.sd2, keys.sd2]]));
  });

  it('gives only the entitled subset when asked for more', async () => {
    const response = await post(licenseRequest([ids.sd1, ids.hd, ids.free]), {
      token: await token({ labels: ['sd'], kids: [ids.free], ttlSeconds: 60 }),
    });
    expect(readLicense(response.json(), 'temporary')).toEqual(new Map([[ids.sd1, keys.sd1], [ids.free, keys.free]]));
  });

  it('refuses with 403 when no requested key is entitled, stored or not', async () => {
    const sdToken = await token({ labels: ['sd'], ttlSeconds: 60 });
    expectError(await post(licenseRequest([ids.hd]), { token: sdToken }), 403, 'not_entitled');
    // The same answer for a key ID nobody stored: a 403 tells nothing about what exists.
    expectError(await post(licenseRequest([ids.missing]), { token: sdToken }), 403, 'not_entitled');
    expectError(await post(licenseRequest([ids.hd]), { token: await token({ kids: [ids.sd1], ttlSeconds: 60 }) }), 403, 'not_entitled');
  });

  it('answers 404 when the entitled keys are not stored, and omits unknown ones otherwise', async () => {
    const tok = await token({ kids: [ids.missing, ids.sd1], ttlSeconds: 60 });
    expectError(await post(licenseRequest([ids.missing]), { token: tok }), 404, 'unknown_key');
    const response = await post(licenseRequest([ids.missing, ids.sd1]), { token: tok });
    expect(readLicense(response.json(), 'temporary')).toEqual(new Map([[ids.sd1, keys.sd1]]));
  });

  it('needs the persistent claim for a persistent-license', async () => {
    const body = licenseRequest([ids.sd1], 'persistent-license');
    expectError(await post(body, { token: await token({ kids: [ids.sd1], ttlSeconds: 60 }) }), 403, 'persistent_not_allowed');
    const response = await post(body, { token: await token({ kids: [ids.sd1], persistent: true, ttlSeconds: 60 }) });
    expect(readLicense(response.json(), 'persistent-license')).toEqual(new Map([[ids.sd1, keys.sd1]]));
  });

  it('acknowledges a license release with its key IDs', async () => {
    const release = JSON.stringify({ kids: [b64u(ids.sd1), b64u(ids.sd2)] });
    const response = await post(release, { token: await token({ kids: [ids.sd1], persistent: true, subject: 'viewer-1', ttlSeconds: 60 }) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ kids: [b64u(ids.sd1), b64u(ids.sd2)] });
  });

  it('accepts the request bytes as octet-stream, text/plain, JSON with charset, or no content type', async () => {
    const tok = await token({ kids: [ids.sd1], ttlSeconds: 60 });
    for (const contentType of ['application/octet-stream', 'text/plain;charset=UTF-8', 'application/json; charset=utf-8', null]) {
      const response = await post(Buffer.from(licenseRequest([ids.sd1])), { token: tok, contentType });
      expect(response.statusCode, String(contentType)).toBe(200);
    }
  });
});

describe('authentication', () => {
  const body = licenseRequest([ids.sd1]);

  it('asks for a token when there is none', async () => {
    const response = await post(body);
    expectError(response, 401, 'unauthorized');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="emekit"');
  });

  it('refuses an Authorization header that is not Bearer', async () => {
    const response = await app.inject({ method: 'POST', url: '/license', headers: { authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'application/json' }, payload: body });
    expectError(response, 401, 'unauthorized');
  });

  it('refuses an expired token', async () => {
    const expired = await new SignJWT({ kids: [ids.sd1] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(Buffer.from(secret));
    const response = await post(body, { token: expired });
    expectError(response, 401, 'unauthorized');
    expect(response.headers['www-authenticate']).toMatch(/error="invalid_token".*expired/);
  });

  it('refuses a token without an expiry', async () => {
    const forever = await new SignJWT({ kids: [ids.sd1] }).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(secret));
    expectError(await post(body, { token: forever }), 401, 'unauthorized');
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const [header, , signature] = (await token({ kids: [ids.free], ttlSeconds: 60 })).split('.');
    const payload = Buffer.from(JSON.stringify({ kids: [ids.sd1], exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    const response = await post(body, { token: `${header}.${payload}.${signature}` });
    expectError(response, 401, 'unauthorized');
    expect(response.headers['www-authenticate']).toMatch(/signature/);
  });

  it('refuses a token signed with another secret', async () => {
    const other = await signLicenseToken(randomBytes(32).toString('hex'), { kids: [ids.sd1], ttlSeconds: 60 });
    expectError(await post(body, { token: other }), 401, 'unauthorized');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const unsigned = new UnsecuredJWT({ kids: [ids.sd1] }).setExpirationTime('1h').encode();
    expectError(await post(body, { token: unsigned }), 401, 'unauthorized');
  });

  it('refuses malformed claims', async () => {
    const bad = await new SignJWT({ kids: 'not-a-list' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(Buffer.from(secret));
    expectError(await post(body, { token: bad }), 401, 'unauthorized');
    const notHex = await new SignJWT({ kids: [b64u(ids.sd1)] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(Buffer.from(secret));
    expectError(await post(body, { token: notHex }), 401, 'unauthorized');
  });

  it('checks the token before reading the request', async () => {
    expectError(await post('{not json'), 401, 'unauthorized');
  });
});

describe('tokens from a JWKS (RS256, ES256)', () => {
  it.each(['RS256', 'ES256'] as const)('verifies %s against the configured public keys only', async (alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg);
    const stranger = await generateKeyPair(alg);
    const jwk: JWK = { ...(await exportJWK(publicKey)), alg, kid: 'k1', use: 'sig' };
    const jwksApp = await buildLicenseApp({ store, auth: { kind: 'jwks', jwks: { keys: [jwk] } }, log: false });
    const sign = (key: typeof privateKey) =>
      new SignJWT({ kids: [ids.hd] }).setProtectedHeader({ alg, kid: 'k1' }).setExpirationTime('5m').sign(key);
    const send = async (tok: string) =>
      jwksApp.inject({ method: 'POST', url: '/license', headers: { authorization: `Bearer ${tok}` }, payload: licenseRequest([ids.hd]) });
    const good = await send(await sign(privateKey));
    expect(readLicense(good.json(), 'temporary')).toEqual(new Map([[ids.hd, keys.hd]]));
    expect((await send(await sign(stranger.privateKey))).statusCode).toBe(401);
    // An HS256 token "signed" with the public key must not pass (algorithm confusion).
    expect((await send(await token({ kids: [ids.hd], ttlSeconds: 60 }))).statusCode).toBe(401);
    await jwksApp.close();
  });
});

describe('bad input', () => {
  let tok: string;
  beforeAll(async () => {
    tok = await token({ kids: [ids.sd1], labels: ['sd'], ttlSeconds: 60 });
  });

  it('refuses a body over 64 KB with 413', async () => {
    const huge = JSON.stringify({ kids: [b64u(ids.sd1)], type: 'temporary', pad: 'x'.repeat(70_000) });
    expectError(await post(huge, { token: tok }), 413, 'body_too_large');
  });

  it('refuses other content types with 415', async () => {
    for (const contentType of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png']) {
      expectError(await post(licenseRequest([ids.sd1]), { token: tok, contentType }), 415, 'unsupported_media_type');
    }
  });

  it.each([
    ['malformed JSON', '{"kids":['],
    ['bad base64url', '{"kids":["***"],"type":"temporary"}'],
    ['too many key IDs', JSON.stringify({ kids: Array.from({ length: 65 }, () => b64u(hex())), type: 'temporary' })],
    ['an empty key ID', '{"kids":[""],"type":"temporary"}'],
    ['a key ID over 512 bytes', JSON.stringify({ kids: [Buffer.alloc(513).toString('base64url')], type: 'temporary' })],
    ['an empty body', ''],
  ])('refuses %s with 400', async (_name, body) => {
    expectError(await post(body, { token: tok }), 400, 'bad_request');
  });

  it('answers unknown routes with a JSON 404', async () => {
    expectError(await app.inject({ method: 'GET', url: '/keys' }), 404, 'not_found');
  });
});

describe('operations', () => {
  it('reports health with the store checked', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', store: 'sqlite' });
  });

  it('answers CORS preflights allowing Authorization from any page', async () => {
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/license',
      headers: { origin: 'https://player.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(String(response.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    const actual = await post(licenseRequest([ids.sd1]), { token: await token({ kids: [ids.sd1], ttlSeconds: 60 }) });
    expect(actual.headers['access-control-allow-origin']).toBe('*');
  });

  it('open mode serves any key without a token', async () => {
    const open = await buildLicenseApp({ store, auth: { kind: 'none' }, log: false });
    const response = await open.inject({ method: 'POST', url: '/license', payload: licenseRequest([ids.hd], 'persistent-license') });
    expect(readLicense(response.json(), 'persistent-license')).toEqual(new Map([[ids.hd, keys.hd]]));
    await open.close();
  });

  it('answers 500 without detail when a stored key fails authentication, and 503 health when the store is down', async () => {
    const down = async (): Promise<never> => {
      throw new Error('connection refused');
    };
    const broken: KeyStore = {
      kind: 'sqlite',
      location: 'broken',
      addKey: down,
      addKeys: down,
      generateKeys: down,
      listKeys: down,
      recordRelease: down,
      ping: down,
      close: async () => {},
      getKeys: async () => {
        throw new KeyIntegrityError('stored key failed authentication');
      },
    };
    const brokenApp = await buildLicenseApp({ store: broken, auth: { kind: 'none' }, log: false });
    const response = await brokenApp.inject({ method: 'POST', url: '/license', payload: licenseRequest([ids.sd1]) });
    expectError(response, 500, 'key_integrity');
    expectError(await brokenApp.inject({ method: 'GET', url: '/healthz' }), 503, 'store_unavailable');
    await brokenApp.close();
  });

  // Runs last in this file: by now the captured log has every kind of request above, at trace level.
  it('never logs a key or a token', async () => {
    const log = logLines.join('');
    expect(log).toMatch(/incoming request/);
    for (const key of Object.values(keys)) {
      const bytes = Buffer.from(key, 'hex');
      for (const form of [key, key.toUpperCase(), bytes.toString('base64url'), bytes.toString('base64')]) {
        expect(log).not.toContain(form);
      }
    }
    expect(log).not.toContain(secret);
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/); // no JWT
  });
});
