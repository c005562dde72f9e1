// Paths and keys of the Common Encryption fixtures and the optional Shaka media.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { trackSamples, type KeyLookup } from '../../src/media/index.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const cencDir = resolve(repoRoot, 'test/fixtures/cenc');
export const shakaDir = resolve(repoRoot, '../shared/media/shaka');
export const hasShaka = existsSync(resolve(shakaDir, 'KEYS.md'));

export function fixture(name: string): string {
  return resolve(cencDir, name);
}

export function readFixture(name: string): Buffer {
  return readFileSync(fixture(name));
}

export const KEYS = {
  video: { kid: 'eb676abbcb345e96bbcf616630f1a3da', key: '100b6c20940f779a4589152b57d2dacb' },
  audio: { kid: 'f3c5e0361e6654b28f8049c778b23946', key: 'a4631a153a443df9eed0593043db7519' },
} as const;

export const KEYROLL: [string, string][] = [
  ['6b1c2e3f40516273849a5b6c7d8e9fa0', '0f1e2d3c4b5a69788796a5b4c3d2e1f0'],
  ['7c2d3f4051627384950a6b7c8d9eaf01', '1f2e3d4c5b6a798897a6b5c4d3e2f1a0'],
  ['8d3e405162738495a61b7c8d9eafb012', '2f3e4d5c6b7a8998a7b6c5d4e3f2a1b0'],
  ['9e4f5162738495a6b72c8d9eafb0c123', '3f4e5d6c7b8a99a8b7c6d5e4f3a2b1c0'],
];

/** KeyLookup over hex kid → key pairs. */
export function keyLookup(pairs: [string, string][]): KeyLookup {
  const m = new Map(pairs.map(([k, v]) => [k.toLowerCase(), Buffer.from(v, 'hex')]));
  return (kid) => m.get(Buffer.from(kid).toString('hex'));
}

export const defaultKeys = keyLookup([
  [KEYS.video.kid, KEYS.video.key],
  [KEYS.audio.kid, KEYS.audio.key],
]);

/**
 * Every sample of each track of a decrypted file equals the same sample of clear_prog.mp4, the unprotected source
 * the GPAC and ffmpeg fixtures were made from.
 */
export function expectClearSamples(decrypted: string | Uint8Array, tracks: readonly number[] = [1, 2]): void {
  const clear = readFixture('clear_prog.mp4');
  const out = typeof decrypted === 'string' ? readFileSync(decrypted) : decrypted;
  for (const track of tracks) {
    const expected = trackSamples(clear, track);
    const actual = trackSamples(out, track);
    expect(actual.length, `track ${track} sample count`).toBe(expected.length);
    actual.forEach((sample, i) => expect(sample.equals(expected[i]!), `track ${track} sample ${i}`).toBe(true));
  }
}
