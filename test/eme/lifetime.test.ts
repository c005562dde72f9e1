// When a MediaKeySession may be destroyed (EME §6): not while it is not closed and the MediaKeys that created it
// remains accessible, even if the page keeps no reference to it; once both are inaccessible, the CDM closes it.
import { describe, expect, it } from 'vitest';
import { mediaKeysInternals, type MediaKeys } from '../../src/eme/media-keys.js';
import { collectGarbage, KEY_A, KID_A, mediaKeysLicensedByDroppedSession } from '../support/eme.js';

const licensedKeys = async (): Promise<MediaKeys> => (await mediaKeysLicensedByDroppedSession(KID_A, KEY_A)).mediaKeys;

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
