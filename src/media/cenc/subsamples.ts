// Where an encryptor leaves AVC/HEVC samples clear (ISO/IEC 23001-7 9.5.2.2): NAL length fields, NAL headers,
// every non-VCL NAL unit and every slice header stay clear; only slice data is protected. For cbcs the protected
// range starts right at the slice data (10.4); for cenc, cens and cbc1 it is a whole number of 16-byte blocks ending
// at the NAL's end (cbc1 and cens require it, 10.2/10.3; CMAF requires it of cenc), so the few bytes left over
// after the slice header join the clear range. Zero bytes trailing a NAL (left by remuxes from Annex B) stay clear. A slice whose header cannot be measured is protected from its NAL
// header on, in whole blocks (the first edition's layout, which every decrypter reads), and the reason is reported.
import { MediaError } from '../errors.js';

/** Slice header lengths from a track's parameter sets (avc-slice.ts, hevc-slice.ts). */
export interface SliceHeaderParser {
  /** Takes a non-VCL NAL unit: in-band parameter sets are kept, others ignored. */
  parameterSet(nal: Uint8Array): void;
  /**
   * Bytes of the slice NAL unit `nal` (from its NAL header) before its slice data, or why that is not known; may
   * throw for a header it cannot read (one that runs past the NAL, a value out of range).
   */
  headerLength(nal: Uint8Array): number | string;
}

export interface NalLayout {
  /** Bytes of each NAL unit's length field (avcC/hvcC lengthSizeMinusOne + 1). */
  lengthSize: number;
  hevc: boolean;
  /** cenc, cens, cbc1: protected ranges are whole blocks; cbcs: they start right after the slice header. */
  wholeBlocks: boolean;
  /** Undefined: every slice is laid out as one whose header is not known (tests only). */
  slices?: SliceHeaderParser;
  /** Told why a slice's header length is not known, for each such slice. */
  unknownHeader?(reason: string): void;
}

/** [clear, protected, ...] pairs for one length-prefixed sample at buf[off, off+size). */
export function nalSubsamples(buf: Uint8Array, off: number, size: number, layout: NalLayout): Uint32Array {
  const { lengthSize, hevc, slices } = layout;
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
    const nal = buf.subarray(p + lengthSize, p + total);
    let prot = 0;
    // Zero bytes after the RBSP's last byte (trailing_zero_8bits a remux from Annex B leaves behind) are no slice
    // data: they stay clear, after the protected range.
    let trailing = 0;
    if (!vcl) slices?.parameterSet(nal);
    else if (nal.length > (hevc ? 2 : 1)) {
      while (trailing < nal.length && nal[nal.length - 1 - trailing] === 0) trailing++;
      const body = nal.length - trailing;
      const measured = slices ? headerLength(slices, nal) : 'no slice header parser';
      if (typeof measured === 'number') {
        const data = Math.max(0, body - measured);
        prot = layout.wholeBlocks ? data - (data % 16) : data >= 16 ? data : 0;
      } else {
        layout.unknownHeader?.(measured);
        const data = Math.max(0, body - (hevc ? 2 : 1));
        prot = data - (data % 16);
      }
    }
    pendingClear += total - prot - (prot > 0 ? trailing : 0);
    if (prot > 0) {
      flushClear(prot);
      pendingClear += trailing;
    }
    p += total;
  }
  pendingClear += end - p;
  if (pendingClear > 0 || out.length === 0) flushClear(0);
  return Uint32Array.from(out);
}

function headerLength(slices: SliceHeaderParser, nal: Uint8Array): number | string {
  try {
    return slices.headerLength(nal);
  } catch (error) {
    return `slice header not read: ${(error as Error).message}`;
  }
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
