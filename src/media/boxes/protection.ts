// Protection metadata: sample entries (encv/enca + sinf), tenc, seig sample-group entries and pssh boxes.
import { children, fullBox, payload } from './box.js';
import type { Box, BoxContext } from './box.js';
import { Cursor, hex } from './bytes.js';
import { MediaError } from '../errors.js';
import { parsePsshBoxes, type PsshBox } from '../../initdata/cenc.js';
import { InvalidInitDataError } from '../../initdata/errors.js';

export type Scheme = 'cenc' | 'cbcs' | 'cens' | 'cbc1';
export const SCHEMES: readonly Scheme[] = ['cenc', 'cbcs', 'cens', 'cbc1'];

/** What tenc (track default) or a seig group entry says about the samples it covers. */
export interface KeyParams {
  isProtected: boolean;
  /** Per-sample IV size from senc: 0, 8 or 16. 0 means `constantIv` is used. */
  ivSize: number;
  keyId: Buffer;
  constantIv: Buffer | undefined;
  cryptBlocks: number;
  skipBlocks: number;
}

export interface SampleEntryInfo {
  /** 1-based index in stsd. */
  index: number;
  box: Box;
  type: string;
  /** `frma` format for protected entries, else the entry type itself. */
  originalFormat: string;
  protected: boolean;
  scheme: string | undefined;
  schemeVersion: number | undefined;
  tenc: KeyParams | undefined;
  /** NAL length field size for AVC/HEVC (from avcC/hvcC), used to sanity-check decrypted samples. */
  nalLengthSize: number | undefined;
  /** Offset of the first child box after the fixed sample-entry fields, or undefined if unknown. */
  childSkip: number | undefined;
}

export interface PsshInfo {
  systemId: string;
  version: number;
  keyIds: string[];
  data: Buffer;
  /** The whole box as it appears in the file. */
  raw: Buffer;
  offset: number;
  path: string;
}

const VIDEO = new Set(['encv', 'avc1', 'avc3', 'hvc1', 'hev1', 'vp08', 'vp09', 'av01', 'dvh1', 'dvhe', 'mp4v']);
const AUDIO = new Set(['enca', 'mp4a', 'ac-3', 'ec-3', 'ac-4', 'Opus', 'fLaC', 'alac', 'dtsc']);

/** Bytes of fixed fields between the sample-entry header and its child boxes. */
export function sampleEntrySkip(ctx: BoxContext, box: Box, kind: 'video' | 'audio' | undefined): number | undefined {
  const p = box.start + box.headerSize;
  if (kind === 'video') return 78;
  if (kind === 'audio') {
    if (box.end - p < 10) return undefined;
    const version = ctx.buf.readUInt16BE(p + 8);
    return version === 1 ? 44 : version === 2 ? 64 : 28;
  }
  return undefined;
}

export function entryKind(type: string, handler: string): 'video' | 'audio' | undefined {
  if (VIDEO.has(type) || (type !== 'enca' && handler === 'vide')) return 'video';
  if (AUDIO.has(type) || handler === 'soun') return 'audio';
  return undefined;
}

export function parseKeyParams(c: Cursor, version: number, hasIsProtectedByte = true): KeyParams {
  c.skip(1);
  const packed = c.u8();
  const cryptBlocks = version === 0 ? 0 : packed >> 4;
  const skipBlocks = version === 0 ? 0 : packed & 0x0f;
  const isProtected = hasIsProtectedByte ? c.u8() !== 0 : true;
  const ivSize = c.u8();
  const keyId = Buffer.from(c.bytes(16));
  let constantIv: Buffer | undefined;
  if (isProtected && ivSize === 0) {
    const n = c.u8();
    if (n !== 8 && n !== 16) throw new MediaError('malformed', `constant IV size ${n} (must be 8 or 16)`, { box: c.box, offset: c.base + c.pos, field: 'default_constant_IV_size' });
    constantIv = Buffer.from(c.bytes(n));
  }
  if (isProtected && ivSize !== 0 && ivSize !== 8 && ivSize !== 16) {
    throw new MediaError('malformed', `per-sample IV size ${ivSize} (must be 0, 8 or 16)`, { box: c.box, offset: c.base + c.pos, field: 'default_Per_Sample_IV_Size' });
  }
  return { isProtected, ivSize, keyId, constantIv, cryptBlocks, skipBlocks };
}

function parseSinf(ctx: BoxContext, sinf: Box): { format?: string; scheme?: string; version?: number; tenc?: KeyParams } {
  const out: { format?: string; scheme?: string; version?: number; tenc?: KeyParams } = {};
  for (const b of children(ctx, sinf)) {
    if (b.type === 'frma') out.format = payload(ctx, b).fourcc();
    else if (b.type === 'schm') {
      const c = payload(ctx, b);
      fullBox(c);
      out.scheme = c.fourcc();
      out.version = c.u32();
    } else if (b.type === 'schi') {
      for (const s of children(ctx, b)) {
        if (s.type !== 'tenc') continue;
        const c = payload(ctx, s);
        const { version } = fullBox(c);
        out.tenc = parseKeyParams(c, version);
      }
    }
  }
  return out;
}

function nalLengthSize(ctx: BoxContext, b: Box): number | undefined {
  const p = b.start + b.headerSize;
  if (b.type === 'avcC' && b.end - p >= 5) return (ctx.buf[p + 4]! & 3) + 1;
  if (b.type === 'hvcC' && b.end - p >= 22) return (ctx.buf[p + 21]! & 3) + 1;
  return undefined;
}

export function parseSampleEntry(ctx: BoxContext, box: Box, index: number, handler: string): SampleEntryInfo {
  const kind = entryKind(box.type, handler);
  const skip = sampleEntrySkip(ctx, box, kind);
  const info: SampleEntryInfo = {
    index,
    box,
    type: box.type,
    originalFormat: box.type,
    protected: false,
    scheme: undefined,
    schemeVersion: undefined,
    tenc: undefined,
    nalLengthSize: undefined,
    childSkip: skip,
  };
  if (skip === undefined || box.start + box.headerSize + skip > box.end) {
    if (box.type === 'encv' || box.type === 'enca') {
      throw new MediaError('malformed', 'protected sample entry too short', { box: box.path, offset: ctx.base + box.start });
    }
    info.childSkip = undefined;
    return info;
  }
  for (const b of children(ctx, box, skip)) {
    if (b.type === 'sinf') {
      const s = parseSinf(ctx, b);
      // Only the first sinf with a known scheme counts; others (e.g. for another DRM) are ignored.
      if (info.scheme !== undefined) continue;
      if (s.format !== undefined) info.originalFormat = s.format;
      info.scheme = s.scheme;
      info.schemeVersion = s.version;
      info.tenc = s.tenc;
      info.protected = true;
    } else {
      info.nalLengthSize ??= nalLengthSize(ctx, b);
    }
  }
  if (info.protected && info.originalFormat === box.type) {
    throw new MediaError('malformed', 'protected sample entry without frma', { box: box.path, offset: ctx.base + box.start });
  }
  return info;
}

export function parsePssh(ctx: BoxContext, box: Box): PsshInfo {
  // One pssh parser for the project: the init data registry's, so a box this reports is one generateRequest('cenc')
  // accepts.
  const raw = Buffer.from(ctx.buf.subarray(box.start, box.end));
  let parsed: PsshBox;
  try {
    [parsed] = parsePsshBoxes(raw) as [PsshBox];
  } catch (error) {
    if (!(error instanceof InvalidInitDataError)) throw error;
    throw new MediaError('malformed', error.message, { box: box.path, offset: ctx.base + box.start });
  }
  return {
    systemId: hex(parsed.systemId),
    version: parsed.version,
    keyIds: parsed.keyIds.map(hex),
    data: Buffer.from(parsed.data),
    raw,
    offset: ctx.base + box.start,
    path: box.path,
  };
}

/**
 * The 'cenc' init data among one box's children, as the MP4 stream format extracts it: every run of adjacent pssh
 * boxes is one piece ("provided together if and only if they appear directly next to each other"), in file order.
 */
export function psshRuns(ctx: BoxContext, boxes: readonly Box[]): Buffer[] {
  const runs: Buffer[] = [];
  let start = -1;
  let end = -1;
  for (const b of boxes) {
    if (b.type === 'pssh') {
      if (start < 0) start = b.start;
      end = b.end;
    } else if (start >= 0) {
      runs.push(Buffer.from(ctx.buf.subarray(start, end)));
      start = -1;
    }
  }
  if (start >= 0) runs.push(Buffer.from(ctx.buf.subarray(start, end)));
  return runs;
}

/** Entries of an sgpd box of grouping type seig; other grouping types return undefined. */
export function parseSeigGroup(ctx: BoxContext, box: Box): KeyParams[] | undefined {
  const c = payload(ctx, box);
  const { version } = fullBox(c);
  if (c.fourcc() !== 'seig') return undefined;
  let defaultLength = 0;
  if (version === 1) defaultLength = c.u32();
  if (version >= 2) c.skip(4);
  const n = c.u32();
  if (n > c.remaining / 20) throw new MediaError('malformed', `entry count ${n} exceeds the box`, { box: box.path, offset: ctx.base + box.start, field: 'entry_count' });
  const out: KeyParams[] = [];
  for (let i = 0; i < n; i++) {
    const len = version === 1 && defaultLength === 0 ? c.u32() : defaultLength;
    const start = c.pos;
    // seig has no version field of its own: the pattern bits are always present.
    out.push(parseKeyParams(c, 1));
    if (len > 0) {
      if (c.pos - start > len) throw new MediaError('malformed', 'seig entry longer than its declared length', { box: box.path, offset: ctx.base + start });
      c.pos = start + len;
    }
  }
  return out;
}

export interface SampleGroupRun {
  count: number;
  /** sgpd index: 0 = none, 1..0x10000 = in moov stbl, > 0x10000 = in this traf. */
  index: number;
}

/** sbgp of grouping type seig, as runs; undefined for other grouping types. */
export function parseSeigMapping(ctx: BoxContext, box: Box): SampleGroupRun[] | undefined {
  const c = payload(ctx, box);
  const { version } = fullBox(c);
  if (c.fourcc() !== 'seig') return undefined;
  if (version === 1) c.skip(4);
  const n = c.u32();
  if (n > c.remaining / 8) throw new MediaError('malformed', `entry count ${n} exceeds the box`, { box: box.path, offset: ctx.base + box.start, field: 'entry_count' });
  const runs: SampleGroupRun[] = [];
  for (let i = 0; i < n; i++) runs.push({ count: c.u32(), index: c.u32() });
  return runs;
}

export function isSeigBox(ctx: BoxContext, box: Box): boolean {
  if (box.type !== 'sgpd' && box.type !== 'sbgp') return false;
  const p = box.start + box.headerSize + 4;
  return p + 4 <= box.end && ctx.buf.toString('latin1', p, p + 4) === 'seig';
}
