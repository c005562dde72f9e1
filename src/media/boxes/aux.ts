// Sample auxiliary information: per-sample IVs and subsample maps from senc, or from saiz/saio when senc is absent.
import { fullBox, payload } from './box.js';
import type { Box, BoxContext } from './box.js';
import { Cursor } from './bytes.js';
import { MediaError } from '../errors.js';

export const PIFF_SENC_UUID = 'a2394f525a9b4f14a2446c427c648df4';

/** Positions of each sample's aux entry in `buf`; the entry holds IV then optional subsamples. */
export interface AuxTable {
  buf: Buffer;
  base: number;
  box: string;
  count: number;
  pos: Float64Array;
  size: Uint32Array;
  /** IV size used for each entry (senc override, or the caller's per-sample size). */
  ivSize: Uint8Array;
  /** Sum of the entries' sizes. */
  bytes: number;
  /** Every entry decoded at once on first use (see readAux). */
  decoded?: DecodedAux;
}

interface DecodedAux {
  /** Entry i's IV in bytes [16i, 16i+16), an 8-byte IV followed by 8 zero bytes. */
  iv16: Buffer;
  /** Entry i's [clear, protected] pairs are pairs[first[i], first[i+1]). */
  pairs: Uint32Array;
  first: Uint32Array;
  /** 0 where an entry is not well formed: readAux then reads it field by field, to report what is wrong. */
  ok: Uint8Array;
}

export interface SampleAux {
  /** 16 bytes (an 8-byte IV padded with zeros) when the entry is well formed; as stored otherwise. */
  iv: Buffer | undefined;
  /** Flattened [clear0, protected0, clear1, protected1, ...]; undefined = whole sample protected. */
  subsamples: Uint32Array | undefined;
}

export function parseSenc(ctx: BoxContext, box: Box, sampleCount: number, ivSizeOf: (i: number) => number): AuxTable {
  const c = payload(ctx, box);
  const { flags } = fullBox(c);
  let override: number | undefined;
  if (flags & 1) {
    c.skip(3);
    override = c.u8();
    c.skip(16);
  }
  const count = c.u32();
  if (count > sampleCount) {
    throw new MediaError('malformed', `${count} entries for ${sampleCount} samples`, { box: box.path, offset: ctx.base + box.start, field: 'sample_count' });
  }
  const t: AuxTable = {
    buf: ctx.buf,
    base: ctx.base,
    box: box.path,
    count,
    pos: new Float64Array(count),
    size: new Uint32Array(count),
    ivSize: new Uint8Array(count),
    bytes: 0,
  };
  const hasSubs = (flags & 2) !== 0;
  // Direct reads: thousands of entries, walked once while the code is cold.
  const b = c.buf;
  let p = c.pos;
  for (let i = 0; i < count; i++) {
    const iv = override ?? ivSizeOf(i);
    const start = p;
    p += iv;
    if (hasSubs && p + 2 <= c.end) p += 2 + 6 * ((b[p]! << 8) | b[p + 1]!);
    if (p > c.end || (hasSubs && p === start + iv)) {
      // Let the cursor report the overrun at the entry that causes it.
      c.pos = start;
      c.skip(iv);
      c.skip(6 * c.u16());
    }
    t.pos[i] = start;
    t.size[i] = p - start;
    t.ivSize[i] = iv;
  }
  t.bytes = p - c.pos;
  c.pos = p;
  return t;
}

export interface Saiz {
  defaultSize: number;
  count: number;
  sizes: Buffer | undefined;
}

export function parseSaiz(ctx: BoxContext, box: Box): Saiz {
  const c = payload(ctx, box);
  const { flags } = fullBox(c);
  if (flags & 1) c.skip(8);
  const defaultSize = c.u8();
  const count = c.u32();
  const sizes = defaultSize === 0 ? c.bytes(count) : undefined;
  return { defaultSize, count, sizes };
}

export function parseSaio(ctx: BoxContext, box: Box): number[] {
  const c = payload(ctx, box);
  const { version, flags } = fullBox(c);
  if (flags & 1) c.skip(8);
  const n = c.u32();
  if (n > c.remaining / 4) throw new MediaError('malformed', `entry count ${n} exceeds the box`, { box: box.path, offset: ctx.base + box.start, field: 'entry_count' });
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(version === 0 ? c.u32() : c.u64());
  return out;
}

/** Aux table from saiz plus a single contiguous saio run located at `buf[start]`. */
export function auxFromSaiz(buf: Buffer, base: number, start: number, saiz: Saiz, sampleCount: number, ivSizeOf: (i: number) => number, where: string): AuxTable {
  if (saiz.count > sampleCount) {
    throw new MediaError('malformed', `saiz has ${saiz.count} entries for ${sampleCount} samples`, { box: where, offset: base + start, field: 'sample_count' });
  }
  const t: AuxTable = {
    buf,
    base,
    box: where,
    count: saiz.count,
    pos: new Float64Array(saiz.count),
    size: new Uint32Array(saiz.count),
    ivSize: new Uint8Array(saiz.count),
    bytes: 0,
  };
  let p = start;
  for (let i = 0; i < saiz.count; i++) {
    const s = saiz.sizes ? saiz.sizes[i]! : saiz.defaultSize;
    t.pos[i] = p;
    t.size[i] = s;
    t.ivSize[i] = ivSizeOf(i);
    p += s;
  }
  t.bytes = p - start;
  if (start < 0 || p > buf.length) {
    throw new MediaError('unsupported-layout', 'sample auxiliary information lies outside the box read into memory', { box: where, offset: base + start });
  }
  return t;
}

/**
 * Decodes every entry in one pass: IVs into one buffer, subsample pairs into one array, so that each sample
 * costs two views instead of a cursor, a Uint32Array and a padded IV of its own.
 */
function decodeAll(t: AuxTable): DecodedAux {
  const b = t.buf;
  const ok = new Uint8Array(t.count);
  const iv16 = Buffer.alloc(16 * t.count);
  // A [clear, protected] pair takes 6 bytes of aux data: the entries hold at most bytes / 3 values.
  const pairs = new Uint32Array(Math.floor(t.bytes / 3));
  const first = new Uint32Array(t.count + 1);
  let k = 0;
  for (let i = 0; i < t.count; i++) {
    first[i] = k;
    const ivSize = t.ivSize[i]!;
    const pos = t.pos[i]!;
    const size = t.size[i]!;
    if ((ivSize !== 0 && ivSize !== 8 && ivSize !== 16) || size < ivSize || pos + size > b.length) continue;
    let n = 0;
    if (size > ivSize) {
      if (size < ivSize + 2) continue;
      n = (b[pos + ivSize]! << 8) | b[pos + ivSize + 1]!;
      if (size !== ivSize + 2 + 6 * n) continue;
    }
    ok[i] = 1;
    for (let q = 0; q < ivSize; q++) iv16[16 * i + q] = b[pos + q]!;
    for (let j = 0, p = pos + ivSize + 2; j < n; j++, p += 6) {
      pairs[k++] = (b[p]! << 8) | b[p + 1]!;
      pairs[k++] = b[p + 2]! * 0x1000000 + ((b[p + 3]! << 16) | (b[p + 4]! << 8) | b[p + 5]!);
    }
  }
  first[t.count] = k;
  return { iv16, pairs, first, ok };
}

export function readAux(t: AuxTable, i: number): SampleAux {
  const d = (t.decoded ??= decodeAll(t));
  const ivSize = t.ivSize[i]!;
  if (d.ok[i] === 1) {
    return {
      iv: ivSize > 0 ? d.iv16.subarray(16 * i, 16 * i + 16) : undefined,
      subsamples: t.size[i]! > ivSize ? d.pairs.subarray(d.first[i]!, d.first[i + 1]!) : undefined,
    };
  }
  // Not well formed: read it field by field, so the error names the field that overruns (or, for an IV size
  // other than 8 or 16, hand it on as stored for the caller to refuse).
  const pos = t.pos[i]!;
  const size = t.size[i]!;
  const c = new Cursor(t.buf, pos, pos + size, t.box, t.base);
  const iv = ivSize > 0 ? c.bytes(ivSize) : undefined;
  if (size <= ivSize) return { iv, subsamples: undefined };
  const n = c.u16();
  if (6 * n > c.remaining) {
    throw new MediaError('malformed', `${n} subsamples of 6 bytes each run past the end of entry ${i}`, { box: t.box, offset: t.base + pos, field: 'subsample_count' });
  }
  const subs = new Uint32Array(2 * n);
  for (let k = 0; k < n; k++) {
    subs[2 * k] = c.u16();
    subs[2 * k + 1] = c.u32();
  }
  return { iv, subsamples: subs };
}
