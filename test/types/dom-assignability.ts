// Compile-only: emekit's objects are assignable to lib.dom's EME types, so player code written against the DOM
// type-checks against emekit unchanged. Checked by `tsc -p test/types` (run from test/types/types.test.ts).
import * as emekit from '../../dist/index.js';

declare const access: emekit.MediaKeySystemAccess;
declare const keys: emekit.MediaKeys;
declare const session: emekit.MediaKeySession;
declare const statusMap: emekit.MediaKeyStatusMap;
declare const messageEvent: emekit.MediaKeyMessageEvent;
declare const encryptedEvent: emekit.MediaEncryptedEvent;

export const domAccess: MediaKeySystemAccess = access;
export const domKeys: MediaKeys = keys;
export const domSession: MediaKeySession = session;
export const domStatusMap: MediaKeyStatusMap = statusMap;
export const domMessageEvent: MediaKeyMessageEvent = messageEvent;
export const domEncryptedEvent: MediaEncryptedEvent = encryptedEvent;

// The entry point has navigator's signature.
export const request: typeof navigator.requestMediaKeySystemAccess = emekit.requestMediaKeySystemAccess;

// Player code written against the DOM, given emekit objects.
export async function playerFlow(system: Pick<Navigator, 'requestMediaKeySystemAccess'>): Promise<MediaKeyStatus[]> {
  const a: MediaKeySystemAccess = await system.requestMediaKeySystemAccess('org.w3.clearkey', [
    { initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] },
  ]);
  const config: MediaKeySystemConfiguration = a.getConfiguration();
  void config;
  const mk: MediaKeys = await a.createMediaKeys();
  const s: MediaKeySession = mk.createSession('temporary');
  s.onmessage = (e: MediaKeyMessageEvent) => void e.message.byteLength;
  s.addEventListener('keystatuseschange', () => {});
  await s.generateRequest('cenc', new Uint8Array(1));
  const statuses: MediaKeyStatus[] = [];
  s.keyStatuses.forEach((status) => statuses.push(status));
  for (const [, status] of s.keyStatuses) statuses.push(status);
  return statuses;
}
export const emekitAsNavigator: Pick<Navigator, 'requestMediaKeySystemAccess'> = { requestMediaKeySystemAccess: emekit.requestMediaKeySystemAccess };

// The check is live: a wrong assignment is an error (tsc fails if these lines stop being errors).
// @ts-expect-error a MediaKeys is not a MediaKeySession
export const notASession: MediaKeySession = keys;
// @ts-expect-error a status map is not a MediaKeys
export const notKeys: MediaKeys = statusMap;
