// Samples waiting to pass through the output, merged across tracks and fragments in file order.
import { auxFromSaiz, parseSaio, parseSaiz, parseSenc, readAux } from '../boxes/aux.js';
import type { AuxTable } from '../boxes/aux.js';
import { MediaError } from '../errors.js';
import type { Source } from './io.js';
import { makeCrypto } from '../boxes/job.js';
import type { SampleJob } from '../boxes/job.js';
import { groupEntry, GroupLookup } from '../boxes/movie.js';
import type { Movie, TrackInfo } from '../boxes/movie.js';
import type { KeyParams } from '../boxes/protection.js';
import { buildSampleTable } from '../boxes/sample-table.js';
import type { SampleBudget } from '../boxes/budget.js';

export interface Lane {
  /** Input offset of the next sample, or Infinity when done. */
  peek(): number;
  take(): SampleJob;
  remaining(): number;
}

export class ArrayLane implements Lane {
  private head = 0;

  constructor(private readonly jobs: SampleJob[]) {
    jobs.sort((a, b) => a.offset - b.offset);
  }

  peek(): number {
    return this.jobs[this.head]?.offset ?? Infinity;
  }

  take(): SampleJob {
    return this.jobs[this.head++]!;
  }

  remaining(): number {
    return this.jobs.length - this.head;
  }
}

export class LaneSet {
  private lanes: Lane[] = [];

  add(lane: Lane): void {
    if (lane.remaining() > 0) this.lanes.push(lane);
  }

  /** Takes the next sample in file order if it starts before `limit`; otherwise leaves it and returns undefined. */
  takeBefore(limit: number): SampleJob | undefined {
    let best: Lane | undefined;
    let min = limit;
    // Per sample, in V8's baseline tiers, where for...of allocates per element.
    const lanes = this.lanes;
    for (let i = 0; i < lanes.length; i++) {
      const l = lanes[i]!;
      const p = l.peek();
      if (p < min) {
        min = p;
        best = l;
      }
    }
    if (!best) return undefined;
    const job = best.take();
    if (best.remaining() === 0) this.lanes = this.lanes.filter((l) => l !== best);
    return job;
  }

  remaining(): number {
    return this.lanes.reduce((s, l) => s + l.remaining(), 0);
  }
}

/** Sample aux info of a progressive track: senc in stbl/trak, or saiz + one saio run anywhere in the file. */
async function progressiveAux(movie: Movie, t: TrackInfo, count: number, ivSizeOf: (i: number) => number, src: Source): Promise<AuxTable | undefined> {
  const { ctx } = movie;
  const { senc, saiz, saio } = t.tables;
  if (senc) return parseSenc(ctx, senc, count, ivSizeOf);
  if (!saiz || !saio) return undefined;
  const sz = parseSaiz(ctx, saiz);
  const so = parseSaio(ctx, saio);
  // Before the sizes are summed: saiz's count is only backed by its box when it lists sizes.
  if (sz.count > count) throw new MediaError('malformed', `${sz.count} entries for ${count} samples`, { box: saiz.path, offset: ctx.base + saiz.start, field: 'sample_count' });
  if (so.length !== 1) {
    throw new MediaError('unsupported-layout', `${so.length} saio entries (only one contiguous run is supported)`, { box: saio.path, offset: ctx.base + saio.start });
  }
  const at = so[0]!;
  if (at >= ctx.base && at < ctx.base + ctx.buf.length) return auxFromSaiz(ctx.buf, ctx.base, at - ctx.base, sz, count, ivSizeOf, saiz.path);
  if (!src.seekable) {
    throw new MediaError('unsupported-layout', 'sample auxiliary information outside moov needs a seekable input', { box: saio.path, offset: ctx.base + saio.start });
  }
  let total = 0;
  for (let i = 0; i < sz.count; i++) total += sz.sizes ? sz.sizes[i]! : sz.defaultSize;
  const buf = await src.readAt(at, total);
  if (buf.length < total) throw new MediaError('truncated', 'sample auxiliary information cut off by the end of the file', { box: saio.path, offset: at });
  return auxFromSaiz(buf, at, 0, sz, count, ivSizeOf, saiz.path);
}

export async function progressiveLane(movie: Movie, t: TrackInfo, src: Source, budget: SampleBudget): Promise<Lane> {
  const table = buildSampleTable(movie.ctx, t, budget);
  const n = table.count;
  const groups = new GroupLookup(t.seigRuns);
  const where = t.stbl?.path ?? t.trak.path;
  const entryOf = (i: number) => {
    const e = t.entries[table.desc[i]! - 1];
    if (!e) throw new MediaError('malformed', `sample ${i} of track ${t.id} refers to missing sample description ${table.desc[i]}`, { box: where, trackId: t.id });
    return e;
  };
  const paramsOf = (i: number): KeyParams | undefined => groupEntry(groups.indexOf(i), t.seig, undefined, where) ?? entryOf(i).tenc;
  const anyProtected = t.entries.some((e) => e.protected);
  const aux = anyProtected ? await progressiveAux(movie, t, n, (i) => paramsOf(i)?.ivSize ?? 0, src) : undefined;

  // File order is usually sample order; sort only when it is not.
  let order: Uint32Array | undefined;
  for (let i = 1; i < n; i++) {
    if (table.offset[i]! < table.offset[i - 1]!) {
      order = new Uint32Array(n).map((_, k) => k);
      order.sort((a, b) => table.offset[a]! - table.offset[b]!);
      break;
    }
  }
  let head = 0;
  const idx = (k: number): number => (order ? order[k]! : k);
  return {
    peek: () => (head < n ? table.offset[idx(head)]! : Infinity),
    remaining: () => n - head,
    take: (): SampleJob => {
      const i = idx(head++);
      const entry = entryOf(i);
      const crypto = entry.protected
        ? makeCrypto(t.id, i, entry, groupEntry(groups.indexOf(i), t.seig, undefined, where), aux && i < aux.count ? readAux(aux, i) : undefined)
        : undefined;
      return { offset: table.offset[i]!, size: table.size[i]!, trackId: t.id, sampleIndex: i, crypto };
    },
  };
}
