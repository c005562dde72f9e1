// protectInPlace: encrypts a clear MP4 held in memory keeping its layout (progressive stays progressive with
// senc/saiz/saio in stbl; fragments stay as they are, each traf gaining senc/saiz/saio). With counting IVs its
// samples are the bytes GPAC writes for the same IVs (test/media/encryptor.test.ts).
import { children, readBox } from '../boxes/box.js';
import type { Box, BoxContext } from '../boxes/box.js';
import { parseFragment } from '../boxes/fragment.js';
import { parseMovie } from '../boxes/movie.js';
import { buildSampleTable } from '../boxes/sample-table.js';
import { SampleBudget } from '../boxes/budget.js';
import { SampleCipher } from '../cenc/cipher.js';
import { trackProtectors, type ProtectOptions } from './encrypt-options.js';
import { protectedMoov } from './protected-moov.js';
import { MediaError } from '../errors.js';
import type { TrackProtector } from './track-protector.js';
import { box } from '../write/box-writer.js';
import { AuxEntryList, auxBoxes } from '../write/protection.js';
import type { AuxBoxes } from '../write/protection.js';

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
  // The samples lie in `work`, outside the cipher's memory: CTR is batched all the same, CBC goes sample by sample.
  const cipher = new SampleCipher('encrypt');

  // Progressive samples.
  const progAux = new Map<number, AuxEntryList>();
  for (const [id, p] of protectors) {
    const table = buildSampleTable(movie.ctx, p.track, budget);
    const entries = new AuxEntryList();
    for (let i = 0; i < table.count; i++) p.protect(work, table.offset[i]!, table.size[i]!, cipher, entries);
    if (table.count > 0) progAux.set(id, entries);
  }

  // The moov is written where it was (what precedes it is kept), its offsets set for that.
  const moov = protectedMoov(movie, protectors, progAux, o);

  // Fragments: encrypt samples, append senc/saiz/saio to each traf, move trun data offsets.
  const counters = new Map<number, number>();
  let fragments = 0;
  const out: Buffer[] = [];
  let outPos = 0;
  for (const b of top) {
    if (b.type === 'moov') {
      if (outPos !== b.start) throw new MediaError('unsupported-layout', 'a moof before the moov', { box: 'moov', offset: b.start });
      out.push(moov);
    } else if (b.type === 'moof') {
      out.push(protectFragment(work, b, fragments++, parseFragment(movie, work.subarray(b.start, b.end), b.start, counters, budget).jobs, protectors, cipher, o));
    } else {
      out.push(work.subarray(b.start, b.end));
    }
    outPos += out.at(-1)!.length;
  }
  cipher.flush();
  return Buffer.concat(out);
}

type Job = { trackId: number; offset: number; size: number };

function protectFragment(work: Buffer, b: Box, n: number, jobs: readonly Job[], protectors: Map<number, TrackProtector>, cipher: SampleCipher, o: InPlaceOptions): Buffer {
  const byTrack = new Map<number, AuxEntryList>();
  for (const j of jobs) {
    const p = protectors.get(j.trackId);
    if (!p) continue;
    let entries = byTrack.get(j.trackId);
    if (!entries) byTrack.set(j.trackId, (entries = new AuxEntryList()));
    p.protect(work, j.offset, j.size, cipher, entries);
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
