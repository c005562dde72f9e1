// A small Common Encryption packager for tests and the benchmark: protects a clear MP4 (progressive or
// fragmented with default-base-is-moof) in memory with one key, any of the four schemes.
import { boxHeader, children, readBox } from '../../src/media/boxes/box.js';
import type { Box, BoxContext } from '../../src/media/boxes/box.js';
import { cryptSample } from '../../src/media/cenc/cipher.js';
import { parseFragment } from '../../src/media/boxes/fragment.js';
import type { SampleCrypto } from '../../src/media/boxes/job.js';
import { parseMovie } from '../../src/media/boxes/movie.js';
import type { TrackInfo } from '../../src/media/boxes/movie.js';
import type { Scheme } from '../../src/media/boxes/protection.js';
import { buildSampleTable } from '../../src/media/boxes/sample-table.js';

export interface EncryptOptions {
  scheme: Scheme;
  key: Buffer;
  kid: Buffer;
  /** 8 or 16 per-sample IVs (counting up from firstIv), or 0 with constantIv. */
  ivSize: 0 | 8 | 16;
  firstIv?: Buffer;
  constantIv?: Buffer;
  /** Video pattern for cbcs/cens (audio uses whole blocks). */
  crypt?: number;
  skip?: number;
  /** 'nal' (default): AVC/HEVC subsamples; 'whole': every sample is one protected range. */
  videoLayout?: 'nal' | 'whole';
  /** pssh boxes to put in fragment n's moof: `head` right after mfhd, `tail` after the last traf. */
  moofPssh?: (n: number) => { head?: Buffer[]; tail?: Buffer[] };
}

const u8 = (v: number) => Buffer.from([v]);
const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
const box = (type: string, ...parts: Buffer[]) => Buffer.concat([boxHeader(type, parts.reduce((s, p) => s + p.length, 0)), ...parts]);
const full = (type: string, version: number, flags: number, ...parts: Buffer[]) => box(type, u32(version * 0x1000000 + flags), ...parts);
/** The Common (Clear Key) PSSH system ID, from the W3C's Common SystemID and PSSH Box Format. */
export const CLEAR_KEY_SYSTEM_ID = Buffer.from('1077efecc0b24d02ace33c1e52e2fb4b', 'hex');
/** Widevine's PSSH system ID: a box Clear Key must carry along but cannot read. */
export const WIDEVINE_SYSTEM_ID = Buffer.from('edef8ba979d64acea3c827dcd51d21ed', 'hex');

/** A version 1 pssh box: system ID, key IDs, data. */
export function psshBox(systemId: Buffer, kids: Buffer[], data: Buffer = Buffer.alloc(0)): Buffer {
  return full('pssh', 1, 0, systemId, u32(kids.length), ...kids, u32(data.length), data);
}

interface Plan {
  track: TrackInfo;
  video: boolean;
  crypt: number;
  skip: number;
}

class IvCounter {
  private v: bigint;
  constructor(private readonly size: number, first: Buffer | undefined) {
    this.v = size === 0 || !first ? 0n : BigInt(`0x${first.toString('hex')}`);
  }
  next(): Buffer {
    const b = Buffer.from(this.v.toString(16).padStart(this.size * 2, '0'), 'hex');
    this.v = (this.v + 1n) % (1n << BigInt(this.size * 8));
    return b;
  }
}

function subsamples(buf: Buffer, off: number, size: number, lengthSize: number, hevc: boolean): Uint32Array {
  const out: number[] = [];
  let pendingClear = 0;
  let p = off;
  const end = off + size;
  while (p + lengthSize <= end) {
    let n = 0;
    for (let k = 0; k < lengthSize; k++) n = n * 256 + buf[p + k]!;
    const total = Math.min(lengthSize + n, end - p);
    const type = hevc ? (buf[p + lengthSize]! >> 1) & 0x3f : buf[p + lengthSize]! & 0x1f;
    const vcl = hevc ? type < 32 : type >= 1 && type <= 5;
    const header = lengthSize + (hevc ? 2 : 1);
    const prot = vcl && total > header + 16 ? Math.floor((total - header) / 16) * 16 : 0;
    pendingClear += total - prot;
    if (prot > 0) {
      while (pendingClear > 0xffff) { out.push(0xffff, 0); pendingClear -= 0xffff; }
      out.push(pendingClear, prot);
      pendingClear = 0;
    }
    p += total;
  }
  pendingClear += end - p;
  while (pendingClear > 0xffff) { out.push(0xffff, 0); pendingClear -= 0xffff; }
  if (pendingClear > 0 || out.length === 0) out.push(pendingClear, 0);
  return Uint32Array.from(out);
}

function auxEntry(iv: Buffer | undefined, subs: Uint32Array | undefined): Buffer {
  const parts: Buffer[] = iv ? [iv] : [];
  if (subs) {
    parts.push(u16(subs.length / 2));
    for (let i = 0; i < subs.length; i += 2) parts.push(u16(subs[i]!), u32(subs[i + 1]!));
  }
  return Buffer.concat(parts);
}

/** senc + saiz + saio for a run of aux entries; returns the boxes and where saio's offset field and senc's first entry sit. */
function auxBoxes(entries: Buffer[], withSubs: boolean): { boxes: Buffer; saioField: number; firstEntry: number } | undefined {
  if (entries.every((e) => e.length === 0)) return undefined;
  const senc = full('senc', 0, withSubs ? 2 : 0, u32(entries.length), ...entries);
  const same = entries.every((e) => e.length === entries[0]!.length);
  const saiz = full('saiz', 0, 0, u8(same ? entries[0]!.length : 0), u32(entries.length), ...(same ? [] : [Buffer.from(entries.map((e) => e.length))]));
  const saio = full('saio', 0, 0, u32(1), u32(0));
  return { boxes: Buffer.concat([senc, saiz, saio]), saioField: senc.length + saiz.length + saio.length - 4, firstEntry: 16 };
}

export function encryptMp4(input: Buffer, o: EncryptOptions): Buffer {
  const work = Buffer.from(input);
  const ctx: BoxContext = { buf: work, base: 0 };
  const top: Box[] = [];
  for (let p = 0; p < work.length; ) {
    const b = readBox(ctx, p, work.length, '');
    top.push(b);
    p = b.end;
  }
  const moovBox = top.find((b) => b.type === 'moov')!;
  const movie = parseMovie(work.subarray(moovBox.start, moovBox.end), moovBox.start);
  const patterned = o.scheme === 'cbcs' || o.scheme === 'cens';
  const plans = new Map<number, Plan>(
    movie.tracks.map((t) => {
      const video = t.handler === 'vide';
      return [t.id, { track: t, video, crypt: patterned && video ? (o.crypt ?? 1) : 0, skip: patterned && video ? (o.skip ?? 9) : 0 }];
    }),
  );
  const ivs = new Map<number, IvCounter>();
  const protect = (trackId: number, off: number, size: number): Buffer => {
    const plan = plans.get(trackId)!;
    const entry = plan.track.entries[0]!;
    let iv = o.constantIv;
    if (o.ivSize > 0) {
      if (!ivs.has(trackId)) ivs.set(trackId, new IvCounter(o.ivSize, o.firstIv));
      iv = ivs.get(trackId)!.next();
    }
    const nal = plan.video && o.videoLayout !== 'whole' && entry.nalLengthSize !== undefined;
    const subs = nal ? subsamples(work, off, size, entry.nalLengthSize!, entry.type.startsWith('hv') || entry.type.startsWith('he')) : undefined;
    const c: SampleCrypto = {
      scheme: o.scheme,
      keyId: o.kid,
      iv: iv!.length === 16 ? iv! : Buffer.concat([iv!, Buffer.alloc(8)]),
      subsamples: subs,
      cryptBlocks: plan.crypt,
      skipBlocks: plan.skip,
      nalLengthSize: undefined,
    };
    cryptSample(work, off, size, c, o.key, 'encrypt', () => `track ${trackId}`);
    return auxEntry(o.ivSize > 0 ? iv : undefined, subs);
  };

  // Progressive samples.
  const progAux = new Map<number, Buffer[]>();
  for (const t of movie.tracks) {
    const table = buildSampleTable(movie.ctx, t, work.length);
    const entries: Buffer[] = [];
    for (let i = 0; i < table.count; i++) entries.push(protect(t.id, table.offset[i]!, table.size[i]!));
    if (table.count > 0) progAux.set(t.id, entries);
  }

  const withSubs = (id: number) => plans.get(id)!.video && o.videoLayout !== 'whole';
  const sinf = (t: TrackInfo) => {
    const v1 = patterned;
    const plan = plans.get(t.id)!;
    const tenc = [u8(0), u8(v1 ? (plan.crypt << 4) | plan.skip : 0), u8(1), u8(o.ivSize), o.kid];
    if (o.ivSize === 0) tenc.push(u8(o.constantIv!.length), o.constantIv!);
    return box('sinf', box('frma', Buffer.from(t.entries[0]!.type, 'latin1')), full('schm', 0, 0, Buffer.from(o.scheme, 'latin1'), u32(0x10000)), box('schi', full('tenc', v1 ? 1 : 0, 0, ...tenc)));
  };

  // moov: protected sample entries, aux boxes in stbl, a Clear Key pssh; offsets patched after layout.
  const patches: { at: number; firstEntry: number }[] = [];
  const mctx = movie.ctx;
  const rebuild = (b: Box, t: TrackInfo | undefined, pos: number): Buffer => {
    const raw = mctx.buf.subarray(b.start, b.end);
    if (b.type === 'stsd' && t) {
      const e = t.entries[0]!;
      const kids = children(mctx, e.box, e.childSkip).map((k) => mctx.buf.subarray(k.start, k.end));
      const fixed = mctx.buf.subarray(e.box.start + e.box.headerSize, e.box.start + e.box.headerSize + e.childSkip!);
      const enc = box(plans.get(t.id)!.video ? 'encv' : 'enca', fixed, ...kids, sinf(t));
      return box('stsd', u32(0), u32(1), enc);
    }
    if (!['trak', 'mdia', 'minf', 'stbl'].includes(b.type)) return raw;
    const track = t ?? movie.tracks.find((x) => x.trak.start === b.start);
    const parts: Buffer[] = [];
    let p = pos + 8;
    for (const k of children(mctx, b)) {
      const r = rebuild(k, track, p);
      parts.push(r);
      p += r.length;
    }
    if (b.type === 'stbl' && track && progAux.has(track.id)) {
      const a = auxBoxes(progAux.get(track.id)!, withSubs(track.id));
      if (a) {
        patches.push({ at: p + a.saioField, firstEntry: p + a.firstEntry });
        parts.push(a.boxes);
      }
    }
    return box(b.type, ...parts);
  };
  const moovParts: Buffer[] = [];
  let mp = 8;
  for (const k of children(mctx, movie.moov)) {
    const r = rebuild(k, undefined, mp);
    moovParts.push(r);
    mp += r.length;
  }
  moovParts.push(psshBox(CLEAR_KEY_SYSTEM_ID, [o.kid]));
  const moov = box('moov', ...moovParts);
  const delta = moov.length - (moovBox.end - moovBox.start);

  // Fragments: encrypt samples, append senc/saiz/saio to each traf, move trun data offsets.
  const counters = new Map<number, number>();
  let fragments = 0;
  const out: Buffer[] = [];
  let outPos = 0;
  for (const b of top) {
    if (b.type === 'moov') {
      for (const p of patches) moov.writeUInt32BE(outPos + p.firstEntry, p.at);
      out.push(moov);
    } else if (b.type === 'moof') {
      const frag = parseFragment(movie, work.subarray(b.start, b.end), b.start, counters);
      const byTrack = new Map<number, Buffer[]>();
      for (const j of frag.jobs) byTrack.set(j.trackId, [...(byTrack.get(j.trackId) ?? []), protect(j.trackId, j.offset, j.size)]);
      const fctx: BoxContext = { buf: work, base: 0 };
      const moof = readBox(fctx, b.start, b.end, '');
      const trafs: { kids: Buffer[]; aux: ReturnType<typeof auxBoxes> }[] = [];
      const parts: (Buffer | (typeof trafs)[number])[] = [];
      const { head = [], tail = [] } = o.moofPssh?.(fragments++) ?? {};
      for (const k of children(fctx, moof)) {
        if (k.type !== 'traf') {
          parts.push(work.subarray(k.start, k.end));
          if (k.type === 'mfhd') parts.push(...head);
          continue;
        }
        const kids = children(fctx, k).map((x) => Buffer.from(work.subarray(x.start, x.end)));
        const id = kids[0]!.readUInt32BE(12);
        const t = { kids, aux: auxBoxes(byTrack.get(id) ?? [], withSubs(id)) };
        trafs.push(t);
        parts.push(t);
      }
      parts.push(...tail);
      const grow = trafs.reduce((s, t) => s + (t.aux?.boxes.length ?? 0), 0) + [...head, ...tail].reduce((s, b) => s + b.length, 0);
      const built: Buffer[] = [];
      let p = 8;
      for (const part of parts) {
        if (Buffer.isBuffer(part)) { built.push(part); p += part.length; continue; }
        for (const k of part.kids) {
          if (k.toString('latin1', 4, 8) === 'trun' && (k.readUInt32BE(8) & 1)) k.writeInt32BE(k.readInt32BE(16) + grow, 16);
        }
        const kidsLen = part.kids.reduce((s, k) => s + k.length, 0);
        if (part.aux) part.aux.boxes.writeUInt32BE(p + 8 + kidsLen + part.aux.firstEntry, part.aux.saioField);
        const traf = box('traf', ...part.kids, ...(part.aux ? [part.aux.boxes] : []));
        built.push(traf);
        p += traf.length;
      }
      out.push(box('moof', ...built));
    } else {
      out.push(work.subarray(b.start, b.end));
    }
    outPos += out.at(-1)!.length;
  }
  // Progressive chunk offsets move by the moov growth when mdat follows moov.
  const result = Buffer.concat(out);
  if (delta !== 0) {
    const fixed = parseMovie(result.subarray(moovBox.start, moovBox.start + moov.length), moovBox.start);
    for (const t of fixed.tracks) {
      const co = t.tables.stco ?? t.tables.co64;
      if (!co) continue;
      const n = fixed.ctx.buf.readUInt32BE(co.start + 12);
      for (let i = 0; i < n; i++) {
        const at = co.start + 16 + (co.type === 'co64' ? 8 * i + 4 : 4 * i);
        const v = fixed.ctx.buf.readUInt32BE(at);
        if (v > moovBox.start) fixed.ctx.buf.writeUInt32BE(v + delta, at);
      }
    }
  }
  return result;
}
