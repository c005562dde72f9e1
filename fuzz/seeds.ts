// Seed inputs per target, from the repository's fixtures and saved regressions (fuzzing needs no /work/shared).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPsshBox, COMMON_SYSTEM_ID } from '../src/initdata/cenc.js';
import { encodeBase64Url } from '../src/util/base64url.js';
import { smallSeeds } from './small-seeds.js';
import { KEYIDS_A_B, licenseFor, type Target } from './targets.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = (dir: string, ext = ''): Buffer[] => {
  try {
    return readdirSync(join(root, dir))
      .filter((n) => n.endsWith(ext) && !n.endsWith('.md'))
      .sort()
      .map((n) => readFileSync(join(root, dir, n)));
  } catch {
    return [];
  }
};

const WIDEVINE = Buffer.from('edef8ba979d64acea3c827dcd51d21ed', 'hex');
const kid = (n: number) => Buffer.alloc(16, n);

export function seeds(target: Target): Buffer[] {
  switch (target) {
    case 'mp4': {
      const fixtures = [...files('test/fixtures/cenc', '.mp4'), ...files('samples', '.mp4')];
      return [...fixtures.flatMap((f) => smallSeeds(f)), ...files('test/regressions/mp4')];
    }
    case 'cenc': {
      const v1 = Buffer.from(buildPsshBox(COMMON_SYSTEM_ID, [kid(1), kid(2)]));
      const v0 = Buffer.from(buildPsshBox(WIDEVINE, [], Buffer.from('widevine data')));
      v0[8] = 0;
      return [v1, Buffer.concat([v0, v1]), Buffer.from(buildPsshBox(COMMON_SYSTEM_ID, [kid(3)], Buffer.from([1, 2, 3]))), ...files('test/regressions/cenc')];
    }
    case 'keyids':
      return [Buffer.from(KEYIDS_A_B), Buffer.from('{"kids":[]}'), Buffer.from(JSON.stringify({ kids: [encodeBase64Url(kid(9))], extra: 1 })), ...files('test/regressions/keyids')];
    case 'webm':
      return [kid(1), Buffer.from([7]), Buffer.alloc(512, 3), ...files('test/regressions/webm')];
    case 'license':
    case 'release':
      return [
        Buffer.from(licenseFor([[kid(1), kid(2)]])),
        Buffer.from(licenseFor([[kid(1), kid(2)], [kid(3), kid(4)]], 'temporary')),
        Buffer.from(licenseFor([[kid(5), kid(6)]], 'persistent-license')),
        Buffer.from(JSON.stringify({ kids: [encodeBase64Url(kid(1))] })),
        Buffer.from('{}'),
        ...files(`test/regressions/${target}`),
      ];
    case 'server':
      return [
        Buffer.from(JSON.stringify({ kids: [encodeBase64Url(kid(1))], type: 'temporary' })),
        Buffer.from(JSON.stringify({ kids: [encodeBase64Url(kid(1)), encodeBase64Url(kid(2))], type: 'persistent-license' })),
        Buffer.from(JSON.stringify({ kids: [encodeBase64Url(kid(1))], type: 'temporary', release: true })),
        ...files('test/regressions/server'),
      ];
  }
}
