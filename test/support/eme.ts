// Helpers for EME tests: Clear Key licenses built from the spec's formats, and event collection.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeBase64Url } from '../../src/util/base64url.js';
import { requestMediaKeySystemAccess, type MediaKeys, type MediaKeySession, type MediaKeySystemAccess } from '../../src/index.js';

export const KID_A = Uint8Array.from(Buffer.from('2f05477fc24bb4faefd86517156daffc', 'hex')); // LwVHf8JLtPrv2GUXFW2v_A
export const KEY_A = Uint8Array.from(Buffer.from('b50d1b25559be9bd0a3cbe8ab59232fc', 'hex')); // tQ0bJVWb6b0KPL6KtZIy_A
export const KID_B = Uint8Array.from(Buffer.from('d0376d53da1df818792f7c5bbf45dffc', 'hex')); // 0DdtU9od-Bh5L3xbv0Xf_A
export const KEY_B = Uint8Array.from(Buffer.from('00112233445566778899aabbccddeeff', 'hex'));

export const VIDEO_CONFIG = {
  initDataTypes: ['keyids', 'cenc'],
  videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.64001f"' }],
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function keyIdsInitData(...kids: Uint8Array[]): Uint8Array {
  return encoder.encode(JSON.stringify({ kids: kids.map(encodeBase64Url) }));
}

export function license(keys: Array<[Uint8Array, Uint8Array]>, type?: string): Uint8Array {
  const body: Record<string, unknown> = {
    keys: keys.map(([kid, k]) => ({ kty: 'oct', kid: encodeBase64Url(kid), k: encodeBase64Url(k) })),
  };
  if (type !== undefined) body['type'] = type;
  return encoder.encode(JSON.stringify(body));
}

export function json(bytes: ArrayBuffer | Uint8Array): any {
  return JSON.parse(decoder.decode(bytes));
}

/** Resolves after every task queued so far (and the tasks they queue, a few levels deep) has run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function nextEvent<T extends Event = Event>(target: EventTarget, type: string): Promise<T> {
  return new Promise((resolve) => target.addEventListener(type, (e) => resolve(e as T), { once: true }));
}

export function statusesOf(session: MediaKeySession): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [kid, status] of session.keyStatuses) out[Buffer.from(kid as ArrayBuffer).toString('hex')] = status;
  return out;
}

export async function expectRejectName(promise: Promise<unknown>, name: string): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    const actual = (error as Error).name;
    if (actual !== name) throw new Error(`expected rejection ${name}, got ${actual}: ${(error as Error).message}`);
    return error as Error;
  }
  throw new Error(`expected rejection ${name}, but the promise resolved`);
}

let gc: (() => void) | undefined;

/** Full collections (gc() taken from a new context once --expose-gc is set), with the finalization tasks and CDM work they queue run in between. */
export async function collectGarbage(rounds = 4): Promise<void> {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A Clear Key MediaKeys (and its access) licensed for kid by a session that nothing references once this returns,
 * as a player's event handler leaves it.
 */
export async function mediaKeysLicensedByDroppedSession(kid: Uint8Array, key: Uint8Array): Promise<{ access: MediaKeySystemAccess; mediaKeys: MediaKeys }> {
  const access = await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
  const mediaKeys = await access.createMediaKeys();
  await (async () => {
    const session = mediaKeys.createSession();
    await session.generateRequest('keyids', keyIdsInitData(kid));
    await session.update(license([[kid, key]]));
  })();
  return { access, mediaKeys };
}
