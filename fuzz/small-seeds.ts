// Small MP4 seeds with the structure of the fixtures: the fixtures are 170–210 KB, and every mutant of a seed costs
// about as much as the seed (five parsers, one of them over a stream of small chunks), so seeds that size held the
// fuzzer to ~100 inputs/s. Fragmented files keep their init segment and first fragment, cut to a few samples
// with every count and offset that describes them rewritten (trun, senc, saiz, saio, sbgp, the mdat).
// Progressive files keep their moov, moved before the mdat when it was after it (chunk offsets moved with it).
import { boxTree } from './mutate.js';

type Node = ReturnType<typeof boxTree>[number];

const u32 = (b: Buffer, at: number) => b.readUInt32BE(at);

function box(type: string, ...parts: Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  const out = Buffer.concat([header, ...parts]);
  out.writeUInt32BE(out.length, 0);
  out.write(type, 4, 'latin1');
  return out;
}

const word = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};

/** A traf cut to a few samples of each trun, with where its data offsets, saio offsets and senc entries sit. */
interface CutTraf {
  bytes: Buffer;
  /** Offsets into `bytes` of each trun's data_offset field (if it has one), with the kept samples' bytes of that trun. */
  runs: { dataOffsetAt: number | undefined; data: Buffer }[];
  /** Offsets into `bytes` of saio offset fields (32 or 64 bit), with how far past the senc entries' start they pointed. */
  saio: { at: number; wide: boolean; delta: number }[];
  /** Offset into `bytes` of the first senc entry, if there is a senc. */
  sencEntriesAt: number | undefined;
}

/** Where each of `count` senc entries starts (and the end), for the IV size that makes them end at the box's end. */
function sencBounds(b: Buffer, from: number, end: number, count: number, subsamples: boolean): number[] | undefined {
  for (const iv of [8, 16, 0]) {
    const bounds = [from];
    let p = from;
    for (let i = 0; i < count && p <= end; i++) {
      p += iv;
      if (subsamples) p = p + 2 <= end ? p + 2 + 6 * b.readUInt16BE(p) : end + 1;
      bounds.push(p);
    }
    if (p === end) return bounds;
  }
  return undefined;
}

/** Run-length entries (sample_count, group_description_index) of an sbgp for the picked samples only. */
function pickGroups(b: Buffer, sbgp: Node, picked: number[]): Buffer {
  const q = sbgp.start + 16 + (b[sbgp.start + 8] === 1 ? 4 : 0);
  const perSample: number[] = [];
  for (let i = 0, e = u32(b, q); i < e && q + 4 + (i + 1) * 8 <= sbgp.end && perSample.length < 1 << 16; i++) {
    const f = q + 4 + i * 8;
    for (let k = u32(b, f); k > 0 && perSample.length < 1 << 16; k--) perSample.push(u32(b, f + 4));
  }
  const runs: [number, number][] = [];
  for (const i of picked) {
    if (i >= perSample.length) break;
    const g = perSample[i]!;
    const last = runs[runs.length - 1];
    if (last && last[1] === g) last[0]++;
    else runs.push([1, g]);
  }
  return box('sbgp', b.subarray(sbgp.start + 8, q), word(runs.length), ...runs.flatMap(([n, g]) => [word(n), word(g)]));
}

function cutTraf(b: Buffer, nodes: Node[], traf: Node, moofStart: number, keep: number): CutTraf | undefined {
  const at = nodes.indexOf(traf);
  const kids = nodes.filter((n) => n.parents[n.parents.length - 1] === at);
  const tfhd = kids.find((n) => n.type === 'tfhd');
  if (!tfhd) return undefined;
  const tfFlags = u32(b, tfhd.start + 8) & 0xffffff;
  // Sample data relative to the moof, as every fixture has it; others are left whole.
  if (!(tfFlags & 0x20000) || tfFlags & 0x1) return undefined;
  const defaultSize = tfFlags & 0x10 ? u32(b, tfhd.start + 16 + (tfFlags & 0x2 ? 4 : 0) + (tfFlags & 0x8 ? 4 : 0)) : undefined;

  // `keep` samples of every trun, numbered across the traf's truns as senc, saiz and sbgp number them.
  const picked: number[] = [];
  const truns = new Map<Node, { bytes: Buffer; data: Buffer; hasOffset: boolean }>();
  let first = 0;
  // A trun without data_offset continues where the previous one's data ends (in the cut file too: the kept data
  // of the runs is laid out one after the other).
  let previousEnd: number | undefined;
  for (const trun of kids.filter((n) => n.type === 'trun')) {
    const flags = u32(b, trun.start + 8) & 0xffffff;
    const count = u32(b, trun.start + 12);
    const hasOffset = (flags & 0x1) !== 0;
    const fixed = 16 + (hasOffset ? 4 : 0) + (flags & 0x4 ? 4 : 0);
    const per = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
    if (trun.start + fixed + per * count !== trun.end) return undefined;
    const start = hasOffset ? moofStart + u32(b, trun.start + 16) : previousEnd;
    if (start === undefined) return undefined;
    // Samples [from, to): past the first (a key frame, often most of the fragment's bytes) when there are enough.
    const from = count > keep ? 1 : 0;
    const to = Math.min(count, from + keep);
    let end = start;
    let keptStart = start;
    let keptEnd = start;
    for (let i = 0; i < count; i++) {
      const size = flags & 0x200 ? u32(b, trun.start + fixed + per * i + (flags & 0x100 ? 4 : 0)) : defaultSize;
      if (size === undefined) return undefined;
      if (i === from) keptStart = end;
      end += size;
      if (i + 1 === to) keptEnd = end;
    }
    if (end > b.length) return undefined;
    previousEnd = end;
    const bytes = Buffer.concat([b.subarray(trun.start, trun.start + fixed), b.subarray(trun.start + fixed + per * from, trun.start + fixed + per * to)]);
    bytes.writeUInt32BE(bytes.length, 0);
    bytes.writeUInt32BE(to - from, 12);
    truns.set(trun, { bytes, data: Buffer.from(b.subarray(keptStart, keptEnd)), hasOffset });
    for (let i = from; i < to; i++) picked.push(first + i);
    first += count;
  }
  if (truns.size === 0) return undefined;

  const parts: Buffer[] = [];
  let offset = 8;
  const runs: CutTraf['runs'] = [];
  let sencEntriesAt: number | undefined;
  let sencStartOld = 0;
  const saioOld: { at: number; wide: boolean; value: number }[] = [];
  for (const k of kids) {
    let out: Buffer;
    const run = truns.get(k);
    if (run) {
      out = run.bytes;
      runs.push({ dataOffsetAt: run.hasOffset ? offset + 16 : undefined, data: run.data });
    } else if (k.type === 'senc') {
      const bounds = sencBounds(b, k.start + 16, k.end, u32(b, k.start + 12), (u32(b, k.start + 8) & 0x2) !== 0);
      if (!bounds) return undefined;
      const entries = picked.filter((i) => i + 1 < bounds.length).map((i) => b.subarray(bounds[i]!, bounds[i + 1]!));
      out = box('senc', b.subarray(k.start + 8, k.start + 12), word(entries.length), ...entries);
      sencEntriesAt = offset + 16;
      sencStartOld = k.start + 16 - moofStart;
    } else if (k.type === 'saiz') {
      const q = k.start + 12 + (u32(b, k.start + 8) & 1 ? 8 : 0);
      const sizes = b[q] === 0 ? picked.filter((i) => q + 5 + i < k.end).map((i) => b.subarray(q + 5 + i, q + 6 + i)) : [];
      const count = b[q] === 0 ? sizes.length : Math.min(picked.length, u32(b, q + 1));
      out = box('saiz', b.subarray(k.start + 8, q + 1), word(count), ...sizes);
    } else if (k.type === 'saio') {
      const wide = b[k.start + 8] === 1;
      const q = k.start + 12 + (u32(b, k.start + 8) & 1 ? 8 : 0);
      out = Buffer.from(b.subarray(k.start, k.end));
      for (let i = 0, e = u32(b, q); i < e && q + 4 + (i + 1) * (wide ? 8 : 4) <= k.end; i++) {
        const f = q + 4 + i * (wide ? 8 : 4);
        saioOld.push({ at: offset + f - k.start, wide, value: wide ? Number(b.readBigUInt64BE(f)) : u32(b, f) });
      }
    } else if (k.type === 'sbgp') out = pickGroups(b, k, picked);
    else out = Buffer.from(b.subarray(k.start, k.end));
    parts.push(out);
    offset += out.length;
  }
  const saio = saioOld.map((s) => ({ at: s.at, wide: s.wide, delta: s.value - sencStartOld }));
  return { bytes: box('traf', ...parts), runs, saio, sencEntriesAt };
}

/** moof + mdat holding only `keep` samples of each trun, or undefined for a layout not handled. */
function cutFragment(b: Buffer, nodes: Node[], moof: Node, keep: number): Buffer | undefined {
  const at = nodes.indexOf(moof);
  const kids = nodes.filter((n) => n.parents[n.parents.length - 1] === at);
  const parts: { bytes: Buffer; traf?: CutTraf }[] = [];
  for (const k of kids) {
    if (k.type !== 'traf') parts.push({ bytes: b.subarray(k.start, k.end) });
    else {
      const traf = cutTraf(b, nodes, k, moof.start, keep);
      if (!traf) return undefined;
      parts.push({ bytes: traf.bytes, traf });
    }
  }
  const moofOut = box('moof', ...parts.map((p) => p.bytes));
  let at8 = 8;
  let data = moofOut.length + 8;
  for (const p of parts) {
    const t = p.traf;
    if (t) {
      for (const r of t.runs) {
        if (r.dataOffsetAt !== undefined) moofOut.writeUInt32BE(data, at8 + r.dataOffsetAt);
        data += r.data.length;
      }
      for (const s of t.saio) {
        if (t.sencEntriesAt === undefined) continue;
        const v = at8 + t.sencEntriesAt + s.delta;
        if (s.wide) moofOut.writeBigUInt64BE(BigInt(v), at8 + s.at);
        else moofOut.writeUInt32BE(v, at8 + s.at);
      }
    }
    at8 += p.bytes.length;
  }
  return Buffer.concat([moofOut, box('mdat', ...parts.flatMap((p) => p.traf?.runs.map((r) => r.data) ?? []))]);
}

/** Chunk offsets (stco/co64) in a moov moved by `by` bytes. */
function shiftChunkOffsets(moov: Buffer, by: number): Buffer {
  const out = Buffer.from(moov);
  for (const n of boxTree(out)) {
    if (n.type !== 'stco' && n.type !== 'co64') continue;
    const wide = n.type === 'co64';
    for (let i = 0, e = u32(out, n.start + 12); i < e && n.start + 16 + (i + 1) * (wide ? 8 : 4) <= n.end; i++) {
      const f = n.start + 16 + i * (wide ? 8 : 4);
      if (wide) out.writeBigUInt64BE(out.readBigUInt64BE(f) + BigInt(by), f);
      else out.writeUInt32BE(u32(out, f) + by, f);
    }
  }
  return out;
}

/** Bytes of a progressive mdat kept: the first samples, cut mid-file as the attacks did. */
const MDAT_KEPT = 16 * 1024;

/**
 * Small seeds from one fixture: for a fragmented file its init segment, and the init segment with its first
 * fragment cut to `keep` samples per trun (from the second, the first being a large key frame); for a progressive one the moov before the first 16 KB of the mdat,
 * and (when the file has its moov last) the same with the moov last.
 */
export function smallSeeds(file: Buffer, keep = 3): Buffer[] {
  const nodes = boxTree(file);
  const top = nodes.filter((n) => n.parents.length === 0);
  const moofs = top.filter((n) => n.type === 'moof');
  const moov = top.find((n) => n.type === 'moov');
  if (!moov) return [];
  if (moofs.length > 0) {
    const init = file.subarray(0, moofs[0]!.start);
    const fragment = cutFragment(file, nodes, moofs[0]!, keep);
    return fragment ? [Buffer.from(init), Buffer.concat([init, fragment])] : [Buffer.from(init)];
  }
  const mdat = top.find((n) => n.type === 'mdat');
  if (!mdat) return [Buffer.from(file.subarray(0, moov.end))];
  const kept = Math.min(MDAT_KEPT, mdat.end - mdat.start);
  if (moov.start < mdat.start) return [Buffer.from(file.subarray(0, mdat.start + kept))];
  const before = file.subarray(0, mdat.start);
  const mdatCut = file.subarray(mdat.start, mdat.start + kept);
  // Moov last: moved before the mdat (cut, its size field unchanged), and kept last after an mdat cut to size.
  const moved = shiftChunkOffsets(file.subarray(moov.start, moov.end), moov.end - moov.start);
  const shortMdat = Buffer.from(mdatCut);
  shortMdat.writeUInt32BE(kept, 0);
  return [Buffer.concat([before, moved, mdatCut]), Buffer.concat([before, shortMdat, file.subarray(moov.start, moov.end)])];
}
