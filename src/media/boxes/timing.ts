// Sample timing: decode durations, composition offsets and sync flags, from a progressive sample table
// (stts, ctts, stss) or a movie fragment's trafs (tfdt, tfhd/trex defaults, trun), in decode order.
import { child, children, fullBox, payload } from './box.js';
import type { Box, BoxContext } from './box.js';
import { MediaError } from '../errors.js';
import type { Movie, TrackInfo } from './movie.js';

export interface SampleTimes {
  duration: number[];
  /** Composition time minus decode time. */
  cto: number[];
  sync: boolean[];
}

/** ISO/IEC 14496-12 sample_flags: sample_is_non_sync_sample. */
const NON_SYNC = 0x10000;

function tooMany(n: number, c: { remaining: number }, per: number, b: Box, ctx: BoxContext): void {
  if (n > c.remaining / per) throw new MediaError('malformed', `entry_count ${n} exceeds the box`, { box: b.path, offset: ctx.base + b.start });
}

/** Timing of a progressive track's `count` samples. */
export function progressiveTimes(ctx: BoxContext, t: TrackInfo, count: number): SampleTimes {
  const out: SampleTimes = { duration: new Array<number>(count).fill(0), cto: new Array<number>(count).fill(0), sync: new Array<boolean>(count).fill(true) };
  if (!t.stbl || count === 0) return out;
  const stts = child(ctx, t.stbl, 'stts');
  if (!stts) throw new MediaError('malformed', `track ${t.id} has samples but no stts`, { box: t.stbl.path, trackId: t.id });
  const c = payload(ctx, stts);
  fullBox(c);
  const n = c.u32();
  tooMany(n, c, 8, stts, ctx);
  for (let i = 0, s = 0; i < n && s < count; i++) {
    const k = c.u32();
    const d = c.u32();
    for (let j = 0; j < k && s < count; j++) out.duration[s++] = d;
  }
  const ctts = child(ctx, t.stbl, 'ctts');
  if (ctts) {
    const cc = payload(ctx, ctts);
    const { version } = fullBox(cc);
    const m = cc.u32();
    tooMany(m, cc, 8, ctts, ctx);
    for (let i = 0, s = 0; i < m && s < count; i++) {
      const k = cc.u32();
      const off = version === 1 ? cc.i32() : cc.u32();
      for (let j = 0; j < k && s < count; j++) out.cto[s++] = off;
    }
  }
  const stss = child(ctx, t.stbl, 'stss');
  if (stss) {
    const sc = payload(ctx, stss);
    fullBox(sc);
    const m = sc.u32();
    tooMany(m, sc, 4, stss, ctx);
    out.sync.fill(false);
    for (let i = 0; i < m; i++) {
      const s = sc.u32();
      if (s >= 1 && s <= count) out.sync[s - 1] = true;
    }
  }
  return out;
}

export interface TrafTimes extends SampleTimes {
  trackId: number;
  /** tfdt's baseMediaDecodeTime, when the traf has one. */
  baseDecodeTime: number | undefined;
}

/** Timing of each traf of a moof (in `buf`, at input offset `base`), in the order of the trafs and their truns. */
export function fragmentTimes(movie: Movie, buf: Buffer, base: number): TrafTimes[] {
  const ctx: BoxContext = { buf, base };
  const moof = children(ctx, { type: '', start: 0, headerSize: 0, end: buf.length, path: '' })[0]!;
  const out: TrafTimes[] = [];
  for (const traf of children(ctx, moof)) {
    if (traf.type !== 'traf') continue;
    const boxes = children(ctx, traf);
    const tfhd = boxes.find((b) => b.type === 'tfhd');
    if (!tfhd) throw new MediaError('malformed', 'traf without tfhd', { box: traf.path, offset: base + traf.start });
    const h = payload(ctx, tfhd);
    const { flags } = fullBox(h);
    const trackId = h.u32();
    const track = movie.tracks.find((t) => t.id === trackId);
    if (flags & 1) h.skip(8);
    if (flags & 2) h.skip(4);
    const defaultDuration = flags & 8 ? h.u32() : (track?.trex?.duration ?? 0);
    if (flags & 0x10) h.skip(4);
    const defaultFlags = flags & 0x20 ? h.u32() : (track?.trex?.flags ?? 0);
    const times: TrafTimes = { trackId, baseDecodeTime: undefined, duration: [], cto: [], sync: [] };
    for (const b of boxes) {
      if (b.type === 'tfdt') {
        const c = payload(ctx, b);
        const { version } = fullBox(c);
        times.baseDecodeTime = version === 1 ? c.u64() : c.u32();
      } else if (b.type === 'trun') {
        const c = payload(ctx, b);
        const { version, flags: tf } = fullBox(c);
        const n = c.u32();
        if (tf & 1) c.skip(4);
        const firstFlags = tf & 4 ? c.u32() : undefined;
        const per = (tf & 0x100 ? 4 : 0) + (tf & 0x200 ? 4 : 0) + (tf & 0x400 ? 4 : 0) + (tf & 0x800 ? 4 : 0);
        if (per > 0) tooMany(n, c, per, b, ctx);
        for (let i = 0; i < n; i++) {
          times.duration.push(tf & 0x100 ? c.u32() : defaultDuration);
          if (tf & 0x200) c.skip(4);
          const f = tf & 0x400 ? c.u32() : i === 0 && firstFlags !== undefined ? firstFlags : defaultFlags;
          times.sync.push((f & NON_SYNC) === 0);
          times.cto.push(tf & 0x800 ? (version === 1 ? c.i32() : c.u32()) : 0);
        }
      }
    }
    out.push(times);
  }
  return out;
}
