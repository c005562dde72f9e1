// The server against emekit's own Clear Key CDM: the CDM's license requests and releases are what the server
// reads, and the server's answers are what the CDM's update() accepts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { licenseRelease, licenseRequest } from '../../src/cdm/clearkey/messages.js';
import { parseLicense, parseResponseObject } from '../../src/cdm/clearkey/license.js';
import { buildLicenseApp } from '../../src/server/app.js';
import { openKeyStore, type KeyStore, type StoredKey } from '../../src/server/key-store.js';

let store: KeyStore;
let app: FastifyInstance;
let keys: StoredKey[];

beforeAll(async () => {
  store = await openKeyStore(':memory:', randomBytes(32));
  keys = await store.generateKeys(3);
  await store.addKey(randomBytes(7), randomBytes(16)); // a short WebM-style key ID
  app = await buildLicenseApp({ store, auth: { kind: 'none' }, log: false });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

async function post(body: Uint8Array): Promise<Uint8Array> {
  // As a player sends it: the message bytes, no Content-Type.
  const response = await app.inject({ method: 'POST', url: '/license', payload: Buffer.from(body) });
  expect(response.statusCode, response.body).toBe(200);
  return response.rawPayload;
}

describe('server and Clear Key CDM', () => {
  it.each(['temporary', 'persistent-license'] as const)('a %s request from the CDM gets a license its update() accepts', async (type) => {
    const kids = keys.map((key) => key.kid);
    const license = parseLicense(parseResponseObject(await post(licenseRequest(kids, type))));
    expect(license.type).toBe(type);
    expect(license.keys.map((key) => Buffer.from(key.keyId).toString('hex'))).toEqual(kids.map((kid) => kid.toString('hex')));
    expect(license.keys.map((key) => Buffer.from(key.key).toString('hex'))).toEqual(keys.map((key) => key.key.toString('hex')));
  });

  it('key IDs that are not 16 bytes go through too', async () => {
    const [short] = (await store.listKeys({ withKeys: true })).filter((info) => info.kid.byteLength === 7);
    const license = parseLicense(parseResponseObject(await post(licenseRequest([short!.kid], 'temporary'))));
    expect(Buffer.from(license.keys[0]!.key)).toEqual(short!.key);
  });

  it('a release from the CDM is acknowledged with a JSON object naming its key IDs', async () => {
    const kids = keys.slice(0, 2).map((key) => key.kid);
    const ack = parseResponseObject(await post(licenseRelease(kids)));
    expect(ack).toEqual({ kids: kids.map((kid) => kid.toString('base64url')) });
  });
});
