// What the encryptors take: scheme, keys per track, IVs, pattern, extra pssh boxes.
import type { Movie } from '../boxes/movie.js';
import type { Scheme } from '../boxes/protection.js';
import type { IvOptions } from '../cenc/ivs.js';
import { MediaError } from '../errors.js';
import { TrackProtector, type ContentKey } from './track-protector.js';
import { COMMON_SYSTEM_ID, psshBox } from '../write/protection.js';

export type { ContentKey } from './track-protector.js';
export type { IvOptions } from '../cenc/ivs.js';

export interface ProtectOptions {
  scheme: Scheme;
  /** One key for every track, or the key of each track (undefined: that track stays clear). */
  keys: ContentKey | ((track: { id: number; handler: string }) => ContentKey | undefined);
  /** IVs of every track (each track counts on its own); default: random, or a random constant IV for cbcs. */
  iv?: IvOptions;
  /** Video pattern for cbcs and cens (default 1:9). */
  pattern?: { crypt: number; skip: number };
  /** 'nal' (default): AVC/HEVC subsamples; 'whole': video samples protected whole (not conformant: tests only). */
  videoLayout?: 'nal' | 'whole';
  /**
   * pssh boxes for the moov. Default: one version 1 box for the W3C common system ID listing every key ID (what
   * Clear Key reads). Others (e.g. another DRM's, given as base64 on the command line) go in `extraPssh`.
   */
  pssh?: Buffer[];
  extraPssh?: Buffer[];
}

/** A protector per track that has a key; throws for a track whose codec or layout the scheme cannot cover. */
export function trackProtectors(movie: Movie, o: ProtectOptions): Map<number, TrackProtector> {
  const out = new Map<number, TrackProtector>();
  for (const t of movie.tracks) {
    const key = typeof o.keys === 'function' ? o.keys({ id: t.id, handler: t.handler }) : o.keys;
    if (!key) continue;
    if (key.keyId.length !== 16 || key.key.length !== 16) throw new MediaError('unsupported-layout', `track ${t.id}: key IDs and keys are 16 bytes`, { trackId: t.id });
    if (t.entries.length !== 1) throw new MediaError('unsupported-layout', `track ${t.id} has ${t.entries.length} sample entries (the encryptor takes one)`, { trackId: t.id });
    const options = { scheme: o.scheme, key, ...(o.iv ? { iv: o.iv } : {}), ...(o.pattern ? { pattern: o.pattern } : {}), ...(o.videoLayout ? { videoLayout: o.videoLayout } : {}) };
    out.set(t.id, new TrackProtector(movie.ctx, t, t.entries[0]!, options));
  }
  if (out.size === 0) throw new MediaError('unsupported-layout', 'no track to encrypt (no key for any track)');
  return out;
}

/** The moov's pssh boxes: the common one listing the key IDs (unless replaced), then the extra ones. */
export function moovPssh(protectors: ReadonlyMap<number, TrackProtector>, o: ProtectOptions): Buffer[] {
  const ids = new Map<string, Buffer>();
  for (const p of protectors.values()) ids.set(p.keyId.toString('hex'), p.keyId);
  const sorted = [...ids.keys()].sort().map((k) => ids.get(k)!);
  return [...(o.pssh ?? [psshBox(COMMON_SYSTEM_ID, sorted)]), ...(o.extraPssh ?? [])];
}
