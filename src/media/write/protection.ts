// Protection boxes as an encryptor writes them: pssh, the sinf of a protected sample entry, and the sample
// auxiliary information (senc with saiz and saio pointing at it).
import { box, fullBox, u32, u8 } from './box-writer.js';
import { children } from '../boxes/box.js';
import type { BoxContext } from '../boxes/box.js';
import type { SampleEntryInfo, Scheme } from '../boxes/protection.js';
import { MediaError } from '../errors.js';

/** The W3C Common PSSH system ID ("Common SystemID and PSSH Box Format"), which Clear Key reads. */
export const COMMON_SYSTEM_ID = Buffer.from('1077efecc0b24d02ace33c1e52e2fb4b', 'hex');

/** A version 1 pssh box: system ID, key IDs, data. */
export function psshBox(systemId: Buffer, keyIds: readonly Buffer[], data: Buffer = Buffer.alloc(0)): Buffer {
  return fullBox('pssh', 1, 0, systemId, u32(keyIds.length), ...keyIds, u32(data.length), data);
}

/** What tenc (or a seig entry) states: key ID, IV size or constant IV, pattern. */
export interface TrackProtection {
  scheme: Scheme;
  keyId: Buffer;
  /** Per-sample IV size; 0 with `constantIv`. */
  ivSize: 0 | 8 | 16;
  constantIv: Buffer | undefined;
  cryptBlocks: number;
  skipBlocks: number;
}

/** tenc's fields after version/flags (also the body of a seig group entry). */
export function keyParamsBytes(p: TrackProtection): Buffer {
  const parts = [u8(0), u8((p.cryptBlocks << 4) | p.skipBlocks), u8(1), u8(p.ivSize), p.keyId];
  if (p.ivSize === 0) parts.push(u8(p.constantIv!.length), p.constantIv!);
  return Buffer.concat(parts);
}

/** sinf: frma (the clear format), schm, schi/tenc (version 1 where a pattern is allowed: cbcs, cens). */
export function sinfBox(originalFormat: string, p: TrackProtection): Buffer {
  const patterned = p.scheme === 'cbcs' || p.scheme === 'cens';
  return box(
    'sinf',
    box('frma', Buffer.from(originalFormat, 'latin1')),
    fullBox('schm', 0, 0, Buffer.from(p.scheme, 'latin1'), u32(0x10000)),
    box('schi', fullBox('tenc', patterned ? 1 : 0, 0, keyParamsBytes(p))),
  );
}

/** Stores a 16-bit field at out[p] (a larger value is a bug: capSubsamples keeps clear runs within 16 bits). */
function u16At(out: Buffer, p: number, v: number): number {
  if (v > 0xffff) throw new RangeError(`senc field value ${v} does not fit 16 bits`);
  out[p] = v >>> 8;
  out[p + 1] = v;
  return p + 2;
}

export interface AuxBoxes {
  /** senc, saiz and saio, in that order. */
  boxes: Buffer;
  /** Where saio's single offset field sits in `boxes`. */
  saioField: number;
  /** Where senc's first entry sits in `boxes` (what saio points to). */
  firstEntry: number;
}

/** senc entries packed side by side (a track's, or a fragment track's), written in place: no buffer per sample. */
export class AuxEntryList {
  private buf = Buffer.allocUnsafe(4096);
  private used = 0;
  readonly sizes: number[] = [];

  /**
   * Appends one senc entry: the first ivSize bytes of iv (none with a constant IV), then the subsamples when there
   * are any. Byte by byte: Buffer's write methods are JavaScript too (checks, then the same stores), cold here.
   */
  add(iv: Uint8Array, ivSize: number, subsamples: Uint32Array | undefined): void {
    const n = ivSize + (subsamples ? 2 + 3 * subsamples.length : 0);
    if (this.used + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.used + n));
      grown.set(this.buf.subarray(0, this.used));
      this.buf = grown;
    }
    const out = this.buf;
    let p = this.used;
    for (let k = 0; k < ivSize; k++) out[p++] = iv[k]!;
    if (subsamples) {
      p = u16At(out, p, subsamples.length / 2);
      for (let i = 0; i < subsamples.length; i += 2) {
        p = u16At(out, p, subsamples[i]!);
        const m = subsamples[i + 1]!;
        out[p] = m >>> 24;
        out[p + 1] = m >>> 16;
        out[p + 2] = m >>> 8;
        out[p + 3] = m;
        p += 4;
      }
    }
    this.used = p;
    this.sizes.push(n);
  }

  get bytes(): Buffer {
    return this.buf.subarray(0, this.used);
  }
}

/** senc + saiz + saio for a run of entries; undefined when no entry has anything (constant IV, whole samples). */
export function auxBoxes(entries: readonly Buffer[] | AuxEntryList, withSubsamples: boolean): AuxBoxes | undefined {
  const sizes = entries instanceof AuxEntryList ? entries.sizes : entries.map((e) => e.length);
  const data = entries instanceof AuxEntryList ? [entries.bytes] : entries;
  if (sizes.every((n) => n === 0)) return undefined;
  // saiz holds each entry's size in one byte: a longer entry would be described wrongly (see capSubsamples).
  let longest = 0;
  for (const n of sizes) if (n > longest) longest = n;
  if (longest > 255) throw new MediaError('unsupported-layout', `a ${longest}-byte senc entry: saiz describes at most 255 bytes per sample`);
  const senc = fullBox('senc', 0, withSubsamples ? 2 : 0, u32(sizes.length), ...data);
  const same = sizes.every((n) => n === sizes[0]);
  const saiz = fullBox('saiz', 0, 0, u8(same ? sizes[0]! : 0), u32(sizes.length), ...(same ? [] : [Buffer.from(sizes)]));
  const saio = fullBox('saio', 0, 0, u32(1), u32(0));
  return { boxes: Buffer.concat([senc, saiz, saio]), saioField: senc.length + saiz.length + saio.length - 4, firstEntry: 16 };
}

/**
 * stsd with its one sample entry protected: renamed encv/enca, its boxes kept, the sinf added after them.
 * `entry` is the parsed entry (its fixed fields end at childSkip).
 */
export function protectedStsd(ctx: BoxContext, entry: SampleEntryInfo, video: boolean, sinf: Buffer): Buffer {
  const e = entry.box;
  const fixed = ctx.buf.subarray(e.start + e.headerSize, e.start + e.headerSize + entry.childSkip!);
  const kids = children(ctx, e, entry.childSkip).map((k) => ctx.buf.subarray(k.start, k.end));
  return fullBox('stsd', 0, 0, u32(1), box(video ? 'encv' : 'enca', fixed, ...kids, sinf));
}
