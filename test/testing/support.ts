// Helpers for the test key system's tests: a platform with it, a licensed session, an event log.
import { createEME, MemorySessionStore, type MediaKeys, type MediaKeySession } from '../../src/index.js';
import { testKeySystem, type TestKeySystem, type TestKeySystemOptions } from '../../src/testing/index.js';
import { json, keyIdsInitData, license, VIDEO_CONFIG } from '../support/eme.js';

export async function keysOf(options: TestKeySystemOptions = {}): Promise<{ ks: TestKeySystem; keys: MediaKeys }> {
  const ks = testKeySystem(options);
  const eme = createEME({ keySystems: [ks], store: new MemorySessionStore() });
  const access = await eme.requestMediaKeySystemAccess(ks.keySystem, [{ ...VIDEO_CONFIG, sessionTypes: ['temporary', 'persistent-license'], persistentState: 'required' }]);
  return { ks, keys: await access.createMediaKeys() };
}

/** A Clear Key license with the test key system's extra members (ignored by Clear Key). */
export function licenseWith(keys: Array<[Uint8Array, Uint8Array]>, extra: Record<string, unknown>, type?: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ ...json(license(keys, type)), ...extra }));
}

/**
 * Every event of a session as text: message:type:kids, keystatuseschange with the map and expiration seen when it
 * fired, closed:reason.
 */
export function eventLog(session: MediaKeySession): string[] {
  const log: string[] = [];
  session.addEventListener('message', (e) => {
    const event = e as MessageEvent & { messageType: string; message: ArrayBuffer };
    const body = json(event.message) as { kids?: string[] };
    log.push(`message:${event.messageType}${body.kids ? `:${body.kids.join(',')}` : ''}`);
  });
  session.addEventListener('keystatuseschange', () => {
    const statuses = [...session.keyStatuses].map(([kid, status]) => `${Buffer.from(kid as ArrayBuffer).toString('hex').slice(0, 4)}=${status}`);
    log.push(`keystatuseschange:${statuses.join(',')}:expiration=${session.expiration}`);
  });
  void session.closed.then((reason) => log.push(`closed:${reason}`));
  return log;
}

/** A temporary session licensed for `keys` (and its log, emptied after the license). */
export async function licensed(keys: MediaKeys, pairs: Array<[Uint8Array, Uint8Array]>, extra: Record<string, unknown> = {}) {
  const session = keys.createSession();
  const log = eventLog(session);
  await session.generateRequest('keyids', keyIdsInitData(...pairs.map(([kid]) => kid)));
  await session.update(licenseWith(pairs, extra));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  log.length = 0;
  return { session, log };
}
