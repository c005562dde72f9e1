// A longer clear source from a short fragmented one: its fragments `times` times in a row, each copy's tfdt moved
// later by the track's whole duration (the benchmark's 60 s from the 4 s fixture). Reads with src/media/boxes.
import { child, children, fullBox, payload, readBox, type Box, type BoxContext } from '../../../src/media/boxes/box.js';
import { parseMovie } from '../../../src/media/boxes/movie.js';

function topLevel(ctx: BoxContext): Box[] {
  const out: Box[] = [];
  for (let p = 0; p < ctx.buf.length; ) {
    const b = readBox(ctx, p, ctx.buf.length, '');
    out.push(b);
    p = b.end;
  }
  return out;
}

/** tfdt's field position, and the traf's track and summed sample durations (trun, else tfhd's, else trex's default). */
function trafTiming(ctx: BoxContext, traf: Box, trexDuration: (trackId: number) => number): { trackId: number; tfdt: Box; duration: number } {
  const h = payload(ctx, child(ctx, traf, 'tfhd')!);
  const { flags: hf } = fullBox(h);
  const trackId = h.u32();
  h.skip((hf & 1 ? 8 : 0) + (hf & 2 ? 4 : 0));
  const defaultDuration = hf & 8 ? h.u32() : trexDuration(trackId);
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
  const tfdt = child(ctx, traf, 'tfdt');
  if (!tfdt) throw new Error('traf without tfdt');
  return { trackId, tfdt, duration };
}

function addToTfdt(buf: Buffer, tfdt: Box, delta: number): void {
  const at = tfdt.start + tfdt.headerSize + 4;
  if (buf[tfdt.start + tfdt.headerSize] === 1) {
    const t = buf.readUInt32BE(at) * 0x100000000 + buf.readUInt32BE(at + 4) + delta;
    buf.writeUInt32BE(Math.floor(t / 0x100000000), at);
    buf.writeUInt32BE(t >>> 0, at + 4);
  } else {
    buf.writeUInt32BE(buf.readUInt32BE(at) + delta, at);
  }
}

export function loopFragments(file: Buffer, times: number): Buffer {
  const ctx: BoxContext = { buf: file, base: 0 };
  const top = topLevel(ctx);
  const first = top.findIndex((b) => b.type === 'moof');
  const moovBox = top.find((b) => b.type === 'moov')!;
  const movie = parseMovie(file.subarray(moovBox.start, moovBox.end), moovBox.start);
  const trex = (id: number) => movie.tracks.find((t) => t.id === id)?.trex?.duration ?? 0;
  const totals = new Map<number, number>();
  for (const moof of top.filter((b) => b.type === 'moof')) {
    for (const traf of children(ctx, moof).filter((b) => b.type === 'traf')) {
      const { trackId, duration } = trafTiming(ctx, traf, trex);
      totals.set(trackId, (totals.get(trackId) ?? 0) + duration);
    }
  }
  const fragments = file.subarray(top[first]!.start);
  const copies = [file.subarray(0, top[first]!.start)];
  for (let r = 0; r < times; r++) {
    const copy = Buffer.from(fragments);
    const cctx: BoxContext = { buf: copy, base: 0 };
    for (const moof of topLevel(cctx).filter((b) => b.type === 'moof')) {
      for (const traf of children(cctx, moof).filter((b) => b.type === 'traf')) {
        const { trackId, tfdt } = trafTiming(cctx, traf, trex);
        addToTfdt(copy, tfdt, r * totals.get(trackId)!);
      }
    }
    copies.push(copy);
  }
  return Buffer.concat(copies);
}
