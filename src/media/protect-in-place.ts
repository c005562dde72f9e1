// protectInPlace: encrypts a clear MP4 held in memory keeping its layout (progressive stays progressive with
// senc/saiz/saio in stbl; fragments stay as they are, each traf gaining senc/saiz/saio). With counting IVs its
// samples are the bytes GPAC writes for the same IVs (test/media/encryptor.test.ts).
import { children, readBox } from './boxes/box.js';
import type { Box, BoxContext } from './boxes/box.js';
import { parseFragment } from './boxes/fragment.js';
import { parseMovie } from './boxes/movie.js';
import type { TrackInfo } from './boxes/movie.js';
import { buildSampleTable } from './boxes/sample-table.js';
import { SampleBudget } from './boxes/budget.js';
import { SampleCipher } from './cenc/cipher.js';
import { moovPssh, trackProtectors, type ProtectOptions } from './encrypt-options.js';
import { MediaError } from './errors.js';
import type { TrackProtector } from './track-protector.js';
import { box } from './write/box-writer.js';
import { auxBoxes, protectedStsd, sinfBox } from './write/protection.js';
import type { AuxBoxes } from './write/protection.js';

export interface InPlaceOptions extends ProtectOptions {
  /** pssh boxes to put in fragment n's moof: `head` right after mfhd, `tail` after the last traf. */
  moofPssh?: (n: number) => { head?: Buffer[]; tail?: Buffer[] };
}

function topLevel(work: Buffer): Box[] {
  const ctx: BoxContext = { buf: work, base: 0 };
  const top: Box[] = [];
  for (let p = 0; p < work.length; ) {
    const b = readBox(ctx, p, work.length, '');
    top.push(b);
    p = b.end;
  }
  return top;
}

export function protectInPlace(input: Uint8Array, o: InPlaceOptions): Buffer {
  const work = Buffer.from(input);
  const top = topLevel(work);
  const moovBox = top.find((b) => b.type === 'moov');
  if (!moovBox) throw new MediaError('malformed', 'no moov box', { box: 'file', offset: 0 });
  const movie = parseMovie(work.subarray(moovBox.start, moovBox.end), moovBox.start);
  const budget = SampleBudget.ofSize(work.length);
  const protectors = trackProtectors(movie, o);
  const withSubs = (id: number) => protectors.get(id)?.subsampled ?? false;
  // The samples lie in `work`, outside the cipher's memory: CTR is batched all the same, CBC goes sample by sample.
  const cipher = new SampleCipher('encrypt');

  // Progressive samples.
  const progAux = new Map<number, Buffer[]>();
  for (const [id, p] of protectors) {
    const table = buildSampleTable(movie.ctx, p.track, budget);
    const entries: Buffer[] = [];
    for (let i = 0; i < table.count; i++) entries.push(p.protect(work, table.offset[i]!, table.size[i]!, cipher));
    if (table.count > 0) progAux.set(id, entries);
  }

  // moov: protected sample entries, aux boxes in stbl, pssh; offsets patched after layout.
  const patches: { at: number; firstEntry: number }[] = [];
  const mctx = movie.ctx;
  const rebuild = (b: Box, t: TrackInfo | undefined, pos: number): Buffer => {
    const raw = mctx.buf.subarray(b.start, b.end);
    const p: TrackProtector | undefined = t && protectors.get(t.id);
    if (b.type === 'stsd' && p) return protectedStsd(mctx, p.entry, p.video, sinfBox(p.entry.originalFormat, p.protection));
    if (!['trak', 'mdia', 'minf', 'stbl'].includes(b.type)) return raw;
    const track = t ?? movie.tracks.find((x) => x.trak.start === b.start);
    const parts: Buffer[] = [];
    let at = pos + 8;
    for (const k of children(mctx, b)) {
      const r = rebuild(k, track, at);
      parts.push(r);
      at += r.length;
    }
    if (b.type === 'stbl' && track && progAux.has(track.id)) {
      const a = auxBoxes(progAux.get(track.id)!, withSubs(track.id));
      if (a) {
        patches.push({ at: at + a.saioField, firstEntry: at + a.firstEntry });
        parts.push(a.boxes);
      }
    }
    return box(b.type, ...parts);
  };
  const moovParts: Buffer[] = [];
  let mp = 8;
  for (const k of children(mctx, movie.moov)) {
    if (k.type === 'pssh') continue;
    const r = rebuild(k, undefined, mp);
    moovParts.push(r);
    mp += r.length;
  }
  moovParts.push(...moovPssh(protectors, o));
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
      out.push(protectFragment(work, b, fragments++, parseFragment(movie, work.subarray(b.start, b.end), b.start, counters, budget).jobs, protectors, cipher, o));
    } else {
      out.push(work.subarray(b.start, b.end));
    }
    outPos += out.at(-1)!.length;
  }
  cipher.flush();
  const result = Buffer.concat(out);
  if (delta !== 0) moveChunkOffsets(result, moovBox.start, moov.length, delta);
  return result;
}

type Job = { trackId: number; offset: number; size: number };

function protectFragment(work: Buffer, b: Box, n: number, jobs: readonly Job[], protectors: Map<number, TrackProtector>, cipher: SampleCipher, o: InPlaceOptions): Buffer {
  const byTrack = new Map<number, Buffer[]>();
  for (const j of jobs) {
    const p = protectors.get(j.trackId);
    if (p) byTrack.set(j.trackId, [...(byTrack.get(j.trackId) ?? []), p.protect(work, j.offset, j.size, cipher)]);
  }
  const fctx: BoxContext = { buf: work, base: 0 };
  const moof = readBox(fctx, b.start, b.end, '');
  type Traf = { kids: Buffer[]; aux: AuxBoxes | undefined };
  const trafs: Traf[] = [];
  const parts: (Buffer | Traf)[] = [];
  const { head = [], tail = [] } = o.moofPssh?.(n) ?? {};
  for (const k of children(fctx, moof)) {
    if (k.type !== 'traf') {
      parts.push(work.subarray(k.start, k.end));
      if (k.type === 'mfhd') parts.push(...head);
      continue;
    }
    const kids = children(fctx, k).map((x) => Buffer.from(work.subarray(x.start, x.end)));
    const id = kids[0]!.readUInt32BE(12);
    const t = { kids, aux: auxBoxes(byTrack.get(id) ?? [], protectors.get(id)?.subsampled ?? false) };
    trafs.push(t);
    parts.push(t);
  }
  parts.push(...tail);
  const grow = trafs.reduce((s, t) => s + (t.aux?.boxes.length ?? 0), 0) + [...head, ...tail].reduce((s, x) => s + x.length, 0);
  const built: Buffer[] = [];
  let p = 8;
  for (const part of parts) {
    if (Buffer.isBuffer(part)) {
      built.push(part);
      p += part.length;
      continue;
    }
    for (const k of part.kids) {
      if (k.toString('latin1', 4, 8) === 'trun' && k.readUInt32BE(8) & 1) k.writeInt32BE(k.readInt32BE(16) + grow, 16);
    }
    const kidsLen = part.kids.reduce((s, k) => s + k.length, 0);
    if (part.aux) part.aux.boxes.writeUInt32BE(p + 8 + kidsLen + part.aux.firstEntry, part.aux.saioField);
    const traf = box('traf', ...part.kids, ...(part.aux ? [part.aux.boxes] : []));
    built.push(traf);
    p += traf.length;
  }
  return box('moof', ...built);
}

/** Progressive chunk offsets move by the moov's growth when the media data follows the moov. */
function moveChunkOffsets(result: Buffer, moovStart: number, moovLength: number, delta: number): void {
  const fixed = parseMovie(result.subarray(moovStart, moovStart + moovLength), moovStart);
  for (const t of fixed.tracks) {
    const co = t.tables.stco ?? t.tables.co64;
    if (!co) continue;
    const buf = fixed.ctx.buf;
    const n = buf.readUInt32BE(co.start + 12);
    for (let i = 0; i < n; i++) {
      if (co.type === 'co64') {
        const at = co.start + 16 + 8 * i;
        const v = buf.readUInt32BE(at) * 0x100000000 + buf.readUInt32BE(at + 4);
        if (v > moovStart) {
          buf.writeUInt32BE(Math.floor((v + delta) / 0x100000000), at);
          buf.writeUInt32BE((v + delta) >>> 0, at + 4);
        }
      } else {
        const at = co.start + 16 + 4 * i;
        const v = buf.readUInt32BE(at);
        if (v > moovStart) buf.writeUInt32BE(v + delta, at);
      }
    }
  }
}
