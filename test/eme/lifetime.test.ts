// When a MediaKeySession may be destroyed (EME §6): not while it is not closed and the MediaKeys that created it
// remains accessible, even if the page keeps no reference to it; once both are inaccessible, the CDM closes it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { mediaKeysInternals, type MediaKeys } from '../../src/eme/media-keys.js';
import { requestMediaKeySystemAccess } from '../../src/index.js';
import { KEY_A, KID_A, keyIdsInitData, license, settle, VIDEO_CONFIG } from '../support/eme.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Full collections with the finalization tasks and CDM work they queue run in between. */
async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await settle();
  }
}

async function licensedKeys(): Promise<MediaKeys> {
  const access = await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
  const mediaKeys = await access.createMediaKeys();
  // A player that licenses a session from an event handler and keeps no reference to it.
  await (async () => {
    const session = mediaKeys.createSession();
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await session.update(license([[KID_A, KEY_A]]));
  })();
  return mediaKeys;
}

describe('MediaKeySession lifetime', () => {
  it('a session the page dropped keeps its keys while its MediaKeys is accessible', async () => {
    const mediaKeys = await licensedKeys();
    const { cdm } = mediaKeysInternals(mediaKeys);
    expect(cdm.keyFor(KID_A)).toBeDefined();
    await collectGarbage();
    expect(cdm.keyFor(KID_A), 'key after collections').toBeDefined();
  });

  it('once the MediaKeys is inaccessible too, the CDM closes the session and its keys go', async () => {
    let mediaKeys: MediaKeys | undefined = await licensedKeys();
    const { cdm } = mediaKeysInternals(mediaKeys);
    expect(cdm.keyFor(KID_A)).toBeDefined();
    mediaKeys = undefined;
    await collectGarbage();
    expect(cdm.keyFor(KID_A), 'key after collections').toBeUndefined();
  });
});
