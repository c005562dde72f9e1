// Until `emekit package` (issue 14) exists: a fragmented MP4 with several tracks (ffmpeg's clear_frag.mp4) becomes
// one fragmented file per track (DASH AdaptationSets and HLS renditions need one track each), and a file becomes
// its init segment and media segments. Reads with src/media/boxes; writes with src/media/write/box-writer.
import { child, children, fullBox, payload, readBox, type Box, type BoxContext } from '../../../src/media/boxes/box.js';
import { SampleBudget } from '../../../src/media/boxes/budget.js';
import { parseFragment } from '../../../src/media/boxes/fragment.js';
import { parseMovie } from '../../../src/media/boxes/movie.js';
import { box } from '../../../src/media/write/box-writer.js';

function topLevel(buf: Buffer): Box[] {
  const ctx: BoxContext = { buf, base: 0 };
  const out: Box[] = [];
  for (let p = 0; p < buf.length; ) {
    const b = readBox(ctx, p, buf.length, '');
    out.push(b);
    p = b.end;
  }
  return out;
}

const bytesOf = (buf: Buffer, b: Box) => buf.subarray(b.start, b.end);
const trackIdOf = (ctx: BoxContext, b: Box, skip: number) => ctx.buf.readUInt32BE(b.start + b.headerSize + skip);

/** One single-track fragmented MP4 per track: ftyp, moov with that trak and its trex, then moof (mfhd, traf) + mdat. */
export function splitTracks(file: Buffer): Map<number, Buffer> {
  const top = topLevel(file);
  const ctx: BoxContext = { buf: file, base: 0 };
  const moovBox = top.find((b) => b.type === 'moov')!;
  const movie = parseMovie(file.subarray(moovBox.start, moovBox.end), moovBox.start);
  const out = new Map<number, Buffer[]>();
  for (const t of movie.tracks) {
    const moovKids = children(ctx, moovBox).flatMap((k) => {
      // parseMovie's boxes are positioned in the moov it was given.
      if (k.type === 'trak') return k.start - moovBox.start === t.trak.start ? [bytesOf(file, k)] : [];
      if (k.type === 'mvex') return [box('mvex', ...children(ctx, k).filter((x) => x.type !== 'trex' || trackIdOf(ctx, x, 4) === t.id).map((x) => bytesOf(file, x)))];
      return k.type === 'udta' ? [] : [bytesOf(file, k)];
    });
    out.set(t.id, [bytesOf(file, top[0]!), box('moov', ...moovKids)]);
  }
  const counters = new Map<number, number>();
  for (const m of top.filter((b) => b.type === 'moof')) {
    const jobs = parseFragment(movie, file.subarray(m.start, m.end), m.start, counters, SampleBudget.ofSize(file.length)).jobs;
    const mfhd = child(ctx, m, 'mfhd')!;
    for (const traf of children(ctx, m).filter((b) => b.type === 'traf')) {
      const tfhd = child(ctx, traf, 'tfhd')!;
      const id = trackIdOf(ctx, tfhd, 4);
      if (file.readUInt32BE(tfhd.start + 8) & 1) throw new Error('tfhd with base_data_offset: not handled');
      const truns = children(ctx, traf).filter((b) => b.type === 'trun');
      if (truns.length !== 1) throw new Error('one trun per traf expected');
      const samples = Buffer.concat(jobs.filter((j) => j.trackId === id).map((j) => file.subarray(j.offset, j.offset + j.size)));
      const trafBytes = Buffer.from(bytesOf(file, traf));
      const moofSize = 8 + (mfhd.end - mfhd.start) + trafBytes.length;
      // trun data_offset (flag 0x1) is relative to the moof (default-base-is-moof): the samples follow mdat's header.
      const trunAt = truns[0]!.start - traf.start;
      if (trafBytes.readUInt32BE(trunAt + 8) & 1) trafBytes.writeInt32BE(moofSize + 8, trunAt + 16);
      out.get(id)!.push(box('moof', bytesOf(file, mfhd), trafBytes), box('mdat', samples));
    }
  }
  return new Map([...out].map(([id, parts]) => [id, Buffer.concat(parts)]));
}

export interface Segmented {
  init: Buffer;
  /** Each moof with its mdat, and the decode time span of its samples in the track's timescale. */
  segments: { bytes: Buffer; start: number; duration: number }[];
  timescale: number;
}

/** Sample durations of a traf: trun's per-sample durations, else tfhd's default, else trex's. */
function trafTiming(ctx: BoxContext, traf: Box, trexDuration: number): { start: number; duration: number } {
  const tfdt = child(ctx, traf, 'tfdt');
  if (!tfdt) throw new Error('traf without tfdt');
  const d = payload(ctx, tfdt);
  const { version } = fullBox(d);
  const start = version === 1 ? d.u32() * 0x100000000 + d.u32() : d.u32();
  const h = payload(ctx, child(ctx, traf, 'tfhd')!);
  const { flags: hf } = fullBox(h);
  h.skip(4 + (hf & 1 ? 8 : 0) + (hf & 2 ? 4 : 0));
  const defaultDuration = hf & 8 ? h.u32() : trexDuration;
  let duration = 0;
  for (const trun of children(ctx, traf).filter((b) => b.type === 'trun')) {
    const c = payload(ctx, trun);
    const { flags } = fullBox(c);
    const n = c.u32();
    c.skip((flags & 1 ? 4 : 0) + (flags & 4 ? 4 : 0));
    for (let i = 0; i < n; i++) {
      duration += flags & 0x100 ? c.u32() : defaultDuration;
      c.skip((flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0) + (flags & 0x800 ? 4 : 0));
    }
  }
  return { start, duration };
}

/** A single-track fragmented file cut at its top-level boxes: everything before the first moof is the init segment. */
export function segment(file: Buffer): Segmented {
  const top = topLevel(file);
  const ctx: BoxContext = { buf: file, base: 0 };
  const firstMoof = top.findIndex((b) => b.type === 'moof');
  const moovBox = top.find((b) => b.type === 'moov')!;
  const track = parseMovie(file.subarray(moovBox.start, moovBox.end), moovBox.start).tracks[0]!;
  const segments: Segmented['segments'] = [];
  for (let i = firstMoof; i < top.length; i++) {
    const b = top[i]!;
    if (b.type !== 'moof') continue;
    const end = top[i + 1]?.type === 'mdat' ? top[i + 1]!.end : b.end;
    segments.push({ bytes: file.subarray(b.start, end), ...trafTiming(ctx, child(ctx, b, 'traf')!, track.trex?.duration ?? 0) });
  }
  return { init: file.subarray(0, top[firstMoof]!.start), segments, timescale: track.timescale };
}

/** A copy of a media segment (moof + mdat, one traf) with its tfdt moved later by `delta` (track timescale). */
export function shiftDecodeTime(segmentBytes: Buffer, delta: number): Buffer {
  const out = Buffer.from(segmentBytes);
  const ctx: BoxContext = { buf: out, base: 0 };
  const moof = readBox(ctx, 0, out.length, '');
  const tfdt = child(ctx, child(ctx, moof, 'traf')!, 'tfdt')!;
  const at = tfdt.start + tfdt.headerSize + 4;
  if (out[tfdt.start + tfdt.headerSize] === 1) {
    const t = out.readUInt32BE(at) * 0x100000000 + out.readUInt32BE(at + 4) + delta;
    out.writeUInt32BE(Math.floor(t / 0x100000000), at);
    out.writeUInt32BE(t >>> 0, at + 4);
  } else {
    out.writeUInt32BE(out.readUInt32BE(at) + delta, at);
  }
  return out;
}
