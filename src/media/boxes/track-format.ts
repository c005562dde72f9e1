// What a player learns about a track from its init segment: the RFC 6381 codec string (avcC, hvcC, esds, dOps,
// dac3/dec3), the picture size of a visual sample entry, and the movie's duration (mehd, else mvhd).
import { children, fullBox, payload } from './box.js';
import type { Box, BoxContext } from './box.js';
import { Cursor } from './bytes.js';
import type { Movie } from './movie.js';
import type { SampleEntryInfo } from './protection.js';

export interface TrackFormat {
  /** e.g. 'avc1.64001f', 'hvc1.1.6.L93.b0', 'mp4a.40.2', 'ec-3', 'opus'. */
  codec: string;
  width?: number;
  height?: number;
}

const hex2 = (v: number): string => v.toString(16).padStart(2, '0');

/** avc1.PPCCLL from avcC's profile, constraint flags and level (ISO/IEC 14496-15 §5.3.3, RFC 6381 §3.3). */
function avcCodec(format: string, c: Cursor): string {
  c.skip(1);
  return `${format}.${hex2(c.u8())}${hex2(c.u8())}${hex2(c.u8())}`;
}

/** hvc1.[space]profile.compat.[tier]level.constraints (ISO/IEC 14496-15 Annex E). */
function hevcCodec(format: string, c: Cursor): string {
  c.skip(1);
  const b = c.u8();
  const space = ['', 'A', 'B', 'C'][b >> 6]!;
  const tier = b & 0x20 ? 'H' : 'L';
  const profile = b & 0x1f;
  const compat = c.u32();
  let reversed = 0;
  for (let i = 0; i < 32; i++) if (compat & (1 << i)) reversed |= 1 << (31 - i);
  const constraints = [...c.bytes(6)];
  const level = c.u8();
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  const parts = [format, `${space}${profile}`, (reversed >>> 0).toString(16), `${tier}${level}`, ...constraints.map((v) => v.toString(16))];
  return parts.join('.');
}

/** An MPEG-4 descriptor header (ISO/IEC 14496-1 §8.3.3): tag, then a size in up to four 7-bit groups. */
function descriptor(c: Cursor): { tag: number; end: number } {
  const tag = c.u8();
  let size = 0;
  for (let i = 0; i < 4; i++) {
    const v = c.u8();
    size = size * 128 + (v & 0x7f);
    if ((v & 0x80) === 0) break;
  }
  return { tag, end: Math.min(c.pos + size, c.end) };
}

/** mp4a.OTI[.AOT] from esds: the decoder config's object type and, for MPEG-4 audio, the AudioSpecificConfig's. */
function mp4aCodec(c: Cursor): string {
  fullBox(c);
  const es = descriptor(c);
  if (es.tag !== 3) return 'mp4a';
  c.skip(2);
  const esFlags = c.u8();
  if (esFlags & 0x80) c.skip(2);
  if (esFlags & 0x40) c.skip(c.u8());
  if (esFlags & 0x20) c.skip(2);
  const config = descriptor(c);
  if (config.tag !== 4) return 'mp4a';
  const oti = c.u8();
  c.skip(12);
  if (oti !== 0x40 || c.pos >= config.end) return `mp4a.${oti.toString(16)}`;
  const specific = descriptor(c);
  if (specific.tag !== 5) return `mp4a.${oti.toString(16)}`;
  const b0 = c.u8();
  let aot = b0 >> 3;
  if (aot === 31) aot = 32 + (((b0 & 7) << 3) | (c.u8() >> 5));
  return `mp4a.40.${aot}`;
}

const SIMPLE: Record<string, string> = { 'ac-3': 'ac-3', 'ec-3': 'ec-3', Opus: 'opus', fLaC: 'flac' };

export function trackFormat(ctx: BoxContext, entry: SampleEntryInfo, kind: 'audio' | 'video'): TrackFormat {
  const format = entry.originalFormat;
  const out: TrackFormat = { codec: SIMPLE[format] ?? format };
  const box = entry.box;
  if (kind === 'video' && box.end - (box.start + box.headerSize) >= 28) {
    // VisualSampleEntry: 6 reserved, data_reference_index, 16 bytes pre_defined/reserved, then width and height.
    out.width = ctx.buf.readUInt16BE(box.start + box.headerSize + 24);
    out.height = ctx.buf.readUInt16BE(box.start + box.headerSize + 26);
  }
  if (entry.childSkip === undefined) return out;
  for (const b of children(ctx, box, entry.childSkip)) {
    const c = payload(ctx, b);
    if (b.type === 'avcC') out.codec = avcCodec(format, c);
    else if (b.type === 'hvcC') out.codec = hevcCodec(format, c);
    else if (b.type === 'esds') out.codec = mp4aCodec(c);
  }
  return out;
}

/**
 * The media time at which presentation starts, from the track's edit list (ISO/IEC 14496-12 §8.6.6): the media_time of
 * its first edit that is not empty, in the media's timescale; 0 without one. It is what encoders use to hide AAC
 * priming samples or the first composition offset, and what Chromium's MSE subtracts from every timestamp.
 */
export function editListOffset(ctx: BoxContext, trak: Box): number {
  const edts = children(ctx, trak).find((b) => b.type === 'edts');
  const elst = edts && children(ctx, edts).find((b) => b.type === 'elst');
  if (!elst) return 0;
  const c = payload(ctx, elst);
  const { version } = fullBox(c);
  const count = c.u32();
  for (let i = 0; i < count; i++) {
    c.skip(version === 1 ? 8 : 4);
    // media_time is signed; -1 marks an empty edit.
    let mediaTime = c.i32();
    if (version === 1) {
      const low = c.u32();
      mediaTime = mediaTime < 0 ? -1 : mediaTime * 0x100000000 + low;
    }
    c.skip(4);
    if (mediaTime >= 0) return mediaTime;
  }
  return 0;
}

function durationOf(ctx: BoxContext, b: Box): number {
  const c = payload(ctx, b);
  const { version } = fullBox(c);
  return version === 1 ? c.u64() : c.u32();
}

/** The presentation's duration in seconds from mvex/mehd, else mvhd; undefined when neither gives one. */
export function movieDuration(movie: Movie): number | undefined {
  const { ctx } = movie;
  let timescale = 0;
  let duration = 0;
  let fragmentDuration = 0;
  for (const b of children(ctx, movie.moov)) {
    if (b.type === 'mvhd') {
      const c = payload(ctx, b);
      const { version } = fullBox(c);
      c.skip(version === 1 ? 16 : 8);
      timescale = c.u32();
      // All ones means "unknown" (ISO/IEC 14496-12 §8.2.2.3).
      const hi = version === 1 ? c.u32() : 0;
      const lo = c.u32();
      duration = hi === 0xffffffff || (version === 0 && lo === 0xffffffff) || hi > 0x1fffff ? 0 : hi * 0x100000000 + lo;
    } else if (b.type === 'mvex') {
      const mehd = children(ctx, b).find((m) => m.type === 'mehd');
      if (mehd) fragmentDuration = durationOf(ctx, mehd);
    }
  }
  if (timescale === 0) return undefined;
  const units = fragmentDuration || duration;
  return units > 0 ? units / timescale : undefined;
}
