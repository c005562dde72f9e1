// A test file's servers: started once before its tests, stopped after.
import { afterAll, beforeAll } from 'vitest';
import { KEYS } from '../../support/fixtures.js';
import type { ContentKey } from './presentation.js';
import { startLicenseServer, startMediaServer, type LicenseServer, type MediaServer } from './servers.js';

/** One media server and one license server (holding the fixtures' keys and `extraKeys`) for a test file. */
export function useServers(extraKeys: readonly ContentKey[] = []): { media: MediaServer; license: LicenseServer } {
  const shared = {} as { media: MediaServer; license: LicenseServer };
  beforeAll(async () => {
    [shared.media, shared.license] = await Promise.all([startMediaServer(), startLicenseServer([KEYS.video, KEYS.audio, ...extraKeys])]);
  });
  afterAll(async () => {
    await Promise.all([shared.media?.close(), shared.license?.stop()]);
  });
  return shared;
}
