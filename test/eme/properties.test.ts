// Property tests: no byte string as init data, license or release acknowledgement causes anything but the spec's
// rejection (or success for valid input): no uncaught exception, no hang, no change to the session's keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPsshBox, COMMON_SYSTEM_ID, createEME, MemorySessionStore, requestMediaKeySystemAccess } from '../../src/index.js';
import { mediaKeysInternals } from '../../src/eme/media-keys.js';
import { KEY_A, KID_A, KID_B, keyIdsInitData, license, statusesOf, VIDEO_CONFIG } from '../support/eme.js';

const RUNS = 150;

async function outcome(promise: Promise<unknown>): Promise<string> {
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('hang'), 2_000));
  return Promise.race([promise.then(() => 'resolved', (e: Error) => e.name), timeout]);
}

/** Valid documents with some bytes flipped, cut or inserted: closer to the parser's edge than random bytes. */
function mutated(valid: Uint8Array) {
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, value]) => {
      const copy = valid.slice();
      copy[at] = value;
      return copy;
    }),
    fc.nat(valid.length).map((cut) => valid.slice(0, cut)),
    fc.tuple(fc.nat(valid.length), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, bytes]) => new Uint8Array([...valid.slice(0, at), ...bytes, ...valid.slice(at)])),
  );
}

async function mediaKeys() {
  return (await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys();
}

describe('property: init data', () => {
  it.each([
    ['cenc', buildPsshBox(COMMON_SYSTEM_ID, [KID_A, KID_B])],
    ['keyids', keyIdsInitData(KID_A, KID_B)],
    ['webm', KID_A],
  ])('%s: any bytes resolve, or reject with TypeError/NotSupportedError', async (type, valid) => {
    const keys = await mediaKeys();
    await fc.assert(
      fc.asyncProperty(mutated(valid), async (bytes) => {
        const session = keys.createSession();
        const result = await outcome(session.generateRequest(type, bytes));
        expect(['resolved', 'TypeError', 'NotSupportedError']).toContain(result);
        if (result !== 'resolved') expect(session.sessionId).toBe('');
        else await session.close();
      }),
      { numRuns: RUNS },
    );
  });
});

describe('property: licenses', () => {
  it('any bytes as a license: TypeError and keys unchanged, or accepted', async () => {
    const keys = await mediaKeys();
    const cdm = mediaKeysInternals(keys).cdm;
    const session = keys.createSession();
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await session.update(license([[KID_A, KEY_A]]));
    const valid = license([[KID_B, KEY_A]]);
    await fc.assert(
      fc.asyncProperty(mutated(valid), async (bytes) => {
        const before = statusesOf(session);
        const keysBefore = [KID_A, KID_B].map((kid) => cdm.keyFor(kid)?.slice());
        const result = await outcome(session.update(bytes));
        expect(['resolved', 'TypeError']).toContain(result);
        if (result === 'TypeError') {
          // A rejected license changes nothing: neither the statuses nor any key the CDM would decrypt with.
          expect(statusesOf(session)).toEqual(before);
          expect([KID_A, KID_B].map((kid) => cdm.keyFor(kid)?.slice())).toEqual(keysBefore);
        }
      }),
      { numRuns: RUNS },
    );
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
  });

  it('any bytes as a release acknowledgement: a JSON object closes the session, anything else is a TypeError keeping the record', async () => {
    const store = new MemorySessionStore();
    const eme = createEME({ store });
    const access = await eme.requestMediaKeySystemAccess('org.w3.clearkey', [{ ...VIDEO_CONFIG, sessionTypes: ['persistent-license'] }]);
    const keys = await access.createMediaKeys();
    const ack = new TextEncoder().encode('{"kids":["LwVHf8JLtPrv2GUXFW2v_A"]}');
    await fc.assert(
      fc.asyncProperty(mutated(ack), async (bytes) => {
        const session = keys.createSession('persistent-license');
        await session.generateRequest('keyids', keyIdsInitData(KID_A));
        await session.update(license([[KID_A, KEY_A]], 'persistent-license'));
        await session.remove();
        const id = session.sessionId;
        const result = await outcome(session.update(bytes));
        let isObject = false;
        try {
          const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
          isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
        } catch {
          isObject = false;
        }
        if (isObject && bytes.length > 0) {
          expect(result).toBe('resolved');
          expect(await session.closed).toBe('release-acknowledged');
          expect(await store.get(eme.origin, id)).toBeUndefined();
        } else {
          expect(result).toBe('TypeError');
          expect(await store.get(eme.origin, id)).toBeDefined();
          await session.close();
          await store.delete(eme.origin, id);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
