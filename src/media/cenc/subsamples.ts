// Where an encryptor leaves AVC/HEVC samples clear (ISO/IEC 23001-7): NAL length fields, NAL headers and every
// non-VCL NAL unit stay clear. Of a VCL NAL unit the protected range is a whole number of blocks ending at the NAL's
// end (so the bytes after the header, where the slice header starts, stay clear), or, given `slices` (cbcs on
// AVC), everything after the slice header.
import type { AvcSliceHeaders } from './avc-slice.js';
import { MediaError } from '../errors.js';

/** [clear, protected, ...] pairs for one length-prefixed sample at buf[off, off+size). */
export function nalSubsamples(buf: Uint8Array, off: number, size: number, lengthSize: number, hevc: boolean, slices?: AvcSliceHeaders): Uint32Array {
  const out: number[] = [];
  let pendingClear = 0;
  const flushClear = (protectedBytes: number) => {
    // A subsample's clear count is 16 bits: longer clear runs become several pairs.
    while (pendingClear > 0xffff) {
      out.push(0xffff, 0);
      pendingClear -= 0xffff;
    }
    out.push(pendingClear, protectedBytes);
    pendingClear = 0;
  };
  let p = off;
  const end = off + size;
  while (p + lengthSize <= end) {
    let n = 0;
    for (let k = 0; k < lengthSize; k++) n = n * 256 + buf[p + k]!;
    const total = Math.min(lengthSize + n, end - p);
    const first = p + lengthSize < end ? buf[p + lengthSize]! : 0;
    const type = hevc ? (first >> 1) & 0x3f : first & 0x1f;
    const vcl = hevc ? type < 32 : type >= 1 && type <= 5;
    const header = lengthSize + (hevc ? 2 : 1);
    const nal = buf.subarray(p + lengthSize, p + total);
    if (slices && !vcl && (type === 7 || type === 8)) slices.parameterSet(nal);
    const sliceHeader = slices && vcl ? slices.headerLength(nal) : undefined;
    let prot = vcl && total > header + 16 ? Math.floor((total - header) / 16) * 16 : 0;
    if (sliceHeader !== undefined) prot = total - lengthSize - sliceHeader >= 16 ? total - lengthSize - sliceHeader : 0;
    pendingClear += total - prot;
    if (prot > 0) flushClear(prot);
    p += total;
  }
  pendingClear += end - p;
  if (pendingClear > 0 || out.length === 0) flushClear(0);
  return Uint32Array.from(out);
}

/**
 * The most [clear, protected] pairs a senc entry with `ivSize`-byte IVs may hold: saiz gives each entry's size in
 * one byte (ISO/IEC 14496-12), so IV + 16-bit count + 6 bytes per pair must stay within 255 (41 pairs for 8-byte IVs).
 */
export function maxSubsamplePairs(ivSize: number): number {
  return Math.floor((255 - ivSize - 2) / 6);
}

/**
 * At most `maxPairs` pairs: while there are more (a sample of many slices), the pair with the fewest protected
 * bytes is left clear, its bytes joining the next pair's clear run (as long as that fits 16 bits). NAL headers stay
 * clear and every other range is kept; only the shortest slices' data goes unencrypted.
 */
export function capSubsamples(subs: Uint32Array, maxPairs: number): Uint32Array {
  if (subs.length / 2 <= maxPairs) return subs;
  const clear = Array.from({ length: subs.length / 2 }, (_, i) => subs[2 * i]!);
  const prot = Array.from({ length: subs.length / 2 }, (_, i) => subs[2 * i + 1]!);
  while (clear.length > maxPairs) {
    let best = -1;
    for (let i = 0; i + 1 < clear.length; i++) {
      if (clear[i]! + prot[i]! + clear[i + 1]! <= 0xffff && (best < 0 || prot[i]! < prot[best]!)) best = i;
    }
    if (best < 0) throw new MediaError('unsupported-layout', `a sample needs ${clear.length} subsamples; its senc entry can describe ${maxPairs}`);
    clear[best + 1] = clear[best]! + prot[best]! + clear[best + 1]!;
    clear.splice(best, 1);
    prot.splice(best, 1);
  }
  return Uint32Array.from(clear.flatMap((c, i) => [c, prot[i]!]));
}
