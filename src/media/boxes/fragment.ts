// One movie fragment (moof): its samples with their protection, and the moof rewritten without protection boxes.
import { auxFromSaiz, parseSaio, parseSaiz, parseSenc, PIFF_SENC_UUID, readAux } from './aux.js';
import type { AuxTable, Saiz } from './aux.js';
import { boxHeader, children, fullBox, payload, readBox } from './box.js';
import type { Box, BoxContext } from './box.js';
import type { SampleBudget } from './budget.js';
import type { Cursor } from './bytes.js';
import { MediaError } from '../errors.js';
import { makeCrypto } from './job.js';
import type { SampleJob } from './job.js';
import { groupEntry, GroupLookup } from './movie.js';
import type { Movie, TrackInfo } from './movie.js';
import { isSeigBox, parseSeigGroup, parseSeigMapping, psshRuns } from './protection.js';
import type { KeyParams, SampleEntryInfo, SampleGroupRun } from './protection.js';

export interface Fragment {
  jobs: SampleJob[];
  /** Per traf, in order: the decode timing of its samples (jobs[firstJob ...] in decode order), for MSE. */
  timing: TrafTiming[];
  /** The moof's 'cenc' init data, worked out when asked: each run of adjacent pssh boxes (psshRuns); the clear moof has none. */
  initData(): Buffer[];
  oldSize: number;
  newSize: number;
  /** The clear moof; `deltaAfter` = output offset minus input offset of the bytes following the moof. */
  build(deltaAfter: number): Buffer;
}

/** Sample timing of one traf, in its track's timescale (ISO/IEC 14496-12 tfdt, trun, tfhd/trex defaults). */
export interface TrafTiming {
  trackId: number;
  /** tfdt's baseMediaDecodeTime; undefined without tfdt. */
  baseDecodeTime: number | undefined;
  /** Index in Fragment.jobs of the traf's first sample. */
  firstJob: number;
  durations: number[];
  /** Signed composition time offsets (version 0 values read as signed too, as writers use them). */
  compositionOffsets: number[];
  /** sample_flags: bit 0x10000 is sample_is_non_sync_sample. */
  flags: number[];
}

/** Per-sample defaults a trun falls back on: tfhd's, else trex's. */
interface TrunDefaults {
  size: number;
  duration: number;
  flags: number;
}

interface TrunPatch {
  /** Position of data_offset inside the trun box. */
  at: number;
  moofRelative: boolean;
}

interface TrafPlan {
  keep: Box[];
  truns: Map<Box, TrunPatch>;
  tfhd: Box;
  explicitBase: boolean;
}

/** Whether a traf-level box goes away in the clear output. */
function dropInTraf(ctx: BoxContext, b: Box): boolean {
  return b.type === 'senc' || b.type === 'saiz' || b.type === 'saio' || (b.type === 'uuid' && b.uuid === PIFF_SENC_UUID) || isSeigBox(ctx, b);
}

/**
 * The per-sample loops of a traf live in small functions of their own: they run thousands of times from a
 * cold start, and V8 optimizes (on another thread, competing with this one on a small machine) the whole
 * function a hot loop sits in.
 */
function readTrunSamples(
  t: Cursor,
  flags: number,
  n: number,
  defaults: TrunDefaults,
  firstFlags: number | undefined,
  cursor: number,
  offsets: number[],
  sizes: number[],
  timing: TrafTiming,
): number {
  for (let i = 0; i < n; i++) {
    timing.durations.push(flags & 0x100 ? t.u32() : defaults.duration);
    const size = flags & 0x200 ? t.u32() : defaults.size;
    const sampleFlags = flags & 0x400 ? t.u32() : i === 0 && firstFlags !== undefined ? firstFlags : defaults.flags;
    timing.flags.push(sampleFlags);
    timing.compositionOffsets.push(flags & 0x800 ? t.i32() : 0);
    offsets.push(cursor);
    sizes.push(size);
    cursor += size;
  }
  return cursor;
}

function pushJobs(
  jobs: SampleJob[],
  trackId: number,
  firstIndex: number,
  entry: SampleEntryInfo,
  offsets: number[],
  sizes: number[],
  groupOf: ((i: number) => KeyParams | undefined) | undefined,
  aux: AuxTable | undefined,
): void {
  const n = offsets.length;
  for (let i = 0; i < n; i++) {
    const index = firstIndex + i;
    const crypto = entry.protected ? makeCrypto(trackId, index, entry, groupOf?.(i), aux && i < aux.count ? readAux(aux, i) : undefined) : undefined;
    jobs.push({ offset: offsets[i]!, size: sizes[i]!, trackId, sampleIndex: index, crypto });
  }
}

function parseTraf(
  movie: Movie,
  ctx: BoxContext,
  moofStart: number,
  traf: Box,
  firstTraf: boolean,
  prevDataEnd: number,
  counters: Map<number, number>,
  jobs: SampleJob[],
  budget: SampleBudget,
  timings: TrafTiming[],
): { plan: TrafPlan; dataEnd: number } {
  const boxes = children(ctx, traf);
  const tfhd = boxes.find((b) => b.type === 'tfhd');
  if (!tfhd) throw new MediaError('malformed', 'traf without tfhd', { box: traf.path, offset: ctx.base + traf.start });
  const c = payload(ctx, tfhd);
  const { flags } = fullBox(c);
  const trackId = c.u32();
  const track: TrackInfo | undefined = movie.tracks.find((t) => t.id === trackId);
  if (!track) throw new MediaError('malformed', `unknown track ID ${trackId}`, { box: tfhd.path, offset: ctx.base + tfhd.start });
  const explicitBase = (flags & 1) !== 0;
  const baseOffset = explicitBase ? c.u64() : undefined;
  const descIndex = flags & 2 ? c.u32() : (track.trex?.descIndex ?? 1);
  const defaults: TrunDefaults = {
    duration: flags & 8 ? c.u32() : (track.trex?.duration ?? 0),
    size: flags & 0x10 ? c.u32() : (track.trex?.size ?? 0),
    flags: flags & 0x20 ? c.u32() : (track.trex?.flags ?? 0),
  };
  const moofRelative = !explicitBase && ((flags & 0x20000) !== 0 || firstTraf);
  const base = baseOffset ?? (moofRelative ? ctx.base + moofStart : prevDataEnd);

  const entry = track.entries[descIndex - 1];
  if (!entry) throw new MediaError('malformed', `sample description index ${descIndex} not in stsd of track ${trackId}`, { box: tfhd.path, offset: ctx.base + tfhd.start });

  const offsets: number[] = [];
  const sizes: number[] = [];
  const truns = new Map<Box, TrunPatch>();
  const timing: TrafTiming = { trackId, baseDecodeTime: undefined, firstJob: jobs.length, durations: [], compositionOffsets: [], flags: [] };
  let cursor = base;
  let firstTrun = true;
  let trafSeig: KeyParams[] | undefined;
  let runs: SampleGroupRun[] | undefined;
  let senc: Box | undefined;
  let saiz: Box | undefined;
  let saio: Box | undefined;
  for (const b of boxes) {
    if (b.type === 'trun') {
      const t = payload(ctx, b);
      const { flags: tf } = fullBox(t);
      const n = t.u32();
      const at = t.pos - b.start;
      const dataOffset = tf & 1 ? t.i32() : undefined;
      const firstFlags = tf & 4 ? t.u32() : undefined;
      const per = ((tf & 0x100 ? 4 : 0) + (tf & 0x200 ? 4 : 0) + (tf & 0x400 ? 4 : 0) + (tf & 0x800 ? 4 : 0));
      // Checked before a sample is looked at: per-sample fields must fit in the box; samples without any are
      // backed only by their data, which must fit in the input.
      const count = { box: b.path, offset: ctx.base + b.start, field: 'sample_count' };
      if (per > 0 && n > t.remaining / per) throw new MediaError('malformed', `${n} samples of ${per} bytes each run past the end of the box`, count);
      if (per === 0) budget.claim(n, defaults.size, count);
      if (dataOffset !== undefined) {
        cursor = base + dataOffset;
        truns.set(b, { at, moofRelative });
      } else if (firstTrun) cursor = base;
      firstTrun = false;
      cursor = readTrunSamples(t, tf, n, defaults, firstFlags, cursor, offsets, sizes, timing);
    } else if (b.type === 'tfdt') {
      const d = payload(ctx, b);
      const { version } = fullBox(d);
      timing.baseDecodeTime = version === 1 ? d.u64() : d.u32();
    } else if (b.type === 'senc' || (b.type === 'uuid' && b.uuid === PIFF_SENC_UUID)) senc = b;
    else if (b.type === 'saiz') saiz = b;
    else if (b.type === 'saio') saio = b;
    else if (b.type === 'sgpd') trafSeig = parseSeigGroup(ctx, b) ?? trafSeig;
    else if (b.type === 'sbgp') runs = parseSeigMapping(ctx, b) ?? runs;
  }

  const n = offsets.length;
  // Sample groups (key rotation) are rare: without them every sample has the sample entry's parameters.
  const groups = new GroupLookup(runs);
  const groupOf = runs ? (i: number): KeyParams | undefined => groupEntry(groups.indexOf(i), track.seig, trafSeig, traf.path) : undefined;
  const fixedIvSize = entry.tenc?.ivSize ?? 0;
  const ivSizeOf = groupOf ? (i: number): number => (groupOf(i) ?? entry.tenc)?.ivSize ?? 0 : (): number => fixedIvSize;
  let aux: AuxTable | undefined;
  if (entry.protected) {
    if (senc) aux = parseSenc(ctx, senc, n, ivSizeOf);
    else if (saiz && saio) {
      const sz: Saiz = parseSaiz(ctx, saiz);
      const so = parseSaio(ctx, saio);
      if (so.length !== 1) throw new MediaError('unsupported-layout', `${so.length} saio entries (only one contiguous run is supported)`, { box: saio.path, offset: ctx.base + saio.start });
      const auxBase = baseOffset ?? ctx.base + moofStart;
      aux = auxFromSaiz(ctx.buf, ctx.base, auxBase + so[0]! - ctx.base, sz, n, ivSizeOf, saiz.path);
    }
  }
  const first = counters.get(trackId) ?? 0;
  pushJobs(jobs, trackId, first, entry, offsets, sizes, groupOf, aux);
  counters.set(trackId, first + n);
  timings.push(timing);
  const keep = boxes.filter((b) => !dropInTraf(ctx, b));
  return { plan: { keep, truns, tfhd, explicitBase }, dataEnd: cursor };
}

/** `budget` is shared by every fragment (and sample table) of one input: see SampleBudget. */
export function parseFragment(movie: Movie, buf: Buffer, base: number, counters: Map<number, number>, budget: SampleBudget): Fragment {
  const ctx: BoxContext = { buf, base };
  const moof = readBox(ctx, 0, buf.length, '');
  const jobs: SampleJob[] = [];
  const timing: TrafTiming[] = [];
  const parts: (Box | TrafPlan)[] = [];
  let first = true;
  let dataEnd = base;
  const boxes = children(ctx, moof);
  for (const b of boxes) {
    if (b.type === 'traf') {
      const r = parseTraf(movie, ctx, moof.start, b, first, dataEnd, counters, jobs, budget, timing);
      first = false;
      dataEnd = r.dataEnd;
      parts.push(r.plan);
    } else if (b.type !== 'pssh') parts.push(b);
  }
  const sizeOf = (p: Box | TrafPlan): number => ('keep' in p ? 8 + p.keep.reduce((s, k) => s + (k.end - k.start), 0) : p.end - p.start);
  const payloadSize = parts.reduce((s, p) => s + sizeOf(p), 0);
  const newSize = payloadSize + 8;
  const oldSize = moof.end - moof.start;
  return {
    jobs,
    timing,
    initData: () => psshRuns(ctx, boxes),
    oldSize,
    newSize,
    build(deltaAfter: number): Buffer {
      const out = Buffer.allocUnsafe(newSize);
      boxHeader('moof', payloadSize).copy(out, 0);
      let o = 8;
      const shrink = oldSize - newSize;
      for (const p of parts) {
        if (!('keep' in p)) {
          o += buf.copy(out, o, p.start, p.end);
          continue;
        }
        boxHeader('traf', sizeOf(p) - 8).copy(out, o);
        o += 8;
        for (const k of p.keep) {
          const at = o;
          o += buf.copy(out, o, k.start, k.end);
          const patch = p.truns.get(k);
          if (patch?.moofRelative) {
            // A data_offset that no longer fits its 32 bits once the moof shrinks (one near -2^31: found by npm run
            // fuzz) is refused, not written out of range.
            const moved = out.readInt32BE(at + patch.at) - shrink;
            if (moved < -0x80000000 || moved > 0x7fffffff) {
              throw new MediaError('malformed', `data_offset ${moved + shrink} does not fit in 32 bits once the moof is ${shrink} bytes shorter`, { box: k.path, offset: ctx.base + k.start, field: 'data_offset' });
            }
            out.writeInt32BE(moved, at + patch.at);
          }
          if (k === p.tfhd && p.explicitBase) {
            const pos = at + k.headerSize + 8;
            const old = out.readUInt32BE(pos) * 0x100000000 + out.readUInt32BE(pos + 4);
            const v = old + deltaAfter;
            if (v < 0 || v >= 2 ** 53) throw new MediaError('malformed', `base_data_offset ${old} cannot be moved by ${deltaAfter} bytes`, { box: k.path, offset: ctx.base + k.start, field: 'base_data_offset' });
            out.writeUInt32BE(Math.floor(v / 0x100000000), pos);
            out.writeUInt32BE(v >>> 0, pos + 4);
          }
        }
      }
      return out;
    },
  };
}
