// A persistent-license session restored with load() gets back the policy its license set (expiration, renewal
// interval, minimum HDCP), kept with the stored record; records Clear Key wrote load in the test key system, and
// records the test key system wrote load in Clear Key (which reads past the policy).
import { describe, expect, it } from 'vitest';
import { createEME, MemorySessionStore, type MediaKeys, type MediaKeySession } from '../../src/index.js';
import { clearKey } from '../../src/cdm/clearkey/index.js';
import { DEFAULT_ORIGIN } from '../../src/eme/platform.js';
import type { KeySystem } from '../../src/cdm/cdm.js';
import { manualClock, testKeySystem, type TestKeySystemOptions } from '../../src/testing/index.js';
import { expectRejectName, json, KEY_A, KID_A, keyIdsInitData, settle, VIDEO_CONFIG } from '../support/eme.js';
import { eventLog, licenseWith } from './support.js';

const A = Buffer.from(KID_A).toString('hex');
const PERSISTENT = { ...VIDEO_CONFIG, sessionTypes: ['persistent-license'], persistentState: 'required' as const };

async function mediaKeysOn(store: MemorySessionStore, keySystem: KeySystem): Promise<MediaKeys> {
  const eme = createEME({ keySystems: [keySystem], store });
  return (await eme.requestMediaKeySystemAccess(keySystem.keySystem, [PERSISTENT])).createMediaKeys();
}

/** A persistent-license session licensed for KID_A with `extra` license members, then closed: its ID. */
async function storedSession(keys: MediaKeys, extra: Record<string, unknown>): Promise<string> {
  const session = keys.createSession('persistent-license');
  await session.generateRequest('keyids', keyIdsInitData(KID_A));
  await session.update(licenseWith([[KID_A, KEY_A]], extra, 'persistent-license'));
  await session.close();
  return session.sessionId;
}

async function loaded(keys: MediaKeys, sessionId: string): Promise<{ session: MediaKeySession; log: string[] }> {
  const session = keys.createSession('persistent-license');
  const log = eventLog(session);
  expect(await session.load(sessionId)).toBe(true);
  await settle();
  return { session, log };
}

function testKeys(store: MemorySessionStore, options: TestKeySystemOptions) {
  const ks = testKeySystem({ keySystem: 'org.w3.clearkey', ...options });
  return { ks, keys: mediaKeysOn(store, ks) };
}

describe('test key system: the license policy of a persistent-license session survives load()', () => {
  it('expiration, renewal interval and minimum HDCP come back with the keys, and act on the clock', async () => {
    const clock = manualClock();
    const store = new MemorySessionStore();
    const { ks, keys } = testKeys(store, { clock, hdcp: '2.2' });
    const start = clock.now();
    const id = await storedSession(await keys, { policy: { durationSeconds: 60, renewalIntervalSeconds: 40, minHdcpVersion: '2.2' } });
    clock.advance(10_000);

    const { session, log } = await loaded(await keys, id);
    // The expiration stays where the license put it (60 s after update()), not 60 s after load().
    expect(session.expiration).toBe(start + 60_000);
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
    ks.setHdcp('1.4');
    await settle();
    expect(session.keyStatuses.get(KID_A)).toBe('output-restricted');
    ks.setHdcp('2.2');
    await settle();
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
    log.length = 0;
    clock.advance(40_000); // 40 s after load(): a renewal
    await settle();
    expect(log).toEqual([`message:license-renewal:${Buffer.from(KID_A).toString('base64url')}`]);
    clock.advance(10_001); // past the expiration, unanswered
    await settle();
    expect(log.slice(1)).toEqual([`keystatuseschange:${A.slice(0, 4)}=expired:expiration=${start + 60_000}`]);
    expect(ks.session(id)!.keyStatuses()).toEqual(new Map([[A, 'expired']]));
  });

  it('a license that expired while the session was stored: loaded with its keys expired', async () => {
    const clock = manualClock();
    const store = new MemorySessionStore();
    const { keys } = testKeys(store, { clock });
    const start = clock.now();
    const id = await storedSession(await keys, { policy: { durationSeconds: 5 } });
    clock.advance(10_000);
    const { session } = await loaded(await keys, id);
    expect(session.expiration).toBe(start + 5_000);
    expect(session.keyStatuses.get(KID_A)).toBe('expired');
  });

  it('a later license replaces the stored policy: its expiration is the one restored', async () => {
    const clock = manualClock();
    const store = new MemorySessionStore();
    const { keys } = testKeys(store, { clock });
    const session = (await keys).createSession('persistent-license');
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await session.update(licenseWith([[KID_A, KEY_A]], { policy: { durationSeconds: 60 } }, 'persistent-license'));
    clock.advance(30_000);
    await session.update(licenseWith([[KID_A, KEY_A]], { policy: { expiration: clock.now() + 120_000 } }, 'persistent-license'));
    const renewedUntil = clock.now() + 120_000;
    await session.close();
    expect((await loaded(await keys, session.sessionId)).session.expiration).toBe(renewedUntil);
  });

  it('records Clear Key wrote load in the test key system (no policy: no expiration), and the reverse', async () => {
    const store = new MemorySessionStore();
    const byClearKey = await storedSession(await mediaKeysOn(store, clearKey), {});
    const { keys } = testKeys(store, { clock: manualClock() });
    const inTest = await loaded(await keys, byClearKey);
    expect([inTest.session.keyStatuses.get(KID_A), inTest.session.expiration]).toEqual(['usable', NaN]);
    await inTest.session.close();

    const byTest = await storedSession(await keys, { policy: { durationSeconds: 60, minHdcpVersion: '2.2' } });
    expect(json((await store.get(DEFAULT_ORIGIN, byTest))!).policy).toEqual({ expiration: expect.any(Number), minHdcp: { [A]: '2.2' } });
    const inClearKey = await loaded(await mediaKeysOn(store, clearKey), byTest);
    expect([inClearKey.session.keyStatuses.get(KID_A), inClearKey.session.expiration]).toEqual(['usable', NaN]);
  });

  it('a stored policy that is not one the test key system wrote: load() rejects with InvalidStateError, the record is kept', async () => {
    const store = new MemorySessionStore();
    const { keys } = testKeys(store, { clock: manualClock() });
    const id = await storedSession(await keys, { policy: { durationSeconds: 60 } });
    const record = json((await store.get(DEFAULT_ORIGIN, id))!);
    const tampered = new TextEncoder().encode(JSON.stringify({ ...record, policy: { expiration: 'soon' } }));
    await store.put(DEFAULT_ORIGIN, id, tampered);
    const session = (await keys).createSession('persistent-license');
    const error = await expectRejectName(session.load(id), 'InvalidStateError');
    expect(error.message).toMatch(/stored license policy is unreadable: .*"expiration" must be a positive number/);
    expect(await store.get(DEFAULT_ORIGIN, id)).toEqual(tampered);
    // Nothing was left open: the same record loads once it is readable again.
    await store.put(DEFAULT_ORIGIN, id, new TextEncoder().encode(JSON.stringify(record)));
    expect((await loaded(await keys, id)).session.keyStatuses.get(KID_A)).toBe('usable');
  });
});
