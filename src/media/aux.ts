// Sample auxiliary information: per-sample IVs and subsample maps from senc, or from saiz/saio when senc is absent.
import { fullBox, payload } from './box.js';
import type { Box, BoxContext } from './box.js';
import { Cursor } from './bytes.js';
import { MediaError } from './errors.js';

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
}

export interface SampleAux {
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
    throw new MediaError('malformed', `${count} entries for ${sampleCount} samples`, { box: box.path, offset: ctx.base + box.start });
  }
  const t: AuxTable = {
    buf: ctx.buf,
    base: ctx.base,
    box: box.path,
    count,
    pos: new Float64Array(count),
    size: new Uint32Array(count),
    ivSize: new Uint8Array(count),
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
  if (n > c.remaining / 4) throw new MediaError('malformed', `entry count ${n} exceeds the box`, { box: box.path, offset: ctx.base + box.start });
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(version === 0 ? c.u32() : c.u64());
  return out;
}

/** Aux table from saiz plus a single contiguous saio run located at `buf[start]`. */
export function auxFromSaiz(buf: Buffer, base: number, start: number, saiz: Saiz, sampleCount: number, ivSizeOf: (i: number) => number, where: string): AuxTable {
  if (saiz.count > sampleCount) {
    throw new MediaError('malformed', `saiz has ${saiz.count} entries for ${sampleCount} samples`, { box: where, offset: base + start });
  }
  const t: AuxTable = {
    buf,
    base,
    box: where,
    count: saiz.count,
    pos: new Float64Array(saiz.count),
    size: new Uint32Array(saiz.count),
    ivSize: new Uint8Array(saiz.count),
  };
  let p = start;
  for (let i = 0; i < saiz.count; i++) {
    const s = saiz.sizes ? saiz.sizes[i]! : saiz.defaultSize;
    t.pos[i] = p;
    t.size[i] = s;
    t.ivSize[i] = ivSizeOf(i);
    p += s;
  }
  if (start < 0 || p > buf.length) {
    throw new MediaError('unsupported-layout', 'sample auxiliary information lies outside the box read into memory', { box: where, offset: base + start });
  }
  return t;
}

export function readAux(t: AuxTable, i: number): SampleAux {
  const ivSize = t.ivSize[i]!;
  const pos = t.pos[i]!;
  const size = t.size[i]!;
  const b = t.buf;
  if (pos + size > b.length || (size > ivSize && size !== ivSize + 2 + 6 * b.readUInt16BE(pos + ivSize)) || size < ivSize) {
    // Sizes from saiz that do not match the entry: let the cursor name the field that overruns.
    const c = new Cursor(b, pos, pos + size, t.box, t.base);
    c.skip(ivSize);
    c.skip(6 * c.u16());
  }
  const iv = ivSize > 0 ? b.subarray(pos, pos + ivSize) : undefined;
  if (size <= ivSize) return { iv, subsamples: undefined };
  // Direct reads: called for every sample.
  let p = pos + ivSize;
  const n = (b[p]! << 8) | b[p + 1]!;
  p += 2;
  const subs = new Uint32Array(2 * n);
  for (let k = 0; k < n; k++, p += 6) {
    subs[2 * k] = (b[p]! << 8) | b[p + 1]!;
    subs[2 * k + 1] = b[p + 2]! * 0x1000000 + ((b[p + 3]! << 16) | (b[p + 4]! << 8) | b[p + 5]!);
  }
  return { iv, subsamples: subs };
}
