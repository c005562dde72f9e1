// A sample to copy or decrypt: where it is in the input and, if protected, everything the cipher needs.
import type { SampleAux } from './aux.js';
import { MediaError } from '../errors.js';
import { SCHEMES } from './protection.js';
import type { KeyParams, SampleEntryInfo, Scheme } from './protection.js';

export interface SampleCrypto {
  scheme: Scheme;
  keyId: Buffer;
  /** Always 16 bytes: an 8-byte IV is the high half with a zero low half. */
  iv: Buffer;
  /** Flattened [clear, protected, ...] pairs; undefined = the whole sample is one protected range. */
  subsamples: Uint32Array | undefined;
  cryptBlocks: number;
  skipBlocks: number;
  /** AVC/HEVC NAL length size, enabling the wrong-key plausibility check. */
  nalLengthSize: number | undefined;
}

export interface SampleJob {
  /** Absolute input offset. */
  offset: number;
  size: number;
  trackId: number;
  /** 0-based index of the sample in its track, across fragments. */
  sampleIndex: number;
  crypto: SampleCrypto | undefined;
}

/**
 * Calls `visit` for each non-empty protected range of a sample at [off, off+size): its subsamples' protected
 * parts, or the whole sample.
 */
export function forEachProtectedRange(off: number, size: number, subsamples: Uint32Array | undefined, visit: (p: number, len: number) => void): void {
  if (!subsamples || subsamples.length === 0) {
    if (size > 0) visit(off, size);
    return;
  }
  let p = off;
  for (let i = 0; i + 1 < subsamples.length; i += 2) {
    p += subsamples[i]!;
    const len = subsamples[i + 1]!;
    if (len > 0) visit(p, len);
    p += len;
  }
}

export function schemeOf(entry: SampleEntryInfo, trackId: number): Scheme {
  const s = entry.scheme;
  if (s === undefined || !(SCHEMES as readonly string[]).includes(s)) {
    throw new MediaError('unsupported-scheme', `track ${trackId} uses protection scheme '${s ?? 'none'}' (supported: ${SCHEMES.join(', ')})`, {
      box: entry.box.path,
      trackId,
    });
  }
  return s as Scheme;
}

const ZERO8 = Buffer.alloc(8);

export function makeCrypto(
  trackId: number,
  sampleIndex: number,
  entry: SampleEntryInfo,
  group: KeyParams | undefined,
  aux: SampleAux | undefined,
): SampleCrypto | undefined {
  if (!entry.protected) return undefined;
  const scheme = schemeOf(entry, trackId);
  const params = group ?? entry.tenc;
  if (params === undefined) {
    throw new MediaError('malformed', `track ${trackId}: protected sample entry without tenc`, { box: entry.box.path, trackId });
  }
  if (!params.isProtected) return undefined;
  let iv: Buffer | undefined;
  if (params.ivSize === 0) iv = params.constantIv;
  else iv = aux?.iv;
  if (iv === undefined || (iv.length !== 8 && iv.length !== 16)) {
    throw new MediaError('malformed', `track ${trackId} sample ${sampleIndex}: no IV (missing senc/saiz entry)`, { trackId, sampleIndex });
  }
  const patterned = scheme === 'cbcs' || scheme === 'cens';
  return {
    scheme,
    keyId: params.keyId,
    iv: iv.length === 16 ? iv : Buffer.concat([iv, ZERO8]),
    subsamples: aux?.subsamples,
    cryptBlocks: patterned ? params.cryptBlocks : 0,
    skipBlocks: patterned ? params.skipBlocks : 0,
    nalLengthSize: entry.nalLengthSize,
  };
}
