// The license server speaks to the test key system: a token's policy travels in each license as the JWK Set's
// "policy" member (expiration, renewal interval, minimum HDCP), which the test key system honours and Clear Key
// ignores; license-renewal messages get licenses from the same endpoint.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEME, type MediaKeys, type MediaKeySession } from '../../src/index.js';
import { buildLicenseApp } from '../../src/server/app.js';
import { openKeyStore, type KeyStore } from '../../src/server/key-store.js';
import { signLicenseToken, type LicenseTokenRequest } from '../../src/server/token.js';
import { manualClock } from '../../src/testing/index.js';
import { KEY_A, KID_A, keyIdsInitData, settle, VIDEO_CONFIG } from '../support/eme.js';
import { eventLog, keysOf } from './support.js';

const secret = randomBytes(32).toString('hex');
let store: KeyStore;
let app: FastifyInstance;

beforeAll(async () => {
  store = await openKeyStore(':memory:', randomBytes(32));
  await store.addKey(Buffer.from(KID_A), Buffer.from(KEY_A));
  app = await buildLicenseApp({ store, auth: { kind: 'hs256', secret }, log: false });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

/** A player's message handler: every message goes to the server with the token, the answer to update(). */
function answerFromServer(session: MediaKeySession, token: string): Promise<number>[] {
  const statuses: Promise<number>[] = [];
  session.addEventListener('message', (e) => {
    const message = (e as MessageEvent & { message: ArrayBuffer }).message;
    statuses.push(
      (async () => {
        const response = await app.inject({ method: 'POST', url: '/license', headers: { authorization: `Bearer ${token}` }, payload: Buffer.from(message) });
        if (response.statusCode === 200) await session.update(response.rawPayload);
        return response.statusCode;
      })(),
    );
  });
  return statuses;
}

/** A session of keys licensed for KID_A by the server with token. */
async function licensedByServer(keys: MediaKeys, token: string): Promise<MediaKeySession> {
  const session = keys.createSession();
  const answers = answerFromServer(session, token);
  await session.generateRequest('keyids', keyIdsInitData(KID_A));
  await settle();
  await Promise.all(answers);
  return session;
}

const tokenFor = (policy: LicenseTokenRequest['policy']) => signLicenseToken(secret, { kids: [KID_A], ttlSeconds: 600, policy });

describe('license server → test key system', () => {
  it("a token's policy: the license expires after its duration, renewals come every interval and extend it", async () => {
    const clock = manualClock();
    const { keys } = await keysOf({ clock });
    const session = keys.createSession();
    const log = eventLog(session);
    const answers = answerFromServer(session, await tokenFor({ durationSeconds: 60, renewalIntervalSeconds: 40 }));
    const start = clock.now();
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await settle();
    await Promise.all(answers);
    expect(session.expiration).toBe(start + 60_000);
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
    clock.advance(40_000);
    await settle();
    await Promise.all(answers);
    await settle();
    // The renewal's license starts a new 60 s from now.
    expect(answers).toHaveLength(2);
    expect(await Promise.all(answers)).toEqual([200, 200]);
    expect(session.expiration).toBe(start + 100_000);
    expect(log.filter((e) => e.startsWith('message'))).toEqual([
      `message:license-request:${Buffer.from(KID_A).toString('base64url')}`,
      `message:license-renewal:${Buffer.from(KID_A).toString('base64url')}`,
    ]);
  });

  it("a token's minimum HDCP: the key is output-restricted on a display that lacks it; Clear Key takes the same license", async () => {
    const token = await tokenFor({ minHdcpVersion: '2.2' });
    const { keys } = await keysOf({ hdcp: '1.4' });
    expect((await licensedByServer(keys, token)).keyStatuses.get(KID_A)).toBe('output-restricted');
    const clearKeys = await (await createEME().requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys();
    expect((await licensedByServer(clearKeys, token)).keyStatuses.get(KID_A)).toBe('usable');
  });

  it('a malformed policy claim makes the token invalid (401); signing one is refused', async () => {
    const { SignJWT } = await import('jose');
    const bad = await new SignJWT({ kids: [Buffer.from(KID_A).toString('hex')], policy: { durationSeconds: -1 } })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(Buffer.from(secret));
    const response = await app.inject({ method: 'POST', url: '/license', headers: { authorization: `Bearer ${bad}` }, payload: JSON.stringify({ kids: [Buffer.from(KID_A).toString('base64url')], type: 'temporary' }) });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toBe('claim policy: durationSeconds must be a positive number');
    await expect(tokenFor({ minHdcpVersion: '9.9' })).rejects.toThrow('policy: minHdcpVersion must be an HDCP version from the registry');
  });
});
