// Seed inputs per target, from the repository's fixtures and saved regressions (fuzzing needs no /work/shared).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPsshBox, COMMON_SYSTEM_ID } from '../src/initdata/cenc.js';
import { encodeBase64Url } from '../src/util/base64url.js';
import { protectInPlace } from '../src/media/protect/protect-in-place.js';
import { fixtureKeys } from './mse.js';
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
    case 'mse': {
      // MSE's byte stream format wants a tfdt in every traf, which the GPAC and ffmpeg fixtures lack: the clear
      // fragmented fixture (with tfdt) in each scheme, encrypted with its key, cut to a few samples (plays in ms).
      const clear = readFileSync(join(root, 'test/fixtures/cenc/clear_frag.mp4'));
      const { kid, key } = fixtureKeys()[0]!;
      const keys = { keyId: Buffer.from(kid, 'hex'), key: Buffer.from(key, 'hex') };
      const encrypted = (['cenc', 'cbcs', 'cens', 'cbc1'] as const).map((scheme) =>
        protectInPlace(clear, { scheme, keys, iv: scheme === 'cbcs' ? { constant: Buffer.alloc(16, 7) } : { size: 8, first: Buffer.alloc(8, 1) }, pattern: { crypt: 1, skip: 9 } }),
      );
      return [...[...encrypted, clear].flatMap((f) => smallSeeds(f).slice(1)), ...files('test/regressions/mse')];
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
